//! Validators: checks run on a confirmed match that decide how sure the finding is.
//!
//! A validator never drops a match. *Checksum* validators (Luhn, mod-97, CRC32 token
//! checksums, the canary checksum) make a finding [`Confidence::Certain`] when they pass and
//! lower it one level when they fail. *Gates* (entropy, placeholder, structure, required
//! context) make a failing finding [`Confidence::Low`]. The policy then decides what to do
//! with each confidence level; low findings are reported, not silently lost.

mod bech32;
mod checksum;
pub mod crypto_address;
mod entropy;
mod gitlab_routable;
mod identifier;
mod macaroon;
pub mod national;
mod structure;

use crate::finding::Confidence;
use crate::rules::Rule;

pub use self::bech32::{bech32_checksum, bech32_valid, BECH32_CHARSET};
pub use self::checksum::{base62_crc32, crc32, iban_mod97, luhn_valid};
pub use self::entropy::shannon_entropy;
pub use self::gitlab_routable::gitlab_routable_crc;
pub use self::identifier::IdCheck;

/// A check run on the redacted part of a match.
#[derive(Clone, Debug, PartialEq)]
pub enum Validator {
    /// Luhn mod-10 over the digits (cards, IMEI, SIN).
    Luhn,
    /// IBAN mod-97 and per-country length.
    Iban,
    /// GitHub/npm: last 6 chars are the base62 CRC32 of the 30 (or 36-6) chars after `_`.
    GithubCrc32,
    /// Atlassian: last 8 hex chars are the CRC32 of everything before them.
    AtlassianCrc32,
    /// blackbar's own canary checksum.
    Canary,
    /// US SSN structure: no 000/666/9xx area, no 00 group, no 0000 serial.
    Ssn,
    /// Parses as an IPv4 address.
    Ipv4,
    /// Parses as an IPv6 address.
    Ipv6,
    /// A JWT whose header decodes to a JSON object with `alg`.
    Jwt,
    /// GitLab routable token: base36 CRC32 of the whole token and a matching length field.
    GitlabRoutable,
    /// Bech32 checksum (age secret keys and recipients).
    Bech32,
    /// PyPI token: `pypi-` + a well-formed v2 macaroon located at PyPI.
    PypiMacaroon,
    /// Shannon entropy (bits per byte) at least this much.
    Entropy(f64),
    /// Not a placeholder such as `changeme`, `${VAR}`, `<password>`, `****`.
    NotPlaceholder,
    /// An identifier's check digit or structure: national ids, VIN, crypto addresses.
    Id(IdCheck),
}

/// Whether a failing validator lowers the confidence by a level or makes it low.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Effect {
    Checksum,
    Gate,
}

impl Validator {
    /// Parses a validator name as written in rule files, e.g. `luhn` or `entropy>=3.5`.
    ///
    /// # Errors
    ///
    /// An unknown name or a malformed threshold, as a message naming it.
    pub fn parse(s: &str) -> Result<Validator, String> {
        if let Some(t) = s.strip_prefix("entropy>=") {
            let v: f64 = t
                .parse()
                .map_err(|_| format!("validator '{s}': bad threshold"))?;
            if !(0.0..=8.0).contains(&v) {
                return Err(format!(
                    "validator '{s}': threshold must be within 0..8 bits"
                ));
            }
            return Ok(Validator::Entropy(v));
        }
        Ok(match s {
            "luhn" => Validator::Luhn,
            "iban" => Validator::Iban,
            "github-crc32" => Validator::GithubCrc32,
            "atlassian-crc32" => Validator::AtlassianCrc32,
            "canary" => Validator::Canary,
            "ssn" => Validator::Ssn,
            "ipv4" => Validator::Ipv4,
            "ipv6" => Validator::Ipv6,
            "jwt" => Validator::Jwt,
            "gitlab-routable-crc32" => Validator::GitlabRoutable,
            "bech32" => Validator::Bech32,
            "pypi-macaroon" => Validator::PypiMacaroon,
            "not-placeholder" => Validator::NotPlaceholder,
            _ => match IdCheck::parse(s) {
                Some(id) => Validator::Id(id),
                None => {
                    return Err(format!(
                    "unknown validator '{s}' (known: luhn, iban, github-crc32, atlassian-crc32, \
                         canary, ssn, ipv4, ipv6, jwt, gitlab-routable-crc32, bech32, \
                         pypi-macaroon, not-placeholder, entropy>=N, {})",
                    IdCheck::names().collect::<Vec<_>>().join(", ")
                ))
                }
            },
        })
    }

    /// The name as written in rule files.
    pub fn name(&self) -> String {
        match self {
            Validator::Luhn => "luhn".into(),
            Validator::Iban => "iban".into(),
            Validator::GithubCrc32 => "github-crc32".into(),
            Validator::AtlassianCrc32 => "atlassian-crc32".into(),
            Validator::Canary => "canary".into(),
            Validator::Ssn => "ssn".into(),
            Validator::Ipv4 => "ipv4".into(),
            Validator::Ipv6 => "ipv6".into(),
            Validator::Jwt => "jwt".into(),
            Validator::GitlabRoutable => "gitlab-routable-crc32".into(),
            Validator::Bech32 => "bech32".into(),
            Validator::PypiMacaroon => "pypi-macaroon".into(),
            Validator::Entropy(t) => format!("entropy>={t}"),
            Validator::NotPlaceholder => "not-placeholder".into(),
            Validator::Id(id) => id.name().into(),
        }
    }

