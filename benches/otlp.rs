//! The OTLP hop's cost, against the in-process fake collector of `tests/support/collector.rs`
//! on loopback, for a 100-record OTLP/HTTP protobuf logs export (31 KB: request log
//! lines with attributes, 15 of them carrying an email).
//!
//! * Redaction alone: the hop's redactor on the request, in process (records/s).
//! * Added latency: the same export sent sequentially, directly to the collector and through
//!   the hop; p50 and p99 of each, and the difference.
//! * Throughput: exports (×100 records) per second with 8 concurrent clients, directly and
//!   through the hop.
//!
//! Every redaction is checked (15 findings, no planted value forwarded), so a fast but
//! wrong hop cannot look good. `cargo bench --bench otlp` (release); `-- --test` does a
//! quick pass.

#[path = "../tests/support/collector.rs"]
mod collector;
#[path = "support/load.rs"]
mod load;
#[path = "../tests/support/otlp.rs"]
mod otlp;

use std::time::{Duration, Instant};

use blackbar::otlp::{Encoding, Signal};
use bytes::Bytes;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message as _;

const PROTOBUF: &str = "application/x-protobuf";
const RECORDS: usize = 100;
/// Emails in bodies (every 10th record) and in a `user.email` attribute (every 20th).
const FINDINGS: usize = 15;

fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    }
}

fn text(key: &str, s: String) -> KeyValue {
    kv(key, any_value::Value::StringValue(s))
}

/// The export: 100 request logs of one service, as an SDK batches them.
fn export() -> Vec<u8> {
    const T0: u64 = 1_700_000_000_000_000_000;
    let records = (0..RECORDS)
        .map(|i| {
            let mut body = format!(
                "GET /api/v2/orders/{} completed 200 in {} ms (cache {}, upstream inventory-svc)",
                10_000 + i * 7,
                3 + i % 40,
                if i % 3 == 0 { "miss" } else { "hit" }
            );
            if i % 10 == 0 {
                body.push_str(&format!("; receipt sent to user{i}@example.com"));
            }
            let mut attributes = vec![
                text("http.request.method", "GET".into()),
                text("http.route", "/api/v2/orders/{id}".into()),
                kv("http.response.status_code", any_value::Value::IntValue(200)),
                text("url.path", format!("/api/v2/orders/{}", 10_000 + i * 7)),
                kv("user.id", any_value::Value::IntValue(i as i64 * 31)),
            ];
            if i % 20 == 5 {
                attributes.push(text("user.email", format!("buyer{i}@example.org")));
            }
            LogRecord {
                time_unix_nano: T0 + i as u64 * 1_000_000,
                observed_time_unix_nano: T0 + i as u64 * 1_000_000 + 50_000,
                severity_number: 9,
                severity_text: "INFO".into(),
                body: Some(AnyValue {
                    value: Some(any_value::Value::StringValue(body)),
                }),
                attributes,
                trace_id: (0x5b8e_fff7_9803_8103_d269_b633_813f_c60c_u128 + i as u128)
                    .to_be_bytes()
                    .to_vec(),
                span_id: (0xeee1_9b7e_c3c1_b174_u64 + i as u64)
                    .to_be_bytes()
                    .to_vec(),
                flags: 1,
                ..Default::default()
            }
        })
        .collect();
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(Resource {
                attributes: vec![
                    text("service.name", "checkout".into()),
                    text("service.version", "4.2.1".into()),
                    text("host.name", "checkout-7d9f-xk2p".into()),
                ],
                ..Default::default()
            }),
            scope_logs: vec![ScopeLogs {
                scope: Some(InstrumentationScope {
                    name: "checkout.http".into(),
                    ..Default::default()
                }),
                log_records: records,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
    .encode_to_vec()
}

/// Checks the last request the collector received, then forgets what it received.
fn check_forwarded(collector: &collector::Collector) {
    let mut seen = collector.seen.lock().unwrap();
    let last = &seen
        .last()
        .expect("the collector received the export")
        .message;
    otlp::assert_nothing_planted(std::iter::once(last.as_slice()));
    let labels = memchr::memmem::find_iter(last, b"[EMAIL]").count();
    assert_eq!(labels, FINDINGS, "every email redacted");
    seen.clear();
}

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let n = if quick { 20 } else { 2000 };
    let body = export();
    println!(
        "one export: {RECORDS} log records, {} bytes of protobuf, {FINDINGS} emails",
        body.len()
    );

    // The redactor alone.
    let r = otlp::redactor("");
    let mut scratch = r.scratch();
    let mut out = Vec::with_capacity(body.len() * 2);
    let mut times = Vec::with_capacity(n);
    for _ in 0..n + n / 10 {
        out.clear();
        let t = Instant::now();
        let got = r
            .redact(
                &mut scratch,
                Signal::Logs,
                Encoding::Protobuf,
                &body,
                &mut out,
            )
            .unwrap();
        times.push(t.elapsed());
        assert_eq!(got.findings.len(), FINDINGS);
    }
    let mut times = times.split_off(n / 10);
    times.sort();
    let p50 = load::percentile(&times, 0.5);
    println!(
        "redaction alone: p50 {:.0} us per export, {:.0} records/s on one core",
        p50.as_secs_f64() * 1e6,
        RECORDS as f64 / p50.as_secs_f64()
    );

    load::runtime().block_on(async {
        let h = otlp::Harness::start("").await;
        let direct = format!("{}/v1/logs", h.collector.url());
        let hop = format!("{}/v1/logs", h.url());
        let body = Bytes::from(body);
        let client = load::client();
        // Warm up both paths (connections, lazy DFA states).
        for _ in 0..(n / 10).max(5) {
            load::post(&client, &direct, PROTOBUF, &body).await;
            load::post(&client, &hop, PROTOBUF, &body).await;
            check_forwarded(&h.collector);
        }
        let mut d = Vec::with_capacity(n);
        let mut p = Vec::with_capacity(n);
        for _ in 0..n {
            d.push(load::post(&client, &direct, PROTOBUF, &body).await.0);
            p.push(load::post(&client, &hop, PROTOBUF, &body).await.0);
            check_forwarded(&h.collector);
        }
        println!("{n} sequential exports, alternately direct and through the hop:");
        load::print_added("  ", "via the hop", &mut d, &mut p);
        // Throughput, the collector's memory cleared as it goes.
        let secs = if quick { 0.5 } else { 5.0 };
        let clear = {
            let seen = h.collector.seen.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    seen.lock().unwrap().clear();
                }
            })
        };
        let direct_rate = load::throughput(8, &direct, PROTOBUF, &body, secs).await;
        let hop_rate = load::throughput(8, &hop, PROTOBUF, &body, secs).await;
        clear.abort();
        println!("throughput, 8 concurrent clients, {secs} s each:");
        for (name, rate) in [("direct", direct_rate), ("via the hop", hop_rate)] {
            println!(
                "  {name}: {rate:.0} exports/s, {:.0} records/s",
                rate * RECORDS as f64
            );
        }
        load::post(&client, &hop, PROTOBUF, &body).await;
        check_forwarded(&h.collector);
    });
}
