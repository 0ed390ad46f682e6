//! Planted-value generators for the PII rules of the default catalog.
//!
//! Each entry is `(rule id, generator)`. A generator makes one fresh value from a seed and
//! returns `(lead, value)`: `lead` is the text that must come immediately before the value
//! for the rule to fire (a context keyword and a separator; empty for formats that need no
//! context), `value` is exactly the byte span the rule reports (the `secret` group for
//! keyword-anchored rules).
//!
//! Values are synthetic: random digits with their check digits computed by the same public
//! functions blackbar's validators use (`blackbar::testkit::national`,
//! `blackbar::testkit::crypto_address`, `luhn_valid`, `iban_mod97`), so they are valid,
//! vary with the seed, and are nobody's real identifier. Names and streets are drawn from
//! small lists of common words and combined at random.
//!
//! Included by path from tests and tools, so it uses only std and blackbar's public API.

use blackbar::testkit::checksum::{iban_mod97, luhn_valid};
use blackbar::testkit::crypto_address::{base58check_encode, eip55_encode, segwit_encode};
use blackbar::testkit::national as id;

/// (rule id, generator). The generator makes one fresh value from a seed and returns
/// (lead, value): `lead` is the text that must come immediately before the value for the rule to
/// fire (a key name and `=`, `Bearer `, a context word and a space; usually empty), `value` is
/// exactly the byte span the rule must report (for rules with a `secret` group, the group).
// The shared interface fixes this type; a type alias would not be shared with the other files.
#[allow(clippy::type_complexity)]
pub const PLANTS: &[(&str, fn(u64) -> (String, String))] = &[
    ("email", email),
    ("phone-e164", phone_e164),
    ("phone-us", phone_us),
    ("phone-area-code", phone_area_code),
    ("phone-national", phone_national),
    ("phone-national-dash", phone_national_dash),
    ("phone-national-bare", phone_national_bare),
    ("phone-national-trunk", phone_national_trunk),
    ("phone-fr", phone_fr),
    ("phone-fr-spaced", phone_fr_spaced),
    ("phone-es", phone_es),
    ("phone-it", phone_it),
    ("card-visa", card_visa),
    ("card-mastercard", card_mastercard),
    ("card-amex", card_amex),
    ("card-discover", card_discover),
    ("card-jcb", card_jcb),
    ("card-maestro", card_maestro),
    ("card-diners", card_diners),
    ("iban", iban),
    ("us-ssn", us_ssn),
    ("us-ssn-bare", us_ssn_bare),
    ("ipv4", ipv4),
    ("ipv6", ipv6),
    ("mac-address", mac_address),
    ("uk-nino", uk_nino),
    ("uk-nhs", uk_nhs),
    ("de-steuer-id", de_steuer_id),
    ("fr-nir", fr_nir),
    ("es-dni", es_dni),
    ("es-nie", es_nie),
    ("it-codice-fiscale", it_codice_fiscale),
    ("nl-bsn", nl_bsn),
    ("be-national-number", be_national_number),
    ("pl-pesel", pl_pesel),
    ("se-personnummer", se_personnummer),
    ("fi-hetu", fi_hetu),
    ("dk-cpr", dk_cpr),
    ("in-aadhaar", in_aadhaar),
    ("in-pan", in_pan),
    ("au-tfn", au_tfn),
    ("au-abn", au_abn),
    ("au-medicare", au_medicare),
    ("ca-sin", ca_sin),
    ("br-cpf", br_cpf),
    ("br-cpf-bare", br_cpf_bare),
    ("br-cnpj", br_cnpj),
    ("sg-nric", sg_nric),
    ("kr-rrn", kr_rrn),
    ("us-itin", us_itin),
    ("us-aba-routing", us_aba_routing),
    ("imei", imei),
    ("vin", vin),
    ("btc-address-base58", btc_address_base58),
    ("btc-address-bech32", btc_address_bech32),
    ("eth-address", eth_address),
    ("passport", passport),
    ("date-of-birth", date_of_birth),
    ("street-address-en", street_address_en),
    ("street-address-de-nl", street_address_de_nl),
    ("street-address-fr", street_address_fr),
    ("person-name", person_name),
    ("person-name-salutation", person_name_salutation),
];

