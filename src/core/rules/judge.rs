//! A match's confidence: its rule's base confidence, moved by the rule's validators and its
//! context words (see [`crate::validate`] for what each validator does).
//!
//! Two gates hold for rules without naming them: a secret whose value is masked or a
//! documentation example (`ghp_xxxx…`, `AKIAXXXXXXXXXXXXXXXX`, `…EXAMPLE…`, ten of one
//! character in a row) is `Low` whatever its checksum, so it is reported, never changed by
//! the logs' policy; and an assignment rule's match whose name is not sensitive
//! ([`super::Names`]) is `Low`.

use crate::finding::{Category, Confidence};
use crate::validate::Effect;

use super::Rule;

/// Computes a match's confidence from its rule, its redacted value and its line.
///
/// `line` is the text of the match's line (or the bytes around it the stream still holds),
/// `claim` the whole match's position within `line` and `value_at` where the redacted value
/// starts in `line`.
pub(crate) fn confidence(
    rule: &Rule,
    value: &[u8],
    line: &[u8],
    claim: std::ops::Range<usize>,
    value_at: usize,
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
    // Whatever the checksum: one product code in ten passes Luhn (`EAN 4002715362820`).
    if follows_not_after_word(rule, line, claim.start)
        || rule
            .not_after_shapes
            .iter()
            .any(|s| s.ends_at(line, claim.start, rule.context_window))
    {
        gate_failed = true;
    }
    if let Some(names) = &rule.names {
        // The name the value is assigned to: the identifier the match starts in may begin
        // before it (`db_password=` matched from `password`).
        let from = super::Names::name_start(line, claim.start);
        let key = &line[from..value_at.max(from)];
        gate_failed |= !names.name_in(key).is_some_and(|n| names.is_sensitive(n));
    }
    if rule.category == Category::Secret && crate::validate::is_masked_or_example(value) {
        gate_failed = true;
    }
    if gate_failed {
        Confidence::Low
    } else {
        conf
    }
}

/// Whether one of the rule's `not_after` words ends right before `start` in `line`, with at
/// most [`NOT_AFTER_GAP`](super::NOT_AFTER_GAP) bytes other than ASCII letters and
/// digits between, and as a word (an alphanumeric first byte must not continue a word
/// before it: "version" is not found in "subversion").
fn follows_not_after_word(rule: &Rule, line: &[u8], start: usize) -> bool {
    if rule.not_after.is_empty() {
        return false;
    }
    let before = &line[..start];
    (0..=super::NOT_AFTER_GAP.min(before.len()))
        .take_while(|&gap| gap == 0 || !before[before.len() - gap].is_ascii_alphanumeric())
        .any(|gap| {
            let text = &before[..before.len() - gap];
            // Most texts end in no word's last letter: one byte rules them out.
            let Some(last) = text.last().map(u8::to_ascii_lowercase) else {
                return false;
            };
            rule.not_after.iter().any(|w| {
                let w = w.as_bytes();
                w.last().map(u8::to_ascii_lowercase) == Some(last)
                    && text.len() >= w.len()
                    && text[text.len() - w.len()..].eq_ignore_ascii_case(w)
                    && word_starts(text, text.len() - w.len(), w[0])
            })
        })
}

/// A shape of the text right before a match that makes the match something else (a rule's
/// `not_after_shapes`): what `not_after` words do for fixed words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BeforeShape {
    /// `product-token`: a product token and `/` (see [`follows_product_token`]).
    ProductToken,
    /// `hex-pair`: a hex dump's pair and a space (see [`follows_hex_pair`]).
    HexPair,
    /// `digit-group`: a digit and a space, `-` or `.` (see [`follows_digit_group`]).
    DigitGroup,
}

