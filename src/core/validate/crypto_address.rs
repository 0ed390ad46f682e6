//! Cryptocurrency addresses: Bitcoin Base58Check (double SHA-256) and SegWit Bech32 /
//! Bech32m (BIP-173, BIP-350), and Ethereum's EIP-55 mixed-case checksum (Keccak-256).
//!
//! The encoders are public so that corpus generators make valid addresses with the same
//! arithmetic the validators use.

use sha2::{Digest, Sha256};

const KECCAK_RC: [u64; 24] = [
    0x0000_0000_0000_0001,
    0x0000_0000_0000_8082,
    0x8000_0000_0000_808a,
    0x8000_0000_8000_8000,
    0x0000_0000_0000_808b,
    0x0000_0000_8000_0001,
    0x8000_0000_8000_8081,
    0x8000_0000_0000_8009,
    0x0000_0000_0000_008a,
    0x0000_0000_0000_0088,
    0x0000_0000_8000_8009,
    0x0000_0000_8000_000a,
    0x0000_0000_8000_808b,
    0x8000_0000_0000_008b,
    0x8000_0000_0000_8089,
    0x8000_0000_0000_8003,
    0x8000_0000_0000_8002,
    0x8000_0000_0000_0080,
    0x0000_0000_0000_800a,
    0x8000_0000_8000_000a,
    0x8000_0000_8000_8081,
    0x8000_0000_0000_8080,
    0x0000_0000_8000_0001,
    0x8000_0000_8000_8008,
];
/// Rotation of each lane along the rho-pi walk.
const KECCAK_ROT: [u32; 24] = [
    1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
];
/// The lane each step of the rho-pi walk moves to.
const KECCAK_PI: [usize; 24] = [
    10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
];

fn keccak_f1600(st: &mut [u64; 25]) {
    for rc in KECCAK_RC {
        let mut c = [0u64; 5];
        for (x, cx) in c.iter_mut().enumerate() {
            *cx = st[x] ^ st[x + 5] ^ st[x + 10] ^ st[x + 15] ^ st[x + 20];
        }
        for x in 0..5 {
            let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
            for y in 0..5 {
                st[5 * y + x] ^= d;
            }
        }
        let mut carry = st[1];
        for (&to, &rot) in KECCAK_PI.iter().zip(&KECCAK_ROT) {
            let next = st[to];
            st[to] = carry.rotate_left(rot);
            carry = next;
        }
        for y in 0..5 {
            let row = [
                st[5 * y],
                st[5 * y + 1],
                st[5 * y + 2],
                st[5 * y + 3],
                st[5 * y + 4],
            ];
            for x in 0..5 {
                st[5 * y + x] = row[x] ^ (!row[(x + 1) % 5] & row[(x + 2) % 5]);
            }
        }
        st[0] ^= rc;
    }
}

/// Keccak-256 as Ethereum uses it (the original Keccak padding `0x01`, not SHA3-256's
/// `0x06`).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    const RATE: usize = 136;
    let mut st = [0u64; 25];
    let mut padded = data.to_vec();
    padded.push(0x01);
    while padded.len() % RATE != 0 {
        padded.push(0);
    }
    *padded.last_mut().expect("padding makes it non-empty") |= 0x80;
    for block in padded.chunks(RATE) {
        for (lane, bytes) in st.iter_mut().zip(block.chunks(8)) {
            *lane ^= u64::from_le_bytes(bytes.try_into().expect("8-byte lane"));
        }
        keccak_f1600(&mut st);
    }
    let mut out = [0u8; 32];
    for (chunk, lane) in out.chunks_mut(8).zip(st) {
        chunk.copy_from_slice(&lane.to_le_bytes());
    }
    out
}

