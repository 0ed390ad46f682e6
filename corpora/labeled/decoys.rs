//! Decoys: values that look sensitive and are not. Every file here is labeled with no span,
//! so any reported finding in it is a false hit.
//!
//! One file per kind, so a false hit names its kind by its file: order ids that fail Luhn,
//! UUIDs, git SHAs and `git@host:` remotes, timestamps, versions (4-part ones included), hex
//! colours, base64 blobs and public certificates, documentation example keys and
//! placeholders, phone-like ids, hex fingerprints, the benchmark generator's clean log
//! lines (`corpora/gen.rs`, kind `clean`), and code and documentation that name a password
//! without holding one. The documentation examples are the published ones
//! (AWS's `AKIAIOSFODNN7EXAMPLE` pair); everything else is random from the seed.

use std::fmt::Write as _;

use blackbar::testkit::checksum::luhn_valid;

use super::gencorpus::{generate, Kind};
use super::{CorpusFile, Doc, Rng};

const LINES: usize = 40;
const HEX: &[u8] = b"0123456789abcdef";
const DIGITS: &[u8] = b"0123456789";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const UPPER_HEX: &[u8] = b"0123456789ABCDEF";

/// Writes line `i` of a decoy file.
type Line = fn(&mut Rng, &mut String, usize);

pub fn files(rng: &mut Rng) -> Vec<CorpusFile> {
    let kinds: &[(&str, Line)] = &[
        ("decoys/order-ids.txt", order_id),
        ("decoys/uuids.log", uuid),
        ("decoys/git.txt", git),
        ("decoys/timestamps.log", timestamp),
        ("decoys/versions.txt", version),
        ("decoys/colours.css", colour),
        ("decoys/base64.txt", base64),
        ("decoys/doc-examples.md", doc_example),
        ("decoys/phone-like-ids.txt", phone_like),
        ("decoys/fingerprints.txt", fingerprint),
    ];
    let mut out = vec![];
    for &(name, line) in kinds {
        let mut doc = Doc::default();
        for i in 0..LINES {
            line(rng, &mut doc.text, i);
            doc.text.push('\n');
        }
        out.push(doc.finish(name));
    }
    let clean = generate(rng.next(), 12 * 1024, Kind::Clean);
    out.push(CorpusFile {
        name: "decoys/clean.log".into(),
        bytes: clean.bytes,
        labels: vec![],
    });
    let mut doc = Doc::default();
    for i in 0..LINES {
        password_word(rng, &mut doc.text, i);
        doc.text.push('\n');
    }
    out.push(doc.finish("decoys/password-words.txt"));
    out
}

/// Code and documentation that name a password without holding one: identifiers, CSS
/// selectors, routes, form fields and documentation URLs (`#add-password`,
/// `https://docs.example.com/reset-password`), slots and placeholders in a password's place
/// (`${VAR}`, `<YOUR_KEY>`, `xxxxxxxx`, a schema's `"string"`, a Secret's name), the shell's
/// working directory `PWD=` and prose that says a password is needed.
fn password_word(rng: &mut Rng, s: &mut String, i: usize) {
    let id = text(rng, DIGITS, 3);
    let line = match i % 24 {
        0 => format!("this.addPassword = \"#add-password\"; // form {id}"),
        1 => format!("const resetPasswordUrl{id} = \"https://docs.example.com/reset-password\";"),
        2 => format!("see https://docs.example.com/account/password/reset?ref={id} for help"),
        3 => format!("<a href=\"/users/password/new?step={id}\">Forgot your password?</a>"),
        4 => "passwordInput.placeholder = \"Enter your password\";".to_string(),
        5 => format!("$(\"#confirm-password-{id}\").val(\"\");"),
        6 => "if (form.password !== form.passwordConfirmation) { return false; }".to_string(),
        7 => "router.get('/forgot-password', forgotPasswordHandler);".to_string(),
        8 => format!("password_reset_url: https://help.example.org/kb/{id}/password-reset"),
        9 => "<label for=\"new-password\">New password</label>".to_string(),
        10 => "user.setPassword(request.getParameter(\"password\"));".to_string(),
        11 => format!("{{\"field\": \"password\", \"error\": \"too_short\", \"request\": {id}}}"),
        12 => {
            "\"passwordPolicy\": \"https://docs.example.com/security/password-policy\",".to_string()
        }
        13 => format!(
            "put '/forgot-password' => \"sites/passwords#update\", as: 'update_password_{id}'"
        ),
        14 => {
            format!("\"/en/{id}/creating-a-strong-password\": \"/en/enterprise-server@3.0/auth\",")
        }
        15 => format!("document.querySelector('.change-password-btn-{id}').disabled = true;"),
        16 => format!("db_password = \"${{DB_PASSWORD_{id}}}\""),
        17 => "api_key: \"<YOUR_KEY>\"".to_string(),
        18 => format!("password = \"xxxxxxxx\" # request {id}"),
        19 => format!(
            "sudo: deploy : TTY=pts/0 ; PWD=/opt/filebeat/{id} ; USER=root ; COMMAND=/bin/ls at 1445680800{id}"
        ),
        20 => format!("error {id}: the password is required"),
        21 => "\"password\": \"string\",".to_string(),
        22 => "existingPasswordSecret: \"postgres-secret\"".to_string(),
        _ => format!("if (typeof password === \"string\") {{ return {id}; }}"),
    };
    s.push_str(&line);
}