/// SplitMix64: a small seeded generator, so a seed always gives the same value.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5bd1_e995_9e37_79b9)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    fn digit(&mut self) -> u8 {
        self.range(0, 9) as u8
    }
    /// `n` random digit values.
    fn digits(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.digit()).collect()
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.next() as usize % xs.len()]
    }
    fn letter(&mut self, alphabet: &[u8]) -> char {
        char::from(alphabet[self.next() as usize % alphabet.len()])
    }
}

/// Digit values as text.
fn text(d: &[u8]) -> String {
    d.iter().map(|x| char::from(b'0' + x)).collect()
}

/// Digits that are not all the same, as several validators refuse those.
fn varied_digits(rng: &mut Rng, n: usize) -> Vec<u8> {
    loop {
        let d = rng.digits(n);
        if d.iter().any(|&x| x != d[0]) {
            return d;
        }
    }
}

/// A date of birth: (day, month, two-digit year, four-digit year).
fn birth_date(rng: &mut Rng) -> (u64, u64, u64, u64) {
    let year = rng.range(1940, 2015);
    (rng.range(1, 28), rng.range(1, 12), year % 100, year)
}

const FIRST: &[&str] = &[
    "Anna", "Jonas", "Priya", "Mateo", "Chloe", "Lukas", "Amara", "Kenji", "Sofia", "Tomasz",
    "Ingrid", "Rafael", "Leila", "Oskar", "Elena", "Dmitri", "Maren", "Yusuf", "Clara", "Bruno",
];
const LAST: &[&str] = &[
    "Kowalski",
    "Lindqvist",
    "Okafor",
    "Moreau",
    "Schneider",
    "Tanaka",
    "Rossi",
    "Varga",
    "Fernandes",
    "Nakamura",
    "Becker",
    "Dubois",
    "Haddad",
    "Jansen",
    "Novak",
    "Petrov",
    "Almeida",
    "Larsen",
    "Castillo",
    "Weber",
];

fn email(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let user = format!(
        "{}.{}{}",
        r.pick(FIRST).to_lowercase(),
        r.pick(LAST).to_lowercase(),
        r.range(1, 999)
    );
    let domain = r.pick(&["mailbox", "post", "inbox", "webmail", "corp-mail"]);
    let tld = r.pick(&["com", "de", "fr", "io", "co.uk", "nl"]);
    (
        String::new(),
        format!("{user}@{domain}{}.{tld}", r.range(1, 99)),
    )
}

fn phone_e164(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    // (calling code, digits of a national significant number, whether the region writes a
    // trunk prefix `(0)`): lengths from the regions' numbering plans.
    let (cc, len, trunk) = *[
        ("49", 10, true),
        ("33", 9, true),
        ("34", 9, false),
        ("39", 10, false),
        ("31", 9, true),
        ("46", 9, true),
        ("44", 10, true),
        ("1", 10, false),
    ]
    .get(r.range(0, 7) as usize)
    .expect("in range");
    let first = r.range(2, 9);
    let rest = text(&r.digits(len - 1));
    let (area, subscriber) = rest.split_at(2);
    let value = match r.range(0, 3) {
        0 => format!("+{cc}{first}{rest}"),
        1 => format!("+{cc} {first}{area} {subscriber}"),
        2 if trunk => format!("+{cc} (0){first}{area} {subscriber}"),
        _ => format!("00{cc} {first}{area} {subscriber}"),
    };
    (String::new(), value)
}

fn phone_us(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    (
        String::new(),
        format!(
            "({}{}) {}{}-{}",
            r.range(2, 9),
            text(&r.digits(2)),
            r.range(2, 9),
            text(&r.digits(2)),
            text(&r.digits(4))
        ),
    )
}

/// A national number's trunk prefix and area code (Germany, the UK, the Netherlands) and the
/// subscriber number's length.
fn national_area(r: &mut Rng) -> (&'static str, usize) {
    *[
        ("030", 8),
        ("089", 7),
        ("0221", 7),
        ("0151", 8),
        ("020", 8),
        ("0161", 7),
        ("07700", 6),
        ("010", 7),
    ]
    .get(r.range(0, 7) as usize)
    .expect("in range")
}

