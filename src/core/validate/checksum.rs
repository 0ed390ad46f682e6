//! Checksums with public definitions: Luhn, IBAN mod-97, CRC32 (IEEE) and the base62 CRC32
//! suffix of GitHub and npm tokens, and Atlassian's hex CRC32 suffix.

/// Luhn mod-10 over the ASCII digits of `value` (other bytes, e.g. spaces and dashes, are
/// skipped). Fewer than 2 digits never pass.
pub fn luhn_valid(value: &[u8]) -> bool {
    let mut sum = 0u32;
    let mut n = 0usize;
    for &b in value.iter().rev() {
        if !b.is_ascii_digit() {
            continue;
        }
        let mut d = u32::from(b - b'0');
        if n % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        n += 1;
    }
    n >= 2 && sum % 10 == 0
}

/// The IBAN length of each SEPA country (and a few others that use IBAN), by country code.
const IBAN_LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24),
    (b"AT", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"CH", 21),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DK", 18),
    (b"EE", 20),
    (b"ES", 24),
    (b"FI", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GI", 23),
    (b"GR", 27),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IS", 26),
    (b"IT", 27),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"MC", 27),
    (b"MT", 31),
    (b"NL", 18),
    (b"NO", 15),
    (b"PL", 28),
    (b"PT", 25),
    (b"RO", 24),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"VA", 22),
    (b"AL", 28),
    (b"BA", 20),
    (b"ME", 22),
    (b"MK", 19),
    (b"RS", 22),
    (b"TR", 26),
    (b"UA", 29),
    (b"AE", 23),
    (b"SA", 24),
    (b"IL", 23),
    (b"BR", 29),
];

/// The expected IBAN length for a country code, if blackbar knows the country.
pub fn iban_length(country: &[u8]) -> Option<usize> {
    IBAN_LENGTHS
        .iter()
        .find(|(c, _)| c.as_slice() == country)
        .map(|&(_, n)| n)
}

/// IBAN mod-97 remainder of `value` with spaces removed, or `None` for a character that is
/// not alphanumeric. A valid IBAN has remainder 1.
pub fn iban_mod97(value: &[u8]) -> Option<u32> {
    let compact: Vec<u8> = value.iter().copied().filter(|b| *b != b' ').collect();
    if compact.len() < 5 {
        return None;
    }
    let (head, tail) = compact.split_at(4);
    let mut rem = 0u32;
    for &b in tail.iter().chain(head) {
        let v = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            b'a'..=b'z' => u32::from(b - b'a') + 10,
            _ => return None,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    Some(rem)
}

pub(crate) fn iban_valid(value: &[u8]) -> bool {
    let compact: Vec<u8> = value.iter().copied().filter(|b| *b != b' ').collect();
    compact.len() >= 4
        && iban_length(&compact[..2].to_ascii_uppercase()) == Some(compact.len())
        && iban_mod97(&compact) == Some(1)
}

const CRC32_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC32 (IEEE 802.3, as zlib computes it).
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c = CRC32_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The CRC32 of `data` in base62 (`0-9A-Za-z`), left-padded with `0` to 6 characters: the
/// checksum suffix of GitHub classic and npm tokens.
pub fn base62_crc32(data: &[u8]) -> [u8; 6] {
    let mut n = crc32(data);
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// GitHub classic (`ghp_` and friends) and npm (`npm_`) tokens: the body after the first `_`
/// ends in the base62 CRC32 of the rest of the body.
pub(crate) fn github_crc32_valid(value: &[u8]) -> bool {
    let Some(us) = value.iter().position(|&b| b == b'_') else {
        return false;
    };
    let body = &value[us + 1..];
    if body.len() < 7 {
        return false;
    }
    let (random, check) = body.split_at(body.len() - 6);
    base62_crc32(random) == check
}

/// Atlassian API tokens: the last 8 characters are the upper-hex CRC32 of everything before.
pub(crate) fn atlassian_crc32_valid(value: &[u8]) -> bool {
    if value.len() < 9 {
        return false;
    }
    let (head, check) = value.split_at(value.len() - 8);
    let expected = format!("{:08X}", crc32(head));
    expected.as_bytes().eq_ignore_ascii_case(check)
}

#[cfg(test)]
mod tests {
    #[test]
    fn documented_example_1() {
        assert!(super::luhn_valid(b"4111 1111 1111 1111"));
        assert!(!super::luhn_valid(b"4111 1111 1111 1112"));
    }

    #[test]
    fn documented_example_2() {
        assert_eq!(super::crc32(b"123456789"), 0xCBF4_3926);
    }

    use super::*;

    #[test]
    fn iban_examples() {
        assert!(iban_valid(b"DE89370400440532013000"));
        assert!(iban_valid(b"DE89 3704 0044 0532 0130 00"));
        assert!(iban_valid(b"GB82WEST12345698765432"));
        assert!(iban_valid(b"NO9386011117947"));
        assert!(!iban_valid(b"DE89370400440532013001"));
        assert!(!iban_valid(b"DE8937040044053201300"), "wrong length for DE");
    }

    #[test]
    fn github_checksum_round_trip() {
        let random = b"abcdefghijklmnopqrstuvwxyz0123";
        let mut tok = b"ghp_".to_vec();
        tok.extend_from_slice(random);
        tok.extend_from_slice(&base62_crc32(random));
        assert!(github_crc32_valid(&tok));
        let last = tok.len() - 1;
        tok[last] = if tok[last] == b'A' { b'B' } else { b'A' };
        assert!(!github_crc32_valid(&tok));
    }

    #[test]
    fn atlassian_checksum() {
        let head = b"ATATT3xFfGF0abc=";
        let tok = format!("{}{:08X}", std::str::from_utf8(head).unwrap(), crc32(head));
        assert!(atlassian_crc32_valid(tok.as_bytes()));
        assert!(!atlassian_crc32_valid(b"ATATT3xFfGF0abc=00000000"));
    }
}
