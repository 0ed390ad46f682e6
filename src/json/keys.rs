//! Sensitive keys: the JSON keys whose whole value is redacted, whatever its type.
//!
//! Matching ignores case and word separators: a key is split into words at `_`, `-`, `.`,
//! spaces and camelCase boundaries (`apiKey`, `APIKey`, `api_key`, `API-KEY` and `apikey`
//! are all `api`+`key`), and it is sensitive when its last words, joined, equal an entry
//! joined the same way. So `password` matches `db_password` and `userPassword`, and
//! `api_key` matches `x-api-key`, but `token` matches neither `max_tokens` nor
//! `token_type`: a sensitive word must end the key.

use std::collections::HashSet;

/// The default list: credentials and session material that logs carry under a name.
pub const DEFAULT_KEYS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "password_confirmation",
    "password_hash",
    "secret",
    "secrets",
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "api_key",
    "apikey",
    "x-api-key",
    "access_key",
    "secret_key",
    "account_key",
    "master_key",
    "signing_key",
    "encryption_key",
    "private_key",
    "authorization",
    "proxy-authorization",
    "cookie",
    "cookies",
    "set-cookie",
    "credential",
    "credentials",
    "connection_string",
    "dsn",
];

/// Keys longer than this are never sensitive (they are data, not names).
const MAX_KEY: usize = 128;

/// A set of sensitive keys, matched as described in the module doc.
///
/// # Example
///
/// ```
/// use blackbar::json::SensitiveKeys;
/// let keys = SensitiveKeys::default();
/// assert!(keys.matches(b"X-Api-Key"));
/// assert!(keys.matches(b"dbPassword"));
/// assert!(!keys.matches(b"max_tokens"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SensitiveKeys {
    set: HashSet<Vec<u8>>,
    /// The last three normalised bytes of every entry, sorted: most keys are rejected by
    /// their last three letters and digits, before any normalisation (on NGINX Plus status
    /// JSON, a key every few bytes, splitting every key into words took a third of the time).
    tails: Vec<[u8; 3]>,
    /// An entry shorter than three bytes, which `tails` cannot hold: no key is rejected early.
    short: bool,
}

impl Default for SensitiveKeys {
    /// [`DEFAULT_KEYS`].
    fn default() -> SensitiveKeys {
        SensitiveKeys::new(DEFAULT_KEYS.iter().copied())
    }
}

impl SensitiveKeys {
    /// A set of the given keys (any spelling).
    pub fn new<'a>(keys: impl IntoIterator<Item = &'a str>) -> SensitiveKeys {
        let mut set = HashSet::new();
        let (mut tails, mut short) = (vec![], false);
        let mut buf = [0u8; MAX_KEY];
        let mut starts = [0u8; MAX_KEY];
        for k in keys {
            let (n, _) = words(k.as_bytes(), &mut buf, &mut starts);
            match n {
                0 => continue,
                1 | 2 => short = true,
                _ => tails.push([buf[n - 3], buf[n - 2], buf[n - 1]]),
            }
            set.insert(buf[..n].to_vec());
        }
        tails.sort_unstable();
        tails.dedup();
        SensitiveKeys { set, tails, short }
    }

    /// No sensitive keys.
    pub fn none() -> SensitiveKeys {
        SensitiveKeys {
            set: HashSet::new(),
            tails: vec![],
            short: false,
        }
    }

    /// Parses a comma-separated list; `default` stands for [`DEFAULT_KEYS`] and `none` for
    /// nothing, so `default,ssn` adds to the defaults.
    pub fn parse_list(list: &str) -> SensitiveKeys {
        let mut keys: Vec<&str> = vec![];
        for k in list.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            match k {
                "default" => keys.extend(DEFAULT_KEYS),
                "none" => {}
                k => keys.push(k),
            }
        }
        SensitiveKeys::new(keys)
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Whether `key` (unescaped) is sensitive.
    pub fn matches(&self, key: &[u8]) -> bool {
        if self.set.is_empty() || key.len() > MAX_KEY {
            return false;
        }
        if !self.short {
            // The key's last three letters and digits, lower-cased, end any entry it matches.
            let mut tail = [0u8; 3];
            let mut alnum = key.iter().rev().filter(|c| c.is_ascii_alphanumeric());
            for t in tail.iter_mut().rev() {
                match alnum.next() {
                    Some(c) => *t = c.to_ascii_lowercase(),
                    None => return false,
                }
            }
            if !self.tails.contains(&tail) {
                return false;
            }
        }
        let mut buf = [0u8; MAX_KEY];
        let mut starts = [0u8; MAX_KEY];
        let (n, w) = words(key, &mut buf, &mut starts);
        starts[..w]
            .iter()
            .any(|&s| self.set.contains(&buf[s as usize..n]))
    }
}

