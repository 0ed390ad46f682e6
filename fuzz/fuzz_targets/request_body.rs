//! Proxy request bodies: valid JSON in, valid JSON out, placeholders restore the same value.
//! The invariant is checked in `blackbar::testkit::fuzz::request_body`; the first byte is a seed,
//! so a crash file is a complete reproduction: `cargo fuzz run request_body ARTIFACT`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blackbar::testkit::fuzz::request_body(data));
