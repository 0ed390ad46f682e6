//! The decoders' stage: input plus its base64 and percent encodings, chunking-invariant.
//! The invariant is checked in `blackbar::testkit::fuzz::decode_stream`; the first byte is a seed,
//! so a crash file is a complete reproduction: `cargo fuzz run decode_stream ARTIFACT`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blackbar::testkit::fuzz::decode_stream(data));
