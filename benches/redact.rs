//! Throughput of the default catalog over synthetic logs.
//!
//! The corpora are the committed `corpora/logs-clean.log` and `corpora/logs-sprinkled.log`
//! (1 MiB each, seed 1; see `corpora/README.md`). The bench regenerates them in memory with
//! the same generator (`corpora/gen.rs`) and refuses to run if the files drifted from it, so
//! the numbers always describe the corpus the README says they do.
//!
//! Only our code is timed: corpora are loaded and the `Redactor` is built before any
//! measurement. Before timing, each corpus's acted-on findings (action other than `none`) are
//! counted and asserted, so a change that gets faster by finding less fails here instead of
//! looking like a win.
//!
//! ```text
//! cargo bench --bench redact -- --warm-up-time 1 --measurement-time 3
//! cargo bench --features hyperscan --bench redact -- --warm-up-time 1 --measurement-time 3
//! ```

use blackbar::ActionKind;
use blackbar::EngineKind;
use blackbar::{Finding, Redactor};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};

#[allow(dead_code, unused_imports)] // `main`, the CLI and the unit tests are the example's.
#[path = "../corpora/gen.rs"]
mod gen;

const SEED: u64 = 1;
const SIZE: usize = 1 << 20;
const STREAM_CHUNK: usize = 64 * 1024;

/// Acted-on findings the default catalog must report on `logs-sprinkled.log`. The generator
/// inserts `gen::generate(1, 1 MiB, Sprinkled).inserted.len()` values (251); when this
/// constant and that count differ, the reason is written here.
const SPRINKLED_FINDINGS: usize = 251;

fn corpus(kind: gen::Kind, file: &str) -> gen::Corpus {
    let corpus = gen::generate(SEED, SIZE, kind);
    let path = format!("{}/corpora/{file}", env!("CARGO_MANIFEST_DIR"));
    let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    assert!(
        committed == corpus.bytes,
        "{path} differs from what corpora/gen.rs generates (seed {SEED}, {SIZE} bytes); \
         regenerate it with the command in corpora/README.md"
    );
    corpus
}

fn acted_on(findings: &[Finding]) -> usize {
    findings
        .iter()
        .filter(|f| f.action != ActionKind::None)
        .count()
}

fn describe(findings: &[Finding]) -> String {
    let mut by_rule = std::collections::BTreeMap::<&str, usize>::new();
    for f in findings.iter().filter(|f| f.action != ActionKind::None) {
        *by_rule.entry(&f.rule_id).or_default() += 1;
    }
    format!("{by_rule:?}")
}

/// A clean 174-byte log record, about what a fmt layer writes for a small event.
const RECORD: &[u8] =
    b"2026-11-21T10:42:13.123456Z  INFO checkout::orders: order lookup finished for the \
checkout service with no errors reported request_id=48213 route=\"/api/v1/orders\" status=200\n";

fn stream(redactor: &Redactor, input: &[u8], out: &mut Vec<u8>) -> Vec<Finding> {
    let mut s = redactor.stream();
    for chunk in input.chunks(STREAM_CHUNK) {
        s.feed(chunk, out);
    }
    s.finish(out);
    s.take_findings()
}

fn benches(c: &mut Criterion) {
    let clean = corpus(gen::Kind::Clean, "logs-clean.log");
    let sprinkled = corpus(gen::Kind::Sprinkled, "logs-sprinkled.log");
    // The same benches for every engine compiled in (`--features hyperscan` adds Hyperscan).
    for &kind in EngineKind::compiled() {
        engine_benches(c, kind, &clean, &sprinkled);
    }
}

fn engine_benches(
    c: &mut Criterion,
    kind: EngineKind,
    clean: &gen::Corpus,
    sprinkled: &gen::Corpus,
) {
    let build = || {
        Redactor::builder()
            .engine(kind)
            .build()
            .expect("default catalog loads")
    };
    let redactor = build();
    let engine = kind.name();

    let found = redactor.redact(&clean.bytes).findings;
    assert_eq!(
        acted_on(&found),
        0,
        "{engine}: the default catalog acts on the clean corpus: {}",
        describe(&found)
    );
    let found = redactor.redact(&sprinkled.bytes).findings;
    eprintln!(
        "{engine}: sprinkled corpus: {} values inserted by the generator, {} acted-on findings",
        sprinkled.inserted.len(),
        acted_on(&found)
    );
    assert_eq!(
        acted_on(&found),
        SPRINKLED_FINDINGS,
        "{engine}: acted-on findings in the sprinkled corpus: {}",
        describe(&found)
    );
    let mut out = Vec::with_capacity(SIZE * 2);
    assert_eq!(
        acted_on(&stream(&redactor, &sprinkled.bytes, &mut out)),
        SPRINKLED_FINDINGS,
        "{engine}: streaming in {STREAM_CHUNK}-byte chunks finds what one-shot redaction finds"
    );

    let mut g = c.benchmark_group(format!("redact/{engine}"));
    g.throughput(Throughput::Bytes(SIZE as u64));
    g.bench_function("clean", |b| {
        b.iter(|| redactor.redact(black_box(&clean.bytes)))
    });
    g.bench_function("sprinkled", |b| {
        b.iter(|| redactor.redact(black_box(&sprinkled.bytes)))
    });
    g.finish();

    let mut g = c.benchmark_group(format!("stream/{engine}"));
    g.throughput(Throughput::Bytes(SIZE as u64));
    g.bench_function("sprinkled-64k", |b| {
        b.iter_batched_ref(
            || Vec::with_capacity(SIZE * 2),
            |out| stream(&redactor, black_box(&sprinkled.bytes), out),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    // One short record at a time with a reused scratch: what the tracing writer and the proxy
    // do per log record or JSON string.
    let mut g = c.benchmark_group(format!("record/{engine}"));
    g.throughput(Throughput::Bytes(RECORD.len() as u64));
    let mut scratch = redactor.stream();
    let mut out = Vec::with_capacity(RECORD.len() * 2);
    redactor.redact_with(&mut scratch, RECORD, &mut out);
    assert_eq!(out, RECORD, "{engine}: the clean record is left alone");
    g.bench_function("clean-174b", |b| {
        b.iter(|| {
            out.clear();
            redactor.redact_with(&mut scratch, black_box(RECORD), &mut out)
        })
    });
    g.finish();

    c.bench_function(&format!("startup/{engine}"), |b| b.iter(build));
}

criterion_group!(redact, benches);
criterion_main!(redact);
