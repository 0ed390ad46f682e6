//! Check digits and structure of national identifiers and other numbered personal data.
//!
//! Every `*_valid` function takes the bytes a finding would redact, separators included
//! (spaces, dots, dashes and slashes are skipped where the format allows them), and says
//! whether the identifier's check digit (or, for formats without one, its structure) is
//! right. The `*_check*` functions compute the check digit or letter from the other
//! positions; they are public so that corpus generators make valid values with the same
//! arithmetic the validators use.
//!
//! Digit arguments of the `*_check*` functions are digit *values* (`0..=9`), not ASCII.

use super::checksum::luhn_valid;

/// The ASCII digits of `value` as digit values; other bytes are skipped.
fn digits(value: &[u8]) -> Vec<u8> {
    value
        .iter()
        .filter(|b| b.is_ascii_digit())
        .map(|b| b - b'0')
        .collect()
}

/// `value` without the separators identifiers are commonly written with.
fn compact(value: &[u8]) -> Vec<u8> {
    value
        .iter()
        .copied()
        .filter(|b| !matches!(b, b' ' | b'-' | b'.' | b'/' | b'+'))
        .collect()
}

/// The number the digits spell, most significant first.
fn number(d: &[u8]) -> u64 {
    d.iter().fold(0u64, |n, &x| n * 10 + u64::from(x))
}

fn weighted(d: &[u8], weights: &[u32]) -> u32 {
    d.iter().zip(weights).map(|(&x, &w)| u32::from(x) * w).sum()
}

fn all_same(d: &[u8]) -> bool {
    d.iter().all(|&x| x == d[0])
}

/// UK NHS number: the check digit (10th) of the first 9 digits, weights 10..2, mod 11.
/// `None` when the remainder gives 10: no number is issued with that prefix.
pub fn nhs_check_digit(first9: &[u8]) -> Option<u8> {
    let sum = weighted(first9, &[10, 9, 8, 7, 6, 5, 4, 3, 2]);
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c as u8),
    }
}

/// UK NHS number: 10 digits, last one the mod-11 check digit.
pub fn nhs_valid(value: &[u8]) -> bool {
    let d = digits(value);
    d.len() == 10 && !all_same(&d) && nhs_check_digit(&d[..9]) == Some(d[9])
}

/// UK National Insurance number: two prefix letters, six digits, suffix A-D. There is no
/// check digit; the prefix rules are the validation: neither letter D, F, I, Q, U or V, the
/// second not O, and not one of the never-issued prefixes BG, GB, KN, NK, NT, TN, ZZ.
pub fn uk_nino_valid(value: &[u8]) -> bool {
    let v = compact(value).to_ascii_uppercase();
    if v.len() != 9
        || !v[..2].iter().all(u8::is_ascii_uppercase)
        || !v[2..8].iter().all(u8::is_ascii_digit)
        || !matches!(v[8], b'A'..=b'D')
    {
        return false;
    }
    let bad = |c: u8| b"DFIQUV".contains(&c);
    !bad(v[0])
        && !bad(v[1])
        && v[1] != b'O'
        && !matches!(
            &v[..2],
            b"BG" | b"GB" | b"KN" | b"NK" | b"NT" | b"TN" | b"ZZ"
        )
}