fn text(rng: &mut Rng, alphabet: &[u8], n: usize) -> String {
    let mut s = String::new();
    rng.chars(&mut s, alphabet, n);
    s
}

/// Card-shaped order numbers whose Luhn check fails.
fn order_id(rng: &mut Rng, s: &mut String, i: usize) {
    let prefix = rng.pick(&["4", "51", "55", "6011", "37", "35"]);
    let len = if prefix == "37" { 15 } else { 16 };
    let digits = loop {
        let d = format!("{prefix}{}", text(rng, DIGITS, len - prefix.len()));
        if !luhn_valid(d.as_bytes()) {
            break d;
        }
    };
    let shown = match rng.below(3) {
        0 => digits.clone(),
        1 if len == 16 => {
            let g: Vec<&str> = (0..4).map(|k| &digits[4 * k..4 * k + 4]).collect();
            g.join(" ")
        }
        _ if len == 16 => {
            let g: Vec<&str> = (0..4).map(|k| &digits[4 * k..4 * k + 4]).collect();
            g.join("-")
        }
        _ => digits.clone(),
    };
    let status = rng.pick(&["shipped", "pending", "refunded", "delivered"]);
    match i % 3 {
        0 => {
            let _ = write!(
                s,
                "order_id={shown} status={status} items={}",
                rng.range(1, 9)
            );
        }
        1 => {
            let _ = write!(
                s,
                "Your order {shown} has been {status}. Thank you for shopping!"
            );
        }
        _ => {
            let _ = write!(
                s,
                "{{\"order\":\"{shown}\",\"total\":\"{}.{:02}\"}}",
                rng.range(5, 900),
                rng.below(100)
            );
        }
    }
}

fn uuid_text(rng: &mut Rng, upper: bool) -> String {
    let alpha = if upper { UPPER_HEX } else { HEX };
    let v = format!(
        "{}-{}-4{}-{}{}-{}",
        text(rng, alpha, 8),
        text(rng, alpha, 4),
        text(rng, alpha, 3),
        rng.pick(&["8", "9", "a", "b"]),
        text(rng, alpha, 3),
        text(rng, alpha, 12)
    );
    if upper {
        v.to_ascii_uppercase()
    } else {
        v
    }
}

fn uuid(rng: &mut Rng, s: &mut String, i: usize) {
    let id = uuid_text(rng, i % 5 == 4);
    match i % 3 {
        0 => {
            let _ = write!(
                s,
                "2026-05-0{} INFO request_id={id} route=/v1/orders status=200",
                1 + i % 9
            );
        }
        1 => {
            let _ = write!(s, "GET /api/users/{id}/preferences HTTP/1.1 200 512");
        }
        _ => {
            let _ = write!(
                s,
                "{{\"trace_id\":\"{id}\",\"span\":\"{}\"}}",
                text(rng, HEX, 16)
            );
        }
    }
}

fn git(rng: &mut Rng, s: &mut String, i: usize) {
    let sha = text(rng, HEX, 40);
    let host = rng.pick(&[
        "github.com",
        "gitlab.com",
        "bitbucket.org",
        "git.example.net",
    ]);
    let repo = rng.pick(&["orders", "infra", "web-frontend", "payments-api"]);
    match i % 5 {
        0 => {
            let _ = write!(s, "commit {sha}");
        }
        1 => {
            let _ = write!(s, "origin\tgit@{host}:acme/{repo}.git (fetch)");
        }
        2 => {
            let _ = write!(
                s,
                "git clone git@{host}:acme/{repo}.git && git checkout {}",
                &sha[..7]
            );
        }
        3 => {
            let _ = write!(s, "Merge: {} {}", &sha[..7], text(rng, HEX, 7));
        }
        _ => {
            let _ = write!(
                s,
                "url = ssh://git@{host}:22/acme/{repo}.git # pinned at {sha}"
            );
        }
    }
}

