//! The tracing front end with real subscribers: every fmt format through
//! `RedactingMakeWriter`, and `RedactLayer` around a capturing layer and a fmt layer.
#![cfg(feature = "tracing")]

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use blackbar::tracing::{RedactLayer, RedactingMakeWriter, NOTICE};
use blackbar::Redactor;
use tracing::field::{Field, Visit};
use tracing::span;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

const EMAIL: &str = "alice@example.com";
const AWS: &str = "AKIAQ3EGRZ4XWMJ7VN2K";
const CARD: &str = "4111 1111 1111 1111";

/// Captures every `write` call of every writer it makes, in order.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Vec<u8>>>>);

impl Capture {
    fn writes(&self) -> Vec<Vec<u8>> {
        self.0.lock().unwrap().clone()
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.writes().concat()).into_owned()
    }
}

struct CaptureWriter(Arc<Mutex<Vec<Vec<u8>>>>);

impl Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().push(buf.to_vec());
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

fn redactor() -> Redactor {
    static R: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();
    R.get_or_init(|| Redactor::builder().build().unwrap())
        .clone()
}

fn writer(cap: &Capture) -> RedactingMakeWriter<Capture> {
    RedactingMakeWriter::new(redactor(), cap.clone())
}

/// Logs a few events with secrets, in a span whose field is recorded later.
fn emit() {
    let span = tracing::info_span!("request", user = EMAIL, session = tracing::field::Empty);
    let _g = span.enter();
    span.record("session", format!("key={AWS}").as_str());
    tracing::info!(card = CARD, ip = "10.1.2.3", "charged {EMAIL}");
    tracing::warn!(token = ?AWS, count = 3, "clean words only");
}

fn assert_clean(text: &str) {
    for secret in [EMAIL, AWS, CARD, "10.1.2.3"] {
        assert!(!text.contains(secret), "{secret} leaked in:\n{text}");
    }
}

fn run_fmt(
    cap: &Capture,
    build: impl FnOnce(RedactingMakeWriter<Capture>) -> tracing::Dispatch,
) -> String {
    let dispatch = build(writer(cap));
    tracing::dispatcher::with_default(&dispatch, emit);
    let text = cap.text();
    assert_clean(&text);
    // One write per record: the fmt layer's framing arrives whole.
    assert_eq!(cap.writes().len(), 2, "{text}");
    text
}

#[test]
fn full_format() {
    let cap = Capture::default();
    let text = run_fmt(&cap, |w| {
        tracing_subscriber::fmt()
            .with_writer(w)
            .with_ansi(false)
            .into()
    });
    assert!(text.contains("INFO"), "{text}");
    assert!(
        text.contains("request{user=\"[EMAIL]\" session=\"key=[AWS_ACCESS_KEY_ID]\"}"),
        "{text}"
    );
    assert!(
        text.contains("charged [EMAIL] card=\"[CREDIT_CARD]\" ip=\"[IP_ADDRESS]\""),
        "{text}"
    );
    // `token=` before the value: the specific AWS rule wins the overlap over the generic
    // token rule (`generic = true`).
    assert!(
        text.contains("token=\"[AWS_ACCESS_KEY_ID]\" count=3"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2);
}

#[test]
fn compact_format() {
    let cap = Capture::default();
    let text = run_fmt(&cap, |w| {
        tracing_subscriber::fmt()
            .compact()
            .with_writer(w)
            .with_ansi(false)
            .into()
    });
    assert!(text.contains("charged [EMAIL]"), "{text}");
    assert_eq!(text.lines().count(), 2);
}

#[test]
fn pretty_format() {
    let cap = Capture::default();
    let text = run_fmt(&cap, |w| {
        tracing_subscriber::fmt()
            .pretty()
            .with_writer(w)
            .with_ansi(false)
            .into()
    });
    assert!(text.contains("charged [EMAIL]"), "{text}");
    assert!(text.contains("[CREDIT_CARD]"), "{text}");
    assert!(
        text.lines().count() > 4,
        "pretty records span lines: {text}"
    );
}

#[test]
fn json_format_stays_valid_json() {
    let cap = Capture::default();
    let text = run_fmt(&cap, |w| {
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_writer(w)
            .into()
    });
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 2);
    let fields = &lines[0]["fields"];
    assert_eq!(fields["message"], "charged [EMAIL]");
    assert_eq!(fields["card"], "[CREDIT_CARD]");
    assert_eq!(lines[0]["span"]["user"], "[EMAIL]");
    // `token` is a sensitive key: the whole value goes.
    assert_eq!(lines[1]["fields"]["token"], "[REDACTED]");
    assert_eq!(lines[1]["fields"]["count"], 3);
}

