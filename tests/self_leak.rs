//! No leaks through blackbar itself: every front end runs on input carrying known values, and
//! every channel it has is searched for them: the pipe's stdout, stderr and reports; the
//! proxy's and the OTLP hop's logs, metrics and error answers; the Kafka connector's clean
//! topic, logs and metrics; a tracing subscriber's output; the `Debug` output of the public
//! types that have seen the values.
//!
//! The Kafka part needs a broker (`$BLACKBAR_TANSU`, as `tests/kafka.rs`): without the
//! variable it prints a notice and does not run; with it (as in CI) a missing or broken broker
//! fails the test. A channel may carry a
//! rule, a category, a label, a position and a length, never a value.

#![cfg(feature = "proxy")]

#[path = "support/collector.rs"]
mod collector;
#[cfg(feature = "kafka")]
#[path = "support/kafka.rs"]
mod kafka;
#[path = "support/llm.rs"]
mod llm;
#[path = "support/mod.rs"]
mod support;

use std::io::BufRead;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};

/// The planted values: each is found and acted on by the default catalog and policy.
const VALUES: &[&str] = &[
    "alice.leak@example.com",
    "4111 1111 1111 1111",
    "AKIAQ3EGRZ4XWMJ7VN2K",
    "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",
    "DE89 3704 0044 0532 0130 00",
];

/// The same values, without what they share with ordinary text: the parts a partial leak
/// would show (a card's last groups, the middle of a key).
const FRAGMENTS: &[&str] = &[
    "alice.leak",
    "1111 1111 1111",
    "Q3EGRZ4XWMJ7",
    "wWPw5k4aXcaT4fNP0Ucn",
    "0532 0130",
];

fn text() -> String {
    format!(
        "2026-12-06T10:00:00Z INFO login user={} card {} key {} token={} iban {}\n",
        VALUES[0], VALUES[1], VALUES[2], VALUES[3], VALUES[4]
    )
}

/// Panics naming the channel if any planted value or fragment of one is in `seen`.
fn assert_clean(channel: &str, seen: &[u8]) {
    let seen = String::from_utf8_lossy(seen);
    for v in VALUES.iter().chain(FRAGMENTS) {
        assert!(!seen.contains(v), "{channel} carries {v:?}:\n{seen}");
    }
}

#[test]
fn the_pipe_text_json_reports_and_errors() {
    let dir = support::Dir::new();
    let input = text().repeat(3);
    let json_line = serde_json::json!({ "msg": text(), "user": { "email": VALUES[0] } });
    let json = format!("{json_line}\n").repeat(3);
    let mut n = 0;
    for (format, body) in [("text", &input), ("json", &json)] {
        for threads in ["1", "2"] {
            n += 1;
            let report = dir.path(&format!("report-{n}.jsonl"));
            let run = dir
                .command()
                .args(["--format", format, "--threads", threads, "--report"])
                .arg(&report)
                .stdin(body)
                .run();
            assert_eq!(run.code(), 0, "{}", run.stderr_str());
            assert_clean("stdout", run.stdout());
            assert_clean("stderr", run.stderr_str().as_bytes());
            let report = std::fs::read(&report).unwrap();
            assert!(report.len() > 100, "a report with findings");
            assert_clean("the report", &report);
        }
    }
    // --check writes findings to stdout (the report) and exits 1.
    let run = dir
        .command()
        .args(["--check", "--report", "-"])
        .stdin(&input)
        .run();
    assert_eq!(run.code(), 1);
    assert_clean("--check stdout", run.stdout());
    assert_clean("--check stderr", run.stderr_str().as_bytes());
    // An unwritable report: the error names the file, not the data.
    let run = dir
        .command()
        .args(["--report", "/nonexistent-dir/r.jsonl"])
        .stdin(&input)
        .run();
    assert_eq!(run.code(), 2);
    assert_clean("an error", run.stderr_str().as_bytes());
    // A closed stdout mid-stream.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_blackbar"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        for _ in 0..2000 {
            if stdin.write_all(input.as_bytes()).is_err() {
                break;
            }
        }
    }
    let out = child.wait_with_output().unwrap();
    assert_clean("stderr after EPIPE", &out.stderr);
}