fn phone_area_code(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let (area, len) = national_area(&mut r);
    let sep = r.pick(&[" ", "-", ""]);
    let number = format!("{}{}", r.range(2, 9), text(&r.digits(len - 1)));
    (String::new(), format!("({area}){sep}{number}"))
}

fn phone_national(seed: u64) -> (String, String) {
    national_grouped(
        seed,
        &[" ", "/"],
        &["", "Telefon: ", "Handy ", "phone: ", "tel. "],
    )
}

fn phone_national_dash(seed: u64) -> (String, String) {
    national_grouped(seed, &["-"], &["Telefon: ", "phone: ", "tel. ", "mobiel "])
}

/// `0area` + one of `seps` + a subscriber number, after one of `leads`.
fn national_grouped(seed: u64, seps: &[&'static str], leads: &[&'static str]) -> (String, String) {
    let mut r = Rng::new(seed);
    let (area, len) = national_area(&mut r);
    let sep = r.pick(seps);
    let number = format!("{}{}", r.range(2, 9), text(&r.digits(len - 1)));
    (r.pick(leads).into(), format!("{area}{sep}{number}"))
}

fn phone_fr_spaced(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let pairs: Vec<String> = (0..4).map(|_| text(&r.digits(2))).collect();
    (
        r.pick(&["", "appelez-moi au ", "Tel : "]).into(),
        format!("0{} {}", r.range(1, 7), pairs.join(" ")),
    )
}

fn phone_national_bare(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let value = trunk_digits(&mut r);
    (
        r.pick(&["Phone: ", "tel ", "Telefon ", "mobile: "]).into(),
        value,
    )
}

fn phone_national_trunk(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let value = trunk_digits(&mut r);
    (
        r.pick(&["", "Jane Doe,", "emergency: ", "\"Jan Smit\";\""])
            .into(),
        value,
    )
}

/// A national number as bare digits after its trunk prefix 0. Eleven digits: ten are
/// phone-fr's when a French word is near.
fn trunk_digits(r: &mut Rng) -> String {
    match r.range(0, 1) {
        0 => format!("07{}{}", r.range(1, 9), text(&r.digits(8))),
        _ => format!("030{}{}", r.range(2, 9), text(&r.digits(7))),
    }
}

fn phone_fr(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let pairs: Vec<String> = (0..4).map(|_| text(&r.digits(2))).collect();
    // Dots or dashes: pairs separated by spaces are phone-fr-spaced's, ten bare digits
    // phone-national-bare's.
    let sep = r.pick(&[".", "-"]);
    (
        r.pick(&["Tel : ", "portable ", "Contact: "]).into(),
        format!("0{}{sep}{}", r.range(1, 7), pairs.join(sep)),
    )
}

fn phone_es(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    (
        r.pick(&["Telefono: ", "movil ", "whatsapp "]).into(),
        format!(
            "6{} {} {}",
            text(&r.digits(2)),
            text(&r.digits(3)),
            text(&r.digits(3))
        ),
    )
}

fn phone_it(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    (
        r.pick(&["cell. ", "Telefono: ", "cellulare "]).into(),
        format!(
            "3{}{} {} {}",
            r.range(1, 9),
            r.digit(),
            text(&r.digits(3)),
            text(&r.digits(4))
        ),
    )
}

/// `prefix` + random digits to `len`, the last one the Luhn check digit.
fn luhn_number(r: &mut Rng, prefix: &str, len: usize) -> String {
    let mut s = prefix.to_string();
    s.push_str(&text(&r.digits(len - prefix.len() - 1)));
    (0..10)
        .map(|c| format!("{s}{c}"))
        .find(|n| luhn_valid(n.as_bytes()))
        .expect("one check digit passes Luhn")
}

fn card_visa(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    (String::new(), luhn_number(&mut r, "4", 16))
}

fn card_mastercard(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let p = format!("5{}", r.range(1, 5));
    (String::new(), luhn_number(&mut r, &p, 16))
}

