//! A small "service" that logs PII and secrets through both tracing integrations:
//!
//! * stdout: a fmt subscriber whose writer is a `RedactingMakeWriter` (text, then JSON);
//! * an in-process "exporter" layer (it keeps field values, as an OpenTelemetry or metrics
//!   layer would) wrapped in a `RedactLayer`.
//!
//! One `Redactor` is built at start-up and shared by both.
//!
//! ```text
//! cargo run --example tracing_service --features tracing
//! ```

use std::sync::{Arc, Mutex};

use blackbar::tracing::{RedactLayer, RedactingMakeWriter};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// Stands in for an exporter: keeps every field value it is shown.
#[derive(Clone, Default)]
struct Exporter(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> Layer<S> for Exporter {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        struct V<'a>(&'a mut Vec<String>);
        impl Visit for V<'_> {
            fn record_debug(&mut self, f: &Field, v: &dyn std::fmt::Debug) {
                self.0.push(format!("{}={v:?}", f.name()));
            }
        }
        event.record(&mut V(&mut self.0.lock().unwrap()));
    }
}

fn handle_request() {
    let span = tracing::info_span!(
        "request",
        user = "alice@example.com",
        session = tracing::field::Empty
    );
    let _g = span.enter();
    span.record("session", "sess key=AKIAQ3EGRZ4XWMJ7VN2K");
    tracing::info!(
        card = "4111 1111 1111 1111",
        ip = "203.0.113.7",
        "charging order 1234"
    );
    tracing::warn!(
        password = "Xk9#mP2$vL7q",
        "login retry from bob@example.org with token ghp_R1IHZcLwYgL7x8CAk2KVxvTsJ3aRFe2oLWNB"
    );
    tracing::info!(status = 200u64, "order complete");
}

fn main() -> Result<(), blackbar::Error> {
    let t = std::time::Instant::now();
    let redactor = blackbar::Redactor::builder().build()?;
    eprintln!(
        "redactor built in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    let exporter = Exporter::default();
    let text = tracing_subscriber::fmt::layer()
        .with_writer(RedactingMakeWriter::new(redactor.clone(), std::io::stdout));
    let json = tracing_subscriber::fmt::layer()
        .json()
        .with_writer(RedactingMakeWriter::new(redactor.clone(), std::io::stdout));
    let subscriber = tracing_subscriber::registry()
        .with(text)
        .with(json)
        .with(RedactLayer::new(redactor, exporter.clone()));
    tracing::subscriber::with_default(subscriber, handle_request);

    println!("--- what the exporter layer saw ---");
    for value in exporter.0.lock().unwrap().iter() {
        println!("{value}");
    }
    Ok(())
}
