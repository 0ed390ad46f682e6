//! Secret keys for the keyed actions (`hash`, `token`, `fpe`). A key comes from a file or an
//! environment variable, never from a command-line flag (flags show in `ps`). Its bytes never
//! appear in `Debug` output, errors or reports.
//!
//! # Key files and rotation
//!
//! A [`Key`] is a *key ring*: one or more secrets, oldest first. The newest (last) one makes
//! new hashes, tokens and format-preserving ciphertexts; every one of them is tried when
//! restoring (each token names the key that made it) and when looking up pseudonyms.
//!
//! ```text
//! # blackbar keys, oldest first: the last line makes new tokens
//! bbkey1:Xw3M0V7uS1n4dKc3jzQq0cP0b6rj7M2P0Hq1k8y4f9U
//! bbkey1:q3v9AUnH3bBv8Ew6mD7bVbq1n1Ckq3Vw6Yt1X0fA8xE
//! ```
//!
//! A line `bbkey1:` + base64url (no padding) of 32 random bytes is what
//! `blackbar key new` prints ([`Key::generate`]); blank lines and `#` comments are skipped.
//! A file with no `bbkey1:` line is a *plain secret*: the whole file, trimmed, is one key of
//! at least [`MIN_KEY_LEN`] bytes (the original format, still accepted).
//!
//! Each key has a public id (`k` + 8 hex digits) derived from it one-way, so a token can say
//! which key made it without any registry. Sub-keys for AES-SIV and FF1 are derived from the
//! secret with HMAC-SHA256 (an extract-then-expand construction), never used raw; the `hash`
//! action keeps using the secret itself so digests made before key rings existed still match.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, ErrorKind};

/// The environment variable read for the key when no key file is given.
pub const KEY_ENV: &str = "BLACKBAR_KEY";

/// The shortest key accepted, in bytes.
pub const MIN_KEY_LEN: usize = 16;

/// The prefix of a generated key line.
pub const KEY_LINE_PREFIX: &str = "bbkey1:";

/// The number of random bytes in a generated key.
pub const GENERATED_KEY_LEN: usize = 32;

/// Extract salt: separates blackbar's derived keys from any other use of the secret.
const KDF_SALT: &[u8] = b"blackbar key derivation v1";

/// One secret and everything derived from it.
pub(crate) struct KeyEntry {
    secret: Zeroizing<Vec<u8>>,
    siv: Zeroizing<[u8; 64]>,
    ff1: Zeroizing<[u8; 32]>,
    id: [u8; 4],
}