fn card_amex(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let p = r.pick(&["34", "37"]);
    (String::new(), luhn_number(&mut r, p, 15))
}

fn card_discover(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    (String::new(), luhn_number(&mut r, "6011", 16))
}

fn card_jcb(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    // The whole 35 block (JCB issues 3528-3589; test generators use all of it).
    let p = format!("35{:02}", r.range(0, 99));
    (String::new(), luhn_number(&mut r, &p, 16))
}

fn card_maestro(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let p = r.pick(&[
        "5018", "5020", "5038", "5612", "5734", "5899", "6304", "6759", "6761", "6762", "6763",
    ]);
    let len = r.range(12, 19) as usize;
    (String::new(), luhn_number(&mut r, p, len))
}

fn card_diners(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let p = format!("30{}", r.range(0, 5));
    (String::new(), luhn_number(&mut r, &p, 14))
}

fn iban(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let (cc, n) = *[("DE", 18), ("NL", 14), ("FR", 23), ("ES", 20), ("BE", 12)]
        .get(r.next() as usize % 5)
        .expect("index in range");
    let bban = if cc == "NL" {
        format!("{}{}", "ABNA", text(&r.digits(10)))
    } else {
        text(&r.digits(n))
    };
    let rem = iban_mod97(format!("{cc}00{bban}").as_bytes()).expect("alphanumeric");
    (String::new(), format!("{cc}{:02}{bban}", 98 - rem))
}

/// An SSN area/group/serial with the structure the `ssn` validator wants.
fn ssn_parts(r: &mut Rng) -> (u64, u64, u64) {
    let mut area = r.range(1, 899);
    if area == 666 {
        area = 667;
    }
    (area, r.range(1, 99), r.range(1, 9999))
}

fn us_ssn(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let (a, g, s) = ssn_parts(&mut r);
    (String::new(), format!("{a:03}-{g:02}-{s:04}"))
}

fn us_ssn_bare(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let (a, g, s) = ssn_parts(&mut r);
    (
        r.pick(&["SSN: ", "ssn ", "social security number "]).into(),
        format!("{a:03}{g:02}{s:04}"),
    )
}

fn ipv4(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    // A host's address: 127 (loopback) names no one's device and is not redacted.
    let first = match r.range(1, 223) {
        127 => 128,
        a => a,
    };
    (
        String::new(),
        format!(
            "{}.{}.{}.{}",
            first,
            r.range(0, 255),
            r.range(0, 255),
            r.range(1, 254)
        ),
    )
}

fn ipv6(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let groups: Vec<String> = (0..7)
        .map(|_| format!("{:x}", r.range(1, 0xffff)))
        .collect();
    (String::new(), format!("2001:{}", groups.join(":")))
}

fn mac_address(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let b: Vec<String> = (0..6).map(|_| format!("{:02x}", r.range(0, 255))).collect();
    (String::new(), b.join(":"))
}

fn uk_nino(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let first = b"ABCEGHJKLMNOPRSTWXYZ";
    let second = b"ABCEGHJKLMNPRSTWXYZ";
    loop {
        let p = format!("{}{}", r.letter(first), r.letter(second));
        if ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&p.as_str()) {
            continue;
        }
        let d = r.digits(6);
        let v = format!("{p}{}{}", text(&d), r.letter(b"ABCD"));
        return (String::new(), v);
    }
}

fn uk_nhs(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    loop {
        let d = varied_digits(&mut r, 9);
        if let Some(c) = id::nhs_check_digit(&d) {
            let t = format!("{}{c}", text(&d));
            return (
                r.pick(&["NHS number: ", "NHS No. ", "nhs_no="]).into(),
                format!("{} {} {}", &t[..3], &t[3..6], &t[6..]),
            );
        }
    }
}

