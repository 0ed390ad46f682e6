//! Server-sent events in any chunking: the same events and errors as one-shot parsing.
//! The invariant is checked in `blackbar::testkit::fuzz::sse`; the first byte is a seed,
//! so a crash file is a complete reproduction: `cargo fuzz run sse ARTIFACT`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blackbar::testkit::fuzz::sse(data));
