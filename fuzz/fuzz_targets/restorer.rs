//! The placeholder restorer: redacted text restored in any chunking is the original.
//! The invariant is checked in `blackbar::testkit::fuzz::restorer`; the first byte is a seed,
//! so a crash file is a complete reproduction: `cargo fuzz run restorer ARTIFACT`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blackbar::testkit::fuzz::restorer(data));