fn de_steuer_id(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    loop {
        // Nine distinct digits (a shuffled 0-9 minus one), one of them repeated once.
        let mut pool: Vec<u8> = (0..10).collect();
        for i in (1..pool.len()).rev() {
            pool.swap(i, r.range(0, i as u64) as usize);
        }
        let mut d: Vec<u8> = pool[..9].to_vec();
        let dup = d[r.range(0, 8) as usize];
        d.insert(r.range(0, 9) as usize, dup);
        if d[0] == 0 || !id::steuer_id_digits_ok(&d) {
            continue;
        }
        let c = id::steuer_id_check_digit(&d);
        return (
            r.pick(&["Steuer-ID: ", "Steueridentifikationsnummer ", "IdNr. "])
                .into(),
            format!("{}{c}", text(&d)),
        );
    }
}

fn fr_nir(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let (_, month, yy, _) = birth_date(&mut r);
    let dept = match r.range(0, 9) {
        0 => "2A".to_string(),
        1 => "2B".to_string(),
        _ => format!("{:02}", r.range(1, 95)),
    };
    let first13 = format!(
        "{}{yy:02}{month:02}{dept}{:03}{:03}",
        r.range(1, 2),
        r.range(1, 990),
        r.range(1, 999)
    );
    let key = id::nir_key(first13.as_bytes()).expect("digits");
    let v = format!(
        "{} {} {} {} {} {} {key:02}",
        &first13[..1],
        &first13[1..3],
        &first13[3..5],
        &first13[5..7],
        &first13[7..10],
        &first13[10..13]
    );
    (
        r.pick(&["NIR : ", "numéro de sécurité sociale: ", "n° INSEE "])
            .into(),
        v,
    )
}

fn es_dni(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let n = r.range(1_000_000, 99_999_999) as u32;
    (
        String::new(),
        format!("{n:08}{}", char::from(id::dni_letter(n))),
    )
}

fn es_nie(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let p = r.range(0, 2) as u32;
    let n = r.range(0, 9_999_999) as u32;
    let letter = id::dni_letter(p * 10_000_000 + n);
    (
        String::new(),
        format!(
            "{}{n:07}{}",
            char::from(b"XYZ"[p as usize]),
            char::from(letter)
        ),
    )
}

fn it_codice_fiscale(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let consonants = b"BCDFGHLMNPRSTVZ";
    let name: String = (0..6).map(|_| r.letter(consonants)).collect();
    let (day, month, yy, _) = birth_date(&mut r);
    let month_letter = char::from(b"ABCDEHLMPRST"[(month - 1) as usize]);
    let day = day + if r.range(0, 1) == 1 { 40 } else { 0 };
    let place = format!("{}{:03}", r.letter(b"ABCDEFGHILM"), r.range(1, 999));
    let first15 = format!("{name}{yy:02}{month_letter}{day:02}{place}");
    let c = id::codice_fiscale_check_char(first15.as_bytes()).expect("alphanumeric");
    (String::new(), format!("{first15}{}", char::from(c)))
}

fn nl_bsn(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    loop {
        let d = varied_digits(&mut r, 8);
        if let Some(c) = id::bsn_check_digit(&d) {
            return (
                r.pick(&["BSN: ", "burgerservicenummer ", "bsn="]).into(),
                format!("{}{c}", text(&d)),
            );
        }
    }
}

fn be_national_number(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let (day, month, yy, year) = birth_date(&mut r);
    let first9 = format!("{yy:02}{month:02}{day:02}{:03}", r.range(1, 997));
    let d: Vec<u8> = first9.bytes().map(|b| b - b'0').collect();
    let c = id::be_nrn_check(&d, year >= 2000);
    (
        r.pick(&["rijksregisternummer ", "numéro national: ", "INSZ "])
            .into(),
        format!(
            "{}.{}.{}-{}.{c:02}",
            &first9[..2],
            &first9[2..4],
            &first9[4..6],
            &first9[6..]
        ),
    )
}

fn pl_pesel(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let (day, month, yy, year) = birth_date(&mut r);
    let m = if year >= 2000 { month + 20 } else { month };
    let first10 = format!("{yy:02}{m:02}{day:02}{:04}", r.range(0, 9999));
    let d: Vec<u8> = first10.bytes().map(|b| b - b'0').collect();
    (
        r.pick(&["PESEL: ", "pesel ", "nr PESEL "]).into(),
        format!("{first10}{}", id::pesel_check_digit(&d)),
    )
}

