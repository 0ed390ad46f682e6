//! Structural checks: SSN ranges, IP addresses, JWT headers, placeholder values.

use std::str::FromStr;

pub(crate) fn ssn_valid(value: &[u8]) -> bool {
    let digits: Vec<u8> = value.iter().copied().filter(u8::is_ascii_digit).collect();
    if digits.len() != 9 {
        return false;
    }
    let area = &digits[..3];
    area != b"000"
        && area != b"666"
        && area[0] != b'9'
        && &digits[3..5] != b"00"
        && &digits[5..] != b"0000"
}

pub(crate) fn ipv4_valid(value: &[u8]) -> bool {
    std::str::from_utf8(value)
        .ok()
        .and_then(|s| std::net::Ipv4Addr::from_str(s).ok())
        .is_some()
}

/// Whether `value`, an IPv4 or IPv6 address, is one a host can have: not unspecified
/// (`0.0.0.0/8`, `::`), not a loopback (`127.0.0.0/8`, `::1`, and their IPv4-mapped forms),
/// not a `255.` address (the broadcast address and netmasks). Such addresses name no device
/// and so no person: `Server listening on 0.0.0.0 port 22` stays as it is. A value that does
/// not parse passes (the address validators judge that).
pub(crate) fn ip_host(value: &[u8]) -> bool {
    if !value.contains(&b':') {
        // A dotted quad (the `ipv4` validator parses it): its first octet says.
        let digits = value.iter().take_while(|b| b.is_ascii_digit()).count();
        let first = value[..digits].iter().fold(0u32, |n, &b| {
            n.saturating_mul(10).saturating_add(u32::from(b - b'0'))
        });
        return digits == 0 || !matches!(first, 0 | 127 | 255);
    }
    let Some(ip) = std::str::from_utf8(value)
        .ok()
        .and_then(|s| std::net::IpAddr::from_str(s).ok())
    else {
        return true;
    };
    let v4 = match ip {
        std::net::IpAddr::V4(v4) => v4,
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4,
            None => return !v6.is_unspecified() && !v6.is_loopback(),
        },
    };
    !matches!(v4.octets()[0], 0 | 127 | 255)
}

pub(crate) fn ipv6_valid(value: &[u8]) -> bool {
    std::str::from_utf8(value)
        .ok()
        .and_then(|s| std::net::Ipv6Addr::from_str(s).ok())
        .is_some()
}

