//! Format-preserving encryption of digit values (the `fpe` action): NIST SP 800-38G FF1 with
//! AES-256, radix 10, from the RustCrypto-based `fpe` crate.
//!
//! Only the ASCII digits of a value change; its separators (space `-` `.` `(` `)` `+` `/`)
//! stay where they were, so a card keeps its length and grouping and a phone number its
//! shape. The label is the FF1 tweak, so the same digits under different labels encrypt
//! differently. What it supports, and how:
//!
//! * **Cards** (rules with the `luhn` validator): the first 6 digits (the issuer number;
//!   5 for 12-digit numbers) are kept, so the result is a card of the same brand and length
//!   and the catalog still recognises it; the middle digits are encrypted; the check digit is
//!   recomputed so that a valid Luhn number stays valid (and an invalid one stays invalid by
//!   the same amount, which keeps the mapping reversible).
//! * **Phone numbers, SSNs, account numbers** (any other rule): all digits are encrypted.
//!   When the rule matches the value on its own, the result is re-encrypted (cycle-walking)
//!   until the rule matches it too, so e.g. a NANP number keeps a valid area code and
//!   reversal can find it again. Cycle-walking is a permutation of the values the rule
//!   accepts, so decryption walks back the same way.
//! * Values with fewer than 6 encryptable digits (FF1's minimum domain of a million), or
//!   with anything but digits and separators (an email, a token), are not format-preserved:
//!   the action writes the rule's `[LABEL]` instead. Nothing is ever left in clear.
//!
//! FPE output is not self-identifying and not authenticated: a wrong key "decrypts" to
//! another plausible number. Reversal is therefore explicit (`blackbar detokenize --fpe
//! RULE`), finds the values with the same rule, and cannot tell a ciphertext from a real
//! number: run it only on text whose FPE'd fields you know. A second `fpe` pass encrypts
//! again (undo it with a second reversal).

use aes::Aes256;
use fpe::ff1::{FlexibleNumeralString, FF1};
use regex_automata::{meta, Anchored, Input};

use crate::key::KeyEntry;

/// FF1's minimum domain is 10^6 (SP 800-38G rev. 1).
const MIN_DIGITS: usize = 6;
/// A cycle walk longer than this gives up (the action then writes the label): the rule
/// accepts too small a share of its digit strings for FPE to be practical.
const MAX_WALK: usize = 1000;

fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'(' | b')' | b'+' | b'/')
}

/// How a rule's values are format-preserved.
#[derive(Debug)]
pub(crate) struct Shape {
    /// Keep the issuer prefix and the Luhn relation (cards).
    pub luhn: bool,
    /// The rule's pattern anchored at both ends, when the rule matches values on their own.
    pub full: Option<meta::Regex>,
}

impl Shape {
    fn accepts(&self, value: &[u8]) -> bool {
        self.full.as_ref().map_or(true, |re| {
            re.search_half(&Input::new(value).anchored(Anchored::Yes))
                .is_some()
        })
    }
}

/// Builds a rule's shape from its pattern (`None` for rules whose pattern does not describe
/// the redacted value alone, e.g. rules with a `secret` group).
pub(crate) fn shape(pattern: Option<&str>, luhn: bool) -> Shape {
    let full = pattern.and_then(|p| crate::engine::build_regex(&[&format!("(?:{p})\\z")]).ok());
    Shape { luhn, full }
}

