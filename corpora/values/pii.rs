//! Planted PII values for the labeled corpora (`corpora/labeled.rs`).
//!
//! STAND-IN written by the eval engineer: it covers every checksummed PII rule of the current
//! catalog (cards, IBAN) and a handful of others, with the shared interface below. The PII
//! engineer's file (one entry per default-catalog PII rule) replaces it at merge.
//!
//! Every value is synthetic: emails use reserved `example.*` domains, phone numbers are
//! random, cards and IBANs are random digits given valid check digits. None belongs to anyone.
//!
//! Included by path (`#[path = "../values/pii.rs"]`): std and blackbar's public API only.

use blackbar::validate::{iban_mod97, luhn_valid};

/// (rule id, generator). The generator makes one fresh value from a seed and returns
/// (lead, value): `lead` is the text that must come immediately before the value for the rule
/// to fire (a context word and a space; usually empty), `value` exactly the byte span the
/// rule must report.
pub const PLANTS: &[(&str, fn(u64) -> (String, String))] = &[
    ("email", email),
    ("phone-e164", phone_e164),
    ("phone-us", phone_us),
    ("phone-uk", phone_uk),
    ("phone-de", phone_de),
    ("phone-fr", phone_fr),
    ("card-visa", |s| card(s, &["4"], 16, 4)),
    ("card-mastercard", |s| {
        card(s, &["51", "53", "55", "2221", "2720"], 16, 4)
    }),
    ("card-amex", |s| card(s, &["34", "37"], 15, 0)),
    ("card-discover", |s| card(s, &["6011", "65", "644"], 16, 4)),
    ("card-jcb", |s| card(s, &["3528", "3589"], 16, 4)),
    ("card-diners", |s| {
        card(s, &["300", "305", "36", "38"], 14, 0)
    }),
    ("iban", iban),
    ("us-ssn", ssn),
    ("ipv4", ipv4),
    ("ipv6", ipv6),
    ("mac-address", mac),
];

const DIGITS: &[u8] = b"0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// splitmix64: a fresh, well-mixed stream per seed.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn text(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[self.below(alphabet.len() as u64) as usize] as char)
            .collect()
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }

    /// `n` digits, the first one non-zero.
    fn number(&mut self, n: usize) -> String {
        let mut s = self.text(b"123456789", 1);
        s.push_str(&self.text(DIGITS, n - 1));
        s
    }
}

fn email(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let first = m.pick(&[
        "anna", "jonas", "marie", "lukas", "sofia", "mateo", "minji", "arjun",
    ]);
    let last = m.pick(&[
        "keller", "dubois", "garcia", "rossi", "nowak", "virtanen", "kim",
    ]);
    let sep = m.pick(&[".", "_", ""]);
    let domain = m.pick(&[
        "example.com",
        "example.org",
        "example.net",
        "mail.example.de",
    ]);
    let v = format!("{first}{sep}{last}{}@{domain}", m.below(100));
    (String::new(), v)
}

fn phone_e164(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let cc = m.pick(&[
        "33", "34", "39", "31", "48", "46", "358", "45", "55", "82", "91",
    ]);
    (String::new(), format!("+{cc}{}", m.number(9)))
}

fn phone_us(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let area = m.pick(&["415", "212", "646", "312", "617", "206", "512", "303"]);
    let exchange = 200 + m.below(800);
    let exchange = if exchange % 100 == 11 || exchange == 555 {
        exchange + 1
    } else {
        exchange
    };
    let line = m.below(10_000);
    let v = match m.below(3) {
        0 => format!("({area}) {exchange}-{line:04}"),
        1 => format!("{area}-{exchange}-{line:04}"),
        _ => format!("{area}.{exchange}.{line:04}"),
    };
    (String::new(), v)
}

fn phone_uk(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let v = match m.below(2) {
        0 => format!("07{} {}", m.text(DIGITS, 3), m.text(DIGITS, 6)),
        _ => format!("020 {} {}", m.number(4), m.text(DIGITS, 4)),
    };
    (String::new(), v)
}

