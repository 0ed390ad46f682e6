//! The fast path against the reference: the engine's detections equal every rule's regex run
//! over the whole input (the prefilter contract), and the stream's output and findings equal
//! one-shot whole-input redaction for any chunking of any input.

use std::sync::OnceLock;

use blackbar::testkit::reference::{self, Reference};
use blackbar::EngineKind;
use blackbar::{Policy, Redactor};
use proptest::prelude::*;

/// Every test redactor, once per engine compiled in: the default catalog, every action kind
/// (drop included), an allowlist, and the engine edge rules; and the default catalog and the edge rules
/// again with eager release (every settled byte written at once, as the proxy's answers are).
fn all() -> &'static [Redactor] {
    static R: OnceLock<Vec<Redactor>> = OnceLock::new();
    R.get_or_init(|| {
        EngineKind::compiled()
            .iter()
            .flat_map(|&k| {
                [
                    default(k),
                    mixed(k),
                    allowing(k),
                    edges(k),
                    secrets(k),
                    eager(Redactor::builder().engine(k)),
                    eager(edges_builder(k)),
                ]
            })
            .collect()
    })
}

fn eager(builder: blackbar::RedactorBuilder) -> Redactor {
    builder.release_eagerly(true).build().unwrap()
}

fn default(kind: EngineKind) -> Redactor {
    Redactor::builder().engine(kind).build().unwrap()
}

/// The catalog without its PII rules: every remaining rule has keywords, so the prefilter runs
/// the keyword automaton alone (the other redactors run it together with the whole-pattern
/// lazy DFA, or, on Hyperscan, the lazy DFA alone).
fn secrets(kind: EngineKind) -> Redactor {
    Redactor::builder()
        .engine(kind)
        .disable("pii")
        .build()
        .unwrap()
}

const ENGINE_RULES: &str = include_str!("data/engine-rules.toml");

/// Rules written to stress the engine: late keywords, context, overlaps, a multi-line rule,
/// and a literal canary list.
fn edges(kind: EngineKind) -> Redactor {
    edges_builder(kind).build().unwrap()
}

fn edges_builder(kind: EngineKind) -> blackbar::RedactorBuilder {
    Redactor::builder()
        .engine(kind)
        .without_default_catalog()
        .rule_source("tests/data/engine-rules.toml", ENGINE_RULES)
        .canaries(
            "test",
            vec![
                b"CANARY-0001-ZZ".to_vec(),
                b"CANARY-0001".to_vec(),
                b"s3cr3t-decoy".to_vec(),
            ],
        )
}

/// The reference for one of the redactors above, compiled once.
fn reference_of(r: &Redactor) -> &'static Reference {
    static DEFAULT: OnceLock<Reference> = OnceLock::new();
    static EDGES: OnceLock<Reference> = OnceLock::new();
    static SECRETS: OnceLock<Reference> = OnceLock::new();
    if r.rules().get("ssn-bare").is_some() {
        EDGES.get_or_init(|| Reference::new(r.rules()))
    } else if r.rules().get("email").is_none() {
        SECRETS.get_or_init(|| Reference::new(r.rules()))
    } else {
        DEFAULT.get_or_init(|| Reference::new(r.rules()))
    }
}

/// A redactor with every action kind in play, including drop.
fn mixed(kind: EngineKind) -> Redactor {
    let mut p = Policy::default();
    p.set_action_str("pii=mask:keep-separators").unwrap();
    p.set_action_str("secret=hash").unwrap();
    if default(kind).rules().get("ipv4").is_some() {
        p.set_action_str("ipv4=drop").unwrap();
    }
    Redactor::builder()
        .engine(kind)
        .policy(p)
        .key(blackbar::Key::new(b"0123456789abcdef-test").unwrap())
        .build()
        .unwrap()
}

