//! Rule and policy files: loading never panics, loaded rules are bounded and consistent.
//! The invariant is checked in `blackbar::testkit::fuzz::rules_toml`; the first byte is a seed,
//! so a crash file is a complete reproduction: `cargo fuzz run rules_toml ARTIFACT`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blackbar::testkit::fuzz::rules_toml(data));