impl Clone for KeyEntry {
    fn clone(&self) -> KeyEntry {
        KeyEntry {
            secret: self.secret.clone(),
            siv: self.siv.clone(),
            ff1: self.ff1.clone(),
            id: self.id,
        }
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

impl KeyEntry {
    fn derive(secret: &[u8]) -> KeyEntry {
        let mut prk = hmac(KDF_SALT, &[secret]);
        let expand = |info: &[u8]| hmac(&prk, &[info, &[1]]);
        let mut siv = Zeroizing::new([0u8; 64]);
        let (a, b) = (expand(b"aes-siv-256 part 1"), expand(b"aes-siv-256 part 2"));
        siv[..32].copy_from_slice(&a);
        siv[32..].copy_from_slice(&b);
        let ff1 = Zeroizing::new(expand(b"ff1-aes-256"));
        let id_full = expand(b"key id");
        let mut id = [0u8; 4];
        id.copy_from_slice(&id_full[..4]);
        prk.zeroize();
        KeyEntry {
            secret: Zeroizing::new(secret.to_vec()),
            siv,
            ff1,
            id,
        }
    }

    /// The secret itself: the HMAC key of the `hash` action.
    pub(crate) fn secret(&self) -> &[u8] {
        &self.secret
    }

    /// The 64-byte AES-256-SIV key.
    pub(crate) fn siv_key(&self) -> &[u8; 64] {
        &self.siv
    }

    /// The 32-byte AES-256 key for FF1.
    pub(crate) fn ff1_key(&self) -> &[u8; 32] {
        &self.ff1
    }

    /// The id as shown: `k` + 8 lowercase hex digits.
    pub(crate) fn id_string(&self) -> String {
        format_id(self.id)
    }
}

/// `k` + 8 lowercase hex digits.
pub(crate) fn format_id(id: [u8; 4]) -> String {
    let mut s = String::with_capacity(9);
    s.push('k');
    for b in id {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A key ring for the keyed actions: one or more secrets, oldest first; the newest makes new
/// digests and tokens, all are tried when restoring. See the [module docs](self).
#[derive(Clone)]
pub struct Key {
    /// Never empty.
    entries: Vec<KeyEntry>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Ids are public (they are printed inside every token); the secrets are not.
        write!(f, "Key(<redacted>, ids: {:?})", self.ids())
    }
}

fn key_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Key(msg.into()))
}

impl Key {
    /// A key ring from the contents of a key file or variable: `bbkey1:` lines (see the
    /// [module docs](self)), or else one plain secret (surrounding whitespace, e.g. a trailing
    /// newline, is trimmed).
    ///
    /// # Errors
    ///
    /// A plain secret shorter than [`MIN_KEY_LEN`] bytes; in a key-line file, a line that is
    /// not a well-formed key line (named by number, never quoted) or two lines with the same
    /// key.
    ///
    /// # Example
    ///
    /// ```
    /// let ring = blackbar::Key::new(b"# two keys\nbbkey1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nbbkey1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\n")?;
    /// assert_eq!(ring.len(), 2);
    /// assert_eq!(ring.current_id(), ring.ids()[1]);
    /// assert!(!format!("{ring:?}").contains("AQEB"));
    /// # Ok::<(), blackbar::Error>(())
    /// ```
    pub fn new(bytes: &[u8]) -> Result<Key, Error> {
        let is_key_line = |l: &[u8]| l.trim_ascii().starts_with(KEY_LINE_PREFIX.as_bytes());
        if !bytes.split(|&b| b == b'\n').any(is_key_line) {
            return Key::plain(bytes);
        }
        let mut entries: Vec<KeyEntry> = vec![];
        for (n, line) in bytes.split(|&b| b == b'\n').enumerate() {
            let line = line.trim_ascii();
            if line.is_empty() || line.starts_with(b"#") {
                continue;
            }
            let bad = || {
                key_error(format!(
                    "line {}: expected '{KEY_LINE_PREFIX}' and 43 base64url characters (32 bytes)",
                    n + 1
                ))
            };
            let body = line
                .strip_prefix(KEY_LINE_PREFIX.as_bytes())
                .ok_or_else(bad)?;
            let secret = Zeroizing::new(decode_base64url(body).ok_or_else(bad)?);
            if secret.len() != GENERATED_KEY_LEN {
                return Err(bad());
            }
            let entry = KeyEntry::derive(&secret);
            if entries.iter().any(|e| e.id == entry.id) {
                return Err(key_error(format!(
                    "line {}: key {} is listed twice",
                    n + 1,
                    entry.id_string()
                )));
            }
            entries.push(entry);
        }
        Ok(Key { entries })
    }

    fn plain(bytes: &[u8]) -> Result<Key, Error> {
        let bytes = bytes.trim_ascii();
        if bytes.len() < MIN_KEY_LEN {
            return Err(key_error(format!(
                "too short: {} bytes, at least {MIN_KEY_LEN} needed",
                bytes.len()
            )));
        }
        Ok(Key {
            entries: vec![KeyEntry::derive(bytes)],
        })
    }

    /// Reads a key file.
    ///
    /// # Errors
    ///
    /// An unreadable file or an invalid key (see [`Key::new`]), naming the file.
    pub fn from_file(path: &std::path::Path) -> Result<Key, Error> {
        let origin = path.display().to_string();
        let bytes = Zeroizing::new(
            std::fs::read(path).map_err(|e| key_error(format!("cannot read: {e}")).at(&origin))?,
        );
        Key::new(&bytes).map_err(|e| e.at(&origin))
    }

    /// Reads the key from [`KEY_ENV`], if set. Several `bbkey1:` keys may be given, one per
    /// line.
    ///
    /// # Errors
    ///
    /// A key that is set but invalid.
    pub fn from_env() -> Result<Option<Key>, Error> {
        match std::env::var_os(KEY_ENV) {
            None => Ok(None),
            Some(v) => Key::new(v.as_encoded_bytes())
                .map(Some)
                .map_err(|e| e.at(KEY_ENV)),
        }
    }

    /// A fresh key line (`bbkey1:` + 43 base64url characters) from the operating system's
    /// random source, ready to append to a key file.
    ///
    /// # Errors
    ///
    /// When the operating system has no random source available.
    pub fn generate() -> Result<Zeroizing<String>, Error> {
        let mut raw = Zeroizing::new([0u8; GENERATED_KEY_LEN]);
        getrandom::getrandom(&mut raw[..])
            .map_err(|e| key_error(format!("no random source: {e}")))?;
        let mut line = Zeroizing::new(String::from(KEY_LINE_PREFIX));
        line.push_str(&encode_base64url(&raw[..]));
        Ok(line)
    }

    /// The number of keys in the ring.
    #[allow(clippy::len_without_is_empty)] // A ring is never empty.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The public ids of the keys (`k` + 8 hex digits), oldest first.
    pub fn ids(&self) -> Vec<String> {
        self.entries.iter().map(KeyEntry::id_string).collect()
    }

