//! Bech32 (BIP-173): the checksummed base32 encoding of age keys and recipients.
//!
//! A Bech32 string is a human-readable part (`age`, `age-secret-key-`), the separator `1`
//! (the last `1` in the string) and data characters from a 32-letter alphabet, the last six of
//! which are a BCH checksum over the human-readable part and the data. The string is all
//! lower case or all upper case, never mixed. age encodes secret keys in upper case and
//! recipients in lower case; the checksum is the same either way.
//!
//! Only the original Bech32 constant (1) is accepted here: age uses Bech32, not Bech32m.

/// The Bech32 data alphabet, by 5-bit value.
pub const BECH32_CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

const GENERATOR: [u32; 5] = [
    0x3b6a_57b2,
    0x2650_8e6d,
    0x1ea1_19fa,
    0x3d42_33dd,
    0x2a14_62b3,
];

fn polymod_step(chk: u32, value: u8) -> u32 {
    let top = chk >> 25;
    let mut chk = ((chk & 0x01ff_ffff) << 5) ^ u32::from(value);
    for (i, g) in GENERATOR.iter().enumerate() {
        if (top >> i) & 1 == 1 {
            chk ^= g;
        }
    }
    chk
}

/// The BCH polymod of a lower-case human-readable part followed by 5-bit `data` values (1 for
/// a valid Bech32 string, 0x2bc830a3 for Bech32m).
pub(crate) fn polymod(hrp: &[u8], data: impl IntoIterator<Item = u8>) -> u32 {
    let mut chk = 1u32;
    for &c in hrp {
        chk = polymod_step(chk, c >> 5);
    }
    chk = polymod_step(chk, 0);
    for &c in hrp {
        chk = polymod_step(chk, c & 31);
    }
    for v in data {
        chk = polymod_step(chk, v);
    }
    chk
}

#[cfg(any(test, feature = "testkit"))]
/// The six checksum characters (lower case) for `hrp` (lower case) and 5-bit `data` values.
///
/// # Panics
///
/// If a `data` value is 32 or more.
pub fn bech32_checksum(hrp: &[u8], data: &[u8]) -> [u8; 6] {
    assert!(data.iter().all(|&v| v < 32), "data values are 5-bit");
    let pm = polymod(hrp, data.iter().copied().chain([0u8; 6])) ^ 1;
    let mut out = [0u8; 6];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = BECH32_CHARSET[((pm >> (5 * (5 - i))) & 31) as usize];
    }
    out
}

/// Whether `value` is a Bech32 string with a valid checksum: one case throughout, a
/// non-empty human-readable part of printable ASCII, the separator `1`, and at least six
/// data characters from the Bech32 alphabet. The 90-character limit of BIP-173 is not
/// applied (age's secret keys and post-quantum recipients exceed it; so does age itself).
pub fn bech32_valid(value: &[u8]) -> bool {
    let has_lower = value.iter().any(u8::is_ascii_lowercase);
    let has_upper = value.iter().any(u8::is_ascii_uppercase);
    if has_lower && has_upper {
        return false;
    }
    let Some(sep) = value.iter().rposition(|&b| b == b'1') else {
        return false;
    };
    let (hrp, data) = (&value[..sep], &value[sep + 1..]);
    if hrp.is_empty() || data.len() < 6 || !hrp.iter().all(|b| (33..=126).contains(b)) {
        return false;
    }
    let hrp = hrp.to_ascii_lowercase();
    let mut values = Vec::with_capacity(data.len());
    for &c in data {
        let c = c.to_ascii_lowercase();
        match BECH32_CHARSET.iter().position(|&x| x == c) {
            Some(v) => values.push(v as u8),
            None => return false,
        }
    }
    polymod(&hrp, values) == 1
}

#[cfg(test)]
mod tests {
    #[test]
    fn documented_example_1() {
        use super::{bech32_checksum, bech32_valid};
        let data = [0u8; 4];
        let sum = bech32_checksum(b"a", &data);
        let s = format!("a1qqqq{}", std::str::from_utf8(&sum).unwrap());
        assert!(bech32_valid(s.as_bytes()));
    }

    #[test]
    fn documented_example_2() {
        // BIP-173's published valid test vectors.
        assert!(super::bech32_valid(b"A12UEL5L"));
        assert!(super::bech32_valid(
            b"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw"
        ));
        assert!(!super::bech32_valid(
            b"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxx"
        ));
    }

    use super::*;

    /// BIP-173 "valid Bech32" test vectors.
    const VALID: &[&str] = &[
        "A12UEL5L",
        "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    ];

    /// BIP-173 invalid vectors that this validator is responsible for (checksum, separator,
    /// alphabet, mixed case, short checksum).
    const INVALID: &[&str] = &[
        "pzry9x0s0muk",  // no separator
        "1pzry9x0s0muk", // empty hrp
        "x1b4n0q5v",     // invalid data character
        "li1dgmt3",      // too short checksum
        "A1G7SGD8",      // checksum computed with uppercase hrp
        "10a06t8",       // empty hrp
        "1qzzfhee",      // empty hrp
        "a12UEL5L",      // mixed case
        "a12uel5m",      // wrong checksum
    ];

    #[test]
    fn bip173_vectors() {
        for v in VALID {
            assert!(bech32_valid(v.as_bytes()), "{v}");
        }
        for v in INVALID {
            assert!(!bech32_valid(v.as_bytes()), "{v}");
        }
    }

    /// The example recipient from age's README (a public key, published as documentation).
    #[test]
    fn age_recipient_from_the_age_readme() {
        assert!(bech32_valid(
            b"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
        ));
        assert!(!bech32_valid(
            b"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8q"
        ));
    }

    #[test]
    fn checksum_round_trip_upper_case() {
        let data: Vec<u8> = (0..52u32).map(|i| ((i * 7 + 3) % 32) as u8).collect();
        let sum = bech32_checksum(b"age-secret-key-", &data);
        let mut s = b"AGE-SECRET-KEY-1".to_vec();
        s.extend(data.iter().map(|&v| BECH32_CHARSET[v as usize]));
        s.extend_from_slice(&sum);
        let upper = s.to_ascii_uppercase();
        assert!(bech32_valid(&upper));
        let mut broken = upper.clone();
        let i = broken.len() - 10;
        broken[i] = if broken[i] == b'Q' { b'P' } else { b'Q' };
        assert!(!bech32_valid(&broken));
    }
}
