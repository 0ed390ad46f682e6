//! Hyperscan against the pure-Rust engine: arbitrary bytes, arbitrary chunking, the Hyperscan
//! stream's output and findings must equal the Rust engine's one-shot redaction. The first
//! byte picks the chunk sizes, so a crash file is a complete reproduction:
//! `cargo fuzz run engine_diff ARTIFACT` (needs `libhyperscan-dev`).
#![no_main]

use std::sync::OnceLock;

use blackbar::engine::EngineKind;
use blackbar::Redactor;
use libfuzzer_sys::fuzz_target;

fn engines() -> &'static (Redactor, Redactor) {
    static S: OnceLock<(Redactor, Redactor)> = OnceLock::new();
    S.get_or_init(|| {
        let build = |k| Redactor::builder().engine(k).build().unwrap();
        (build(EngineKind::Hyperscan), build(EngineKind::Rust))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, input)) = data.split_first() else {
        return;
    };
    let (hs, rust) = engines();
    assert_eq!(hs.detect(input), rust.detect(input));
    let want = rust.redact(input);
    let mut s = hs.stream();
    let mut out = vec![];
    let mut rest = input;
    let mut k = u32::from(seed);
    while !rest.is_empty() {
        k = k.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = (1 + (k >> 16) as usize % 97).min(rest.len());
        s.feed(&rest[..n], &mut out);
        rest = &rest[n..];
    }
    s.finish(&mut out);
    assert_eq!(out, want.output);
    // Findings with the same span may come out in another order when streamed (as in
    // `stream_chunking`); the set must be the same.
    let sorted = |mut v: Vec<blackbar::Finding>| {
        v.sort_by(|a, b| {
            (a.span.start, a.span.end, a.rule).cmp(&(b.span.start, b.span.end, b.rule))
        });
        v
    };
    assert_eq!(sorted(s.take_findings()), sorted(want.findings));
});
