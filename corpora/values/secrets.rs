//! Planted secret values for the labeled corpora (`corpora/labeled.rs`).
//!
//! STAND-IN written by the eval engineer: it covers every checksummed secret rule of the
//! current catalog and a handful of others, with the shared interface below. The secrets
//! engineer's file (one entry per default-catalog secret rule) replaces it at merge.
//!
//! Every value is synthetic: random characters from a seeded generator, with the format's
//! checksum computed (GitHub/npm CRC32-base62, Atlassian CRC32). None is a real credential.
//!
//! Included by path (`#[path = "../values/secrets.rs"]`): std and blackbar's public API only.

use blackbar::validate::{base62_crc32, crc32};

/// (rule id, generator). The generator makes one fresh value from a seed and returns
/// (lead, value): `lead` is the text that must come immediately before the value for the rule
/// to fire (usually empty), `value` exactly the byte span the rule must report.
pub const PLANTS: &[(&str, fn(u64) -> (String, String))] = &[
    ("aws-access-key-id", aws_access_key_id),
    ("aws-secret-access-key", aws_secret_access_key),
    ("github-pat-classic", |s| github("ghp_", s)),
    ("github-oauth-token", |s| github("gho_", s)),
    ("github-user-to-server-token", |s| github("ghu_", s)),
    ("github-server-to-server-token", |s| github("ghs_", s)),
    ("github-refresh-token", |s| github("ghr_", s)),
    ("github-fine-grained-pat", github_fine_grained),
    ("npm-token", |s| github("npm_", s)),
    ("atlassian-api-token", atlassian),
    ("gitlab-pat", |s| prefixed(s, "glpat-", URLSAFE, 20)),
    ("slack-bot-token", slack_bot),
    ("stripe-secret-key", |s| prefixed(s, "sk_live_", ALNUM, 99)),
    ("google-api-key", |s| prefixed(s, "AIza", URLSAFE, 35)),
    ("anthropic-api-key", anthropic),
    ("sendgrid-api-key", sendgrid),
    ("twilio-api-key", |s| prefixed(s, "SK", HEX, 32)),
    ("digitalocean-pat", |s| prefixed(s, "dop_v1_", HEX, 64)),
    ("huggingface-token", |s| prefixed(s, "hf_", ALNUM, 34)),
    ("shopify-access-token", |s| prefixed(s, "shpat_", HEX, 32)),
    ("linear-api-key", |s| prefixed(s, "lin_api_", ALNUM, 40)),
    ("age-secret-key", |s| {
        prefixed(s, "AGE-SECRET-KEY-1", BECH32_UPPER, 58)
    }),
    ("jwt", jwt),
    ("pem-private-key", pem),
    ("generic-password", password),
    ("authorization-bearer", bearer),
];

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const URLSAFE: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-";
const HEX: &[u8] = b"0123456789abcdef";
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BECH32_UPPER: &[u8] = b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

/// splitmix64: a fresh, well-mixed stream per seed.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn text(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }
}

fn prefixed(seed: u64, prefix: &str, alphabet: &[u8], n: usize) -> (String, String) {
    (
        String::new(),
        format!("{prefix}{}", Mix(seed).text(alphabet, n)),
    )
}

fn aws_access_key_id(seed: u64) -> (String, String) {
    (String::new(), format!("AKIA{}", Mix(seed).text(BASE32, 16)))
}

fn aws_secret_access_key(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let mut key = m.text(&B64[..B64.len() - 2], 36);
    // Real secret access keys mix in `/` and `+`.
    key.insert(m.next() as usize % 36, '/');
    key.insert(m.next() as usize % 37, '+');
    key.push_str(&m.text(ALNUM, 2));
    ("aws_secret_access_key = ".into(), key)
}

/// GitHub classic and npm: 30 random characters, then their CRC32 in base62.
fn github(prefix: &str, seed: u64) -> (String, String) {
    let random = Mix(seed).text(ALNUM, 30);
    let check = base62_crc32(random.as_bytes());
    let check = std::str::from_utf8(&check).expect("base62 is ASCII");
    (String::new(), format!("{prefix}{random}{check}"))
}

fn github_fine_grained(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let a = m.text(ALNUM, 22);
    let b = m.text(ALNUM, 59);
    (String::new(), format!("github_pat_{a}_{b}"))
}

/// Atlassian: `ATATT3` + body + `=` + CRC32 (8 upper hex) of everything before it.
fn atlassian(seed: u64) -> (String, String) {
    let body = format!("ATATT3{}=", Mix(seed).text(URLSAFE, 180));
    let check = crc32(body.as_bytes());
    (String::new(), format!("{body}{check:08X}"))
}

fn slack_bot(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let digits = b"0123456789";
    let v = format!(
        "xoxb-{}-{}-{}",
        m.text(digits, 11),
        m.text(digits, 13),
        m.text(ALNUM, 24)
    );
    (String::new(), v)
}

fn anthropic(seed: u64) -> (String, String) {
    let v = format!("sk-ant-api03-{}AA", Mix(seed).text(URLSAFE, 93));
    (String::new(), v)
}

fn sendgrid(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let v = format!("SG.{}.{}", m.text(URLSAFE, 22), m.text(URLSAFE, 43));
    (String::new(), v)
}

fn base64url(data: &[u8]) -> String {
    let url = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(url[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn jwt(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let iat = 1_700_000_000 + m.next() % 50_000_000;
    let claims = format!(
        "{{\"sub\":\"u_{}\",\"iat\":{iat},\"exp\":{}}}",
        m.text(HEX, 10),
        iat + 3600
    );
    let v = format!(
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{}.{}",
        base64url(claims.as_bytes()),
        m.text(URLSAFE, 43)
    );
    (String::new(), v)
}

fn pem(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let mut v = String::from("-----BEGIN PRIVATE KEY-----\n");
    for _ in 0..6 {
        v.push_str(&m.text(B64, 64));
        v.push('\n');
    }
    v.push_str(&m.text(B64, 24));
    v.push_str("==\n-----END PRIVATE KEY-----");
    (String::new(), v)
}

fn password(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let mut v = m.text(ALNUM, 13);
    let symbols = b"!#%^*-_+";
    v.insert(
        m.next() as usize % 13,
        symbols[m.next() as usize % symbols.len()] as char,
    );
    v.push((b'0' + (m.next() % 10) as u8) as char);
    ("password=".into(), v)
}

fn bearer(seed: u64) -> (String, String) {
    let v = Mix(seed).text(URLSAFE, 40);
    ("Authorization: Bearer ".into(), v)
}