    /// Whether this is a checksum (a passing one makes a finding certain), not a gate.
    pub fn is_checksum(&self) -> bool {
        self.effect() == Effect::Checksum
    }

    fn effect(&self) -> Effect {
        match self {
            Validator::Luhn
            | Validator::Iban
            | Validator::GithubCrc32
            | Validator::AtlassianCrc32
            | Validator::GitlabRoutable
            | Validator::Bech32
            | Validator::Canary => Effect::Checksum,
            Validator::Id(id) if !id.is_gate() => Effect::Checksum,
            _ => Effect::Gate,
        }
    }

    /// Runs the check on `value` (the bytes a finding would redact).
    pub fn check(&self, value: &[u8]) -> bool {
        match *self {
            Validator::Luhn => checksum::luhn_valid(value),
            Validator::Iban => checksum::iban_valid(value),
            Validator::GithubCrc32 => checksum::github_crc32_valid(value),
            Validator::AtlassianCrc32 => checksum::atlassian_crc32_valid(value),
            Validator::Canary => crate::canary::is_valid(value),
            Validator::Ssn => structure::ssn_valid(value),
            Validator::Ipv4 => structure::ipv4_valid(value),
            Validator::Ipv6 => structure::ipv6_valid(value),
            Validator::Jwt => structure::jwt_valid(value),
            Validator::GitlabRoutable => gitlab_routable::gitlab_routable_valid(value),
            Validator::Bech32 => bech32::bech32_valid(value),
            Validator::PypiMacaroon => macaroon::pypi_token_valid(value),
            Validator::Entropy(t) => entropy::shannon_entropy(value) >= t,
            Validator::NotPlaceholder => !structure::is_placeholder(value),
            Validator::Id(id) => id.outcome(value).unwrap_or(true),
        }
    }

    /// The check's outcome, or `None` when `value` carries nothing to check (an
    /// all-lowercase Ethereum address has no EIP-55 checksum): the confidence then stays
    /// where the rule puts it.
    fn outcome(&self, value: &[u8]) -> Option<bool> {
        match *self {
            Validator::Id(id) => id.outcome(value),
            _ => Some(self.check(value)),
        }
    }
}

/// Computes a match's confidence from its rule, its redacted value and its line.
///
/// `line` is the text of the match's line (or the bytes around it the stream still holds)
/// and `claim` the whole match's position within `line`.
pub(crate) fn confidence(
    rule: &Rule,
    value: &[u8],
    line: &[u8],
    claim: std::ops::Range<usize>,
) -> Confidence {
    let mut conf = rule.confidence;
    let mut gate_failed = false;
    let mut checksum: Option<bool> = None;
    for v in &rule.validators {
        let Some(ok) = v.outcome(value) else {
            continue;
        };
        match v.effect() {
            Effect::Gate => gate_failed |= !ok,
            Effect::Checksum => checksum = Some(checksum.unwrap_or(true) && ok),
        }
    }
    match checksum {
        Some(true) => conf = Confidence::Certain,
        Some(false) => conf = conf.lowered(),
        None => {}
    }
    if !rule.context.is_empty() {
        let near = has_context(rule, line, claim.clone());
        if rule.context_required && !near {
            gate_failed = true;
        } else if near && !rule.context_required && checksum != Some(false) {
            // Context raises a plausible match, never one whose checksum failed.
            conf = conf.raised();
        }
    }
    if checksum != Some(true) && follows_not_after_word(rule, line, claim.start) {
        gate_failed = true;
    }
    if gate_failed {
        Confidence::Low
    } else {
        conf
    }
}

/// Whether one of the rule's `not_after` words ends right before `start` in `line`, with at
/// most [`NOT_AFTER_GAP`](crate::rules::NOT_AFTER_GAP) bytes other than ASCII letters and
/// digits between, and as a word (an alphanumeric first byte must not continue a word
/// before it: "version" is not found in "subversion").
fn follows_not_after_word(rule: &Rule, line: &[u8], start: usize) -> bool {
    if rule.not_after.is_empty() {
        return false;
    }
    let before = &line[..start];
    (0..=crate::rules::NOT_AFTER_GAP.min(before.len()))
        .take_while(|&gap| gap == 0 || !before[before.len() - gap].is_ascii_alphanumeric())
        .any(|gap| {
            let text = &before[..before.len() - gap];
            rule.not_after.iter().any(|w| {
                let w = w.as_bytes();
                text.len() >= w.len()
                    && text[text.len() - w.len()..].eq_ignore_ascii_case(w)
                    && word_starts(text, text.len() - w.len(), w[0])
            })
        })
}

