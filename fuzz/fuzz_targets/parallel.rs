//! The ordered parallel pipeline: any threads and chunk size give one stream's output.
//! The invariant is checked in `blackbar::testkit::fuzz::parallel`; the first byte is a seed,
//! so a crash file is a complete reproduction: `cargo fuzz run parallel ARTIFACT`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blackbar::testkit::fuzz::parallel(data));
