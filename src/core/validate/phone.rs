//! Phone numbers checked against libphonenumber's metadata (through the `phonenumber`
//! crate): the country calling code, the national (trunk) prefix and the possible lengths of
//! each region a rule names (`phone:US,GB,DE,…`).
//!
//! A candidate (what a phone rule's pattern matched) is read as
//!
//! * **international** when it starts with `+` or `00` (an optional `(` first): the digits
//!   after it are a calling code of one to three digits that one of the rule's regions has,
//!   and a national number whose length is possible in such a region. A written trunk prefix
//!   `(0)` (`+44 (0)20 …`) is left out, as dialling does.
//! * **national** otherwise: for some region of the rule, either the region's national
//!   prefix (`0` in most of Europe, `1` in North America) followed by a possible length, or a
//!   possible length on its own (regions without a trunk prefix: Italy, Spain, North America's
//!   ten digits).
//!
//! An extension (`x1447`, `ext. 12`, `#12`) is not part of the length. Only lengths and
//! prefixes are checked, not the number plans' leading digits: synthetic and test numbers
//! (libphonenumber rejects most random area codes) are still phone numbers to a reader, and
//! it is their shape that leaks.
//!
//! The facts come from [`super::phone_metadata`], a table generated from the `phonenumber`
//! crate's copy of libphonenumber's metadata and checked against it by a test
//! (`phone_metadata_is_current`). The crate itself parses thousands of number-plan regexes
//! when its database is first used (about 600 M instructions, 0.2 s of CPU), which every
//! process would pay on its first phone candidate; the table costs nothing.

use super::phone_metadata::{Region, REGIONS};

/// The facts of region `id` (a CLDR region code such as `GB`).
fn region(id: &str) -> Option<&'static Region> {
    REGIONS
        .binary_search_by(|r| r.id.cmp(id))
        .ok()
        .map(|i| &REGIONS[i])
}