/// Whether one of the rule's context words appears within its window around `claim`, as a
/// word: an edge of the context word that is an ASCII letter or digit must not continue
/// into one in the text ("tel" is not found in "Intel", "tin" not in "destination"). An
/// edge that is punctuation or a space ("tel:", " phone") needs no boundary there.
fn has_context(rule: &Rule, line: &[u8], claim: std::ops::Range<usize>) -> bool {
    let lo = claim.start.saturating_sub(rule.context_window);
    let hi = (claim.end + rule.context_window).min(line.len());
    let window = &line[lo..hi];
    rule.context
        .iter()
        .any(|w| contains_word(window, w.as_bytes()))
}

/// Whether `word` occurs in `text` (ASCII case-insensitively) with a word boundary at each
/// alphanumeric edge of `word`.
fn contains_word(text: &[u8], word: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (word.first(), word.last()) else {
        return false;
    };
    if text.len() < word.len() {
        return false;
    }
    // Only where the first byte matches (either case): a window is scanned once per context
    // word, and a byte-by-byte comparison at every offset was most of a match's confirm cost.
    let starts = &text[..=text.len() - word.len()];
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    memchr::memchr2_iter(lower, upper, starts).any(|i| {
        text[i..i + word.len()].eq_ignore_ascii_case(word)
            && word_starts(text, i, first)
            && (!last.is_ascii_alphanumeric()
                || i + word.len() == text.len()
                || !text[i + word.len()].is_ascii_alphanumeric())
    })
}

/// Whether a word whose first byte is `first` may start at `text[at]`: an alphanumeric first
/// byte must not continue a word before it (punctuation or a space needs no boundary).
fn word_starts(text: &[u8], at: usize, first: u8) -> bool {
    !first.is_ascii_alphanumeric() || at == 0 || !text[at - 1].is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::{contains_word, IdCheck, Validator};
    use crate::finding::Confidence;

    /// A rule of four-digit numbers that are not build numbers, with a context window of
    /// `window` bytes.
    fn build_numbers(window: usize) -> Result<crate::rules::Rule, crate::Error> {
        let text = format!(
            r#"
[[rule]]
id = "number"
name = "Number"
category = "pii"
label = "NUMBER"
pattern = '\b[0-9]{{4}}\b'
not_after = ["Build", "v."]
context_window = {window}
confidence = "high"
examples = ["id 1234", "x 4321"]
counterexamples = ["build 1234"]
"#
        );
        crate::rules::parse_rules(&text, "test.toml").map(|mut rules| rules.remove(0))
    }

    /// A `not_after` word lowers a match right after it (up to three bytes of punctuation or
    /// space between, any case), and only as a whole word and only right before the match.
    #[test]
    fn not_after_words_lower_only_a_match_right_after_them() {
        let rule = build_numbers(48).expect("rule loads");
        for (line, lowered) in [
            ("build 1234", true),
            ("BUILD=(1234", true),
            ("build: \"1234", true),
            ("v.1234", true),
            ("build -- 1234", false),
            ("rebuild 1234", false),
            ("xv.1234", false),
            ("build 7 then 1234", false),
            ("1234", false),
        ] {
            let start = line.rfind("1234").unwrap();
            let claim = start..start + 4;
            let got = super::confidence(&rule, b"1234", line.as_bytes(), claim);
            let want = if lowered {
                Confidence::Low
            } else {
                Confidence::High
            };
            assert_eq!(got, want, "{line:?}");
        }
        let err = build_numbers(7).unwrap_err().to_string();
        assert!(err.contains("do not fit in context_window 7"), "{err}");
    }

    /// An identifier check shadowed by a built-in validator of the same name would silently
    /// run the wrong check (it happened: two `bech32`s, one without Bech32m).
    #[test]
    fn identifier_check_names_reach_their_checks() {
        for name in IdCheck::names() {
            assert!(
                matches!(Validator::parse(name), Ok(Validator::Id(_))),
                "validator name '{name}' is taken by a built-in validator"
            );
        }
    }

    #[test]
    fn context_words_are_word_bounded() {
        assert!(contains_word(b"Tel: 555", b"tel"));
        assert!(!contains_word(b"Intel Mac OS", b"tel"));
        assert!(!contains_word(b"destination 123", b"tin"));
        assert!(contains_word(b"my TIN is", b"tin"));
        assert!(contains_word(b"customer_ssn=1", b"ssn"));
        assert!(contains_word(b"call the phone: 5", b"phone:"));
        assert!(contains_word(b"x tel.0612", b"tel."));
        assert!(!contains_word(b"hotel.0612", b"tel."));
        assert!(contains_word(
            "sécurité sociale".as_bytes(),
            "sécurité sociale".as_bytes()
        ));
        assert!(!contains_word(b"", b"x"));
        // Every place the first byte occurs is tried, in either case, up to the last start.
        assert!(contains_word(b"tt te TEL", b"tel"));
        assert!(contains_word(b"PHONE", b"phone"));
        assert!(!contains_word(b"phon", b"phone"));
        assert!(contains_word(b"a:b :tel", b":tel"));
        assert!(!contains_word(b"ttel", b"tel"));
    }
}