    /// The id of the newest key, the one that makes new digests and tokens.
    pub fn current_id(&self) -> String {
        self.current().id_string()
    }

    /// Every pseudonym `value` can have under this ring: `(key id, LABEL#digest)` for each
    /// key, newest first. Use it to find a value's events in logs written before and after a
    /// key rotation.
    ///
    /// # Example
    ///
    /// ```
    /// let ring = blackbar::Key::new(b"0123456789abcdef-test-key")?;
    /// let p = ring.pseudonyms("EMAIL", b"alice@example.com");
    /// assert_eq!(p.len(), 1);
    /// assert!(p[0].1.starts_with("EMAIL#") && p[0].1.len() == 16);
    /// # Ok::<(), blackbar::Error>(())
    /// ```
    pub fn pseudonyms(&self, label: &str, value: &[u8]) -> Vec<(String, String)> {
        self.entries
            .iter()
            .rev()
            .map(|e| {
                let mut out = Vec::with_capacity(label.len() + 11);
                hash_into(e, label, value, &mut out);
                (
                    e.id_string(),
                    String::from_utf8(out).expect("label and hex are ASCII"),
                )
            })
            .collect()
    }

    /// The newest key.
    pub(crate) fn current(&self) -> &KeyEntry {
        self.entries.last().expect("a key ring is never empty")
    }

    /// The key with this id.
    pub(crate) fn find(&self, id: [u8; 4]) -> Option<&KeyEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The HMAC key of the `hash` action (the newest secret).
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> &[u8] {
        self.current().secret()
    }
}

/// `LABEL#` and the first 10 hex digits of HMAC-SHA256 of `value` under the key's secret.
pub(crate) fn hash_into(key: &KeyEntry, label: &str, value: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(label.as_bytes());
    out.push(b'#');
    let digest = hmac(key.secret(), &[value]);
    for b in &digest[..5] {
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
}

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding.
pub(crate) fn encode_base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(B64URL[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url without padding; `None` on any other character or a malformed length
/// or trailing bits.
pub(crate) fn decode_base64url(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = B64URL.iter().position(|&x| x == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        let bytes = chunk.len() - 1;
        let full = n.to_be_bytes();
        // Unused low bits must be zero, so every key has exactly one spelling.
        if full[1 + bytes..].iter().any(|&b| b != 0) {
            return None;
        }
        out.extend_from_slice(&full[1..1 + bytes]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trip_and_canonical() {
        for len in 0..40 {
            let data: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37)).collect();
            let text = encode_base64url(&data);
            assert_eq!(decode_base64url(text.as_bytes()).unwrap(), data);
        }
        assert_eq!(decode_base64url(b"AQ").unwrap(), [1]);
        assert!(decode_base64url(b"AB").is_none(), "non-zero trailing bits");
        assert!(decode_base64url(b"A").is_none());
        assert!(decode_base64url(b"A=").is_none());
    }

    #[test]
    fn generated_keys_parse_and_rings_keep_order() {
        let (a, b) = (Key::generate().unwrap(), Key::generate().unwrap());
        assert_eq!(a.len(), KEY_LINE_PREFIX.len() + 43);
        let ring = Key::new(format!("# ring\n{}\n\n{}\n", *a, *b).as_bytes()).unwrap();
        assert_eq!(ring.len(), 2);
        let first = Key::new(a.as_bytes()).unwrap();
        let second = Key::new(b.as_bytes()).unwrap();
        assert_eq!(ring.ids(), vec![first.current_id(), second.current_id()]);
        assert_eq!(ring.current_id(), second.current_id());
        let dbg = format!("{ring:?}");
        assert!(!dbg.contains(&a[KEY_LINE_PREFIX.len()..]) && dbg.contains("<redacted>"));
    }

    #[test]
    fn bad_key_lines_are_named_by_number_never_quoted() {
        let good = Key::generate().unwrap();
        let secretish = "bbkey1:not-base64-at-all!!";
        let err = Key::new(format!("{}\n{secretish}\n", *good).as_bytes()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("line 2") && !msg.contains("not-base64"),
            "{msg}"
        );
        let err = Key::new(format!("{}\nhunter2-plain-secret\n", *good).as_bytes()).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = Key::new(format!("{}\n{}\n", *good, *good).as_bytes()).unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
    }

    #[test]
    fn plain_secret_stays_compatible() {
        let k = Key::new(b"0123456789abcdef-test-key\n").unwrap();
        assert_eq!(k.len(), 1);
        assert_eq!(k.bytes(), b"0123456789abcdef-test-key");
        assert!(Key::new(b"short").is_err());
    }
}