fn phone_de(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let area = m.pick(&["030", "040", "089", "0221", "069", "0711"]);
    let lead = m.pick(&["Telefon: ", "Tel. ", "phone: "]);
    (lead.into(), format!("{area} {}", m.number(7)))
}

fn phone_fr(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let mut v = format!("0{}", 1 + m.below(7));
    for _ in 0..4 {
        v.push(' ');
        v.push_str(&m.text(DIGITS, 2));
    }
    let lead = m.pick(&["tel: ", "Tel. ", "téléphone portable "]);
    (lead.into(), v)
}

/// A Luhn-valid card number of `len` digits starting with one of `prefixes`, in groups of
/// four separated by spaces or dashes (`groups` 4), or plain.
fn card(seed: u64, prefixes: &[&str], len: usize, groups: usize) -> (String, String) {
    let mut m = Mix(seed);
    let mut digits = m.pick(prefixes).to_string();
    digits.push_str(&m.text(DIGITS, len - 1 - digits.len()));
    let check = (b'0'..=b'9')
        .map(char::from)
        .find(|&c| luhn_valid(format!("{digits}{c}").as_bytes()))
        .expect("one check digit is valid");
    digits.push(check);
    let sep = m.pick(&["", " ", "-"]);
    let v = if groups == 0 || sep.is_empty() {
        digits
    } else {
        let groups: Vec<&str> = (0..len / 4).map(|i| &digits[4 * i..4 * i + 4]).collect();
        groups.join(sep)
    };
    (String::new(), v)
}

fn iban(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let (country, len) = [
        ("DE", 18),
        ("FR", 23),
        ("ES", 20),
        ("IT", 23),
        ("NL", 14),
        ("PL", 24),
        ("SE", 20),
        ("FI", 14),
        ("DK", 14),
        ("BE", 12),
        ("GB", 18),
    ][m.below(11) as usize];
    let bban = match country {
        "NL" => format!(
            "{}{}",
            m.text(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4),
            m.text(DIGITS, 10)
        ),
        "GB" => format!(
            "{}{}",
            m.pick(&["NWBK", "BARC", "LOYD"]),
            m.text(DIGITS, 14)
        ),
        _ => m.text(DIGITS, len),
    };
    let iban = (2..=98)
        .map(|c| format!("{country}{c:02}{bban}"))
        .find(|i| iban_mod97(i.as_bytes()) == Some(1))
        .expect("one pair of check digits is valid");
    let v = if m.below(2) == 0 {
        iban
    } else {
        let chunks: Vec<String> = iban
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8(c.to_vec()).expect("ascii"))
            .collect();
        chunks.join(" ")
    };
    (String::new(), v)
}

fn ssn(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let area = loop {
        let a = 1 + m.below(899);
        if a != 666 {
            break a;
        }
    };
    let v = format!("{area:03}-{:02}-{:04}", 1 + m.below(99), 1 + m.below(9999));
    let lead = m.pick(&["SSN ", "SSN: ", "social security number "]);
    (lead.into(), v)
}

fn ipv4(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let a = m.pick(&["23", "34", "52", "81", "91", "145", "185", "203"]);
    let v = format!("{a}.{}.{}.{}", m.below(256), m.below(256), 1 + m.below(254));
    (String::new(), v)
}

fn ipv6(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let groups: Vec<String> = (0..6).map(|_| format!("{:x}", m.below(0x10000))).collect();
    (String::new(), format!("2001:db8:{}", groups.join(":")))
}

fn mac(seed: u64) -> (String, String) {
    let mut m = Mix(seed);
    let sep = m.pick(&[":", "-"]);
    let octets: Vec<String> = (0..6).map(|_| m.text(HEX, 2)).collect();
    (String::new(), octets.join(sep))
}
