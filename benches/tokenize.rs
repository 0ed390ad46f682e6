//! Keyed actions: values per second for `token`, `hash` and `placeholder`, and the filter's
//! throughput over `corpora/logs-sprinkled.log` (1 MiB, seed 1; see `corpora/README.md`) with
//! every finding tokenized compared with labelled.
//!
//! Only our code is timed: keys, redactors and inputs are made before any measurement. Before
//! timing, the tokenized run must act on exactly as many findings as the labelled run and
//! restore to the original corpus, so a change that gets faster by tokenizing less (or
//! wrongly) fails here instead of looking like a win.
//!
//! ```text
//! cargo bench --bench tokenize -- --warm-up-time 1 --measurement-time 3
//! ```

use blackbar::placeholder::{Vault, VaultConfig};
use blackbar::token::{detokenize, tokenize};
use blackbar::ActionKind;
use blackbar::{Key, Policy, Redactor};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const KEY: &[u8] = b"bbkey1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

/// 1,000 distinct email-sized values.
fn values() -> Vec<Vec<u8>> {
    (0..1000)
        .map(|i| format!("user{i:04}.name@example{}.com", i % 7).into_bytes())
        .collect()
}

fn primitives(c: &mut Criterion) {
    let key = Key::new(KEY).unwrap();
    let values = values();
    let mut g = c.benchmark_group("action");
    g.throughput(Throughput::Elements(values.len() as u64));
    g.bench_function("token", |b| {
        b.iter(|| {
            for v in &values {
                black_box(tokenize(&key, "EMAIL", v));
            }
        })
    });
    let tokens: String = values
        .iter()
        .map(|v| tokenize(&key, "EMAIL", v).unwrap() + "\n")
        .collect();
    g.bench_function("detokenize", |b| {
        b.iter(|| black_box(detokenize(&key, tokens.as_bytes()).unwrap()))
    });
    g.bench_function("hash", |b| {
        b.iter(|| {
            for v in &values {
                black_box(key.pseudonyms("EMAIL", v));
            }
        })
    });
    g.bench_function("placeholder", |b| {
        // A fresh vault each round, so half the lookups are new values and half repeats.
        b.iter(|| {
            let vault = Vault::new(VaultConfig::default());
            for v in values.iter().chain(&values) {
                black_box(vault.placeholder("EMAIL", v));
            }
        })
    });
    g.finish();
}

fn redactor(action: &str) -> Redactor {
    let mut p = Policy::default();
    p.set_action_str(&format!("pii={action}")).unwrap();
    p.set_action_str(&format!("secret={action}")).unwrap();
    Redactor::builder()
        .policy(p)
        .key(Key::new(KEY).unwrap())
        .build()
        .unwrap()
}

fn filter(c: &mut Criterion) {
    let path = format!("{}/corpora/logs-sprinkled.log", env!("CARGO_MANIFEST_DIR"));
    let corpus = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let acted = |r: &Redactor| {
        let out = r.redact(&corpus);
        let n = out
            .findings
            .iter()
            .filter(|f| f.action != ActionKind::None)
            .count();
        (n, out.output)
    };
    let (labelled, _) = acted(&redactor("label"));
    let token = redactor("token");
    let (tokenized, output) = acted(&token);
    assert_eq!(
        tokenized, labelled,
        "tokenizing must act on the same findings"
    );
    assert_eq!(
        detokenize(&Key::new(KEY).unwrap(), &output).unwrap(),
        corpus,
        "the tokenized corpus must restore exactly"
    );
    let mut g = c.benchmark_group("filter-sprinkled");
    g.throughput(Throughput::Bytes(corpus.len() as u64));
    for action in ["label", "token", "hash", "placeholder"] {
        let r = redactor(action);
        g.bench_function(action, |b| b.iter(|| black_box(r.redact(&corpus))));
    }
    g.bench_function("detokenize", |b| {
        let key = Key::new(KEY).unwrap();
        b.iter(|| black_box(detokenize(&key, &output).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, primitives, filter);
criterion_main!(benches);