/// Decodes unpadded or padded base64url (or standard base64).
pub(crate) fn base64url_decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &b in input {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A JWT: three dot-separated base64url parts whose header is a JSON object with `alg` and
/// whose claims are a JSON object.
pub(crate) fn jwt_valid(value: &[u8]) -> bool {
    let mut parts = value.split(|&b| b == b'.');
    let (Some(header), Some(claims)) = (parts.next(), parts.next()) else {
        return false;
    };
    let json_object = |part: &[u8]| {
        base64url_decode(part)
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .filter(serde_json::Value::is_object)
    };
    match (json_object(header), json_object(claims)) {
        (Some(h), Some(_)) => h.get("alg").is_some_and(serde_json::Value::is_string),
        _ => false,
    }
}

/// A slot rather than a value, by its syntax alone: a template variable (`${VAR}`, `{{ x }}`,
/// `%VAR%`, `$VAR`, `process.env.X`), a bracketed slot (`<password>`, `[token]`), a value
/// encrypted in place, a mask or fill-in (`****`, `xxxxxx`, `YOUR_KEY_HERE`, `EXAMPLE`), a
/// code selector (`#add-password`) or one repeated character. Unlike [`is_placeholder`] it
/// accepts dictionary words: `secret` or `admin` in a password's place (a URL's userinfo, a
/// connection string's `Password=`) is a weak password, not a slot.
pub(crate) fn is_template(value: &[u8]) -> bool {
    let v = value.trim_ascii();
    if v.is_empty() {
        return true;
    }
    let wrapped = |open: &[u8], close: &[u8]| v.starts_with(open) && v.ends_with(close);
    if wrapped(b"${", b"}")
        || wrapped(b"{{", b"}}")
        || wrapped(b"#{", b"}")
        || wrapped(b"<", b">")
        || wrapped(b"&lt;", b"&gt;")
        || wrapped(b"[", b"]")
        || wrapped(b"%(", b")s")
        || (v.len() > 2 && wrapped(b"%", b"%"))
        || v.starts_with(b"$")
        || v.starts_with(b"process.env")
        || v.starts_with(b"os.environ")
        || v.starts_with(b"env(")
        // Encrypted in place: SOPS (`ENC[AES256_GCM,data:…]`) and Jasypt (`ENC(…)`).
        || v.starts_with(b"ENC[")
        || v.starts_with(b"ENC(")
    {
        return true;
    }
    if is_masked_or_example(v)
        || is_code_selector(v)
        || is_route_or_path(v)
        || reads_the_environment(v)
    {
        return true;
    }
    // A run of one repeated character: "****", "xxxxxxxx", "00000000".
    v.iter().all(|&b| b == v[0])
}

/// Values that look like a secret's slot rather than a secret: template variables, angle or
/// square brackets, masks, well-known placeholder words and blackbar's own labels.
pub(crate) fn is_placeholder(value: &[u8]) -> bool {
    if is_template(value) {
        return true;
    }
    let v = value.trim_ascii();
    let lower = v.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "changeme",
        "change_me",
        "change-me",
        "password",
        "passw0rd",
        "secret",
        "mysecret",
        "example",
        "placeholder",
        "redacted",
        "removed",
        "hidden",
        "null",
        "none",
        "nil",
        "undefined",
        "true",
        "false",
        "test",
        "testing",
        "dummy",
        "sample",
        "todo",
        "fixme",
        "your_password",
        "your-password",
        "yourpassword",
        "your_api_key",
        "your-api-key",
        "your_token",
        "your-token",
        "your_secret",
        "xxx",
        "tbd",
        "notset",
        "not_set",
        "empty",
        "default",
        "admin",
        "root",
        "letmein",
        "hunter2",
        "qwerty",
        "123456",
        "12345678",
        // What a schema, a type check or a form says in a value's place.
        "string",
        "str",
        "text",
        "number",
        "integer",
        "int",
        "boolean",
        "bool",
        "object",
        "function",
        "required",
        "optional",
        "invalid",
        // The credential's own name, as a translation table gives it.
        "pass",
        "passwd",
        "pwd",
        "token",
        "credentials",
        "passwort",
        "kennwort",
        "contrasena",
        "contraseña",
        "mot de passe",
        "senha",
        "wachtwoord",
        "clave",
        "пароль",
        "密码",
        "パスワード",
        "비밀번호",
    ];
    if WORDS.iter().any(|w| lower == w.as_bytes())
        || names_a_credential(v)
        || is_host_name(v)
        || is_member_access(v)
        || is_versioned_artifact(v)
    {
        return true;
    }
    // An AWS resource name (`arn:aws:iam::aws:policy/IAMUserChangePassword`) names what a
    // policy is about, never a credential.
    lower.starts_with(b"your")
        || lower.starts_with(b"<your")
        || lower.starts_with(b"insert")
        || lower.starts_with(b"arn:")
}

/// A value that stands for a secret in documentation rather than being one, whatever its
/// format: a masked stretch (six or more `x`, `X` or `*` in a row: `ghp_xxxxxxxx…`,
/// `AKIAXXXXXXXXXXXXXXXX`, `sk_live_****…`), ten or more of one character in a row
/// (`glc_1111111111…`, `aaaaaaaaaa`; but not `A`, which base64 makes of zero bytes: Twitter
/// bearer tokens start with twenty of them), a vendor's `EXAMPLE` marker, a fill-in slot
/// (`PUT_YOUR_TOKEN_HERE`, `<your-key>`), a counting sequence or a short pattern repeated
/// (below). A random token of any length has none of these.
pub fn is_masked_or_example(value: &[u8]) -> bool {
    if value.windows(7).any(|w| w == b"EXAMPLE")
        || has_counting_run(value)
        || has_short_period(value)
    {
        return true;
    }
    let (mut run, mut mask_run) = (0usize, 0usize);
    for (i, &b) in value.iter().enumerate() {
        run = if i > 0 && value[i - 1] == b {
            run + 1
        } else {
            1
        };
        mask_run = match b {
            b'x' | b'X' | b'*' => mask_run + 1,
            _ => 0,
        };
        if (run >= 10 && b != b'A') || mask_run >= 6 {
            return true;
        }
    }
    let lower = value.to_ascii_lowercase();
    let has = |w: &[u8]| lower.windows(w.len()).any(|x| x == w);
    has(b"your_") || has(b"your-") || has(b"_here") || has(b"-here") || has(b"<your")
}