#[test]
fn debug_output_of_public_types() {
    let r = blackbar::Redactor::builder().build().unwrap();
    let input = text();
    let redacted = r.redact(input.as_bytes());
    assert_clean("Redacted (Debug)", format!("{redacted:?}").as_bytes());
    for f in &redacted.findings {
        assert_clean("Finding (Debug)", format!("{f:?}").as_bytes());
    }
    for d in r.detect(input.as_bytes()) {
        assert_clean("Detection (Debug)", format!("{d:?}").as_bytes());
    }
    // A stream holding back the start of a value, mid-way.
    let mut stream = r.stream();
    let mut out = vec![];
    stream.feed(&input.as_bytes()[..input.len() - 3], &mut out);
    assert_clean("StreamRedactor (Debug)", format!("{stream:?}").as_bytes());
    let mut parallel = r.parallel(2);
    parallel.feed(input.as_bytes(), &mut out);
    assert_clean("Parallel (Debug)", format!("{parallel:?}").as_bytes());
    let vault = blackbar::placeholder::Vault::default();
    let mut stream = r.stream();
    stream.set_vault(vault.clone());
    stream.feed(input.as_bytes(), &mut out);
    stream.finish(&mut out);
    assert_clean("Vault (Debug)", format!("{vault:?}").as_bytes());
    assert_clean(
        "Restorer (Debug)",
        format!("{:?}", vault.restorer()).as_bytes(),
    );
    let key_text = blackbar::Key::generate().unwrap();
    let key = blackbar::Key::new(key_text.as_bytes()).unwrap();
    let shown = format!("{key:?}");
    let secret = key_text.trim().rsplit(':').next().unwrap();
    assert!(
        !shown.contains(secret),
        "Key (Debug) shows the key: {shown}"
    );
    let json = blackbar::json::JsonRedactor::new(r.clone(), Default::default());
    let mut scratch = json.scratch();
    let mut out = vec![];
    let doc = serde_json::json!({ "m": input }).to_string();
    json.redact_document(&mut scratch, doc.as_bytes(), &mut out)
        .unwrap();
    assert_clean("JsonScratch (Debug)", format!("{scratch:?}").as_bytes());
}

#[test]
fn the_tracing_layer() {
    use tracing_subscriber::layer::SubscriberExt;
    let buf = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let writer = {
        let buf = buf.clone();
        move || SharedBuf(buf.clone())
    };
    let r = blackbar::Redactor::builder().build().unwrap();
    let subscriber = tracing_subscriber::registry().with(blackbar::tracing::RedactLayer::new(
        r,
        tracing_subscriber::fmt::layer()
            .with_writer(writer)
            .with_ansi(false),
    ));
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("request", user = VALUES[0]);
        let _g = span.enter();
        tracing::info!(card = VALUES[1], token = %VALUES[3], "login {}", VALUES[2]);
        tracing::warn!(iban = ?VALUES[4], "{}", text());
    });
    let seen = buf.lock().unwrap().clone();
    assert!(seen.len() > 100, "the events were written");
    assert_clean("the tracing output", &seen);
}

struct SharedBuf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for SharedBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn get(url: &str) -> (u16, Vec<u8>) {
    let resp = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Empty<bytes::Bytes>>()
        .get(url.parse().unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.collect().await.unwrap().to_bytes().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_logs_metrics_and_errors() {
    let (fake, upstream) = llm::Fake::start().await;
    let proxy = llm::ProxyBin::start(["--upstream".to_string(), format!("http://{upstream}")]);
    let chat = serde_json::json!({
        "model": "gpt-4o",
        "messages": [{ "role": "user", "content": text() }],
    });
    let url = proxy.url("/v1/chat/completions");
    let (status, _, answer, _) =
        collector::post(false, &url, &[], serde_json::to_vec(&chat).unwrap()).await;
    assert_eq!(status, 200);
    // The answer restores the placeholders for the client: that is the user's own data.
    assert!(String::from_utf8_lossy(&answer).contains(VALUES[0]));
    // Refused bodies: not JSON, and JSON cut short, both carrying the values.
    for body in [text(), format!("{{\"messages\": \"{}", text())] {
        let (status, _, answer, _) = collector::post(false, &url, &[], body.into_bytes()).await;
        assert_eq!(status, 400);
        assert_clean("a refusal", &answer);
    }
    let (status, metrics) = get(&proxy.url("/metrics")).await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&metrics).contains("blackbar_"));
    assert_clean("the proxy's metrics", &metrics);
    for body in fake.bodies() {
        assert_clean("the upstream", &body);
    }
    let (_, logs) = proxy.stop().await;
    assert!(logs.contains("status=200"), "{logs}");
    assert_clean("the proxy's logs", logs.as_bytes());
}