fn luhn_check_digit(payload: &[u16]) -> u16 {
    // The digit that makes payload + digit pass Luhn: double every second digit from the right
    // of the payload.
    let mut sum = 0u16;
    for (i, &d) in payload.iter().rev().enumerate() {
        let mut d = d;
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    (10 - sum % 10) % 10
}

/// Encrypts (or with `decrypt`, decrypts) the digits of `value` under `key` with `label` as
/// the tweak, appending the result to `out`. Returns false, writing nothing, when the value
/// cannot be format-preserved (see the module docs).
pub(crate) fn apply(
    key: &KeyEntry,
    label: &str,
    shape: &Shape,
    value: &[u8],
    decrypt: bool,
    out: &mut Vec<u8>,
) -> bool {
    if !value.iter().all(|&b| b.is_ascii_digit() || is_separator(b)) {
        return false;
    }
    let digits: Vec<u16> = value
        .iter()
        .filter(|b| b.is_ascii_digit())
        .map(|&b| u16::from(b - b'0'))
        .collect();
    let n = digits.len();
    let (keep, tail) = if shape.luhn {
        (6.min(n.saturating_sub(1 + MIN_DIGITS)), 1)
    } else {
        (0, 0)
    };
    if n < keep + MIN_DIGITS + tail {
        return false;
    }
    // Cycle-walking is a permutation of the accepted values only: the input must be one.
    if !shape.accepts(value) {
        return false;
    }
    let ff1 = FF1::<Aes256>::new(key.ff1_key(), 10).expect("radix 10 is valid");
    let tweak = label.as_bytes();
    let step = |x: Vec<u16>| -> Vec<u16> {
        let ns = FlexibleNumeralString::from(x);
        let r = if decrypt {
            ff1.decrypt(tweak, &ns)
        } else {
            ff1.encrypt(tweak, &ns)
        };
        r.expect("digits in radix 10, length checked").into()
    };
    let reshape = |ds: &[u16]| -> Vec<u8> {
        let mut it = ds.iter();
        value
            .iter()
            .map(|&b| {
                if b.is_ascii_digit() {
                    b'0' + *it.next().expect("same digit count") as u8
                } else {
                    b
                }
            })
            .collect()
    };
    let middle = digits[keep..n - tail].to_vec();
    let mut walked = 0;
    let mut x = middle.clone();
    let result = loop {
        x = step(x);
        let mut all = digits[..keep].to_vec();
        all.extend_from_slice(&x);
        if shape.luhn {
            // c_out - luhn(out) == c_in - luhn(in) (mod 10), in both directions.
            let delta = (digits[n - 1] + 10 - luhn_check_digit(&digits[..n - 1])) % 10;
            all.push((luhn_check_digit(&all) + delta) % 10);
        }
        let candidate = reshape(&all);
        if shape.accepts(&candidate) {
            break Some(candidate);
        }
        walked += 1;
        if walked >= MAX_WALK {
            break None;
        }
    };
    match result {
        Some(bytes) => {
            out.extend_from_slice(&bytes);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::luhn_valid;
    use crate::Key;

    fn entry() -> crate::key::KeyEntry {
        Key::new(b"0123456789abcdef-test-key")
            .unwrap()
            .current()
            .clone()
    }

    fn run(shape: &Shape, value: &str, decrypt: bool) -> Option<String> {
        let mut out = vec![];
        apply(&entry(), "X", shape, value.as_bytes(), decrypt, &mut out)
            .then(|| String::from_utf8(out).unwrap())
    }

    #[test]
    fn cards_keep_length_prefix_separators_and_luhn() {
        let shape = Shape {
            luhn: true,
            full: None,
        };
        for card in [
            "4111 1111 1111 1111",
            "5500-0000-0000-0004",
            "378282246310005",
            "4222222222222",
        ] {
            let enc = run(&shape, card, false).unwrap();
            assert_ne!(enc, card);
            assert_eq!(enc.len(), card.len());
            assert_eq!(enc[..6], card[..6], "{enc}");
            assert!(luhn_valid(enc.as_bytes()), "{enc}");
            for (a, b) in enc.bytes().zip(card.bytes()) {
                assert_eq!(a.is_ascii_digit(), b.is_ascii_digit());
            }
            assert_eq!(run(&shape, &enc, true).unwrap(), card);
        }
        // A Luhn-failing number stays failing and reverses exactly.
        let bad = "4111111111111112";
        let enc = run(&shape, bad, false).unwrap();
        assert!(!luhn_valid(enc.as_bytes()));
        assert_eq!(run(&shape, &enc, true).unwrap(), bad);
    }

    #[test]
    fn phones_keep_shape_and_walk_into_the_rule() {
        let shape = shape(
            Some(r"(?:\([2-9][0-9]{2}\)[ ]?|\b[2-9][0-9]{2}[.-])[0-9]{3}[.-][0-9]{4}\b"),
            false,
        );
        for phone in ["(415) 555-0132", "212-555-0199", "303.555.0101"] {
            let enc = run(&shape, phone, false).unwrap();
            assert_ne!(enc, phone);
            assert!(shape.accepts(enc.as_bytes()), "{enc}");
            assert_eq!(run(&shape, &enc, true).unwrap(), phone);
        }
    }

    #[test]
    fn refuses_short_and_non_digit_values() {
        let shape = Shape {
            luhn: false,
            full: None,
        };
        assert!(run(&shape, "12345", false).is_none());
        assert!(run(&shape, "bob123456@x.com", false).is_none());
        assert!(run(&shape, "123-45-6789", false).is_some());
    }
}