/// The regions a `phone:` validator covers (`US,GB,DE`), looked up once when it is parsed.
#[derive(Clone, Debug)]
pub struct PhoneRegions(Vec<&'static Region>);

impl PartialEq for PhoneRegions {
    fn eq(&self, other: &PhoneRegions) -> bool {
        self.ids().eq(other.ids())
    }
}

impl Eq for PhoneRegions {}

impl PhoneRegions {
    /// Parses a comma-separated list of CLDR region codes known to libphonenumber.
    ///
    /// # Errors
    ///
    /// An empty list or an unknown region, named.
    pub fn parse(list: &str) -> Result<PhoneRegions, String> {
        list.split(',')
            .map(str::trim)
            .map(|id| match id {
                "" => Err("phone: needs a comma-separated list of regions (phone:US,GB)".into()),
                _ => region(id).ok_or_else(|| format!("phone: unknown region '{id}'")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(PhoneRegions)
    }

    /// The regions' ids, in the order written.
    pub fn ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|r| r.id)
    }

    /// Whether `value` is a possible phone number of one of the regions (see the module doc).
    pub fn check(&self, value: &[u8]) -> bool {
        let Some(number) = Number::read(value) else {
            return false;
        };
        let covered = self.0.iter().copied();
        let digits = number.digits();
        match number.international {
            true => covered.into_iter().any(|r| {
                strip_calling_code(digits, r.code).is_some_and(|national| {
                    possible(r, national.len())
                        || r.national_prefix.is_some_and(|p| {
                            national.starts_with(p.as_bytes())
                                && possible(r, national.len() - p.len())
                        })
                })
            }),
            false => covered.into_iter().any(|r| {
                let d = digits;
                match r.national_prefix {
                    Some(p) if d.starts_with(p.as_bytes()) => possible(r, d.len() - p.len()),
                    // A region with a trunk prefix writes its national numbers with it
                    // (except North America, where the `1` is optional).
                    Some(p) if p != "1" => false,
                    _ => possible(r, d.len()),
                }
            }),
        }
    }
}

/// The fewest digits of a national significant number blackbar takes for a phone number.
/// libphonenumber allows shorter ones in a few plans (German small-town numbers of five digits,
/// service numbers), but a run of five digits or fewer is far more often a count, a port, a
/// year or a code than a phone number.
const MIN_SIGNIFICANT: usize = 6;

/// The digits after calling code `code` (1 to 3 digits) at the start of `digits`, if it is
/// there. Compares digit by digit: this runs for every region on every international
/// candidate, so it writes no string.
fn strip_calling_code(digits: &[u8], code: u16) -> Option<&[u8]> {
    let width = match code {
        0..=9 => 1,
        10..=99 => 2,
        _ => 3,
    };
    let head = digits.get(..width)?;
    let value = head.iter().fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'));
    (value == code).then(|| &digits[width..])
}

/// Whether a national significant number of `len` digits is possible in region `r`.
fn possible(r: &Region, len: usize) -> bool {
    (MIN_SIGNIFICANT..32).contains(&len) && r.lengths & (1 << len) != 0
}

/// A candidate's digits, read as a dialled number.
struct Number {
    /// Written with `+` or `00`: the digits then start with the calling code.
    international: bool,
    /// The digits (the first `len`), without the international prefix, a written `(0)`
    /// trunk prefix and any extension.
    digits: [u8; MAX_DIGITS],
    len: usize,
}

/// The most digits a candidate may hold: a calling code and a national significant number
/// of at most 17 digits (libphonenumber's longest) fit; anything longer is not a number.
const MAX_DIGITS: usize = 24;

impl Number {
    fn read(value: &[u8]) -> Option<Number> {
        let v = value.trim_ascii();
        // The extension: from the first letter or `#` on.
        let end = v
            .iter()
            .position(|&b| b.is_ascii_alphabetic() || b == b'#')
            .unwrap_or(v.len());
        let v = v[..end].trim_ascii_end();
        let v = v.strip_prefix(b"(").unwrap_or(v);
        let (international, rest) = match v {
            [b'+', rest @ ..] => (true, rest),
            [b'0', b'0', rest @ ..] => (true, rest),
            _ => (false, v),
        };
        let mut digits = [0u8; MAX_DIGITS];
        let mut len = 0;
        let mut i = 0;
        while i < rest.len() {
            // A written trunk prefix in an international number: "(0)".
            if international && rest[i..].starts_with(b"(0)") {
                i += 3;
                continue;
            }
            if rest[i].is_ascii_digit() {
                *digits.get_mut(len)? = rest[i];
                len += 1;
            }
            i += 1;
        }
        (len >= MIN_SIGNIFICANT).then_some(Number {
            international,
            digits,
            len,
        })
    }

    fn digits(&self) -> &[u8] {
        &self.digits[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::PhoneRegions;

    /// `phone_metadata.rs` as the `phonenumber` crate's metadata makes it: for every region
    /// (two-letter id), its calling code, national prefix and the possible lengths of a
    /// national significant number over all its number types.
    fn metadata_source() -> String {
        let db = &*phonenumber::metadata::DATABASE;
        let mut rows = std::collections::BTreeMap::new();
        for m in db.iter() {
            let id = m.id();
            if id.len() != 2 || !id.bytes().all(|b| b.is_ascii_uppercase()) {
                continue;
            }
            let d = m.descriptors();
            let mut lengths = 0u32;
            for desc in [
                Some(d.general()),
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.premium_rate(),
                d.shared_cost(),
                d.personal_number(),
                d.voip(),
                d.pager(),
                d.uan(),
                d.voicemail(),
            ]
            .into_iter()
            .flatten()
            {
                for &n in desc.possible_length() {
                    if n < 32 {
                        lengths |= 1 << n;
                    }
                }
            }
            let prefix = match m.national_prefix() {
                Some(p) => format!("Some({p:?})"),
                None => "None".into(),
            };
            rows.insert(
                id.to_string(),
                format!(
                    "    Region {{ id: {id:?}, code: {}, national_prefix: {prefix}, lengths: {lengths:#x} }},\n",
                    m.country_code()
                ),
            );
        }
        let mut out = String::from(
            "//! libphonenumber's metadata as the phone validator uses it: each region's calling code,\n\
             //! national (trunk) prefix and the possible lengths of a national significant number (bit\n\
             //! `n` set: `n` digits are possible), over all its number types.\n\
             //!\n\
             //! Generated from the `phonenumber` crate's metadata by the test `phone_metadata_is_current`\n\
             //! (`BLACKBAR_BLESS=1 cargo test --lib phone_metadata_is_current`); do not edit.\n\
             \n\
             /// One region's dialling facts.\n\
             #[derive(Debug)]\n\
             pub(super) struct Region {\n    \
                 /// The CLDR region code (`GB`).\n    \
                 pub(super) id: &'static str,\n    \
                 /// The country calling code.\n    \
                 pub(super) code: u16,\n    \
                 /// The national (trunk) prefix, if the region has one.\n    \
                 pub(super) national_prefix: Option<&'static str>,\n    \
                 /// Bit `n` set: a national significant number of `n` digits is possible.\n    \
                 pub(super) lengths: u32,\n\
             }\n\
             \n\
             /// Every region, sorted by id.\n\
             #[rustfmt::skip]\n\
             pub(super) const REGIONS: &[Region] = &[\n",
        );
        for row in rows.values() {
            out.push_str(row);
        }
        out.push_str("];\n");
        out
    }

    /// The committed table is what the `phonenumber` crate's metadata gives (after a
    /// `phonenumber` upgrade, regenerate it with `BLACKBAR_BLESS=1`).
    #[test]
    fn phone_metadata_is_current() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/core/validate/phone_metadata.rs"
        );
        let want = metadata_source();
        if std::env::var_os("BLACKBAR_BLESS").is_some() {
            std::fs::write(path, &want).expect("write phone_metadata.rs");
            return;
        }
        let got = std::fs::read_to_string(path).expect("phone_metadata.rs");
        assert!(
            got == want,
            "src/core/validate/phone_metadata.rs is stale: \
             BLACKBAR_BLESS=1 cargo test --lib phone_metadata_is_current"
        );
    }

    #[test]
    fn international_and_national_numbers() {
        let r = PhoneRegions::parse("US,CA,GB,DE,FR,ES,IT,NL").unwrap();
        for yes in [
            "+44(0)8081570457",
            "+33 (0)1 75 56 09 56",
            "+49 (0) 7319 921663",
            "+31(0)55 4364073",
            "+1-443-762-2634x491",
            "767.451.5983x1447",
            "+34977 40 52 23",
            "+3158-6418051",
            "(08159) 095194",
            "(010) 2493084",
            "(0391)-568535",
            "058350313",
            "01614960689",
            "+39 37399575585",
            "001-829-647-4488",
            "0049 30 1234567",
        ] {
            assert!(r.check(yes.as_bytes()), "{yes}");
        }
        for no in [
            "+2024-01-15",
            "+1234567",
            "+12 34 56",
            "0042-1234",
            "1445680800424",
            "+1000",
        ] {
            assert!(!r.check(no.as_bytes()), "{no}");
        }
    }

    #[test]
    fn regions_are_checked_when_parsed() {
        assert!(PhoneRegions::parse("US,XX").unwrap_err().contains("'XX'"));
        assert!(PhoneRegions::parse("").is_err());
        // A region the rule does not name does not count: +49 is Germany's.
        let us = PhoneRegions::parse("US").unwrap();
        assert!(!us.check(b"+49 30 1234567"));
    }
}
