//! Every committed fuzz seed and regression input (`fuzz/corpus/TARGET/`) through its
//! target's invariant, on the stable toolchain: the seeds stay valid inputs, and an input
//! that once crashed a target stays fixed. The fuzzers themselves run in CI (`.ci/fuzz`).

use std::path::Path;

use blackbar::testkit::fuzz;

fn each_seed(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let run = std::panic::catch_unwind(|| check(&data));
        assert!(run.is_ok(), "{target}: seed {} fails", path.display());
        n += 1;
    }
    assert!(n > 0, "{target} has no seeds in {}", dir.display());
}

#[test]
fn decode_stream() {
    each_seed("decode_stream", fuzz::decode_stream);
}

#[test]
fn parallel() {
    each_seed("parallel", fuzz::parallel);
}

#[test]
fn rules_toml() {
    each_seed("rules_toml", fuzz::rules_toml);
}

#[cfg(feature = "proxy")]
#[test]
fn sse() {
    each_seed("sse", fuzz::sse);
}

#[cfg(feature = "proxy")]
#[test]
fn request_body() {
    each_seed("request_body", fuzz::request_body);
}

#[cfg(feature = "proxy")]
#[test]
fn restorer() {
    each_seed("restorer", fuzz::restorer);
}

#[cfg(feature = "otlp")]
#[test]
fn otlp() {
    each_seed("otlp", fuzz::otlp);
}

#[test]
fn kafka_record() {
    each_seed("kafka_record", fuzz::kafka_record);
}
