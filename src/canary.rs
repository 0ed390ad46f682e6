//! blackbar's own canary format: `bbcan_` + 24 random base62 characters + a 6-character
//! checksum (the base62 CRC32 of `blackbar-canary:` and the random part).
//!
//! The checksum lets the default catalog recognise any blackbar canary without a list, with
//! essentially no false positives; a list (`--canaries FILE`) adds other decoys as literals.

use std::sync::Arc;

use crate::error::{Error, ErrorKind};
use crate::finding::{Category, Confidence};
use crate::rules::Rule;
use crate::validate::base62_crc32;

/// The prefix of every blackbar canary.
pub const PREFIX: &str = "bbcan_";
const RANDOM_LEN: usize = 24;
const DOMAIN: &[u8] = b"blackbar-canary:";
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn checksum(random: &[u8]) -> [u8; 6] {
    let mut data = DOMAIN.to_vec();
    data.extend_from_slice(random);
    base62_crc32(&data)
}

/// A fresh canary from the operating system's random source.
///
/// # Errors
///
/// When the operating system has no random source available.
///
/// # Example
///
/// ```
/// let c = blackbar::canary::generate()?;
/// assert!(c.starts_with("bbcan_") && blackbar::canary::is_valid(c.as_bytes()));
/// # Ok::<(), blackbar::Error>(())
/// ```
pub fn generate() -> Result<String, Error> {
    let mut raw = [0u8; RANDOM_LEN];
    getrandom::getrandom(&mut raw)
        .map_err(|e| Error::new(ErrorKind::Key(format!("no random source: {e}"))))?;
    // 256 % 62 != 0: reject the top values so every character is uniform.
    let mut random = Vec::with_capacity(RANDOM_LEN);
    let mut pool = raw.to_vec();
    while random.len() < RANDOM_LEN {
        if pool.is_empty() {
            let mut more = [0u8; RANDOM_LEN];
            getrandom::getrandom(&mut more)
                .map_err(|e| Error::new(ErrorKind::Key(format!("no random source: {e}"))))?;
            pool.extend_from_slice(&more);
        }
        let b = pool.pop().unwrap();
        if b < 248 {
            random.push(ALPHABET[(b % 62) as usize]);
        }
    }
    let mut out = String::from(PREFIX);
    out.push_str(std::str::from_utf8(&random).unwrap());
    out.push_str(std::str::from_utf8(&checksum(&random)).unwrap());
    Ok(out)
}

/// Whether `value` is a well-formed blackbar canary with a correct checksum.
pub fn is_valid(value: &[u8]) -> bool {
    let Some(body) = value.strip_prefix(PREFIX.as_bytes()) else {
        return false;
    };
    if body.len() != RANDOM_LEN + 6 || !body.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (random, check) = body.split_at(RANDOM_LEN);
    checksum(random) == check
}

/// Parses a canary list: one canary per line; blank lines and `#` comments are skipped; text
/// after the first whitespace (a label for humans) is ignored.
///
/// # Errors
///
/// An empty list, or an entry shorter than 8 bytes (it would match ordinary text), named by
/// line.
pub fn parse_list(text: &[u8], origin: &str) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = vec![];
    for (n, line) in text.split(|&b| b == b'\n').enumerate() {
        let line = line.trim_ascii();
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        let token = line
            .split(|b| b.is_ascii_whitespace())
            .next()
            .unwrap_or_default();
        if token.len() < 8 {
            return Err(Error::new(ErrorKind::Parse(format!(
                "line {}: canary shorter than 8 bytes would match ordinary text",
                n + 1
            )))
            .at(origin));
        }
        out.push(token.to_vec());
    }
    if out.is_empty() {
        return Err(Error::new(ErrorKind::Parse("no canaries in the list".into())).at(origin));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A rule matching a canary list as one literal set (exact, case-sensitive).
pub fn list_rule(literals: Vec<Vec<u8>>, origin: &str) -> Rule {
    let max_len = literals.iter().map(Vec::len).max().unwrap_or(1);
    let min_len = literals.iter().map(Vec::len).min().unwrap_or(1);
    Rule {
        id: Arc::from("canary-list"),
        name: "Canary from a --canaries list".into(),
        category: Category::Canary,
        label: Arc::from("CANARY"),
        pattern: format!("<{} literals>", literals.len()),
        keywords: vec![],
        validators: vec![],
        context: vec![],
        context_required: false,
        context_window: 0,
        not_after: vec![],
        confidence: Confidence::Certain,
        keep: (0, 0),
        examples: vec![],
        counterexamples: vec![],
        origin: Arc::from(origin),
        min_len,
        max_len,
        multiline: literals.iter().any(|l| l.contains(&b'\n')),
        has_secret_group: false,
        generic: false,
        keyword_lead: 0,
        literals: Some(Arc::new(literals)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_canaries_validate_and_tampering_fails() {
        let c = generate().unwrap();
        assert_eq!(c.len(), PREFIX.len() + RANDOM_LEN + 6);
        assert!(is_valid(c.as_bytes()));
        let mut t = c.into_bytes();
        t[10] = if t[10] == b'a' { b'b' } else { b'a' };
        assert!(!is_valid(&t));
    }

    #[test]
    fn list_parsing() {
        let l = parse_list(
            b"# decoys\nAKIAFAKECANARY000001 planted in wiki\n\nsk-canary-12345678\n",
            "c.txt",
        )
        .unwrap();
        assert_eq!(l.len(), 2);
        assert!(parse_list(b"short\n", "c.txt")
            .unwrap_err()
            .to_string()
            .contains("line 1"));
    }
}