#[cfg(feature = "otlp")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_otlp_hop_logs_metrics_and_errors() {
    let collector = collector::Collector::start().await;
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_blackbar"))
        .args(["otlp", "--listen", &addr.to_string(), "--upstream"])
        .arg(collector.url())
        .env_clear()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let lines = std::thread::spawn(move || {
        std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
            .join("\n")
    });
    let base = format!("http://{addr}");
    let mut up = false;
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the hop listens");
    let attr = |k: &str, v: &str| serde_json::json!({ "key": k, "value": { "stringValue": v } });
    let logs = serde_json::json!({ "resourceLogs": [{ "scopeLogs": [{ "logRecords": [{
        "timeUnixNano": "1700000000000000000",
        "body": { "stringValue": text() },
        "attributes": [attr("password", "Xk9#mP2vL7q!-leak"), attr("user", VALUES[0])],
    }]}]}]});
    let json = [("content-type", "application/json")];
    let (status, _, _, _) = collector::post(
        false,
        &format!("{base}/v1/logs"),
        &json,
        serde_json::to_vec(&logs).unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, answer, _) = collector::post(
        false,
        &format!("{base}/v1/logs"),
        &json,
        format!("{{\"resourceLogs\": \"{}", text()).into_bytes(),
    )
    .await;
    assert_eq!(status, 400);
    assert_clean("a refusal", &answer);
    let (status, metrics) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    assert_clean("the hop's metrics", &metrics);
    for seen in collector.seen() {
        assert_clean("the collector", &seen.message);
        assert!(!String::from_utf8_lossy(&seen.message).contains("Xk9#mP2vL7q!-leak"));
    }
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let logs = lines.join().unwrap();
    assert!(!logs.is_empty(), "the hop logged");
    assert_clean("the hop's logs", logs.as_bytes());
}

#[cfg(feature = "kafka")]
#[test]
fn the_kafka_connector_topic_logs_and_metrics() {
    let Some(tansu) = kafka::tansu() else { return };
    let broker = kafka::Broker::start(&tansu);
    broker.create_topics(&["leak-raw", "leak-clean"], 2);
    const N: usize = 20;
    let json = serde_json::json!({ "msg": text(), "user": { "email": VALUES[0] } }).to_string();
    let records: Vec<kafka::Raw> = (0..N)
        .map(|i| kafka::Raw {
            key: Some(format!("k{i}")),
            value: match i % 2 {
                0 => text().into_bytes(),
                _ => json.clone().into_bytes(),
            },
            header: Some(("trace".into(), format!("t{i}"))),
            timestamp: None,
        })
        .collect();
    kafka::produce(&broker.addr, "leak-raw", &records);
    let dir = tempfile::tempdir().unwrap();
    let metrics = format!("127.0.0.1:{}", kafka::free_port());
    let args = ["--format", "auto", "--metrics", &metrics];
    let topics = ("leak-raw", "leak-clean");
    let instance = kafka::Instance::start(dir.path(), "leak", &broker.addr, "gl", topics, &args);
    let mut reader = kafka::Reader::new(&broker.addr, "leak-clean");
    let n = reader.at_least(N, Duration::from_secs(90));
    assert_eq!(n, N, "{}", instance.log());
    let page = kafka::get(&metrics, "/metrics");
    assert!(page.contains("blackbar_kafka_findings_total{"), "{page}");
    let out = reader.finish(Duration::from_millis(500));
    let (status, log) = instance.stop();
    assert!(status.success(), "{status}: {log}");
    assert_eq!(out.len(), N);
    for o in &out {
        assert!(o.value.contains("[EMAIL]"), "{}", o.value);
        assert_clean("the clean topic", o.value.as_bytes());
    }
    assert!(log.contains("left the group"), "{log}");
    assert_clean("the connector's log", log.as_bytes());
    assert_clean("the connector's metrics", page.as_bytes());
}
