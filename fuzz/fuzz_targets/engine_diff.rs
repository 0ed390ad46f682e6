//! Hyperscan against the pure-Rust engine: arbitrary bytes, arbitrary chunking, the Hyperscan
//! stream's output and findings must equal the Rust engine's one-shot redaction. The first
//! byte picks the chunk sizes, so a crash file is a complete reproduction:
//! `cargo fuzz run engine_diff ARTIFACT` (needs `libhyperscan-dev`).
#![no_main]

use std::sync::OnceLock;

use blackbar::EngineKind;
use blackbar::Redactor;
use libfuzzer_sys::fuzz_target;

mod chunked;

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
    let (out, got) = chunked::stream(hs, seed, input);
    assert_eq!(out, want.output);
    assert_eq!(chunked::sorted(got), chunked::sorted(want.findings));
});