/// The EIP-55 checksummed form (`0x` + 40 mixed-case hex) of a 20-byte address.
pub fn eip55_encode(address: &[u8; 20]) -> String {
    let lower: String = address.iter().map(|b| format!("{b:02x}")).collect();
    let hash = keccak256(lower.as_bytes());
    let mut out = String::from("0x");
    for (i, c) in lower.chars().enumerate() {
        let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0xf;
        out.push(if c.is_ascii_alphabetic() && nibble >= 8 {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    out
}

/// Whether an Ethereum address (`0x` + 40 hex) carries a correct EIP-55 checksum:
/// `Some(true)` or `Some(false)` for mixed case, `None` for an all-lowercase or all-uppercase
/// address, which is valid but carries no checksum. `Some(false)` for anything that is not
/// `0x` + 40 hex.
pub fn eip55_checksummed(value: &[u8]) -> Option<bool> {
    let Some(hex) = value.strip_prefix(b"0x") else {
        return Some(false);
    };
    if hex.len() != 40 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return Some(false);
    }
    let has_lower = hex.iter().any(u8::is_ascii_lowercase);
    let has_upper = hex.iter().any(u8::is_ascii_uppercase);
    if !(has_lower && has_upper) {
        return None;
    }
    let mut bytes = [0u8; 20];
    for (i, b) in bytes.iter_mut().enumerate() {
        let s = std::str::from_utf8(&hex[2 * i..2 * i + 2]).expect("hex is ASCII");
        *b = u8::from_str_radix(s, 16).expect("checked hex digits");
    }
    Some(eip55_encode(&bytes).as_bytes()[2..] == *hex)
}

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn sha256d(data: &[u8]) -> [u8; 32] {
    Sha256::digest(Sha256::digest(data)).into()
}

#[cfg(any(test, feature = "testkit"))]
/// Base58 (Bitcoin alphabet) of `payload` followed by the first 4 bytes of its double
/// SHA-256.
pub fn base58check_encode(payload: &[u8]) -> String {
    let mut data = payload.to_vec();
    data.extend_from_slice(&sha256d(payload)[..4]);
    let zeros = data.iter().take_while(|&&b| b == 0).count();
    // Little-endian base-58 digits of the big-endian number.
    let mut out: Vec<u8> = vec![];
    for &byte in &data[zeros..] {
        let mut carry = u32::from(byte);
        for d in out.iter_mut() {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            out.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut s = "1".repeat(zeros);
    s.extend(
        out.iter()
            .rev()
            .map(|&d| char::from(BASE58[usize::from(d)])),
    );
    s
}

/// Decodes Base58 (Bitcoin alphabet) to bytes; `None` for a character outside it.
fn base58_decode(text: &[u8]) -> Option<Vec<u8>> {
    let zeros = text.iter().take_while(|&&c| c == b'1').count();
    // Little-endian base-256 digits.
    let mut out: Vec<u8> = vec![];
    for &c in &text[zeros..] {
        let mut carry = BASE58.iter().position(|&a| a == c)? as u32;
        for b in out.iter_mut() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            out.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    out.extend(std::iter::repeat(0).take(zeros));
    out.reverse();
    Some(out)
}

/// A Bitcoin Base58Check address: 25 bytes (version 0x00 P2PKH or 0x05 P2SH, a 20-byte
/// hash, 4 checksum bytes) whose checksum is the double SHA-256 of the rest.
pub fn base58check_address_valid(value: &[u8]) -> bool {
    let Some(bytes) = base58_decode(value) else {
        return false;
    };
    bytes.len() == 25
        && matches!(bytes[0], 0x00 | 0x05)
        && sha256d(&bytes[..21])[..4] == bytes[21..]
}

use super::bech32::{polymod as bech32_polymod, BECH32_CHARSET as BECH32};

const BECH32M_CONST: u32 = 0x2bc8_30a3;

/// Regroups bits; `None` if padding is non-zero or too long when `pad` is false.
fn convert_bits(data: &[u8], from: u32, to: u32, pad: bool) -> Option<Vec<u8>> {
    let mut acc = 0u32;
    let mut bits = 0u32;
    let mut out = vec![];
    let maxv = (1u32 << to) - 1;
    for &v in data {
        acc = (acc << from) | u32::from(v);
        bits += from;
        while bits >= to {
            bits -= to;
            out.push(((acc >> bits) & maxv) as u8);
        }
    }
    if pad {
        if bits > 0 {
            out.push(((acc << (to - bits)) & maxv) as u8);
        }
    } else if bits >= from || ((acc << (to - bits)) & maxv) != 0 {
        return None;
    }
    Some(out)
}

#[cfg(any(test, feature = "testkit"))]
/// A SegWit address for `hrp` (`bc` mainnet, `tb` testnet): Bech32 for witness version 0,
/// Bech32m for versions 1 to 16.
pub fn segwit_encode(hrp: &str, version: u8, program: &[u8]) -> String {
    let mut data = vec![version];
    data.extend(convert_bits(program, 8, 5, true).expect("padding allowed"));
    let constant = if version == 0 { 1 } else { BECH32M_CONST };
    let pm = bech32_polymod(hrp.as_bytes(), data.iter().copied().chain([0; 6])) ^ constant;
    data.extend((0..6).map(|i| ((pm >> (5 * (5 - i))) & 31) as u8));
    let mut s = format!("{hrp}1");
    s.extend(data.iter().map(|&d| char::from(BECH32[usize::from(d)])));
    s
}

/// A Bitcoin SegWit address (`bc1`/`tb1`, one case throughout): the Bech32 checksum for
/// witness version 0 with a 20- or 32-byte program, Bech32m for versions 1-16 with 2 to 40
/// bytes (BIP-173, BIP-350).
pub fn segwit_address_valid(value: &[u8]) -> bool {
    if value.len() > 90
        || (value.iter().any(u8::is_ascii_lowercase) && value.iter().any(u8::is_ascii_uppercase))
    {
        return false;
    }
    let v = value.to_ascii_lowercase();
    let Some(sep) = v.iter().rposition(|&c| c == b'1') else {
        return false;
    };
    let (hrp, rest) = (&v[..sep], &v[sep + 1..]);
    if !matches!(hrp, b"bc" | b"tb") || rest.len() < 7 {
        return false;
    }
    let Some(data) = rest
        .iter()
        .map(|c| BECH32.iter().position(|a| a == c).map(|p| p as u8))
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    let pm = bech32_polymod(hrp, data.iter().copied());
    let version = data[0];
    let Some(program) = convert_bits(&data[1..data.len() - 6], 5, 8, false) else {
        return false;
    };
    match version {
        0 => pm == 1 && matches!(program.len(), 20 | 32),
        1..=16 => pm == BECH32M_CONST && (2..=40).contains(&program.len()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn documented_example_1() {
        use super::{eip55_checksummed, eip55_encode};
        let addr = eip55_encode(&[0x5a; 20]);
        assert_eq!(eip55_checksummed(addr.as_bytes()), Some(true));
    }

    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn keccak_vectors() {
        assert_eq!(
            hex(&keccak256(b"")),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
        assert_eq!(
            hex(&keccak256(b"abc")),
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
        );
        // Crosses the 136-byte rate.
        let long = vec![b'a'; 200];
        assert_eq!(keccak256(&long).len(), 32);
        assert_ne!(keccak256(&long[..136]), keccak256(&long[..135]));
    }

    #[test]
    fn eip55_vectors() {
        // The test vectors of EIP-55.
        for a in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
            "0xde709f2102306220921060314715629080e2fb77",
            "0x27b1fdb04752bbc536007a920d24acb045561c26",
        ] {
            let v = a.as_bytes();
            let lower = a.to_ascii_lowercase();
            let mut bytes = [0u8; 20];
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = u8::from_str_radix(&lower[2 + 2 * i..4 + 2 * i], 16).unwrap();
            }
            assert_eq!(eip55_encode(&bytes), a, "encode {a}");
            let mixed = v[2..].iter().any(u8::is_ascii_lowercase)
                && v[2..].iter().any(u8::is_ascii_uppercase);
            assert_eq!(eip55_checksummed(v), mixed.then_some(true), "{a}");
        }
        assert_eq!(
            eip55_checksummed(b"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"),
            Some(false)
        );
        assert_eq!(
            eip55_checksummed(b"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
            None
        );
        assert_eq!(eip55_checksummed(b"0x5aAeb6053F"), Some(false));
    }

    #[test]
    fn base58check() {
        // The genesis block's coinbase address and a P2SH example from BIP-13's era.
        assert!(base58check_address_valid(
            b"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
        ));
        assert!(base58check_address_valid(
            b"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
        ));
        assert!(!base58check_address_valid(
            b"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"
        ));
        assert!(!base58check_address_valid(
            b"1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a"
        ));
        let payload: Vec<u8> = std::iter::once(0).chain(1..=20).collect();
        let enc = base58check_encode(&payload);
        assert!(enc.starts_with('1'));
        assert!(base58check_address_valid(enc.as_bytes()));
        let zero_hash = [0u8; 21];
        assert!(base58check_address_valid(
            base58check_encode(&zero_hash).as_bytes()
        ));
    }

    #[test]
    fn bech32_vectors() {
        // BIP-173 and BIP-350 valid addresses.
        for a in [
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
            "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
            "BC1SW50QGDZ25J",
            "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        ] {
            assert!(segwit_address_valid(a.as_bytes()), "{a}");
        }
        for a in [
            // Bech32m checksum on a v0 program, Bech32 on v1, mixed case, bad checksum.
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
            "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
            "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
        ] {
            assert!(!segwit_address_valid(a.as_bytes()), "{a}");
        }
        let a = segwit_encode("bc", 0, &[7u8; 20]);
        assert!(segwit_address_valid(a.as_bytes()), "{a}");
        let a = segwit_encode("bc", 1, &[9u8; 32]);
        assert!(
            a.starts_with("bc1p") && segwit_address_valid(a.as_bytes()),
            "{a}"
        );
    }
}
