//! Canaries: decoys that must never appear downstream.
//!
//! blackbar's own format ([`generate`], recognised by checksum by the default catalog's
//! `blackbar-canary` rule) and literal lists ([`parse_list`], given
//! to [`crate::RedactorBuilder::canaries`] and matched as one literal set).

use crate::error::{Error, ErrorKind};

pub use crate::validate::canary::{generate, is_valid, PREFIX};

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

#[cfg(test)]
mod tests {
    use super::*;

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