/// The default catalog with an allowlist that allows about half of the findings, so that
/// allowed and redacted values overlap and touch: PII values ending in an even digit or a
/// vowel, and secrets of at most 24 bytes.
fn allowing(kind: EngineKind) -> Redactor {
    let allow = blackbar::Allowlist::from_toml(
        r#"
[[allow]]
categories = ["pii"]
regexes = ['(?s).*[02468aeiou]']

[[allow]]
categories = ["secret"]
regexes = ['(?s).{0,24}']
"#,
        "allowing",
    )
    .unwrap();
    let mut p = Policy::default();
    p.add_allowlist(allow);
    Redactor::builder().engine(kind).policy(p).build().unwrap()
}

/// Text pieces that make findings likely: every example and counterexample of the catalog,
/// near misses, separators, invalid UTF-8 and NUL.
fn vocabulary() -> &'static Vec<Vec<u8>> {
    static V: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    V.get_or_init(|| {
        let mut v: Vec<Vec<u8>> = vec![];
        for r in all().iter().flat_map(|r| r.rules().rules()) {
            for e in r.examples().iter().chain(r.counterexamples()) {
                v.push(e.as_bytes().to_vec());
                // Truncated and split variants exercise partial matches at window edges.
                let b = e.as_bytes();
                v.push(b[..b.len() / 2].to_vec());
                v.push(b[b.len() / 2..].to_vec());
            }
        }
        for s in [
            " ",
            " ",
            "\n",
            "\n",
            "\t",
            "@",
            ":",
            "-",
            ".",
            "=",
            "\"",
            "'",
            "/",
            "0",
            "12",
            "4111",
            "password=",
            "user@",
            "://",
            "-----BEGIN",
            "-----END",
            "PRIVATE KEY-----",
            "\r\n",
            "the quick brown fox ",
            "2024-01-15T10:23:45.123Z ",
            "id=550e8400-e29b-41d4-a716-446655440000 ",
            "CANARY-0001",
            "-ZZ",
            "s3cr3t-decoy",
            "ssn ",
            "account ",
            "call ",
            " (415) ",
            "555-0132",
        ] {
            v.push(s.as_bytes().to_vec());
        }
        v.push(vec![0xFF, 0xFE]);
        v.push(vec![0x00]);
        v.push(vec![0xC3]);
        v.push("é€".as_bytes().to_vec());
        v
    })
}

fn build(indices: &[usize]) -> Vec<u8> {
    let v = vocabulary();
    indices
        .iter()
        .flat_map(|&i| v[i % v.len()].clone())
        .collect()
}

/// A redaction's output and findings, from a stream or one call.
struct Run {
    output: Vec<u8>,
    findings: Vec<blackbar::Finding>,
}

impl From<blackbar::Redacted> for Run {
    fn from(r: blackbar::Redacted) -> Run {
        Run {
            output: r.output,
            findings: r.findings,
        }
    }
}

/// Feeds `input` in chunks whose sizes cycle through `sizes`.
fn stream(r: &Redactor, input: &[u8], sizes: &[usize]) -> Run {
    let mut s = r.stream();
    let mut output = vec![];
    let mut rest = input;
    let mut k = 0;
    while !rest.is_empty() {
        let n = sizes[k % sizes.len()].clamp(1, rest.len());
        s.feed(&rest[..n], &mut output);
        rest = &rest[n..];
        k += 1;
    }
    s.finish(&mut output);
    Run {
        output,
        findings: s.take_findings(),
    }
}

fn assert_same(input: &[u8], got: &Run, want: &Run) {
    assert!(
        got.output == want.output,
        "output differs\ninput: {:?}\n  got: {:?}\n want: {:?}",
        String::from_utf8_lossy(input),
        String::from_utf8_lossy(&got.output),
        String::from_utf8_lossy(&want.output)
    );
    let key = |f: &blackbar::Finding| (f.span.start, f.span.end, f.rule, f.action.as_str(), f.line);
    let mut g: Vec<_> = got.findings.iter().map(key).collect();
    let mut w: Vec<_> = want.findings.iter().map(key).collect();
    g.sort();
    w.sort();
    assert_eq!(
        g,
        w,
        "findings differ for input {:?}",
        String::from_utf8_lossy(input)
    );
}

