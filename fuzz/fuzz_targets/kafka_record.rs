//! Kafka record values through the connector's record path: deterministic, JSON stays JSON,
//! text is the one-shot redaction, a planted key never comes out raw. The invariant is
//! checked in `blackbar::testkit::fuzz::kafka_record`; the first byte is a seed (format and
//! policy), so a crash file is a complete reproduction: `cargo fuzz run kafka_record ARTIFACT`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blackbar::testkit::fuzz::kafka_record(data));