#[test]
fn ansi_colours_kept_when_clean_and_no_split_secret_slips_through() {
    let cap = Capture::default();
    let dispatch: tracing::Dispatch = tracing_subscriber::fmt()
        .with_writer(writer(&cap))
        .with_ansi(true)
        .into();
    tracing::dispatcher::with_default(&dispatch, || {
        tracing::info!(n = 1, "nothing here");
        tracing::info!(user = EMAIL, "login");
    });
    let writes = cap.writes();
    assert!(
        writes[0].contains(&0x1b),
        "a clean record keeps its colours"
    );
    let second = String::from_utf8_lossy(&writes[1]);
    assert!(
        second.contains("[EMAIL]") && !second.contains(EMAIL),
        "{second}"
    );

    // A value split by escape codes, written straight into the writer.
    let cap = Capture::default();
    let w = writer(&cap);
    {
        let mut rec = w.make_writer();
        rec.write_all(b"\x1b[32m INFO\x1b[0m key=AKIAQ3EG\x1b[1m")
            .unwrap();
        rec.write_all(b"RZ4X\x1b[0;2mWMJ7VN2K done\n").unwrap();
    }
    let text = cap.text();
    assert_eq!(text, " INFO key=[AWS_ACCESS_KEY_ID] done\n");
}

#[test]
fn many_fields() {
    let cap = Capture::default();
    let dispatch: tracing::Dispatch = tracing_subscriber::fmt()
        .with_writer(writer(&cap))
        .with_ansi(false)
        .into();
    tracing::dispatcher::with_default(&dispatch, || {
        tracing::info!(
            a = 1,
            b = 2,
            c = "x",
            d = EMAIL,
            e = 5,
            f = 6,
            g = "plain",
            h = CARD,
            i = 9,
            j = 10,
            k = "10.1.2.3",
            l = 12,
            m = 13,
            n = 14,
            o = 15,
            p = AWS,
            q = 17,
            r = 18,
            s = "s",
            t = 20,
            "many"
        );
    });
    let text = cap.text();
    assert_clean(&text);
    assert!(
        text.contains("d=\"[EMAIL]\"") && text.contains("t=20"),
        "{text}"
    );
}

#[test]
fn non_utf8_bytes_pass_unchanged_around_redactions() {
    let cap = Capture::default();
    let w = writer(&cap);
    {
        let mut rec = w.make_writer();
        rec.write_all(b"\xff\xfe user=alice@example.com \xc3\n")
            .unwrap();
    }
    assert_eq!(cap.writes().concat(), b"\xff\xfe user=[EMAIL] \xc3\n");

    // Debug output that is not valid text for the rules: byte slices and lossy strings.
    let cap = Capture::default();
    let dispatch: tracing::Dispatch = tracing_subscriber::fmt()
        .with_writer(writer(&cap))
        .with_ansi(false)
        .into();
    let raw = b"\xffalice@example.com\xfe".to_vec();
    tracing::dispatcher::with_default(&dispatch, || {
        tracing::info!(lossy = %String::from_utf8_lossy(&raw), bytes = ?raw.as_slice(), "bin");
    });
    let text = cap.text();
    assert!(text.contains("lossy=\u{fffd}[EMAIL]\u{fffd}"), "{text}");
    assert_clean(&text);
}

#[test]
fn failure_writes_the_notice_never_the_record() {
    let cap = Capture::default();
    let dispatch: tracing::Dispatch = tracing_subscriber::fmt()
        .with_writer(writer(&cap).fail_every_record())
        .into();
    tracing::dispatcher::with_default(&dispatch, emit);
    assert_eq!(cap.text(), format!("{NOTICE}\n{NOTICE}\n"));
}

