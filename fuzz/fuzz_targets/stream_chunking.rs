//! Arbitrary bytes, arbitrary chunking: the stream's output and findings must equal the
//! reference's whole-input redaction. The first byte picks the chunk sizes, so a crash file
//! is a complete reproduction: `cargo fuzz run stream_chunking ARTIFACT`.
#![no_main]

use std::sync::OnceLock;

use blackbar::testkit::reference::{self, Reference};
use blackbar::Redactor;
use libfuzzer_sys::fuzz_target;

mod chunked;

fn setup() -> &'static (Redactor, Reference) {
    static S: OnceLock<(Redactor, Reference)> = OnceLock::new();
    S.get_or_init(|| {
        let r = Redactor::builder().build().unwrap();
        let reference = Reference::new(r.rules());
        (r, reference)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, input)) = data.split_first() else {
        return;
    };
    let (r, reference) = setup();
    let want = reference::redact(reference, r, input);
    let (out, got) = chunked::stream(r, seed, input);
    assert_eq!(out, want.output);
    assert_eq!(chunked::sorted(got), chunked::sorted(want.findings));
});
