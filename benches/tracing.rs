//! Per-event cost of the tracing front end against a plain fmt subscriber, both writing to
//! `io::sink`: a clean event of about 200 formatted bytes and the same event carrying an
//! email. Only the logging call is timed: subscribers and redactors are built first. Before
//! timing, each redacting configuration's output is captured once and checked (the email
//! redacted, the clean record unchanged), so a faster-but-blind change fails here.
//!
//! ```text
//! cargo bench --features tracing --bench tracing -- --warm-up-time 1 --measurement-time 3
//! ```

#[path = "../tests/support/events.rs"]
mod events;

use events::{clean_event, secret_event};
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

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
}

criterion_group!(benches, bench);
criterion_main!(benches);