impl BeforeShape {
    /// Every shape, by the name a rule file writes.
    const NAMES: [(&'static str, BeforeShape); 3] = [
        ("product-token", BeforeShape::ProductToken),
        ("hex-pair", BeforeShape::HexPair),
        ("digit-group", BeforeShape::DigitGroup),
    ];

    /// Reads a shape's name as a rule file writes it.
    pub(crate) fn parse(name: &str) -> Result<BeforeShape, String> {
        match Self::NAMES.iter().find(|(n, _)| *n == name) {
            Some(&(_, shape)) => Ok(shape),
            None => Err(format!(
                "unknown not_after_shapes entry {name:?} ({})",
                Self::NAMES.map(|(n, _)| n).join(", ")
            )),
        }
    }

    /// Whether the shape ends right before `start` in `line`, reading at most `window` bytes
    /// back.
    fn ends_at(self, line: &[u8], start: usize, window: usize) -> bool {
        match self {
            BeforeShape::ProductToken => follows_product_token(line, start, window),
            BeforeShape::HexPair => follows_hex_pair(line, start),
            BeforeShape::DigitGroup => follows_digit_group(line, start),
        }
    }
}

/// Whether `start` in `line` comes right after a product token and `/`, as a user agent
/// writes a software version (`Firefox/2.0.0.4`, `UP.Browser/6.2.3.3.c`, `zlib/1.2.3.4`): a
/// token of ASCII letters, digits, `.`, `_` and `-` that starts with a letter and starts a
/// word, at the line's start or after a space, tab, `(`, `;`, `,` or `"`. After another `/`
/// it is a path segment (`/lookup/8.8.8.8`, `http://10.0.0.1`), not a product. Only the
/// `window` bytes before `start` are read, so the answer never depends on how much of the
/// line the stream still holds: a token that reaches past them is not a product.
fn follows_product_token(line: &[u8], start: usize, window: usize) -> bool {
    let lo = start.saturating_sub(window);
    let Some(slash) = start.checked_sub(1).filter(|&i| i >= lo && line[i] == b'/') else {
        return false;
    };
    let is_token = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
    let from = (lo..slash)
        .rev()
        .take_while(|&i| is_token(line[i]))
        .last()
        .unwrap_or(slash);
    if from == slash || !line[from].is_ascii_alphabetic() {
        return false;
    }
    match from.checked_sub(1) {
        None => true,
        Some(i) if i < lo => false,
        Some(i) => matches!(line[i], b' ' | b'\t' | b'(' | b';' | b',' | b'"'),
    }
}

/// Whether `start` in `line` comes right after a token of exactly two hex digits and a space
/// (`3c 1c 05 61 12 34 56`: a hex dump's pairs continuing to the left of the match). Reads
/// at most four bytes before `start`.
fn follows_hex_pair(line: &[u8], start: usize) -> bool {
    let before = &line[..start];
    match before {
        [.., b' ', a, b, b' '] | [a, b, b' '] => a.is_ascii_hexdigit() && b.is_ascii_hexdigit(),
        _ => false,
    }
}

/// Whether `start` in `line` comes right after a digit and one space, `-` or `.`: the match
/// continues a longer grouped number (`4907 0057 4287 6042`, a card or an account number,
/// is not the phone number `0057 4287 6042`). Reads two bytes before `start`.
fn follows_digit_group(line: &[u8], start: usize) -> bool {
    matches!(&line[..start], [.., d, b' ' | b'-' | b'.'] if d.is_ascii_digit())
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
    use super::{contains_word, follows_product_token, BeforeShape};
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

    /// A `not_after` word lowers a match right after it (up to four bytes of punctuation or
    /// space between, any case: a JSON key's `": "`), and only as a whole word and only right
    /// before the match.
    #[test]
    fn not_after_words_lower_only_a_match_right_after_them() {
        let rule = build_numbers(48).expect("rule loads");
        for (line, lowered) in [
            ("build 1234", true),
            ("BUILD=(1234", true),
            ("build: \"1234", true),
            ("v.1234", true),
            ("\"build\": \"1234", true),
            ("build --- 1234", false),
            ("rebuild 1234", false),
            ("xv.1234", false),
            ("build 7 then 1234", false),
            ("1234", false),
        ] {
            let start = line.rfind("1234").unwrap();
            let claim = start..start + 4;
            let got = super::confidence(&rule, b"1234", line.as_bytes(), claim, start);
            let want = if lowered {
                Confidence::Low
            } else {
                Confidence::High
            };
            assert_eq!(got, want, "{line:?}");
        }
        let err = build_numbers(8).unwrap_err().to_string();
        assert!(err.contains("do not fit in context_window 8"), "{err}");
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

    /// A product token and `/` right before the match makes it a version; a path segment, a
    /// URL, a token that does not start a word or one cut off by the window does not.
    #[test]
    fn product_tokens_are_read_before_the_match() {
        let cases: &[(&str, bool)] = &[
            ("Gecko/20070515 Firefox/", true),
            ("(compatible; UP.Browser/", true),
            ("Chrome/", true),
            ("\"zlib/", true),
            ("x,CoolNovo/", true),
            ("GET /lookup/", false),
            ("http://", false),
            ("ip=", false),
            ("client ", false),
            ("a 2x/", false),
            ("/", false),
            ("", false),
        ];
        for &(before, want) in cases {
            let line = format!("{before}1.2.3.4 rest");
            let got = follows_product_token(line.as_bytes(), before.len(), 48);
            assert_eq!(got, want, "{before:?}");
        }
        // The token starts exactly where the window does: what precedes it is not read.
        let line = b"x Firefox/1.2.3.4";
        assert!(follows_product_token(line, 10, 10));
        assert!(!follows_product_token(line, 10, 8));
    }

    /// Checks a before-the-match shape on `match_text` after each `before` of `cases`.
    fn shape_cases(shape: BeforeShape, match_text: &str, cases: &[(&str, bool)]) {
        for &(before, want) in cases {
            let line = format!("{before}{match_text}");
            assert_eq!(
                shape.ends_at(line.as_bytes(), before.len(), 48),
                want,
                "{shape:?} {before:?}"
            );
        }
    }

    /// A hex pair and a space right before the match: the pairs of a hex dump go on.
    #[test]
    fn hex_pairs_are_read_before_the_match() {
        shape_cases(
            BeforeShape::HexPair,
            "05 61 12 34 56",
            &[
                ("3c 1c ", true),
                ("1c ", true),
                ("0000: 08 ", true),
                ("appelez le ", false),
                ("code ", false),
                ("abc ", false),
                ("3c ", true),
                ("3c", false),
                ("x3c ", false),
                ("", false),
            ],
        );
    }

    /// A digit and one separator right before the match: a longer grouped number goes on.
    #[test]
    fn digit_groups_are_read_before_the_match() {
        shape_cases(
            BeforeShape::DigitGroup,
            "0057 4287 6042",
            &[
                ("order_id=4907 ", true),
                ("4907-", true),
                ("12.", true),
                ("call ", false),
                ("4907  ", false),
                ("4907", false),
                ("", false),
            ],
        );
    }

    /// A rule file names the shapes; an unknown name is one clear error.
    #[test]
    fn shapes_are_read_by_name() {
        assert_eq!(
            BeforeShape::parse("product-token"),
            Ok(BeforeShape::ProductToken)
        );
        assert_eq!(BeforeShape::parse("hex-pair"), Ok(BeforeShape::HexPair));
        assert_eq!(
            BeforeShape::parse("digit-group"),
            Ok(BeforeShape::DigitGroup)
        );
        let err = BeforeShape::parse("version").unwrap_err();
        assert!(
            err.contains("\"version\"") && err.contains("product-token"),
            "{err}"
        );
    }
}
