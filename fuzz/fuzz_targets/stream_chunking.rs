//! Arbitrary bytes, arbitrary chunking: the stream's output and findings must equal the
//! reference's whole-input redaction. The first byte picks the chunk sizes, so a crash file
//! is a complete reproduction: `cargo fuzz run stream_chunking ARTIFACT`.
#![no_main]

use std::sync::OnceLock;

use blackbar::engine::reference::{self, Reference};
use blackbar::Redactor;
use libfuzzer_sys::fuzz_target;

fn setup() -> &'static (Redactor, Reference) {
    static S: OnceLock<(Redactor, Reference)> = OnceLock::new();
    S.get_or_init(|| {
        let r = Redactor::builder().build().unwrap();
        let reference = Reference::new(r.rules());
        (r, reference)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, input)) = data.split_first() else { return };
    let (r, reference) = setup();
    let want = reference::redact(reference, r, input);
    let mut s = r.stream();
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
    let key = |f: &blackbar::Finding| (f.span.clone(), f.rule, f.action.as_str());
    let mut got: Vec<_> = s.take_findings().iter().map(key).collect();
    let mut exp: Vec<_> = want.findings.iter().map(key).collect();
    got.sort_by_key(|x| (x.0.start, x.0.end, x.1));
    exp.sort_by_key(|x| (x.0.start, x.0.end, x.1));
    assert_eq!(got, exp);
});