fn timestamp(rng: &mut Rng, s: &mut String, i: usize) {
    let (mo, d, h, m, sec) = (
        rng.range(1, 12),
        rng.range(1, 28),
        rng.below(24),
        rng.below(60),
        rng.below(60),
    );
    let epoch = 1_700_000_000 + rng.below(90_000_000);
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mon = months[(mo - 1) as usize];
    match i % 6 {
        0 => {
            let _ = write!(
                s,
                "2026-{mo:02}-{d:02}T{h:02}:{m:02}:{sec:02}.{:06}+01:00 job finished",
                rng.below(1_000_000)
            );
        }
        1 => {
            let _ = write!(
                s,
                "Date: Sat, {d:02} {mon} 2026 {h:02}:{m:02}:{sec:02} +0100"
            );
        }
        2 => {
            let _ = write!(
                s,
                "{{\"ts\":{epoch},\"ts_ms\":{}{:03},\"event\":\"login\"}}",
                epoch,
                rng.below(1000)
            );
        }
        3 => {
            let _ = write!(s, "web-01 - - [{d:02}/{mon}/2026:{h:02}:{m:02}:{sec:02} +0000] \"GET /health HTTP/1.1\" 200 2");
        }
        4 => {
            let _ = write!(
                s,
                "backup-2026{mo:02}{d:02}T{h:02}{m:02}{sec:02}Z.tar.gz took {}ms",
                rng.range(100, 99_999)
            );
        }
        _ => {
            let _ = write!(s, "{mon} {d:2} {h:02}:{m:02}:{sec:02} web-01 cron[{}]: (root) CMD (run-parts /etc/cron.hourly)", rng.range(100, 65_000));
        }
    }
}

fn version(rng: &mut Rng, s: &mut String, i: usize) {
    let (a, b, c) = (rng.range(0, 12), rng.range(0, 40), rng.range(0, 200));
    match i % 6 {
        0 => {
            let _ = write!(s, "Bump serde from {a}.{b}.{c} to {a}.{b}.{}", c + 1);
        }
        1 => {
            let _ = write!(s, "FROM node:{}.{b}.{c}-alpine", rng.range(16, 22));
        }
        2 => {
            // Windows and .NET build numbers: four parts.
            let _ = write!(
                s,
                "OS Version: 10.0.{}.{}",
                rng.range(17_000, 26_000),
                rng.range(1, 5000)
            );
        }
        3 => {
            let _ = write!(
                s,
                "[assembly: AssemblyVersion(\"{a}.{b}.{c}.{}\")]",
                rng.range(0, 9)
            );
        }
        4 => {
            let _ = write!(
                s,
                "Chrome/{}.0.{}.{} Safari/537.36",
                rng.range(110, 131),
                rng.range(5000, 6999),
                rng.range(10, 250)
            );
        }
        _ => {
            let _ = write!(
                s,
                "v{a}.{b}.{c}-rc.{} released; linux-image-{}.{}.0-{}-amd64",
                rng.range(1, 5),
                rng.range(4, 6),
                rng.range(1, 19),
                rng.range(1, 40)
            );
        }
    }
}

fn colour(rng: &mut Rng, s: &mut String, i: usize) {
    let c6 = text(rng, HEX, 6);
    let c3 = text(rng, HEX, 3);
    match i % 4 {
        0 => {
            let _ = write!(s, ".btn-{i} {{ color: #{c6}; background: #{c3}; }}");
        }
        1 => {
            let _ = write!(s, ":root {{ --accent-{i}: #{}; }}", c6.to_ascii_uppercase());
        }
        2 => {
            let _ = write!(
                s,
                ".card-{i} {{ border: 1px solid #{c6}{}; }}",
                text(rng, HEX, 2)
            );
        }
        _ => {
            let _ = write!(
                s,
                ".tag-{i} {{ color: rgb({}, {}, {}); fill: #{c6}; }}",
                rng.below(256),
                rng.below(256),
                rng.below(256)
            );
        }
    }
}

fn base64(rng: &mut Rng, s: &mut String, i: usize) {
    match i % 4 {
        0 => {
            let n = 4 * rng.range(10, 40) as usize;
            let _ = write!(
                s,
                "{{\"thumbnail\":\"data:image/png;base64,{}\"}}",
                text(rng, B64, n)
            );
        }
        1 => {
            let _ = write!(s, "checksum: sha512-{}==", text(rng, B64, 86));
        }
        2 => {
            let _ = write!(
                s,
                "-----BEGIN CERTIFICATE-----\n{}\n{}\n-----END CERTIFICATE-----",
                text(rng, B64, 64),
                text(rng, B64, 40)
            );
        }
        _ => {
            let n = 4 * rng.range(8, 20) as usize - 1;
            let _ = write!(
                s,
                "Content-Transfer-Encoding: base64 {}=",
                text(rng, B64, n)
            );
        }
    }
}