proptest! {
    // The full count in optimised builds (CI's `ci` profile); a quarter in a debug `cargo test`.
    #![proptest_config(ProptestConfig {
        cases: if cfg!(debug_assertions) { 24 } else { 96 },
        ..ProptestConfig::default()
    })]

    #[test]
    fn engine_finds_exactly_what_the_reference_finds(idx in prop::collection::vec(any::<usize>(), 0..60)) {
        let input = build(&idx);
        for r in all() {
            let got = r.detect(&input);
            let want = reference_of(r).detect(&input);
            prop_assert_eq!(got, want, "input {:?}", String::from_utf8_lossy(&input));
        }
    }

    #[test]
    fn any_chunking_gives_the_one_shot_output(
        idx in prop::collection::vec(any::<usize>(), 0..60),
        sizes in prop::collection::vec(1usize..300, 1..8),
    ) {
        let input = build(&idx);
        for r in all() {
            let want = Run::from(reference::redact(reference_of(r), r, &input));
            assert_same(&input, &Run::from(r.redact(&input)), &want);
            assert_same(&input, &stream(r, &input, &sizes), &want);
            for fixed in [1, 2, 3, 7, 64, 4096] {
                assert_same(&input, &stream(r, &input, &[fixed]), &want);
            }
        }
    }
}

/// Random bytes, not just the vocabulary: nothing panics and chunking still does not matter.
#[test]
fn random_bytes_any_chunking() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..64 {
        let len = (next() % 3000) as usize;
        let input: Vec<u8> = (0..len)
            .map(|_| match next() % 8 {
                0 => b'\n',
                1 => b"0123456789"[(next() % 10) as usize],
                2 => b" .-@:_/="[(next() % 8) as usize],
                _ => (next() % 256) as u8,
            })
            .collect();
        for r in all() {
            let want = Run::from(reference::redact(reference_of(r), r, &input));
            for sizes in [&[1usize][..], &[5, 1, 77], &[4096]] {
                assert_same(&input, &stream(r, &input, sizes), &want);
            }
        }
    }
}

/// A long one-shot pass is walked in two lanes that meet in its middle (the engine's
/// `prefilter::Split`); short streamed passes are walked in one. Every rule's examples, moved
/// byte by byte across the middle of a 4.4 KB input, give the same findings and output both
/// ways, and the naive reference agrees where it is checked.
#[test]
fn long_passes_in_two_lanes_find_what_short_passes_find() {
    let line =
        b"2024-01-15T10:23:45.123Z INFO the quick brown fox id=550e8400-e29b-41d4 status=200\n";
    let filler: Vec<u8> = line.iter().copied().cycle().take(4400).collect();
    let mid = filler.len() / 2;
    // The default catalog splits the lazy DFA's walk with Hyperscan; without PII rules, the
    // Rust engine splits the keyword automaton's.
    for r in EngineKind::compiled()
        .iter()
        .flat_map(|&k| [default(k), secrets(k)])
    {
        let examples: Vec<&str> = r
            .rules()
            .rules()
            .iter()
            .flat_map(|rule| rule.examples().first())
            .map(String::as_str)
            .collect();
        let mut found = 0;
        for (k, e) in examples.iter().enumerate() {
            // The lanes meet `reach / 2` bytes before the middle, at most 80 bytes away; each
            // example crosses a different part of that stretch.
            for pos in (mid - 120 + k % 11..mid + 40).step_by(11) {
                let mut input = filler[..pos].to_vec();
                input.extend_from_slice(e.as_bytes());
                input.extend_from_slice(&filler[pos..]);
                let one = Run::from(r.redact(&input));
                found += one.findings.len();
                assert_same(&input, &stream(&r, &input, &[1000]), &one);
                if k % 3 == 0 && pos % 2 == 0 {
                    let want = Run::from(reference::redact(reference_of(&r), &r, &input));
                    assert_same(&input, &one, &want);
                }
            }
        }
        assert!(found > examples.len() * 10, "only {found} findings");
    }
}
