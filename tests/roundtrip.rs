//! Reversible actions are exact on values that touch or overlap: random planted values from
//! every PII and secret generator, glued together or separated by one character of every
//! class, go through `token` → `detokenize` and `placeholder` → restore and come back byte for
//! byte, streamed in random chunks as well as in one piece.

#[path = "../corpora/values/pii.rs"]
mod pii;
#[path = "../corpora/values/secrets.rs"]
mod secrets;

use std::sync::OnceLock;

use blackbar::placeholder::Vault;
use blackbar::token::Detokenizer;
use blackbar::{Key, Policy, Redactor};
use proptest::prelude::*;

const KEY: &str = "bbkey1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

/// One character of every class a value can meet, and nothing at all (glued).
const SEPARATORS: &[&[u8]] = &[
    b"",
    b" ",
    b"\t",
    b"\n",
    b".",
    b",",
    b";",
    b":",
    b"_",
    b"-",
    b"@",
    b"/",
    b"=",
    b"&",
    b"+",
    b"7",
    b"x",
    b"Q",
    b"\"",
    b"'",
    b"[",
    b"]",
    b"(",
    b"%",
    b"#",
    b"\xc3\xa9",
    b"\x00",
    b"\xff",
];

/// A planted-value generator: a seed to `(the text it needs before it, the value)`.
type Make = fn(u64) -> (String, String);

/// Every PII and secret generator whose values a token can carry.
fn plants() -> &'static Vec<Make> {
    static PLANTS: OnceLock<Vec<Make>> = OnceLock::new();
    PLANTS.get_or_init(|| {
        pii::PLANTS
            .iter()
            .chain(secrets::PLANTS)
            .map(|&(_, make)| make)
            .filter(|make| make(0).1.len() <= 200)
            .collect()
    })
}

fn redactor(action: &str) -> &'static Redactor {
    static TOKEN: OnceLock<Redactor> = OnceLock::new();
    static PLACEHOLDER: OnceLock<Redactor> = OnceLock::new();
    let cell = if action == "token" {
        &TOKEN
    } else {
        &PLACEHOLDER
    };
    cell.get_or_init(|| {
        let mut policy = Policy::default();
        for target in ["pii", "secret", "canary"] {
            policy
                .set_action_str(&format!("{target}={action}"))
                .unwrap();
        }
        Redactor::builder()
            .policy(policy)
            .key(Key::new(KEY.as_bytes()).unwrap())
            .build()
            .unwrap()
    })
}

/// Builds a text from `(plant, seed, separator)` picks.
fn text(picks: &[(usize, u64, usize)]) -> Vec<u8> {
    let mut out = vec![];
    for &(p, seed, sep) in picks {
        let (lead, value) = plants()[p % plants().len()](seed);
        out.extend_from_slice(lead.as_bytes());
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(SEPARATORS[sep % SEPARATORS.len()]);
    }
    out
}

/// Streams `input` through a new stream of `r` in pieces of the given sizes (cycled).
fn stream(r: &Redactor, vault: Option<&Vault>, input: &[u8], sizes: &[usize]) -> Vec<u8> {
    let mut s = r.stream();
    if let Some(v) = vault {
        s.set_vault(v.clone());
    }
    let mut out = vec![];
    let mut rest = input;
    for &n in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let n = n.clamp(1, rest.len());
        s.feed(&rest[..n], &mut out);
        rest = &rest[n..];
    }
    s.finish(&mut out);
    out
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tokens_restore_exactly(
        picks in proptest::collection::vec((0usize..1000, 0u64..1000, 0usize..100), 1..6),
        sizes in proptest::collection::vec(1usize..50, 1..4),
    ) {
        let input = text(&picks);
        let r = redactor("token");
        let once = r.redact(&input).output;
        prop_assert_eq!(show(&stream(r, None, &input, &sizes)), show(&once), "chunking");
        let mut d = Detokenizer::new(Key::new(KEY.as_bytes()).unwrap());
        let mut back = vec![];
        for chunk in once.chunks(sizes[0]) {
            d.feed(chunk, &mut back).unwrap();
        }
        d.finish(&mut back).unwrap();
        prop_assert_eq!(show(&back), show(&input), "redacted: {}", show(&once));
    }

    #[test]
    fn placeholders_restore_exactly(
        picks in proptest::collection::vec((0usize..1000, 0u64..1000, 0usize..100), 1..6),
        sizes in proptest::collection::vec(1usize..50, 1..4),
    ) {
        let input = text(&picks);
        let r = redactor("placeholder");
        let vault = Vault::default();
        let once = stream(r, Some(&vault), &input, &[usize::MAX]);
        let other = Vault::default();
        prop_assert_eq!(show(&stream(r, Some(&other), &input, &sizes)), show(&once), "chunking");
        let mut restorer = vault.restorer();
        let mut back = vec![];
        for chunk in once.chunks(sizes[0]) {
            restorer.feed(chunk, &mut back);
        }
        restorer.finish(&mut back);
        prop_assert_eq!(show(&back), show(&input), "redacted: {}", show(&once));
    }
}

/// The glued cases found by hand: a token that swallowed its neighbour's separator, an e-mail
/// local part holding two credentials, placeholders with nothing between them.
#[test]
fn glued_values_from_the_field_restore_exactly() {
    let cases: &[&str] = &[
        "secrets.slack_token=https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx",
        "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789.AKIAQ3EGRZ4XWMJ7VN2K.u780@example.org",
        "alice@example.com10.1.2.3+1 415 555 0132AKIAQ3EGRZ4XWMJ7VN2K",
    ];
    for input in cases {
        let r = redactor("token");
        let once = r.redact(input.as_bytes()).output;
        let back = blackbar::token::detokenize(&Key::new(KEY.as_bytes()).unwrap(), &once).unwrap();
        assert_eq!(show(&back), *input, "{}", show(&once));
        let r = redactor("placeholder");
        let vault = Vault::default();
        let once = stream(r, Some(&vault), input.as_bytes(), &[usize::MAX]);
        let mut restorer = vault.restorer();
        let mut back = vec![];
        restorer.feed(&once, &mut back);
        restorer.finish(&mut back);
        assert_eq!(show(&back), *input, "{}", show(&once));
    }
}
