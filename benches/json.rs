//! JSON lines mode against text mode, on the same lines.
//!
//! The corpus is `gencorpus --kind json --seed 1 --bytes 1048576` (`corpora/gen.rs`),
//! generated in memory: app JSON, Docker `json-file`, Kubernetes structured logs, journald
//! `-o json` and Bunyan lines, with 250 synthetic values sprinkled in as string fields. Only
//! our code is timed: the corpus and the redactors are built first. Each configuration's
//! acted-on findings are counted and asserted before timing, so a faster-but-blind change
//! fails here instead of looking like a win.
//!
//! ```text
//! cargo bench --bench json -- --warm-up-time 1 --measurement-time 3
//! ```

use blackbar::json::{Format, JsonOptions, JsonRedactor, LineRedactor};
use blackbar::ActionKind;
use blackbar::Decoders;
use blackbar::{Finding, Redactor};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

#[allow(dead_code, unused_imports)] // `main`, the CLI and the unit tests are the example's.
#[path = "../corpora/gen.rs"]
mod gen;

const SEED: u64 = 1;
const SIZE: usize = 1 << 20;
const CHUNK: usize = 64 * 1024;
/// Values the generator inserts (`gen::generate(1, 1 MiB, Json).inserted.len()`).
const INSERTED: usize = 250;
/// Acted-on findings in every mode: one inserted password (`P+i6569K665E`) is below the
/// `generic-password` rule's gates in text mode too, so it is reported with action `none`.
const FOUND: usize = 249;

fn acted(findings: &[Finding]) -> usize {
    findings
        .iter()
        .filter(|f| f.action != ActionKind::None)
        .count()
}

fn text(redactor: &Redactor, input: &[u8]) -> (Vec<u8>, usize) {
    let mut s = redactor.stream();
    let mut out = Vec::with_capacity(input.len());
    for chunk in input.chunks(CHUNK) {
        s.feed(chunk, &mut out);
    }
    s.finish(&mut out);
    (out, acted(&s.take_findings()))
}

fn json(j: &JsonRedactor, input: &[u8]) -> (Vec<u8>, usize) {
    let mut l = LineRedactor::new(j.clone(), Format::Json);
    let mut out = Vec::with_capacity(input.len());
    for chunk in input.chunks(CHUNK) {
        l.feed(chunk, &mut out);
    }
    l.finish(&mut out);
    assert_eq!(l.stats().invalid, 0, "the corpus is valid JSON lines");
    (out, acted(&l.take_findings()))
}

fn benches(c: &mut Criterion) {
    let redactor = Redactor::builder().build().expect("default catalog loads");
    let plain = Redactor::builder()
        .decoders(Decoders::none())
        .build()
        .expect("default catalog loads");
    let corpus = gen::generate(SEED, SIZE, gen::Kind::Json);
    assert_eq!(corpus.inserted.len(), INSERTED);
    let input = &corpus.bytes;
    let with = JsonRedactor::new(redactor.clone(), JsonOptions::default());
    let without = JsonRedactor::new(plain.clone(), JsonOptions::default());

    // Every inserted value is found in every mode. JSON mode finds each once; text mode
    // too (the values are not escaped in the corpus).
    let (out, n) = json(&with, input);
    assert_eq!(n, FOUND, "json mode findings");
    let left = corpus
        .inserted
        .iter()
        .filter(|v| out.windows(v.value.len()).any(|w| w == v.value.as_bytes()))
        .count();
    assert_eq!(left, INSERTED - FOUND, "values left in json mode output");
    assert_eq!(json(&without, input).1, FOUND, "json mode, no decoders");
    assert_eq!(text(&plain, input).1, FOUND, "text mode");
    assert_eq!(text(&redactor, input).1, FOUND, "text mode with decoders");

    let mut g = c.benchmark_group("json-lines");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.sample_size(20);
    g.bench_function("text", |b| b.iter(|| black_box(text(&plain, input))));
    g.bench_function("text+decoders", |b| {
        b.iter(|| black_box(text(&redactor, input)))
    });
    g.bench_function("json", |b| b.iter(|| black_box(json(&with, input))));
    g.bench_function("json-no-decoders", |b| {
        b.iter(|| black_box(json(&without, input)))
    });
    g.finish();
}

criterion_group!(json_benches, benches);
criterion_main!(json_benches);
