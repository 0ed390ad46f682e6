//! GitLab routable tokens: a base36 CRC32 over the whole token.
//!
//! Since 2025 GitLab issues personal access tokens (`glpat-`) and runner authentication
//! tokens (`glrt-`) in the *routable* format of its Cells design:
//!
//! ```text
//! <prefix><payload>.<version>.<payload length><crc>      current (version `01`)
//! <prefix><payload>.<payload length><crc>                 2024-11 .. 2025-04, unversioned
//! ```
//!
//! `payload` is unpadded base64url (27 to 300 characters) of the routing data, 16 random
//! bytes and a length byte; `version` and `payload length` are two base36 digits each; `crc`
//! is the zlib CRC32 of every byte before it (prefix included), in lower-case base36
//! left-padded with `0` to 7 digits. The check here recomputes the CRC and also requires the
//! length field to agree with the payload actually present.

const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// The 7-digit lower-case base36 CRC32 that ends a routable token whose other bytes are
/// `head`.
pub fn gitlab_routable_crc(head: &[u8]) -> [u8; 7] {
    base36_padded(u64::from(super::checksum::crc32(head)))
}

fn base36_padded<const N: usize>(mut n: u64) -> [u8; N] {
    let mut out = [b'0'; N];
    for slot in out.iter_mut().rev() {
        *slot = BASE36[(n % 36) as usize];
        n /= 36;
    }
    out
}

fn base36_value(digits: &[u8]) -> Option<usize> {
    digits.iter().try_fold(0usize, |acc, &d| {
        let v = BASE36.iter().position(|&x| x == d)?;
        Some(acc * 36 + v)
    })
}

/// Whether `value` is a routable GitLab token whose CRC and payload-length field are right.
pub(crate) fn gitlab_routable_valid(value: &[u8]) -> bool {
    // The suffix after the last '.' is the 2-digit payload length and the 7-digit CRC.
    let Some(dot) = value.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let tail = &value[dot + 1..];
    if tail.len() != 9 {
        return false;
    }
    let (len_field, crc) = tail.split_at(2);
    let Some(payload_len) = base36_value(len_field) else {
        return false;
    };
    if gitlab_routable_crc(&value[..value.len() - 7]) != crc {
        return false;
    }
    // Before the length: either `<payload>.<version>` or `<payload>` alone.
    let mut head = &value[..dot];
    if head.len() >= 3 && head[head.len() - 3] == b'.' {
        let version = &head[head.len() - 2..];
        if base36_value(version).is_none() {
            return false;
        }
        head = &head[..head.len() - 3];
    }
    // The payload is the last `payload_len` bytes of `head`; a prefix (ending in `-` or `_`)
    // must come before it.
    (27..=300).contains(&payload_len)
        && head.len() > payload_len
        && matches!(head[head.len() - payload_len - 1], b'-' | b'_')
        && head[head.len() - payload_len..]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc_of_the_check_string() {
        // CRC32("123456789") is 0xCBF43926.
        assert_eq!(&super::gitlab_routable_crc(b"123456789"), b"1kl8mjq");
    }

    use super::*;

    /// Built independently with Python's `zlib.crc32` and `base64.urlsafe_b64encode` from
    /// the routing payload `o:1a\nu:2bc`, the random bytes 0..16 and the length byte 16, as
    /// GitLab's generator (`Authn::TokenField::Generator::RoutableToken`) lays them out.
    const PAT: &str = "glpat-bzoxYQp1OjJiYwABAgMEBQYHCAkKCwwNDg8Q.01.100zmrpj4";
    const RUNNER: &str = "glrt-t1_bzoxYQp1OjJiYwABAgMEBQYHCAkKCwwNDg8Q.01.100xhnzmk";

    #[test]
    fn known_vectors() {
        assert!(gitlab_routable_valid(PAT.as_bytes()));
        assert!(gitlab_routable_valid(RUNNER.as_bytes()));
    }

    #[test]
    fn any_single_change_fails() {
        let base = PAT.as_bytes();
        for i in 0..base.len() {
            let mut v = base.to_vec();
            v[i] = if v[i] == b'x' { b'y' } else { b'x' };
            assert!(!gitlab_routable_valid(&v), "changed byte {i}");
        }
    }

    #[test]
    fn length_field_must_match_the_payload() {
        // A token whose CRC is right but whose length field claims 37 payload characters.
        let head = "glpat-bzoxYQp1OjJiYwABAgMEBQYHCAkKCwwNDg8Q.01.11";
        let tok = format!(
            "{head}{}",
            std::str::from_utf8(&gitlab_routable_crc(head.as_bytes())).unwrap()
        );
        assert!(!gitlab_routable_valid(tok.as_bytes()));
    }

    #[test]
    fn unversioned_form() {
        let head = "glpat-bzoxYQp1OjJiYwABAgMEBQYHCAkKCwwNDg8Q.10";
        let tok = format!(
            "{head}{}",
            std::str::from_utf8(&gitlab_routable_crc(head.as_bytes())).unwrap()
        );
        assert!(gitlab_routable_valid(tok.as_bytes()));
    }

    #[test]
    fn classic_tokens_are_not_routable() {
        assert!(!gitlab_routable_valid(b"glpat-n9f3rzaBU1AgDkdAwwsD"));
    }
}
