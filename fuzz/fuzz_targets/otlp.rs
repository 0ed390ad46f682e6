//! OTLP export requests: what the hop accepts, it accepts again after redaction.
//! The invariant is checked in `blackbar::testkit::fuzz::otlp`; the first byte is a seed,
//! so a crash file is a complete reproduction: `cargo fuzz run otlp ARTIFACT`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blackbar::testkit::fuzz::otlp(data));
