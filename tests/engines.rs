//! The two engines against each other: Hyperscan and the pure-Rust engine must give the same
//! findings and the same output, on the corpora and on random inputs, one-shot and streamed.
//! (Each engine is also checked against the naive reference in `tests/reference.rs`.)
#![cfg(feature = "hyperscan")]

mod support;

use std::sync::OnceLock;

use blackbar::EngineKind;
use blackbar::{Policy, Redactor};
use proptest::prelude::*;
use support::XorShift;

fn pair() -> &'static [Redactor; 2] {
    static R: OnceLock<[Redactor; 2]> = OnceLock::new();
    R.get_or_init(|| {
        let build = |kind| {
            let mut p = Policy::default();
            p.set_action_str("pii=mask:keep-separators").unwrap();
            p.set_action_str("secret=hash").unwrap();
            let r = Redactor::builder()
                .engine(kind)
                .policy(p)
                .key(blackbar::Key::new(b"0123456789abcdef-test").unwrap())
                .build()
                .unwrap();
            assert_eq!(r.engine_kind(), kind);
            r
        };
        [build(EngineKind::Hyperscan), build(EngineKind::Rust)]
    })
}

fn same_everywhere(input: &[u8], sizes: &[usize]) {
    let [hs, rust] = pair();
    let what = || String::from_utf8_lossy(&input[..input.len().min(200)]).into_owned();
    assert_eq!(
        hs.detect(input),
        rust.detect(input),
        "detections differ: {}",
        what()
    );
    let want = rust.redact(input);
    let got = hs.redact(input);
    assert!(got.output == want.output, "outputs differ: {}", what());
    assert_eq!(got.findings, want.findings, "findings differ: {}", what());
    let mut stream = hs.stream();
    let mut out = vec![];
    let mut at = 0;
    for &n in sizes.iter().cycle() {
        if at == input.len() {
            break;
        }
        let end = (at + n.max(1)).min(input.len());
        stream.feed(&input[at..end], &mut out);
        at = end;
    }
    stream.finish(&mut out);
    assert!(
        out == want.output,
        "streamed Hyperscan output differs from one-shot Rust: {}",
        what()
    );
}

#[test]
fn corpora_give_identical_results() {
    for name in [
        "corpora/sample.log",
        "corpora/logs-sprinkled.log",
        "corpora/logs-clean.log",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
        let input = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        same_everywhere(&input, &[65536]);
        same_everywhere(&input[..input.len().min(200_000)], &[1, 4093, 17]);
    }
}

#[test]
fn every_rule_example_gives_identical_results() {
    let [_, rust] = pair();
    for rule in rust.rules().rules() {
        for ex in rule.examples().iter().chain(rule.counterexamples()) {
            same_everywhere(ex.as_bytes(), &[1]);
        }
    }
}

/// Random text built from catalog examples, separators, digits and raw bytes.
fn random_input(rng: &mut XorShift) -> Vec<u8> {
    let [_, rust] = pair();
    let rules = rust.rules().rules();
    let len = rng.below(40);
    let mut out = vec![];
    for _ in 0..len {
        match rng.below(6) {
            0 => {
                let r = &rules[rng.below(rules.len())];
                let ex = &r.examples()[rng.below(r.examples().len())];
                // Whole, or cut anywhere, so a prefilter hit can straddle a chunk edge.
                let b = ex.as_bytes();
                let (i, j) = (rng.below(b.len() + 1), rng.below(b.len() + 1));
                out.extend_from_slice(&b[i.min(j)..i.max(j)]);
                if rng.below(2) == 0 {
                    out.extend_from_slice(b);
                }
            }
            1 => out.push(b"\n \t.-:@/=\"'"[rng.below(11)]),
            2 => out.extend((0..rng.below(20)).map(|_| b'0' + rng.below(10) as u8)),
            3 => out.extend((0..rng.below(8)).map(|_| rng.below(256) as u8)),
            _ => out.extend_from_slice(b"key token secret password AKIA ghp_ xoxb- sk_live_ "),
        }
    }
    out
}

#[test]
fn random_inputs_give_identical_results() {
    let mut rng = XorShift(0xB1AC_CBA2);
    for _ in 0..300 {
        let input = random_input(&mut rng);
        let sizes = [1 + rng.below(300), 1 + rng.below(7)];
        same_everywhere(&input, &sizes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_give_identical_results(
        input in prop::collection::vec(any::<u8>(), 0..2000),
        size in 1usize..500,
    ) {
        same_everywhere(&input, &[size]);
    }
}