fn se_personnummer(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let (day, month, yy, year) = birth_date(&mut r);
    let nine = format!("{yy:02}{month:02}{day:02}{:03}", r.range(0, 999));
    let ten = (0..10)
        .map(|c| format!("{nine}{c}"))
        .find(|t| luhn_valid(t.as_bytes()))
        .expect("one check digit passes Luhn");
    let v = match r.range(0, 2) {
        0 => format!("{}-{}", &ten[..6], &ten[6..]),
        1 => format!("{}{}-{}", year / 100, &ten[..6], &ten[6..]),
        _ => format!("{}{ten}", year / 100),
    };
    (
        r.pick(&["personnummer: ", "Personnummer ", "pnr="]).into(),
        v,
    )
}

fn fi_hetu(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let (day, month, yy, year) = birth_date(&mut r);
    let sign = if year >= 2000 {
        r.pick(&["A", "B", "C", "D", "E", "F"])
    } else {
        r.pick(&["-", "Y", "X", "W", "V", "U"])
    };
    let n = r.range(2, 899);
    let nine = format!("{day:02}{month:02}{yy:02}{n:03}");
    let d: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
    let c = char::from(id::hetu_check_char(&d));
    (
        String::new(),
        format!("{day:02}{month:02}{yy:02}{sign}{n:03}{c}"),
    )
}

fn dk_cpr(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let (day, month, yy, _) = birth_date(&mut r);
    (
        r.pick(&["CPR-nr.: ", "cpr ", "CPR nummer: "]).into(),
        format!("{day:02}{month:02}{yy:02}-{:04}", r.range(0, 9999)),
    )
}

fn in_aadhaar(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let mut d = vec![r.range(2, 9) as u8];
    d.extend(r.digits(10));
    d.push(id::verhoeff_check_digit(&d));
    let t = text(&d);
    (
        r.pick(&["Aadhaar: ", "aadhaar_no=", "Aadhar number "])
            .into(),
        format!("{} {} {}", &t[..4], &t[4..8], &t[8..]),
    )
}

fn in_pan(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let upper = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let head: String = (0..3).map(|_| r.letter(upper)).collect();
    (
        r.pick(&["PAN: ", "pan card no. ", "Permanent Account Number "])
            .into(),
        format!(
            "{head}{}{}{}{}",
            r.letter(b"ABCFGHJLPT"),
            r.letter(upper),
            text(&r.digits(4)),
            r.letter(upper)
        ),
    )
}

fn au_tfn(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    loop {
        let d = varied_digits(&mut r, 8);
        if let Some(c) = id::tfn_check_digit(&d) {
            let t = format!("{}{c}", text(&d));
            return (
                r.pick(&["TFN: ", "tax file number ", "tfn="]).into(),
                format!("{} {} {}", &t[..3], &t[3..6], &t[6..]),
            );
        }
    }
}

fn au_abn(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    loop {
        let body = r.digits(9);
        if let Some(p) = id::abn_check_digits(&body) {
            let t = format!("{}{}", text(&p), text(&body));
            return (
                r.pick(&["ABN: ", "abn ", "Australian Business Number "])
                    .into(),
                format!("{} {} {} {}", &t[..2], &t[2..5], &t[5..8], &t[8..]),
            );
        }
    }
}

fn au_medicare(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let mut d = vec![r.range(2, 6) as u8];
    d.extend(r.digits(7));
    let c = id::medicare_check_digit(&d);
    let t = text(&d);
    (
        r.pick(&["Medicare number: ", "medicare ", "Medicare no. "])
            .into(),
        format!("{} {}{c} {}", &t[..4], &t[4..], r.range(1, 9)),
    )
}

fn ca_sin(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let first = r.pick(&["1", "2", "3", "4", "5", "6", "7", "9"]);
    let n = luhn_number(&mut r, first, 9);
    (
        r.pick(&["SIN: ", "social insurance number ", "NAS "])
            .into(),
        format!("{} {} {}", &n[..3], &n[3..6], &n[6..]),
    )
}