#[test]
fn oversized_record_is_streamed_in_bounded_memory() {
    let cap = Capture::default();
    let w = writer(&cap);
    let filler = "word ".repeat(blackbar::tracing::MAX_RECORD / 5 + 10);
    {
        let mut rec = w.make_writer();
        rec.write_all(filler.as_bytes()).unwrap();
        rec.write_all(b"\x1b[1mmail alice@exa\x1b[0mmple.com end\n")
            .unwrap();
    }
    let text = cap.text();
    assert!(
        text.ends_with("mail [EMAIL] end\n"),
        "{}",
        &text[text.len() - 40..]
    );
    assert_eq!(text.len(), filler.len() + "mail [EMAIL] end\n".len());
}

#[test]
fn with_default_catalog_and_startup_time() {
    let t = std::time::Instant::now();
    let w = RedactingMakeWriter::with_default_catalog(io::sink).unwrap();
    let built = t.elapsed();
    let dispatch: tracing::Dispatch = tracing_subscriber::fmt().with_writer(w).into();
    let t = std::time::Instant::now();
    tracing::dispatcher::with_default(&dispatch, || tracing::info!("first {EMAIL}"));
    println!(
        "startup: with_default_catalog {:.1} ms, first event {:.1} ms",
        built.as_secs_f64() * 1e3,
        t.elapsed().as_secs_f64() * 1e3
    );
}

// ----- the layer -----

/// A layer that keeps every field value it is shown, as text.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

struct Collect<'a>(&'a mut Vec<String>, &'static str);

impl Visit for Collect<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .push(format!("{} {}={value:?}", self.1, field.name()));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push(format!("{} {}={value}", self.1, field.name()));
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Seen {
    fn on_new_span(&self, attrs: &span::Attributes<'_>, _: &span::Id, _: Context<'_, S>) {
        attrs.record(&mut Collect(&mut self.0.lock().unwrap(), "new_span"));
    }
    fn on_record(&self, _: &span::Id, values: &span::Record<'_>, _: Context<'_, S>) {
        values.record(&mut Collect(&mut self.0.lock().unwrap(), "record"));
    }
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        event.record(&mut Collect(&mut self.0.lock().unwrap(), "event"));
    }
}

#[test]
fn layer_shows_the_inner_layer_only_redacted_values() {
    let seen = Seen::default();
    let subscriber =
        tracing_subscriber::registry().with(RedactLayer::new(redactor(), seen.clone()));
    tracing::subscriber::with_default(subscriber, || {
        emit();
        let ssn: u64 = 123_456_789;
        tracing::info!(
            ssn_number = ssn,
            ok = 42u64,
            "err: {}",
            io::Error::other(EMAIL)
        );
        let root = tracing::info_span!(parent: None, "root", k = AWS);
        tracing::info!(parent: &root, "in root");
    });
    let got = seen.0.lock().unwrap().join("\n");
    assert_clean(&got);
    for want in [
        "new_span user=[EMAIL]",
        "record session=key=[AWS_ACCESS_KEY_ID]",
        "event message=charged [EMAIL]",
        "event card=[CREDIT_CARD]",
        "event token=[REDACTED]", // a sensitive field name
        "event message=charged [EMAIL]",
        "event count=3",
        "event ok=42",
        "event ssn_number=[SSN]", // an integer, scanned as text
        "event message=err: [EMAIL]",
        "new_span k=[AWS_ACCESS_KEY_ID]",
    ] {
        assert!(got.contains(want), "missing {want:?} in:\n{got}");
    }
}

#[test]
fn layer_around_a_fmt_layer_keeps_spans_and_parents() {
    let cap = Capture::default();
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(cap.clone())
        .with_ansi(false);
    let subscriber = tracing_subscriber::registry().with(RedactLayer::new(redactor(), fmt));
    tracing::subscriber::with_default(subscriber, emit);
    let text = cap.text();
    assert_clean(&text);
    assert!(
        text.contains("request{user=\"[EMAIL]\" session=\"key=[AWS_ACCESS_KEY_ID]\"}"),
        "{text}"
    );
    assert!(
        text.contains("charged [EMAIL] card=\"[CREDIT_CARD]\""),
        "{text}"
    );
}

#[test]
fn layer_failure_replaces_every_value_with_the_notice() {
    let seen = Seen::default();
    let layer = RedactLayer::new(redactor(), seen.clone()).fail_every_record();
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, emit);
    let got = seen.0.lock().unwrap().join("\n");
    assert_clean(&got);
    assert!(got.contains(&format!("event message={NOTICE}")), "{got}");
    assert!(got.contains(&format!("new_span user={NOTICE}")), "{got}");
}