/// A resource's name rather than a credential: lowercase words (letters only) joined by `-`
/// or `_`, one of them a credential word (`postgres-secret`, `db_password`,
/// `app-credentials`): what a Helm value or a Kubernetes manifest puts under
/// `existingSecret` or `passwordSecretRef`.
fn names_a_credential(v: &[u8]) -> bool {
    const WORDS: &[&[u8]] = &[
        b"password",
        b"passwd",
        b"pass",
        b"pwd",
        b"secret",
        b"secrets",
        b"token",
        b"tokens",
        b"credential",
        b"credentials",
        b"creds",
        b"key",
        b"keys",
        b"auth",
    ];
    let mut parts = v.split(|&b| b == b'-' || b == b'_');
    let all_words = v
        .iter()
        .all(|&b| b.is_ascii_lowercase() || b == b'-' || b == b'_');
    all_words && v.iter().any(|&b| b == b'-' || b == b'_') && parts.any(|p| WORDS.contains(&p))
}

/// Whether `value` repeats a pattern of two to four characters over [`PERIOD_RUN`] characters
/// (`12312312312312312312`, `abababababab`), the way documentation pads a token's slot; one
/// repeated character is judged apart (base64 makes `AAAA…` of zero bytes). In a random base62
/// token such a run turns up about once in 10^17 positions.
fn has_short_period(value: &[u8]) -> bool {
    (2..=4).any(|p| {
        // The last `run + p` characters repeat with period `p`; `varied`: not all one
        // character.
        let (mut run, mut varied) = (0, false);
        for i in p..value.len() {
            if value[i] == value[i - p] {
                run += 1;
                varied |= value[i] != value[i - 1];
            } else {
                (run, varied) = (0, false);
            }
            if run + p >= PERIOD_RUN && varied {
                return true;
            }
        }
        false
    })
}

/// A DNS host name of three or more labels (lowercase letters, digits and inner `-`), the last
/// a top-level domain of two to six letters: `sm02915.int.contoso.com` after
/// `X-MS-Exchange-Organization-AuthSource:` says where a credential lives, not what it is.
fn is_host_name(v: &[u8]) -> bool {
    let labels = || v.split(|&b| b == b'.');
    let label_ok = |l: &[u8]| {
        !l.is_empty()
            && l.iter()
                .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && l[0] != b'-'
            && l[l.len() - 1] != b'-'
    };
    let tld = labels().next_back().unwrap_or_default();
    labels().count() >= 3
        && labels().all(label_ok)
        && (2..=6).contains(&tld.len())
        && tld.iter().all(u8::is_ascii_lowercase)
}

/// Code that reads a member instead of a literal: identifiers joined by dots, the last a
/// compound in PascalCase (`Ed25519.BlindKeySignatures`, `Settings.DbPassword`).
fn is_member_access(v: &[u8]) -> bool {
    let parts = || v.split(|&b| b == b'.');
    let ident = |p: &[u8]| {
        p.first()
            .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_')
            && p.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
    };
    let last = parts().next_back().unwrap_or_default();
    parts().count() >= 2
        && parts().all(ident)
        && last.len() >= 6
        && last.iter().all(u8::is_ascii_alphabetic)
        && last[0].is_ascii_uppercase()
        && last[1..].iter().any(u8::is_ascii_uppercase)
        && last.iter().any(u8::is_ascii_lowercase)
}