/// Nine CPF digits and their two check digits.
fn cpf_digits(r: &mut Rng) -> String {
    let d = varied_digits(r, 9);
    format!("{}{}", text(&d), text(&id::cpf_check_digits(&d)))
}

fn br_cpf(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let t = cpf_digits(&mut r);
    (
        String::new(),
        format!("{}.{}.{}-{}", &t[..3], &t[3..6], &t[6..9], &t[9..]),
    )
}

fn br_cpf_bare(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let t = cpf_digits(&mut r);
    (r.pick(&["CPF: ", "cpf=", "CPF "]).into(), t)
}

fn br_cnpj(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let mut d = varied_digits(&mut r, 8);
    d.extend([0, 0, 0, r.range(1, 9) as u8]);
    let t = format!("{}{}", text(&d), text(&id::cnpj_check_digits(&d)));
    (
        String::new(),
        format!(
            "{}.{}.{}/{}-{}",
            &t[..2],
            &t[2..5],
            &t[5..8],
            &t[8..12],
            &t[12..]
        ),
    )
}

fn sg_nric(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let prefix = r.letter(b"STFGM") as u8;
    let d = r.digits(7);
    let c = id::nric_check_letter(prefix, &d).expect("known prefix");
    (
        String::new(),
        format!("{}{}{}", char::from(prefix), text(&d), char::from(c)),
    )
}

fn kr_rrn(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let (day, month, yy, year) = birth_date(&mut r);
    let sex = if year >= 2000 {
        r.range(3, 4)
    } else {
        r.range(1, 2)
    };
    let first12 = format!("{yy:02}{month:02}{day:02}{sex}{:05}", r.range(0, 99999));
    let d: Vec<u8> = first12.bytes().map(|b| b - b'0').collect();
    (
        String::new(),
        format!(
            "{}-{}{}",
            &first12[..6],
            &first12[6..],
            id::rrn_check_digit(&d)
        ),
    )
}

fn us_itin(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let group = *[
        r.range(50, 65),
        r.range(70, 88),
        r.range(90, 92),
        r.range(94, 99),
    ]
    .get(r.range(0, 3) as usize)
    .expect("index in range");
    (
        String::new(),
        format!("9{}-{group}-{}", text(&r.digits(2)), text(&r.digits(4))),
    )
}

fn us_aba_routing(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let prefix = *[r.range(1, 12), r.range(21, 32), r.range(61, 72)]
        .get(r.range(0, 2) as usize)
        .expect("index in range");
    let mut d = vec![(prefix / 10) as u8, (prefix % 10) as u8];
    d.extend(varied_digits(&mut r, 6));
    let c = id::aba_check_digit(&d);
    (
        r.pick(&["routing number: ", "ABA ", "rtn="]).into(),
        format!("{}{c}", text(&d)),
    )
}

fn imei(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let tac = r.pick(&["35", "86", "49", "01"]);
    (
        r.pick(&["IMEI: ", "imei=", "device IMEI "]).into(),
        luhn_number(&mut r, tac, 15),
    )
}

const VIN_CHARS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
const VIN_LETTERS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ";

/// A VIN starting with `wmi`, letters in the descriptor, a numeric serial, and the check
/// digit in position 9 (mandatory in North America, harmless elsewhere).
fn vin_with(r: &mut Rng, wmi: &str) -> String {
    let mut v: Vec<u8> = wmi.bytes().collect();
    while v.len() < 8 {
        v.push(r.letter(VIN_LETTERS) as u8);
    }
    v.push(b'0');
    v.push(r.letter(b"ABCDEFGHJKLMNPRSTVWXY123456789") as u8);
    v.push(r.letter(VIN_CHARS) as u8);
    v.extend(text(&r.digits(6)).bytes());
    let c = id::vin_check_char(&v).expect("VIN characters");
    v[8] = c;
    String::from_utf8(v).expect("ASCII")
}

fn vin(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    // North-American (check digit mandatory) and other manufacturers' prefixes.
    let wmi = r.pick(&[
        "1HG", "1FT", "2T1", "3VW", "4S3", "5YJ", "WVW", "WDB", "JHM", "VF1", "ZFA", "YV1",
    ]);
    (
        r.pick(&["VIN: ", "Fahrgestellnummer ", "chassis no. ", "vin="])
            .into(),
        vin_with(&mut r, wmi),
    )
}