fn doc_example(rng: &mut Rng, s: &mut String, i: usize) {
    let lines = [
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "password = changeme",
        "DB_PASSWORD=<your-password>",
        "api_key: ${API_KEY}",
        "token = \"your-token-here\"",
        "Authorization: Bearer <token>",
        "curl -H \"Authorization: Bearer $ACCESS_TOKEN\" https://api.example.com/v1/me",
        "GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }}",
        "password: \"********\"",
        "secret_key = os.environ[\"SECRET_KEY\"]",
        "client_secret: {{ .Values.oauth.clientSecret }}",
        "postgres://user:${DB_PASSWORD}@localhost:5432/app",
        "redis://:%REDIS_PASSWORD%@cache:6379/0",
        "Server=db.internal;Database=app;User Id=app;Password=<password>;",
        "REACT_APP_AUTH_PASSWORD=${REACT_APP_AUTH_PASSWORD}",
        "psexec \\\\fileserver -u CORP\\admin -p %ADMIN_PASSWORD% cmd",
        "    password \"${nexusPassword}\"",
        "Unseal Key 1: <unseal-key-1>",
        "<apiToken>\n    ${API_TOKEN}\n</apiToken>",
    ];
    if i < lines.len() {
        s.push_str(lines[i]);
    } else {
        let _ = write!(
            s,
            "See step {} of the setup guide: replace each placeholder above with your own value.",
            rng.range(1, 9)
        );
    }
}

fn phone_like(rng: &mut Rng, s: &mut String, i: usize) {
    match i % 7 {
        0 => {
            let _ = write!(
                s,
                "Incident INC{} assigned to the on-call team",
                text(rng, DIGITS, 7)
            );
        }
        1 => {
            let _ = write!(
                s,
                "ISBN 978-{}-{}-{}-{}",
                rng.range(0, 9),
                text(rng, DIGITS, 2),
                text(rng, DIGITS, 6),
                rng.below(10)
            );
        }
        2 => {
            let _ = write!(s, "PO number 45{} approved", text(rng, DIGITS, 8));
        }
        3 => {
            // A real EAN-13: twelve digits and the GS1 check digit (weights 1 and 3).
            let body = format!(
                "{}{}",
                rng.pick(&["400", "590", "871"]),
                text(rng, DIGITS, 9)
            );
            let sum: u32 = body
                .bytes()
                .enumerate()
                .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
                .sum();
            let _ = write!(s, "EAN {body}{}", (10 - sum % 10) % 10);
        }
        4 => {
            let _ = write!(
                s,
                "invoice INV-2026-{} due in 30 days",
                text(rng, DIGITS, 6)
            );
        }
        5 => {
            let _ = write!(
                s,
                "listening on ports {}-{}",
                rng.range(8000, 8100),
                rng.range(8101, 8200)
            );
        }
        _ => {
            let _ = write!(
                s,
                "build #{} of pipeline {} finished in {}s",
                rng.range(1000, 99_999),
                rng.range(100, 999),
                rng.range(10, 900)
            );
        }
    }
}

fn colon_hex(rng: &mut Rng, octets: usize, upper: bool) -> String {
    let alpha = if upper { UPPER_HEX } else { HEX };
    (0..octets)
        .map(|_| text(rng, alpha, 2))
        .collect::<Vec<_>>()
        .join(":")
}

fn fingerprint(rng: &mut Rng, s: &mut String, i: usize) {
    match i % 5 {
        0 => {
            let _ = write!(s, "256 SHA256:{} deploy@ci (ED25519)", text(rng, B64, 43));
        }
        1 => {
            let _ = write!(
                s,
                "RSA key fingerprint is MD5:{}.",
                colon_hex(rng, 16, false)
            );
        }
        2 => {
            let _ = write!(s, "SHA1 Fingerprint={}", colon_hex(rng, 20, true));
        }
        3 => {
            let groups: Vec<String> = (0..10).map(|_| text(rng, UPPER_HEX, 4)).collect();
            let _ = write!(
                s,
                "      Key fingerprint = {}  {}",
                groups[..5].join(" "),
                groups[5..].join(" ")
            );
        }
        _ => {
            let _ = write!(
                s,
                "{}  release-{}.tar.gz",
                text(rng, HEX, 64),
                rng.range(1, 30)
            );
        }
    }
}