/// A package and its version, `jjwt-jackson-0.11.2`: lowercase words joined by `-`, then
/// `-` and a dotted version of two to four numbers.
fn is_versioned_artifact(v: &[u8]) -> bool {
    let Some(dash) = v.iter().rposition(|&b| b == b'-') else {
        return false;
    };
    let (name, version) = (&v[..dash], &v[dash + 1..]);
    let numbers = || version.split(|&b| b == b'.');
    name.first().is_some_and(u8::is_ascii_lowercase)
        && name
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && (2..=4).contains(&numbers().count())
        && numbers().all(|n| !n.is_empty() && n.len() <= 4 && n.iter().all(u8::is_ascii_digit))
}

/// How many characters of a short repeated pattern make a value an example: twelve.
const PERIOD_RUN: usize = 12;

/// How many characters of a counting sequence make a value an example: eight.
const COUNTING_RUN: usize = 8;

/// Whether `value` holds a counting sequence of [`COUNTING_RUN`] letters or digits, the way
/// documentation fills a token's slot: consecutive (`12345678`, `ABCDEFGHIJKL`, `hgfedcba`)
/// or two interleaved (`a1b2c3d4`, `d4c3b2a1`). In a random base62 token such a run turns up
/// about once in 10^12 positions (consecutive) or 10^9 (interleaved).
fn has_counting_run(value: &[u8]) -> bool {
    let same_kind = |a: u8, b: u8| {
        (a.is_ascii_digit() && b.is_ascii_digit())
            || (a.is_ascii_lowercase() && b.is_ascii_lowercase())
            || (a.is_ascii_uppercase() && b.is_ascii_uppercase())
    };
    let step = |a: u8, b: u8, up: bool| {
        same_kind(a, b)
            && if up {
                b == a.wrapping_add(1)
            } else {
                a == b.wrapping_add(1)
            }
    };
    [1usize, 2].iter().any(|&stride| {
        value.windows(COUNTING_RUN).any(|w| {
            [true, false]
                .iter()
                .any(|&up| (0..COUNTING_RUN - stride).all(|i| step(w[i], w[i + stride], up)))
        })
    })
}

/// An SSH algorithm name written as a vendor extension (RFC 4251 §6: `name@domain`), which
/// has the shape of an e-mail address: `rijndael-cbc@lysator.liu.se`,
/// `chacha20-poly1305@openssh.com`, `hmac-sha2-256-etm@openssh.com`. The local part names a
/// cipher, MAC, key exchange or key type.
pub(crate) fn is_ssh_algorithm_name(value: &[u8]) -> bool {
    // One automaton for every marker: this runs on every e-mail candidate, so it neither
    // allocates nor compares each marker in turn.
    static MARKERS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build([
                    "-cbc",
                    "-ctr",
                    "-gcm",
                    "-etm",
                    "-cert-v0",
                    "hmac-",
                    "umac-",
                    "poly1305",
                    "curve25519",
                    "sntrup",
                    "mlkem",
                    "ecdh-sha2",
                    "ecdsa-sha2",
                    "ssh-ed25519",
                    "ssh-rsa",
                    "diffie-hellman",
                    "sk-ecdsa",
                    "sk-ssh",
                    "aes128",
                    "aes256",
                    "rijndael",
                    "zlib",
                ])
                .expect("the SSH algorithm markers compile")
        });
    let Some(at) = memchr::memchr(b'@', value) else {
        return false;
    };
    MARKERS.is_match(&value[..at])
}

/// A CSS selector or DOM id used as a value in code (`"#add-password"`, `".password-field"`):
/// `#` or `.`, then lowercase words joined by `-`.
fn is_code_selector(v: &[u8]) -> bool {
    let Some((&first, rest)) = v.split_first() else {
        return false;
    };
    let word = |b: u8| b.is_ascii_lowercase() || b == b'-' || b == b'_';
    (first == b'#' || first == b'.')
        && rest.first().is_some_and(u8::is_ascii_lowercase)
        && rest.iter().all(|&b| word(b))
}