fn btc_address_base58(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let version = if r.range(0, 1) == 0 { 0x00 } else { 0x05 };
    let mut payload = vec![version];
    payload.extend((0..20).map(|_| r.range(0, 255) as u8));
    (String::new(), base58check_encode(&payload))
}

fn btc_address_bech32(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let (version, len) = *[(0u8, 20usize), (0, 32), (1, 32)]
        .get(r.range(0, 2) as usize)
        .expect("index in range");
    let program: Vec<u8> = (0..len).map(|_| r.range(0, 255) as u8).collect();
    (String::new(), segwit_encode("bc", version, &program))
}

fn eth_address(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let mut a = [0u8; 20];
    for b in a.iter_mut() {
        *b = r.range(0, 255) as u8;
    }
    (String::new(), eip55_encode(&a))
}

fn passport(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let upper = b"ABCDEFGHJKLMNPRSTUVWXYZ";
    let v = match r.range(0, 2) {
        0 => format!("{}{}", r.letter(upper), text(&r.digits(7))),
        1 => text(&varied_digits(&mut r, 9)),
        _ => format!(
            "{}{}{}{}",
            text(&r.digits(2)),
            r.letter(upper),
            r.letter(upper),
            text(&r.digits(5))
        ),
    };
    (
        r.pick(&["Passport No. ", "Reisepassnummer: ", "passport_number="])
            .into(),
        v,
    )
}

fn date_of_birth(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let (day, month, _, year) = birth_date(&mut r);
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match r.range(0, 3) {
        0 => ("DOB: ".into(), format!("{year}-{month:02}-{day:02}")),
        1 => (
            "Geburtsdatum: ".into(),
            format!("{day:02}.{month:02}.{year}"),
        ),
        2 => (
            "born on ".into(),
            format!("{day} {} {year}", MONTHS[(month - 1) as usize]),
        ),
        _ => (
            "date of birth ".into(),
            format!("{month:02}/{day:02}/{year}"),
        ),
    }
}

fn street_address_en(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let street = r.pick(&[
        "Baker", "Elm", "Maple", "High", "Church", "Oak Hill", "Mill",
    ]);
    let kind = r.pick(&["Street", "Avenue", "Road", "Lane", "Drive", "Rd.", "St."]);
    (
        String::new(),
        format!("{} {street} {kind}", r.range(1, 9999)),
    )
}

fn street_address_de_nl(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let stem = r.pick(&[
        "Haupt", "Linden", "Berg", "Schiller", "Kalver", "Bahnhof", "Rosen",
    ]);
    let kind = r.pick(&[
        "straße", "strasse", "str.", "weg", "allee", "platz", "straat", "laan",
    ]);
    (String::new(), format!("{stem}{kind} {}", r.range(1, 250)))
}

fn street_address_fr(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    let kind = r.pick(&[
        "rue",
        "avenue",
        "boulevard",
        "place",
        "impasse",
        "chemin",
        "quai",
    ]);
    let name = r.pick(&[
        "de la Paix",
        "Victor Hugo",
        "des Lilas",
        "du Moulin",
        "Haussmann",
        "d'Italie",
        "Émile Zola",
    ]);
    (String::new(), format!("{} {kind} {name}", r.range(1, 300)))
}

fn person_name(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    (
        r.pick(&["Name: ", "full_name=\"", "Cardholder: ", "customer name: "])
            .into(),
        format!("{} {}", r.pick(FIRST), r.pick(LAST)),
    )
}

fn person_name_salutation(seed: u64) -> (String, String) {
    let mut r = Rng::new(seed);
    match r.range(0, 2) {
        0 => ("Dear ".into(), r.pick(FIRST).into()),
        1 => (
            r.pick(&["Dear Mr. ", "Dr. ", "Herr ", "Madame "]).into(),
            r.pick(LAST).into(),
        ),
        _ => (
            "Dear ".into(),
            format!("{} {}", r.pick(FIRST), r.pick(LAST)),
        ),
    }
}