/// German tax id (Steuer-ID): the check digit of the first 10 digits, ISO 7064 MOD 11,10.
pub fn steuer_id_check_digit(first10: &[u8]) -> u8 {
    let mut product = 10u32;
    for &d in first10 {
        let mut sum = (u32::from(d) + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    match 11 - product {
        10 => 0,
        c => c as u8,
    }
}

/// Whether the first 10 digits of a Steuer-ID follow the digit-frequency rule: exactly one
/// digit appears two or three times, every other digit at most once, and a digit that
/// appears three times never does so in three adjacent positions.
pub fn steuer_id_digits_ok(first10: &[u8]) -> bool {
    let mut count = [0u8; 10];
    for &d in first10 {
        count[usize::from(d)] += 1;
    }
    let repeated: Vec<usize> = (0..10).filter(|&i| count[i] >= 2).collect();
    if repeated.len() != 1 || count[repeated[0]] > 3 {
        return false;
    }
    let r = repeated[0] as u8;
    count[repeated[0]] == 2 || !first10.windows(3).any(|w| w.iter().all(|&x| x == r))
}

/// German tax id (Steuer-ID): 11 digits, no leading 0, digit-frequency rule, MOD 11,10.
pub fn steuer_id_valid(value: &[u8]) -> bool {
    let d = digits(value);
    d.len() == 11
        && d[0] != 0
        && steuer_id_digits_ok(&d[..10])
        && steuer_id_check_digit(&d[..10]) == d[10]
}

/// French NIR (social security number): the key of the first 13 characters, `97 - n mod
/// 97`. Corsican departments count as numbers: 2A as 19, 2B as 18. `None` if the 13
/// characters are not digits (or 2A/2B at positions 6-7).
pub fn nir_key(first13: &[u8]) -> Option<u8> {
    if first13.len() != 13 {
        return None;
    }
    let mut s = first13.to_vec();
    match (s[5], s[6].to_ascii_uppercase()) {
        (b'2', b'A') => s[5..7].copy_from_slice(b"19"),
        (b'2', b'B') => s[5..7].copy_from_slice(b"18"),
        _ => {}
    }
    if !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = number(&digits(&s));
    Some((97 - n % 97) as u8)
}

/// French NIR: 15 characters (sex, year, month, department incl. 2A/2B, commune, order,
/// key), spaces allowed; the key is right.
pub fn nir_valid(value: &[u8]) -> bool {
    let v = compact(value);
    if v.len() != 15 || !matches!(v[0], b'1' | b'2' | b'3' | b'4' | b'7' | b'8') {
        return false;
    }
    let key = &v[13..];
    if !key.iter().all(u8::is_ascii_digit) {
        return false;
    }
    nir_key(&v[..13]) == Some((key[0] - b'0') * 10 + (key[1] - b'0'))
}

/// The Spanish DNI/NIE control letter of a number (`n mod 23` into the official table).
pub fn dni_letter(n: u32) -> u8 {
    b"TRWAGMYFPDXBNJZSQVHLCKE"[(n % 23) as usize]
}

/// Spanish DNI (8 digits + letter) or NIE (X, Y or Z + 7 digits + letter; X, Y, Z count as
/// 0, 1, 2); an optional dash before the letter.
pub fn dni_nie_valid(value: &[u8]) -> bool {
    let v = compact(value).to_ascii_uppercase();
    if v.len() != 9 {
        return false;
    }
    let mut body = v[..8].to_vec();
    body[0] = match body[0] {
        b'X' => b'0',
        b'Y' => b'1',
        b'Z' => b'2',
        c => c,
    };
    if !body.iter().all(u8::is_ascii_digit) {
        return false;
    }
    dni_letter(number(&digits(&body)) as u32) == v[8]
}

/// Italian codice fiscale: the check character of the first 15 characters (odd positions
/// through the official odd table, even positions by value, sum mod 26 as a letter).
/// `None` if a character is not an uppercase ASCII letter or digit.
pub fn codice_fiscale_check_char(first15: &[u8]) -> Option<u8> {
    // Values of 0-9 / A-Z in odd (1st, 3rd, ...) positions.
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let mut sum = 0u32;
    for (i, &c) in first15.iter().enumerate() {
        let idx = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'Z' => c - b'A',
            _ => return None,
        };
        sum += if i % 2 == 0 {
            ODD[usize::from(idx)]
        } else {
            u32::from(idx)
        };
    }
    Some(b'A' + (sum % 26) as u8)
}

/// Italian codice fiscale: 16 uppercase characters, last one the check character.
pub fn codice_fiscale_valid(value: &[u8]) -> bool {
    value.len() == 16 && codice_fiscale_check_char(&value[..15]) == Some(value[15])
}

/// Dutch BSN: the check digit of the first 8 digits under the 11-proof (weights 9..2, the
/// last digit weighted -1). `None` when the remainder is 10.
pub fn bsn_check_digit(first8: &[u8]) -> Option<u8> {
    let r = weighted(first8, &[9, 8, 7, 6, 5, 4, 3, 2]) % 11;
    (r < 10).then_some(r as u8)
}

/// Dutch BSN: 9 digits passing the 11-proof; all zeros is not a number.
pub fn bsn_valid(value: &[u8]) -> bool {
    let d = digits(value);
    d.len() == 9 && d.iter().any(|&x| x != 0) && bsn_check_digit(&d[..8]) == Some(d[8])
}

/// Belgian national number: the check of the first 9 digits, `97 - n mod 97`, where people
/// born in 2000 or later have `2` prefixed to `n`.
pub fn be_nrn_check(first9: &[u8], born_2000_or_later: bool) -> u8 {
    let mut n = number(first9);
    if born_2000_or_later {
        n += 2_000_000_000;
    }
    (97 - n % 97) as u8
}

/// Belgian national number (rijksregisternummer / numéro national): 11 digits whose last
/// two are the mod-97 check for either century.
pub fn be_nrn_valid(value: &[u8]) -> bool {
    let d = digits(value);
    if d.len() != 11 {
        return false;
    }
    let check = d[9] * 10 + d[10];
    be_nrn_check(&d[..9], false) == check || be_nrn_check(&d[..9], true) == check
}

/// Polish PESEL: the check digit of the first 10 digits, weights 1-3-7-9.
pub fn pesel_check_digit(first10: &[u8]) -> u8 {
    let sum = weighted(first10, &[1, 3, 7, 9, 1, 3, 7, 9, 1, 3]);
    ((10 - sum % 10) % 10) as u8
}

/// Polish PESEL: 11 digits, a birth date whose month carries the century (+80, +0, +20,
/// +40, +60), and the check digit.
pub fn pesel_valid(value: &[u8]) -> bool {
    let d = digits(value);
    if d.len() != 11 {
        return false;
    }
    let month = (d[2] * 10 + d[3]) % 20;
    let day = d[4] * 10 + d[5];
    (1..=12).contains(&month) && (1..=31).contains(&day) && pesel_check_digit(&d[..10]) == d[10]
}

/// Swedish personnummer or samordningsnummer: `YYMMDD-NNNC` or `YYYYMMDDNNNC` (separator
/// `-`, `+` or none); a valid month, a day of 1-31 (61-91 for samordningsnummer) and the
/// Luhn digit over the 10-digit form.
pub fn personnummer_valid(value: &[u8]) -> bool {
    let d = digits(value);
    let ten = match d.len() {
        10 => &d[..],
        12 => &d[2..],
        _ => return false,
    };
    let month = ten[2] * 10 + ten[3];
    let day = ten[4] * 10 + ten[5];
    let day_ok = (1..=31).contains(&day) || (61..=91).contains(&day);
    let ascii: Vec<u8> = ten.iter().map(|x| x + b'0').collect();
    (1..=12).contains(&month) && day_ok && luhn_valid(&ascii)
}

/// Finnish HETU check character of `DDMMYY` + `ZZZ` (the 9 digits without the century
/// sign): the number mod 31 into `0-9A-Y` without G, I, O, Q, Z.
pub fn hetu_check_char(nine: &[u8]) -> u8 {
    b"0123456789ABCDEFHJKLMNPRSTUVWXY"[(number(nine) % 31) as usize]
}

/// Finnish HETU: `DDMMYY`, a century sign (`+`, `-`, `A`-`F`, `U`-`Y`), a 3-digit
/// individual number and the mod-31 check character.
pub fn hetu_valid(value: &[u8]) -> bool {
    let v = value.to_ascii_uppercase();
    if v.len() != 11 || !b"+-ABCDEFUVWXY".contains(&v[6]) {
        return false;
    }
    let nine: Vec<u8> = v[..6].iter().chain(&v[7..10]).copied().collect();
    if !nine.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let nine = digits(&nine);
    let day = nine[0] * 10 + nine[1];
    let month = nine[2] * 10 + nine[3];
    (1..=31).contains(&day) && (1..=12).contains(&month) && hetu_check_char(&nine) == v[10]
}

const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 8, 3, 6, 2, 7, 1, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
#[cfg(any(test, feature = "testkit"))]
const VERHOEFF_INV: [u8; 10] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

#[cfg(any(test, feature = "testkit"))]
/// The Verhoeff check digit to append to `d`.
pub fn verhoeff_check_digit(d: &[u8]) -> u8 {
    let mut c = 0u8;
    for (i, &x) in d.iter().rev().enumerate() {
        c = VERHOEFF_D[usize::from(c)][usize::from(VERHOEFF_P[(i + 1) % 8][usize::from(x)])];
    }
    VERHOEFF_INV[usize::from(c)]
}

/// Whether `d` (digit values, check digit last) passes Verhoeff.
pub fn verhoeff_valid_digits(d: &[u8]) -> bool {
    let mut c = 0u8;
    for (i, &x) in d.iter().rev().enumerate() {
        c = VERHOEFF_D[usize::from(c)][usize::from(VERHOEFF_P[i % 8][usize::from(x)])];
    }
    c == 0
}

/// Indian Aadhaar: 12 digits, not starting with 0 or 1, Verhoeff check digit.
pub fn aadhaar_valid(value: &[u8]) -> bool {
    let d = digits(value);
    d.len() == 12 && d[0] >= 2 && verhoeff_valid_digits(&d)
}

/// Australian TFN: 9 digits, weights 1,4,3,7,5,8,6,9,10, sum divisible by 11.
pub fn tfn_valid(value: &[u8]) -> bool {
    let d = digits(value);
    d.len() == 9 && !all_same(&d) && weighted(&d, &[1, 4, 3, 7, 5, 8, 6, 9, 10]) % 11 == 0
}

#[cfg(any(test, feature = "testkit"))]
/// Australian TFN: the check digit (9th) of the first 8, or `None` if none makes the sum
/// divisible by 11.
pub fn tfn_check_digit(first8: &[u8]) -> Option<u8> {
    let s = weighted(first8, &[1, 4, 3, 7, 5, 8, 6, 9]);
    // 10 * c ≡ -s (mod 11), and 10 ≡ -1, so c ≡ s (mod 11).
    let c = s % 11;
    (c < 10).then_some(c as u8)
}

/// Australian ABN: 11 digits; subtract 1 from the first, weights 10,1,3,...,19, sum
/// divisible by 89.
pub fn abn_valid(value: &[u8]) -> bool {
    let mut d = digits(value);
    if d.len() != 11 || d[0] == 0 {
        return false;
    }
    d[0] -= 1;
    weighted(&d, &[10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19]) % 89 == 0
}

#[cfg(any(test, feature = "testkit"))]
/// Australian ABN: the two leading check digits for a 9-digit body, if any pair works.
pub fn abn_check_digits(body9: &[u8]) -> Option<[u8; 2]> {
    (10..=99u8).map(|p| [p / 10, p % 10]).find(|p| {
        let mut d = p.to_vec();
        d.extend_from_slice(body9);
        d[0] -= 1;
        weighted(&d, &[10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19]) % 89 == 0
    })
}

/// Australian Medicare card number: the check digit (9th) of the first 8 digits.
pub fn medicare_check_digit(first8: &[u8]) -> u8 {
    (weighted(first8, &[1, 3, 7, 9, 1, 3, 7, 9]) % 10) as u8
}

/// Australian Medicare card number: 10 digits (an 11th, the individual reference number,
/// may follow), first digit 2-6, 9th the check digit, 10th the issue number.
pub fn medicare_valid(value: &[u8]) -> bool {
    let d = digits(value);
    (d.len() == 10 || d.len() == 11)
        && (2..=6).contains(&d[0])
        && medicare_check_digit(&d[..8]) == d[8]
}

/// Canadian SIN: 9 digits, Luhn; 8 is not used as first digit.
pub fn sin_valid(value: &[u8]) -> bool {
    let d = digits(value);
    d.len() == 9 && d[0] != 8 && luhn_valid(value)
}

/// Brazilian CPF: the two check digits of the first 9 digits (mod 11, weights 10..2 then
/// 11..2).
pub fn cpf_check_digits(first9: &[u8]) -> [u8; 2] {
    let dv = |d: &[u8]| {
        let n = d.len() as u32 + 1;
        let s: u32 = d
            .iter()
            .enumerate()
            .map(|(i, &x)| u32::from(x) * (n - i as u32))
            .sum();
        ((s * 10) % 11 % 10) as u8
    };
    let a = dv(first9);
    let mut ten = first9.to_vec();
    ten.push(a);
    [a, dv(&ten)]
}

/// Brazilian CPF: 11 digits, not all the same, both check digits right.
pub fn cpf_valid(value: &[u8]) -> bool {
    let d = digits(value);
    d.len() == 11 && !all_same(&d) && cpf_check_digits(&d[..9]) == [d[9], d[10]]
}

/// Brazilian CNPJ: the two check digits of the first 12 digits (mod 11, weights 5..2,9..2
/// then 6..2,9..2).
pub fn cnpj_check_digits(first12: &[u8]) -> [u8; 2] {
    let dv = |d: &[u8], w: &[u32]| {
        let r = weighted(d, w) % 11;
        if r < 2 {
            0
        } else {
            (11 - r) as u8
        }
    };
    let a = dv(first12, &[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
    let mut t = first12.to_vec();
    t.push(a);
    [a, dv(&t, &[6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])]
}

/// Brazilian CNPJ: 14 digits, not all the same, both check digits right.
pub fn cnpj_valid(value: &[u8]) -> bool {
    let d = digits(value);
    d.len() == 14 && !all_same(&d) && cnpj_check_digits(&d[..12]) == [d[12], d[13]]
}

/// Singapore NRIC/FIN check letter for a prefix (S, T, F, G or M) and 7 digits: weights
/// 2,7,6,5,4,3,2, an offset of 4 for T and G and 3 for M, mod 11 into the prefix's table.
pub fn nric_check_letter(prefix: u8, seven: &[u8]) -> Option<u8> {
    let s = weighted(seven, &[2, 7, 6, 5, 4, 3, 2]);
    let (offset, table): (u32, &[u8; 11]) = match prefix {
        b'S' => (0, b"JZIHGFEDCBA"),
        b'T' => (4, b"JZIHGFEDCBA"),
        b'F' => (0, b"XWUTRQPNMLK"),
        b'G' => (4, b"XWUTRQPNMLK"),
        // The M series (2022+) reads its table "KLJNPQRTUWX" from the other end.
        b'M' => (3, b"XWUTRQPNJLK"),
        _ => return None,
    };
    Some(table[((s + offset) % 11) as usize])
}

/// Singapore NRIC/FIN: prefix S, T, F, G or M, 7 digits, check letter.
pub fn nric_valid(value: &[u8]) -> bool {
    let v = value.to_ascii_uppercase();
    v.len() == 9
        && v[1..8].iter().all(u8::is_ascii_digit)
        && nric_check_letter(v[0], &digits(&v[1..8])) == Some(v[8])
}

/// Korean RRN check digit of the first 12 digits (weights 2..9,2..5, `(11 - s mod 11) mod
/// 10`). Numbers issued since October 2020 have a random last part and no check digit.
pub fn rrn_check_digit(first12: &[u8]) -> u8 {
    let s = weighted(first12, &[2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]);
    ((11 - s % 11) % 10) as u8
}

/// Whether the first six digits of `value` are a date `YYMMDD` (month 1-12, day 1-31).
/// Patterns keep date ranges out of the regex (`[01][0-9]` rather than `0[1-9]|1[0-2]`):
/// exact ranges multiply the states of the prefilter's automaton.
pub fn yymmdd_valid(value: &[u8]) -> bool {
    let d = digits(value);
    if d.len() < 6 {
        return false;
    }
    let month = d[2] * 10 + d[3];
    let day = d[4] * 10 + d[5];
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// Korean RRN: 13 digits whose last is the pre-2020 check digit.
pub fn rrn_valid(value: &[u8]) -> bool {
    let d = digits(value);
    d.len() == 13 && rrn_check_digit(&d[..12]) == d[12]
}

/// US ABA routing number: the check digit (9th) of the first 8, weights 3-7-1.
pub fn aba_check_digit(first8: &[u8]) -> u8 {
    let s = weighted(first8, &[3, 7, 1, 3, 7, 1, 3, 7]);
    ((10 - s % 10) % 10) as u8
}

/// US ABA routing number: 9 digits, a Federal Reserve prefix (00-12, 21-32, 61-72, 80) and
/// the 3-7-1 check digit.
pub fn aba_valid(value: &[u8]) -> bool {
    let d = digits(value);
    if d.len() != 9 {
        return false;
    }
    let prefix = d[0] * 10 + d[1];
    let prefix_ok = matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80);
    prefix_ok && !all_same(&d) && aba_check_digit(&d[..8]) == d[8]
}

/// The ISO 3779 value of a VIN character (letters transliterated), `None` for I, O, Q and
/// anything else.
fn vin_value(c: u8) -> Option<u32> {
    Some(match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        _ => return None,
    })
}

/// VIN check character (position 9) of a 17-character VIN: weighted sum mod 11, 10 as `X`.
/// The character at position 9 itself is ignored. `None` for a character VINs never use.
pub fn vin_check_char(vin: &[u8]) -> Option<u8> {
    const W: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    if vin.len() != 17 {
        return None;
    }
    let mut s = 0;
    for (&c, w) in vin.iter().zip(W) {
        s += vin_value(c)? * w;
    }
    Some(match s % 11 {
        10 => b'X',
        r => b'0' + r as u8,
    })
}

/// Whether a 17-character VIN looks like one: only VIN characters, at least 2 letters
/// (a pure number is not a VIN) and at least 4 digits.
pub fn vin_structure_valid(value: &[u8]) -> bool {
    value.len() == 17
        && value.iter().all(|&c| vin_value(c).is_some())
        && value.iter().filter(|c| c.is_ascii_uppercase()).count() >= 2
        && value.iter().filter(|c| c.is_ascii_digit()).count() >= 4
}

/// North-American VIN (first character 1-5): structure and the position-9 check digit,
/// which is mandatory there. Other regions' VINs need not carry one.
pub fn vin_valid(value: &[u8]) -> bool {
    vin_structure_valid(value) && vin_check_char(value) == Some(value[8])
}

/// A passport number as written after a passport keyword: 6 to 9 letters and digits with
/// at least 2 digits and not one repeated character.
pub fn passport_valid(value: &[u8]) -> bool {
    (6..=9).contains(&value.len())
        && value.iter().all(u8::is_ascii_alphanumeric)
        && value.iter().filter(|c| c.is_ascii_digit()).count() >= 2
        && !all_same(value)
}

/// A person's name after a name field or a salutation: not a word that commonly follows
/// those in text without being a name ("Dear Customer", "Name: Unknown").
pub fn person_name_valid(value: &[u8]) -> bool {
    const NOT_NAMES: &[&str] = &[
        "customer",
        "customers",
        "sir",
        "madam",
        "sirs",
        "user",
        "users",
        "team",
        "all",
        "friend",
        "friends",
        "colleague",
        "colleagues",
        "valued",
        "member",
        "members",
        "support",
        "admin",
        "administrator",
        "manager",
        "hiring",
        "client",
        "sender",
        "recipient",
        "applicant",
        "candidate",
        "unknown",
        "none",
        "null",
        "test",
        "example",
        "default",
        "john doe",
        "jane doe",
        "max mustermann",
        "erika mustermann",
        "string",
        "value",
        "name",
        "first",
        "last",
        "full",
        "anonymous",
        "guest",
        "owner",
        "service",
        "partner",
        "subscriber",
        "reader",
        "everyone",
        "there",
        "world",
    ];
    let lower = value.to_ascii_lowercase();
    let Ok(text) = std::str::from_utf8(&lower) else {
        return false;
    };
    !NOT_NAMES.contains(&text) && !text.split([' ', '-']).all(|w| NOT_NAMES.contains(&w))
}

#[cfg(test)]
mod tests {
    #[test]
    fn documented_example_1() {
        use super::{nhs_check_digit, nhs_valid};
        assert_eq!(nhs_check_digit(&[4, 0, 1, 0, 2, 3, 2, 1, 3]), Some(7));
        assert!(nhs_valid(b"401 023 2137"));
        assert!(!nhs_valid(b"401 023 2138"));
    }

    use super::*;

    fn d(s: &str) -> Vec<u8> {
        digits(s.as_bytes())
    }

    #[test]
    fn nhs() {
        // The NHS's published example number, and numbers generated by hand.
        assert!(nhs_valid(b"943 476 5919"));
        assert!(nhs_valid(b"4010232137"));
        assert!(!nhs_valid(b"943 476 5918"));
        assert!(!nhs_valid(b"943 476 591"));
        assert!(!nhs_valid(b"0000000000"));
        assert_eq!(nhs_check_digit(&d("943476591")), Some(9));
    }

    #[test]
    fn nino() {
        assert!(uk_nino_valid(b"AB 12 34 56 C"));
        assert!(uk_nino_valid(b"JG103759A"));
        assert!(!uk_nino_valid(b"GB123456A"), "never-issued prefix");
        assert!(!uk_nino_valid(b"DA123456A"), "D is not a prefix letter");
        assert!(!uk_nino_valid(b"AO123456A"), "O is not a second letter");
        assert!(!uk_nino_valid(b"AB123456E"), "suffix A-D");
    }

    #[test]
    fn steuer_id() {
        // Published test vectors of the Bundeszentralamt's algorithm description.
        assert!(steuer_id_valid(b"86095742719"));
        assert!(steuer_id_valid(b"65929970489"));
        assert!(steuer_id_valid(b"57549285017"));
        assert!(!steuer_id_valid(b"86095742718"), "wrong check digit");
        assert!(!steuer_id_valid(b"06095742719"), "leading zero");
        assert!(!steuer_id_valid(b"12345678903"), "no repeated digit");
        assert!(!steuer_id_digits_ok(&d("1112345678")), "three adjacent");
        assert!(steuer_id_digits_ok(&d("1121345678")));
        assert!(
            !steuer_id_digits_ok(&d("1122345678")),
            "two repeated digits"
        );
    }

    #[test]
    fn nir() {
        let mut v = b"1840576451089".to_vec();
        let key = nir_key(&v).unwrap();
        v.extend_from_slice(format!("{key:02}").as_bytes());
        assert!(nir_valid(&v));
        // Corsica: 2A counts as 19, 2B as 18.
        let k19 = nir_key(b"1840519451089").unwrap();
        assert_eq!(nir_key(b"184052A451089"), Some(k19));
        let k18 = nir_key(b"1840518451089").unwrap();
        assert_eq!(nir_key(b"184052B451089"), Some(k18));
        let corsica = format!("1 84 05 2A 451 089 {k19:02}");
        assert!(nir_valid(corsica.as_bytes()));
        // The well-known textbook NIR 2 55 08 14 168 025 38.
        assert!(nir_valid(b"2 55 08 14 168 025 38"));
        assert!(!nir_valid(b"2 55 08 14 168 025 39"));
        assert!(!nir_valid(b"5 55 08 14 168 025 38"), "sex digit");
    }

    #[test]
    fn dni_nie() {
        assert!(dni_nie_valid(b"12345678Z"));
        assert!(dni_nie_valid(b"00000000T"));
        assert!(dni_nie_valid(b"X1234567L"));
        assert!(dni_nie_valid(b"Y1234567X"));
        assert!(dni_nie_valid(b"Z1234567R"));
        assert!(!dni_nie_valid(b"12345678A"));
        assert!(!dni_nie_valid(b"X1234567T"));
        assert!(!dni_nie_valid(b"1234567Z"));
    }

    #[test]
    fn codice_fiscale() {
        // The textbook example of the Agenzia delle Entrate's description.
        assert!(codice_fiscale_valid(b"RSSMRA85T10A562S"));
        assert!(codice_fiscale_valid(b"MRTMTT91D08F205J"));
        assert!(!codice_fiscale_valid(b"RSSMRA85T10A562T"));
        assert!(!codice_fiscale_valid(b"RSSMRA85T10A562"));
    }

    #[test]
    fn bsn() {
        assert!(bsn_valid(b"111222333"));
        assert!(bsn_valid(b"123456782"));
        assert!(!bsn_valid(b"123456781"));
        assert!(!bsn_valid(b"000000000"));
        assert_eq!(bsn_check_digit(&d("12345678")), Some(2));
    }

    #[test]
    fn be_nrn() {
        // Born 1985: plain mod 97. Born 2000+: 2 prefixed.
        assert!(be_nrn_valid(b"85.07.30-033.28"));
        let c = be_nrn_check(&d("010203456"), true);
        assert!(be_nrn_valid(format!("010203456{c:02}").as_bytes()));
        assert!(!be_nrn_valid(b"85.07.30-033.29"));
        assert!(!be_nrn_valid(b"8507300332"));
    }

    #[test]
    fn pesel() {
        assert!(pesel_valid(b"44051401359"));
        assert!(pesel_valid(b"02070803628"));
        assert!(!pesel_valid(b"44051401358"));
        assert!(!pesel_valid(b"44151401357"), "month 15");
    }

    #[test]
    fn personnummer() {
        assert!(personnummer_valid(b"811228-9874"));
        assert!(personnummer_valid(b"19811228-9874"));
        assert!(personnummer_valid(b"198112289874"));
        assert!(personnummer_valid(b"670919-9530"));
        assert!(!personnummer_valid(b"811228-9875"));
        assert!(!personnummer_valid(b"811328-9873"), "month 13");
    }

    #[test]
    fn hetu() {
        assert!(hetu_valid(b"131052-308T"));
        assert!(hetu_valid(b"131052A308T"));
        assert!(!hetu_valid(b"131052-308U"));
        assert!(!hetu_valid(b"131052G308T"), "G is no century sign");
        assert!(!hetu_valid(b"131352-308T"), "month 13");
    }

    #[test]
    fn verhoeff() {
        // The classic example: 236 gets check digit 3.
        assert_eq!(verhoeff_check_digit(&[2, 3, 6]), 3);
        assert!(verhoeff_valid_digits(&[2, 3, 6, 3]));
        assert!(!verhoeff_valid_digits(&[2, 3, 6, 4]));
        assert!(aadhaar_valid(b"2345 6789 0124"));
        assert!(!aadhaar_valid(b"2345 6789 0123"));
        assert!(!aadhaar_valid(b"1345 6789 0124"), "leading 1");
    }

    #[test]
    fn tfn_abn_medicare() {
        assert!(tfn_valid(b"123 456 782"));
        assert!(tfn_valid(b"876543210"));
        assert!(!tfn_valid(b"123 456 789"));
        assert_eq!(tfn_check_digit(&d("12345678")), Some(2));
        assert!(abn_valid(b"51 824 753 556"));
        assert!(abn_valid(b"53004085616"));
        assert!(!abn_valid(b"51 824 753 557"));
        assert_eq!(abn_check_digits(&d("824753556")), Some([5, 1]));
        assert!(medicare_valid(b"2123 45670 1"));
        assert!(!medicare_valid(b"2123 45671 1"));
        assert!(!medicare_valid(b"7123 45670 1"), "first digit 2-6");
    }

    #[test]
    fn sin() {
        assert!(sin_valid(b"046 454 286"));
        assert!(!sin_valid(b"046 454 287"));
        assert!(!sin_valid(b"800 000 002"), "8 is not used");
    }

    #[test]
    fn cpf_cnpj() {
        assert!(cpf_valid(b"529.982.247-25"));
        assert!(cpf_valid(b"11144477735"));
        assert!(!cpf_valid(b"529.982.247-24"));
        assert!(!cpf_valid(b"111.111.111-11"));
        assert!(cnpj_valid(b"11.222.333/0001-81"));
        assert!(!cnpj_valid(b"11.222.333/0001-80"));
        assert!(!cnpj_valid(b"00.000.000/0000-00"));
    }

    #[test]
    fn nric() {
        assert!(nric_valid(b"S1234567D"));
        assert!(nric_valid(b"T1234567J"));
        assert!(nric_valid(b"F1234567N"));
        assert!(nric_valid(b"G1234567X"));
        // The M-series vector published with the 2022 launch.
        assert!(nric_valid(b"M1234567K"));
        assert!(!nric_valid(b"M1234567L"));
        assert!(!nric_valid(b"S1234567E"));
        assert!(!nric_valid(b"A1234567D"));
    }

    #[test]
    fn yymmdd() {
        assert!(yymmdd_valid(b"850101-1234566"));
        assert!(!yymmdd_valid(b"851301-1234566"));
        assert!(!yymmdd_valid(b"850100-1234566"));
        assert!(!yymmdd_valid(b"8501"));
    }

    #[test]
    fn rrn() {
        let c = rrn_check_digit(&d("850101123456"));
        assert!(rrn_valid(format!("850101-123456{c}").as_bytes()));
        assert!(!rrn_valid(
            format!("850101-123456{}", (c + 1) % 10).as_bytes()
        ));
    }

    #[test]
    fn aba() {
        assert!(aba_valid(b"011000015"));
        assert!(aba_valid(b"121000358"));
        assert!(!aba_valid(b"011000016"));
        assert!(!aba_valid(b"991000019"), "prefix 99");
    }

    #[test]
    fn vin() {
        // The standard example VIN of the check-digit description.
        assert!(vin_valid(b"1M8GDM9AXKP042788"));
        assert!(!vin_valid(b"11111111111111111"), "needs letters");
        assert!(!vin_valid(b"1M8GDM9A1KP042788"));
        assert!(
            !vin_structure_valid(b"1M8GDM9AXKP04278I"),
            "I is no VIN character"
        );
        assert!(vin_structure_valid(b"WVWZZZ1JZXW000001"));
    }

    #[test]
    fn passport_and_names() {
        assert!(passport_valid(b"C01X00T47"));
        assert!(passport_valid(b"533380006"));
        assert!(!passport_valid(b"ABCDEFG"));
        assert!(!passport_valid(b"000000000"));
        assert!(person_name_valid(b"Anna Kowalski"));
        assert!(!person_name_valid(b"Customer"));
        assert!(!person_name_valid(b"Valued Customer"));
        assert!(!person_name_valid(b"John Doe"));
    }
}