/// A route or a file's path in a value's place: a route's controller action
/// (`sites/passwords#update`) or an absolute path of words (`/en/enterprise-server@3.0/auth`),
/// what a router or a redirect table maps a `…password` key to; or a file's path
/// (`/run/secrets/db`, `~/.ssh/id_ed25519.pub`, `./certs/client.key`), what a `--ssh-key` or a
/// `password_file`-like flag names.
fn is_route_or_path(v: &[u8]) -> bool {
    let Some(&first) = v.first() else {
        return false;
    };
    let word = |b: u8| b.is_ascii_lowercase() || b == b'-' || b == b'_';
    let segments = v.iter().filter(|&&b| b == b'/').count();
    let route = match v.iter().position(|&b| b == b'#') {
        Some(at) => {
            segments >= 1
                && v[..at].iter().all(|&b| word(b) || b == b'/')
                && v[at + 1..].first().is_some_and(u8::is_ascii_lowercase)
                && v[at + 1..].iter().all(|&b| word(b))
        }
        None => false,
    };
    // Absolute paths need two slashes, so `/Xk9mQ2vL` stays a password; base64 keys have `+`
    // or end in `=`.
    let relative = v.starts_with(b"~/") || v.starts_with(b"./") || v.starts_with(b"../");
    let path = (relative || (first == b'/' && segments >= 2))
        && v.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/' | b'.' | b'@' | b'~')
        });
    route || path
}

