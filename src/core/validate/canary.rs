//! blackbar's own canary format: `bbcan_` + 24 random base62 characters + a 6-character
//! checksum (the base62 CRC32 of `blackbar-canary:` and the random part). The checksum lets
//! the default catalog recognise any blackbar canary without a list, with essentially no
//! false positives.

use crate::error::{Error, ErrorKind};

use super::checksum::base62_crc32;

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
}
