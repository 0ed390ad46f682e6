//! Per-event cost of the tracing front end against a plain fmt subscriber, both writing to
//! `io::sink`: a clean event of about 200 formatted bytes and the same event carrying an
//! email. Only the logging call is timed: subscribers and redactors are built first. Before
//! timing, each redacting configuration's output is captured once and checked (the email
//! redacted, the clean record unchanged), so a faster-but-blind change fails here.
//!
//! The `tracing/added/*` benches time the added cost directly: each sample alternates
//! batches of [`BATCH`] events through the plain subscriber and through the redacting one and
//! reports the difference. On a shared host, other tenants slow this one down for seconds at a
//! time (by up to 1.8× here, plain fmt included): two benches run seconds apart can then
//! disagree by more than the cost being measured, while the batches of one sample are slowed
//! alike. Such a slowdown still scales the difference, so read it with the plain bench's
//! figure from the same run. A sample whose redacting batches came out faster counts as zero,
//! never as negative, so noise can only push the figure up.
//!
//! ```text
//! cargo bench --features tracing --bench tracing -- --warm-up-time 1 --measurement-time 3
//! cargo bench --features tracing --bench tracing -- added
//! ```

#[path = "../tests/support/events.rs"]
mod events;

use events::{clean_event, secret_event};
use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use blackbar::tracing::{RedactLayer, RedactingMakeWriter};
use blackbar::Redactor;
use criterion::{criterion_group, criterion_main, Criterion};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

struct CaptureWriter(Arc<Mutex<Vec<u8>>>);

impl Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = CaptureWriter;
    fn make_writer(&'a self) -> CaptureWriter {
        CaptureWriter(self.0.clone())
    }
}

/// Checks what a configuration writes before it is timed.
fn check(make: impl Fn(Capture) -> tracing::Dispatch) {
    let cap = Capture::default();
    let d = make(cap.clone());
    tracing::dispatcher::with_default(&d, || {
        clean_event();
        secret_event();
    });
    let out = String::from_utf8(cap.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        !out.contains("alice@example.com") && lines[1].contains("[EMAIL]"),
        "{out}"
    );
    assert!(lines[0].contains("order lookup finished"), "{out}");
    assert!(
        (150..260).contains(&lines[0].len()),
        "clean record is {} bytes",
        lines[0].len()
    );
}

fn bench(c: &mut Criterion) {
    let redactor = Redactor::builder().build().unwrap();
    let r = redactor.clone();
    check(move |cap| {
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(RedactingMakeWriter::new(r.clone(), cap))
            .into()
    });
    let r = redactor.clone();
    check(move |cap| {
        let fmt = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(cap);
        tracing_subscriber::registry()
            .with(RedactLayer::new(r.clone(), fmt))
            .into()
    });

    let configs: Vec<(&str, tracing::Dispatch)> = vec![
        (
            "plain-fmt",
            tracing_subscriber::fmt()
                .with_ansi(false)
                .with_writer(io::sink)
                .into(),
        ),
        (
            "redacting-writer",
            tracing_subscriber::fmt()
                .with_ansi(false)
                .with_writer(RedactingMakeWriter::new(redactor.clone(), io::sink))
                .into(),
        ),
        (
            "plain-fmt-json",
            tracing_subscriber::fmt()
                .json()
                .with_writer(io::sink)
                .into(),
        ),
        (
            "redacting-writer-json",
            tracing_subscriber::fmt()
                .json()
                .with_writer(RedactingMakeWriter::new(redactor.clone(), io::sink))
                .into(),
        ),
        (
            "redact-layer",
            tracing_subscriber::registry()
                .with(RedactLayer::new(
                    redactor.clone(),
                    tracing_subscriber::fmt::layer()
                        .with_ansi(false)
                        .with_writer(io::sink),
                ))
                .into(),
        ),
    ];
    let mut g = c.benchmark_group("tracing");
    for (name, dispatch) in &configs {
        for (kind, event) in [("clean", clean_event as fn()), ("secret", secret_event)] {
            tracing::dispatcher::with_default(dispatch, || {
                g.bench_function(format!("{name}/{kind}"), |b| b.iter(event));
            });
        }
    }
    g.finish();

    // The added cost, plain and redacting subscriber interleaved (module doc).
    let config = |name: &str| &configs.iter().find(|c| c.0 == name).expect("config").1;
    let mut g = c.benchmark_group("tracing/added");
    for (name, base) in [
        ("redacting-writer", "plain-fmt"),
        ("redacting-writer-json", "plain-fmt-json"),
    ] {
        let (base, with) = (config(base), config(name));
        for (kind, event) in [("clean", clean_event as fn()), ("secret", secret_event)] {
            g.bench_function(format!("{name}/{kind}"), |b| {
                b.iter_custom(|iters| added(base, with, event, iters))
            });
        }
    }
    g.finish();
}

/// Events per batch in the interleaved benches: short enough (tens of microseconds) that both
/// sides of a sample see the same host, long enough that switching dispatchers is amortized.
const BATCH: u64 = 32;

/// The time `with` takes over `base` for `iters` calls of `event`, the two alternating in
/// batches of [`BATCH`]; zero if `with` came out faster.
fn added(base: &tracing::Dispatch, with: &tracing::Dispatch, event: fn(), iters: u64) -> Duration {
    let run = |d: &tracing::Dispatch, n: u64| {
        tracing::dispatcher::with_default(d, || {
            let t = Instant::now();
            for _ in 0..n {
                event();
            }
            t.elapsed()
        })
    };
    let (mut plain, mut redacting) = (Duration::ZERO, Duration::ZERO);
    let mut left = iters;
    while left > 0 {
        let n = left.min(BATCH);
        plain += run(base, n);
        redacting += run(with, n);
        left -= n;
    }
    redacting.saturating_sub(plain)
}

criterion_group!(benches, bench);
criterion_main!(benches);