/// A read of the environment in code, in a value's place: `os.getenv("TOKEN")`,
/// `System.getenv("API_KEY")`, `ENV["SECRET"]`, `Deno.env.get("KEY")`: a dotted identifier
/// that mentions `env`, then `(` or `[`.
fn reads_the_environment(v: &[u8]) -> bool {
    let ident = v
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        .count();
    matches!(v.get(ident), Some(b'(' | b'['))
        && v[..ident]
            .windows(3)
            .any(|w| w.eq_ignore_ascii_case(b"env"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_members_and_versions_are_not_secrets() {
        for (v, placeholder) in [
            ("sm02915.int.contoso.com", true),
            ("api.eu.example.io", true),
            ("Ed25519.BlindKeySignatures", true),
            ("Settings.DbPassword", true),
            ("jjwt-jackson-0.11.2", true),
            ("spring-boot-starter-3.2.1", true),
            ("db.example", false),
            ("Xk9.mP2vL7qLzWq", false),
            ("s3cr3t.Tr0ub4dor.com1", false),
            ("q8Zr2LmX0vTwY3-1.2", false),
            ("N7wq2Lx9pR.Summer", false),
        ] {
            assert_eq!(is_placeholder(v.as_bytes()), placeholder, "{v}");
        }
    }

    #[test]
    fn short_repeated_patterns_are_examples() {
        for (v, example) in [
            ("GR134894112312312312312312312", true),
            ("abababababab", true),
            ("x9Kx9Kx9Kx9Kx9K", true),
            ("AAAAAAAAAAAAAAAAAAAAAAAAMLheAAAAAAAA", false),
            ("ghp_R8s2Lq9ZkT4mWx7Pc3Vn6Bd1Hf5Jy0Ae", false),
            ("abababababa", false),
        ] {
            assert_eq!(is_masked_or_example(v.as_bytes()), example, "{v}");
        }
    }

    #[test]
    fn addresses_no_host_has_are_not_hosts() {
        for (v, host) in [
            ("203.0.113.42", true),
            ("10.0.2.15", true),
            ("1.0.0.1", true),
            ("254.1.2.3", true),
            ("2001:db8::1", true),
            ("::ffff:192.0.2.128", true),
            ("0.0.0.0", false),
            ("0.1.2.3", false),
            ("127.0.0.1", false),
            ("127.3.4.5", false),
            ("255.255.255.0", false),
            ("255.255.255.255", false),
            ("::1", false),
            ("::", false),
            ("::ffff:127.0.0.1", false),
            ("not an address", true),
        ] {
            assert_eq!(ip_host(v.as_bytes()), host, "{v}");
        }
    }

    #[test]
    fn routes_and_paths_are_slots() {
        for v in [
            "cms/sites/passwords#update",
            "/en/enterprise-server@3.0/auth",
            "#add-password",
            "/run/secrets/db_password",
            "~/.ssh/id_ed25519.pub",
            "./certs/Client.key",
            "os.getenv(\"TOKEN\")",
            "System.getenv(\"API_KEY\")",
            "ENV['SECRET']",
            "Deno.env.get(\"KEY\")",
        ] {
            assert!(is_template(v.as_bytes()), "{v}");
        }
        for v in [
            "/Xk9!mQ2#vL",
            "pass/word#7Zq",
            "/tmp",
            "s3cr3t/Pa55#word",
            "/Xk9mQ2vL",
            "/gR7k/Lq2+ZpW8x/9Tn4vBc1==",
            "Summer(2021)",
            "seven(7)",
        ] {
            assert!(!is_template(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn ssh_algorithm_names() {
        for a in [
            "rijndael-cbc@lysator.liu.se",
            "chacha20-poly1305@openssh.com",
            "hmac-sha2-256-etm@openssh.com",
            "zlib@openssh.com",
        ] {
            assert!(is_ssh_algorithm_name(a.as_bytes()), "{a}");
        }
        for e in ["help@moz.com", "djm@openssh.com", "jane.doe@example.com"] {
            assert!(!is_ssh_algorithm_name(e.as_bytes()), "{e}");
        }
    }

    #[test]
    fn masks_and_examples() {
        for p in [
            "AKIAXXXXXXXXXXXXXXXX",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
            "glc_111111111111111111111111111111111111111111=",
            "ABSKQmVkcm9ja0FQSUtleS1EXAMPLEEXAMPLE",
            "sha256~XXXXXXXXXX_PUT_YOUR_TOKEN_HERE_XXXX",
            "sk-****************",
            "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8NRAL",
            "px-dep-d4c3b2a1-f6e5-h8g7-j1i8-p5o0n5m3l2k1",
            "00QCjAl4MlV-WPXM-ABCDEFGHIJKL-0HmjFx-vbGu-",
            "Xq0zkR1+hF+1sIFDJMEUtqmtnZ1234567890",
        ] {
            let p = p.replace("\\u{2022}", "\u{2022}");
            assert!(is_masked_or_example(p.as_bytes()), "{p}");
        }
        for real in [
            "AKIACSRMR4TNG4UMSDCX",
            "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",
            "Company2020#",
            "xoxb-5820419376-ABCDEFxxxxx",
            "abcdefg9Lq2",
            "a1b2c3Zq",
        ] {
            assert!(!is_masked_or_example(real.as_bytes()), "{real}");
        }
        assert!(is_placeholder(b"#add-password"));
        assert!(is_placeholder(b".password-field"));
        assert!(!is_placeholder(b"#Company2020"));
    }

    #[test]
    fn ssn_rules() {
        assert!(ssn_valid(b"536-22-1234"));
        assert!(!ssn_valid(b"000-22-1234"));
        assert!(!ssn_valid(b"666-22-1234"));
        assert!(!ssn_valid(b"936-22-1234"));
        assert!(!ssn_valid(b"536-00-1234"));
        assert!(!ssn_valid(b"536-22-0000"));
    }

    #[test]
    fn placeholders() {
        for p in [
            "changeme",
            "${DB_PASS}",
            "<password>",
            "****",
            "{{ secret }}",
            "[PASSWORD]",
            "$PASS",
            "%NUGET_PASSWORD%",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for p in [
            "string",
            "Passwort",
            "postgres-secret",
            "db_password",
            "app-credentials",
            "&lt;YOUR_PASSWORD&gt;",
            "arn:aws:iam::aws:policy/IAMUserChangePassword",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        assert!(!is_placeholder(b"q8Zr2LmX0vTwY3"));
        assert!(!is_placeholder(b"thisismypassword"));
        assert!(!is_placeholder(b"open-sesame"));
        assert!(!is_placeholder(
            b"bedrock-api-key-ymvkcm9jay5hbwf6b25hd3muy29t"
        ));
    }

    #[test]
    fn jwt_header() {
        let jwt = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert!(jwt_valid(jwt));
        assert!(!jwt_valid(b"eyJub3RqdXN0Ijp0cnVlfQ.eyJ9.abc"));
    }
}