/// Lower-cases the ASCII letters and digits of `key` (at most [`MAX_KEY`] bytes) into
/// `buf`, dropping everything else, and records where each word starts. Returns the
/// normalised length and the number of words.
fn words(key: &[u8], buf: &mut [u8; MAX_KEY], starts: &mut [u8; MAX_KEY]) -> (usize, usize) {
    let (mut n, mut w) = (0, 0);
    let mut prev: u8 = 0;
    for (i, &c) in key.iter().enumerate().take(MAX_KEY) {
        if !c.is_ascii_alphanumeric() {
            prev = 0;
            continue;
        }
        let next = key.get(i + 1).copied().unwrap_or(0);
        let boundary = prev == 0
            || (c.is_ascii_uppercase() && (prev.is_ascii_lowercase() || prev.is_ascii_digit()))
            || (c.is_ascii_uppercase() && prev.is_ascii_uppercase() && next.is_ascii_lowercase());
        if boundary {
            starts[w] = n as u8;
            w += 1;
        }
        buf[n] = c.to_ascii_lowercase();
        n += 1;
        prev = c;
    }
    (n, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        let k = SensitiveKeys::default();
        for yes in [
            "password",
            "Password",
            "PASSWORD",
            "db_password",
            "userPassword",
            "api_key",
            "apiKey",
            "APIKey",
            "api-key",
            "X-API-KEY",
            "x_api_key",
            "access_token",
            "accessToken",
            "refresh-token",
            "Authorization",
            "Set-Cookie",
            "privateKey",
            "client_secret",
            "clientSecret",
            "aws_secret_access_key",
            "csrf_token",
            "pwd",
        ] {
            assert!(k.matches(yes.as_bytes()), "{yes}");
        }
        for no in [
            "max_tokens",
            "token_type",
            "tokens",
            "keyboard",
            "monkey",
            "user",
            "passenger",
            "secretary",
            "pwdx",
            "msg",
            "level",
            "tokenizer",
            "cookie_consent",
        ] {
            assert!(!k.matches(no.as_bytes()), "{no}");
        }
    }

    #[test]
    fn lists() {
        let k = SensitiveKeys::parse_list("default, ssn");
        assert!(k.matches(b"user_ssn") && k.matches(b"password"));
        let k = SensitiveKeys::parse_list("none");
        assert!(k.is_empty() && !k.matches(b"password"));
        let k = SensitiveKeys::parse_list("mySecretField");
        assert!(k.matches(b"my_secret_field") && !k.matches(b"secret"));
        // Entries shorter than the three-byte early rejection still match.
        let k = SensitiveKeys::parse_list("pw, id");
        assert!(k.matches(b"db_pw") && k.matches(b"userId") && k.matches(b"ID"));
        assert!(!k.matches(b"db_pwx") && !k.matches(b"idx"));
        // A key shorter than every entry, or with fewer than three letters and digits.
        let k = SensitiveKeys::default();
        assert!(!k.matches(b"") && !k.matches(b"_") && !k.matches(b"a-b"));
        assert!(k.matches(b"PWD") && k.matches(b"x.p-w.d"));
    }
}
