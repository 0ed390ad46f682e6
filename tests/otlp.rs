//! The OTLP hop end to end: the official Rust exporter (`opentelemetry-otlp`: OTLP/HTTP
//! protobuf and JSON, gzip, and OTLP/gRPC over tonic) sends the same logs and spans once
//! straight to a fake collector and once through the hop, and what arrived through the hop
//! must be the direct request with exactly the scanned strings redacted: field by field,
//! and (protobuf) byte for byte. Then what the hop must refuse, the collector's answers it
//! must pass back (retry statuses, partial success), a collector that is down, a client
//! that goes away, fields the hop does not know, metrics that must pass as they came,
//! `drop` and `block`, and the CLI.

#![cfg(feature = "otlp")]

#[path = "support/collector.rs"]
mod collector;
#[path = "support/otlp.rs"]
mod otlp;
#[path = "support/mod.rs"]
mod support;

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use collector::{post, Reply};
use opentelemetry::logs::{
    AnyValue as LogValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity,
};
use opentelemetry::trace::{
    Event, Link, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{InstrumentationScope, Key, KeyValue, Value as AttrValue};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig, WithTonicConfig};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_sdk::logs::{LogBatch, LogExporter as _, SdkLoggerProvider};
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanExporter as _, SpanLinks};
use opentelemetry_sdk::Resource;
use otlp::{expect_json, expect_logs, expect_traces, Harness};
use prost::Message as _;

const T0: u64 = 1_700_000_000_123_456_789;

fn at(ns: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_nanos(ns)
}

fn resource() -> Resource {
    Resource::builder_empty()
        .with_attributes([
            KeyValue::new("service.name", "checkout"),
            KeyValue::new("owner.email", "dave@example.com"),
        ])
        .build()
}

fn scope() -> InstrumentationScope {
    InstrumentationScope::builder("blackbar-test")
        .with_version("1.2.3")
        .with_attributes([KeyValue::new("team.contact", "carol@example.com")])
        .build()
}

const TRACE: u128 = 0x5b8efff798038103d269b633813fc60c;
const SPAN: u64 = 0xeee19b7ec3c1b174;

/// Two log records carrying every kind of planted value and every kind of field that must
/// stay as it is.
fn log_records() -> Vec<opentelemetry_sdk::logs::SdkLogRecord> {
    let provider = SdkLoggerProvider::builder().build();
    let logger = provider.logger("unused");
    let mut one = logger.create_log_record();
    one.set_timestamp(at(T0));
    one.set_observed_timestamp(at(T0 + 1));
    one.set_severity_number(Severity::Info);
    one.set_severity_text("INFO");
    one.set_body("login alice@example.com".into());
    one.set_event_name("user.login");
    one.set_trace_context(
        TraceId::from(TRACE),
        SpanId::from(SPAN),
        Some(TraceFlags::SAMPLED),
    );
    one.add_attributes([
        ("user.email", LogValue::from("bob@example.com")),
        ("password", LogValue::from("Xk9#mP2vL7q!")),
        (
            "http.request.header.authorization",
            LogValue::from("Bearer eyJ0b2tlbiI6InNlY3JldCJ9"),
        ),
        ("retries", LogValue::Int(3)),
        ("ratio", LogValue::Double(0.25)),
        ("ok", LogValue::Boolean(true)),
        (
            "tags",
            LogValue::ListAny(Box::new(vec![
                LogValue::from("a"),
                LogValue::from("mallory@example.com"),
            ])),
        ),
        (
            "blob",
            LogValue::Bytes(Box::new(b"\x00\x01raw bytes\xff".to_vec())),
        ),
    ]);
    let mut two = logger.create_log_record();
    two.set_timestamp(at(T0 + 1000));
    two.set_observed_timestamp(at(T0 + 1001));
    two.set_severity_number(Severity::Error);
    two.set_severity_text("ERROR");
    let mut nested = std::collections::HashMap::new();
    nested.insert(Key::from("email"), LogValue::from("trent@example.com"));
    let mut map = std::collections::HashMap::new();
    map.insert(Key::from("msg"), LogValue::from("key AKIAQ3EGRZ4XWMJ7VN2K"));
    map.insert(Key::from("n"), LogValue::Int(7));
    map.insert(Key::from("nested"), LogValue::Map(Box::new(nested)));
    map.insert(Key::from("db.password"), LogValue::Int(1234));
    two.set_body(LogValue::Map(Box::new(map)));
    vec![one, two]
}

fn span() -> SpanData {
    let ctx = SpanContext::new(
        TraceId::from(TRACE),
        SpanId::from(SPAN),
        TraceFlags::SAMPLED,
        false,
        TraceState::from_key_value([("vendor", "opaque")]).unwrap(),
    );
    let linked = SpanContext::new(
        TraceId::from(0x1234u128),
        SpanId::from(0x5678u64),
        TraceFlags::default(),
        true,
        TraceState::default(),
    );
    let mut events = SpanEvents::default();
    events.events.push(Event::new(
        "exception",
        at(T0 + 5),
        vec![
            KeyValue::new("exception.message", "no user frank@example.com"),
            KeyValue::new("exception.type", "NotFound"),
        ],
        0,
    ));
    let mut links = SpanLinks::default();
    links.links.push(Link::new(
        linked,
        vec![KeyValue::new("peer.email", "judy@example.com")],
        0,
    ));
    SpanData {
        span_context: ctx,
        parent_span_id: SpanId::from(0x1111u64),
        parent_span_is_remote: false,
        span_kind: SpanKind::Server,
        name: Cow::Borrowed("GET /users/erin@example.com"),
        start_time: at(T0),
        end_time: at(T0 + 9_000_000),
        attributes: vec![
            KeyValue::new(
                "http.url",
                "https://shop.example.com/reset?email=ivan@example.com",
            ),
            KeyValue::new(
                "db.statement",
                "SELECT * FROM users WHERE email = 'heidi@example.com'",
            ),
            KeyValue::new("db.password", "s3cr3t-Pa55w0rd"),
            KeyValue::new("http.status_code", 404),
            KeyValue::new(
                "names",
                AttrValue::Array(opentelemetry::Array::String(vec![
                    "x".into(),
                    "bob@example.com".into(),
                ])),
            ),
        ],
        dropped_attributes_count: 2,
        events,
        links,
        status: Status::error("failed for grace@example.com"),
        instrumentation_scope: scope(),
    }
}

#[derive(Clone, Copy, Debug)]
enum Via {
    Binary,
    Json,
    BinaryGzip,
    Grpc,
}

/// Exports `records` (the same objects for every endpoint: their maps keep one order).
async fn export_logs(
    endpoint: &str,
    via: Via,
    records: &[opentelemetry_sdk::logs::SdkLogRecord],
    resource: &Resource,
) {
    let mut exporter = match via {
        Via::Grpc => opentelemetry_otlp::LogExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint)
            .with_compression(opentelemetry_otlp::Compression::Gzip)
            .build()
            .unwrap(),
        _ => {
            let b = opentelemetry_otlp::LogExporter::builder()
                .with_http()
                .with_endpoint(format!("{endpoint}/v1/logs"))
                .with_protocol(match via {
                    Via::Json => Protocol::HttpJson,
                    _ => Protocol::HttpBinary,
                });
            let b = match via {
                Via::BinaryGzip => b.with_compression(opentelemetry_otlp::Compression::Gzip),
                _ => b,
            };
            b.build().unwrap()
        }
    };
    exporter.set_resource(resource);
    let scope = scope();
    let batch: Vec<_> = records.iter().map(|r| (r, &scope)).collect();
    exporter
        .export(LogBatch::new(&batch))
        .await
        .unwrap_or_else(|e| panic!("{via:?} log export to {endpoint}: {e:?}"));
}

async fn export_spans(endpoint: &str, via: Via, span: &SpanData, resource: &Resource) {
    let mut exporter = match via {
        Via::Grpc => opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint)
            .build()
            .unwrap(),
        _ => opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(format!("{endpoint}/v1/traces"))
            .with_protocol(match via {
                Via::Json => Protocol::HttpJson,
                _ => Protocol::HttpBinary,
            })
            .build()
            .unwrap(),
    };
    exporter.set_resource(resource);
    exporter
        .export(vec![span.clone()])
        .await
        .unwrap_or_else(|e| panic!("{via:?} span export to {endpoint}: {e:?}"));
}

/// Exports logs and spans straight to the collector and through the hop, and checks that
/// the hop's requests are the direct ones with exactly the scanned strings redacted.
async fn through_the_hop(via: Via) {
    let h = Harness::start("").await;
    let direct = h.collector.url();
    let hop = h.url();
    let (records, span, resource) = (log_records(), span(), resource());
    export_logs(&direct, via, &records, &resource).await;
    export_logs(&hop, via, &records, &resource).await;
    export_spans(&direct, via, &span, &resource).await;
    export_spans(&hop, via, &span, &resource).await;
    let seen = h.collector.seen();
    assert_eq!(seen.len(), 4, "{via:?}: {seen:?}");
    assert_eq!(
        seen[0].header("content-type"),
        seen[1].header("content-type"),
        "{via:?}"
    );
    if matches!(via, Via::BinaryGzip) {
        assert_eq!(seen[1].header("content-encoding"), Some("gzip"));
    }
    otlp::assert_nothing_planted([&seen[1], &seen[3]].iter().map(|s| s.message.as_slice()));
    // The direct requests do carry the values: the test would notice a hop that let them by.
    let direct_logs = String::from_utf8_lossy(&seen[0].message);
    assert!(direct_logs.contains("alice@example.com"), "{via:?}");
    match via {
        Via::Json => {
            for (d, hp) in [(&seen[0], &seen[1]), (&seen[2], &seen[3])] {
                let mut want: serde_json::Value = serde_json::from_slice(&d.message).unwrap();
                expect_json(&mut want);
                let got: serde_json::Value = serde_json::from_slice(&hp.message).unwrap();
                assert_eq!(got, want, "{via:?}");
            }
            // Pretty-printed as the exporter wrote it: only the redacted strings differ.
            let got = String::from_utf8_lossy(&seen[1].message);
            assert!(got.contains(r#""stringValue": "login [EMAIL]""#), "{got}");
            assert!(
                got.contains(r#""traceId": "5b8efff798038103d269b633813fc60c""#),
                "{got}"
            );
        }
        _ => {
            let want = expect_logs(ExportLogsServiceRequest::decode(&*seen[0].message).unwrap());
            let got = ExportLogsServiceRequest::decode(&*seen[1].message).unwrap();
            assert_eq!(got, want, "{via:?}");
            // Byte for byte: nothing but the redacted strings (and the lengths around them)
            // changed.
            assert_eq!(seen[1].message, want.encode_to_vec(), "{via:?}");
            // Spelled out, besides the reference: sensitive keys, and what must not change.
            let record = &got.resource_logs[0].scope_logs[0].log_records[0];
            let attr = |k: &str| record.attributes.iter().find(|kv| kv.key == k);
            for k in ["password", "http.request.header.authorization"] {
                assert_eq!(attr(k).unwrap().value, Some(string_value("[REDACTED]")));
            }
            assert_eq!(record.body, Some(string_value("login [EMAIL]")));
            assert_eq!(
                (record.severity_number, record.time_unix_nano, record.flags),
                (9, T0, 1)
            );
            assert_eq!(record.span_id, SPAN.to_be_bytes());
            let want = expect_traces(ExportTraceServiceRequest::decode(&*seen[2].message).unwrap());
            let got = ExportTraceServiceRequest::decode(&*seen[3].message).unwrap();
            assert_eq!(got, want, "{via:?}");
            assert_eq!(seen[3].message, want.encode_to_vec(), "{via:?}");
            let lr = &got.resource_spans[0].scope_spans[0].spans[0];
            assert_eq!(lr.name, "GET /users/[EMAIL]");
            assert_eq!(lr.trace_id, TRACE.to_be_bytes());
            assert_eq!(lr.start_time_unix_nano, T0);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_exporter_http_protobuf() {
    through_the_hop(Via::Binary).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_exporter_http_protobuf_gzip() {
    through_the_hop(Via::BinaryGzip).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_exporter_http_json() {
    through_the_hop(Via::Json).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_exporter_grpc_gzip() {
    through_the_hop(Via::Grpc).await;
}

/// A logs request in protobuf with the given records.
fn logs_request() -> Vec<u8> {
    let mut records = log_records();
    let scope = scope();
    let r = &mut records[0];
    r.set_body("mail alice@example.com".into());
    // Build the request with prost from the exported form: export to a throwaway
    // collector would do too, but this keeps the malformed-body tests self-contained.
    let req = ExportLogsServiceRequest {
        resource_logs: vec![opentelemetry_proto::tonic::logs::v1::ResourceLogs {
            resource: None,
            scope_logs: vec![opentelemetry_proto::tonic::logs::v1::ScopeLogs {
                scope: Some(
                    opentelemetry_proto::tonic::common::v1::InstrumentationScope {
                        name: scope.name().to_string(),
                        ..Default::default()
                    },
                ),
                log_records: vec![opentelemetry_proto::tonic::logs::v1::LogRecord {
                    time_unix_nano: T0,
                    severity_number: 9,
                    body: Some(string_value("mail alice@example.com")),
                    ..Default::default()
                }],
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    };
    req.encode_to_vec()
}

fn string_value(s: &str) -> opentelemetry_proto::tonic::common::v1::AnyValue {
    opentelemetry_proto::tonic::common::v1::AnyValue {
        value: Some(
            opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue(s.into()),
        ),
    }
}

const PROTOBUF: (&str, &str) = ("content-type", "application/x-protobuf");
const JSON: (&str, &str) = ("content-type", "application/json");

fn grpc_frame(message: &[u8]) -> Vec<u8> {
    let mut b = vec![0];
    b.extend_from_slice(&(message.len() as u32).to_be_bytes());
    b.extend_from_slice(message);
    b
}

const GRPC_LOGS: &str = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_get_400_and_nothing_is_forwarded() {
    let h = Harness::start("").await;
    let url = format!("{}/v1/logs", h.url());
    let mut truncated = logs_request();
    truncated.truncate(truncated.len() - 3);
    // What, headers, body, expected status.
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<u8>, u16);
    let cases: Vec<Case> = vec![
        (
            "garbage protobuf",
            vec![PROTOBUF],
            b"\xff\xff\xff\xff".to_vec(),
            400,
        ),
        ("truncated protobuf", vec![PROTOBUF], truncated, 400),
        // A string field with a varint's wire type.
        (
            "wrong wire type",
            vec![PROTOBUF],
            vec![0x0a, 0x02, 0x10, 0x01],
            400,
        ),
        (
            "not JSON",
            vec![JSON],
            br#"{"resourceLogs":[{"#.to_vec(),
            400,
        ),
        (
            "JSON of the wrong shape",
            vec![JSON],
            br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":"plain"}]}]}]}"#.to_vec(),
            400,
        ),
        (
            "not gzip",
            vec![PROTOBUF, ("content-encoding", "gzip")],
            logs_request(),
            400,
        ),
        (
            "unknown content encoding",
            vec![PROTOBUF, ("content-encoding", "zstd")],
            logs_request(),
            400,
        ),
        ("no content type", vec![], logs_request(), 415),
        (
            "text/plain",
            vec![("content-type", "text/plain")],
            logs_request(),
            415,
        ),
    ];
    for (what, headers, body, status) in cases {
        let (got, hdrs, resp, _) = post(false, &url, &headers, body).await;
        assert_eq!(got, status, "{what}: {}", String::from_utf8_lossy(&resp));
        // An OTLP error: a google.rpc.Status in the request's encoding.
        let ctype = hdrs.get("content-type").unwrap().to_str().unwrap();
        if ctype == "application/json" {
            let v: serde_json::Value = serde_json::from_slice(&resp).unwrap();
            assert!(
                v["message"].as_str().unwrap().starts_with("blackbar: "),
                "{what}: {v}"
            );
        } else {
            let s =
                opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceResponse::decode(
                    &*resp,
                );
            assert!(s.is_ok() || !resp.is_empty(), "{what}");
        }
    }
    // gRPC: INVALID_ARGUMENT, in a trailers-only answer.
    let grpc = format!("{}{GRPC_LOGS}", h.url());
    for (what, body) in [
        ("garbage", grpc_frame(b"\xff\xff\xff")),
        ("no frame", b"\x00\x00".to_vec()),
        (
            "two messages",
            [grpc_frame(&logs_request()), grpc_frame(&logs_request())].concat(),
        ),
    ] {
        let (status, hdrs, _, _) = post(
            true,
            &grpc,
            &[("content-type", "application/grpc"), ("te", "trailers")],
            body,
        )
        .await;
        assert_eq!(status, 200, "{what}");
        assert_eq!(hdrs.get("grpc-status").unwrap(), "3", "{what}");
    }
    assert!(h.collector.seen().is_empty(), "{:?}", h.collector.seen());
    // And a good request still goes through.
    let (status, _, _, _) = post(false, &url, &[PROTOBUF], logs_request()).await;
    assert_eq!(status, 200);
    h.assert_nothing_planted();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_statuses_and_partial_success_are_passed_back() {
    let h = Harness::start("").await;
    let url = format!("{}/v1/logs", h.url());
    for status in [429u16, 503] {
        h.collector.reply_with(Reply {
            status,
            headers: vec![
                ("content-type".into(), "application/x-protobuf".into()),
                ("retry-after".into(), "7".into()),
            ],
            body: vec![0x08, 0x0e],
            trailers: vec![],
        });
        let (got, hdrs, body, _) = post(false, &url, &[PROTOBUF], logs_request()).await;
        assert_eq!(got, status);
        assert_eq!(hdrs.get("retry-after").unwrap(), "7");
        assert_eq!(body, [0x08, 0x0e]);
    }
    // Partial success: the collector's answer, byte for byte.
    let partial = opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceResponse {
        partial_success: Some(
            opentelemetry_proto::tonic::collector::logs::v1::ExportLogsPartialSuccess {
                rejected_log_records: 1,
                error_message: "one record was too old".into(),
            },
        ),
    }
    .encode_to_vec();
    h.collector.reply_with(Reply {
        status: 200,
        headers: vec![("content-type".into(), "application/x-protobuf".into())],
        body: partial.clone(),
        trailers: vec![],
    });
    let (got, _, body, _) = post(false, &url, &[PROTOBUF], logs_request()).await;
    assert_eq!((got, body), (200, partial.clone()));
    // gRPC: the status and its retry details in the trailers, the partial success in the
    // body, as they came.
    let grpc = format!("{}{GRPC_LOGS}", h.url());
    let headers = [("content-type", "application/grpc"), ("te", "trailers")];
    h.collector.reply_with(Reply {
        status: 200,
        headers: vec![("content-type".into(), "application/grpc".into())],
        body: vec![],
        trailers: vec![
            ("grpc-status".into(), "14".into()),
            ("grpc-message".into(), "overloaded".into()),
            (
                "grpc-status-details-bin".into(),
                "CA4SCm92ZXJsb2FkZWQ".into(),
            ),
        ],
    });
    let (got, _, _, trailers) = post(true, &grpc, &headers, grpc_frame(&logs_request())).await;
    assert_eq!(got, 200);
    let t = trailers.expect("trailers");
    assert_eq!(t.get("grpc-status").unwrap(), "14");
    assert_eq!(
        t.get("grpc-status-details-bin").unwrap(),
        "CA4SCm92ZXJsb2FkZWQ"
    );
    h.collector.reply_with(Reply {
        status: 200,
        headers: vec![("content-type".into(), "application/grpc".into())],
        body: grpc_frame(&partial),
        trailers: vec![("grpc-status".into(), "0".into())],
    });
    let (_, _, body, trailers) = post(true, &grpc, &headers, grpc_frame(&logs_request())).await;
    assert_eq!(body, grpc_frame(&partial));
    assert_eq!(trailers.unwrap().get("grpc-status").unwrap(), "0");
    assert_eq!(h.collector.seen().len(), 5);
    h.assert_nothing_planted();
}

/// Exports through `h` over OTLP/HTTP (JSON) and OTLP/gRPC, and asserts the hop's own
/// answers: the HTTP status `http` with the gRPC code `code` in its body, and `code` in a
/// gRPC status.
async fn assert_upstream_failure(h: &Harness, http: u16, code: u32) {
    let (status, _, body, _) = post(
        false,
        &format!("{}/v1/logs", h.url()),
        &[JSON],
        br#"{"resourceLogs":[]}"#.to_vec(),
    )
    .await;
    assert_eq!(status, http, "{}", String::from_utf8_lossy(&body));
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["code"], code, "{v}");
    let (status, hdrs, _, _) = post(
        true,
        &format!("{}{GRPC_LOGS}", h.url()),
        &[("content-type", "application/grpc"), ("te", "trailers")],
        grpc_frame(&logs_request()),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(hdrs.get("grpc-status").unwrap(), &code.to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_that_is_down_gets_the_client_a_retryable_error() {
    // A port nobody listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let collector = collector::Collector::start().await;
    let h = Harness::start_to(
        collector,
        &format!("http://{addr}"),
        "",
        Duration::from_secs(5),
    )
    .await;
    // UNAVAILABLE, which clients retry.
    assert_upstream_failure(&h, 502, 14).await;
    // The official exporter sees a failed export.
    let err = opentelemetry_otlp::LogExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/logs", h.url()))
        .build()
        .unwrap()
        .export(LogBatch::new(&[(&log_records()[0], &scope())]))
        .await;
    assert!(err.is_err());
    // The exporter retried; every try was counted.
    let m = h.metrics.render();
    let errors: u64 = m
        .lines()
        .find_map(|l| l.strip_prefix("blackbar_otlp_upstream_errors_total "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(errors >= 3, "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_that_does_not_answer_gets_the_client_a_timeout() {
    // A collector that takes connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = vec![];
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let collector = collector::Collector::start().await;
    let url = format!("http://{addr}");
    let h = Harness::start_to(collector, &url, "", Duration::from_millis(300)).await;
    // DEADLINE_EXCEEDED, which clients retry.
    assert_upstream_failure(&h, 504, 4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_goes_away_mid_body_sends_nothing() {
    use tokio::io::AsyncWriteExt;
    let h = Harness::start("").await;
    let body = logs_request();
    let mut s = tokio::net::TcpStream::connect(h.addr).await.unwrap();
    let head = format!(
        "POST /v1/logs HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-protobuf\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&body[..body.len() / 2]).await.unwrap();
    drop(s);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(h.collector.seen().is_empty());
    // The hop goes on serving.
    let (status, _, _, _) = post(
        false,
        &format!("{}/v1/logs", h.url()),
        &[PROTOBUF],
        logs_request(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(h.collector.seen().len(), 1);
}

/// A collector that resets the connection as the request arrives: the client gets the
/// retryable UNAVAILABLE, and the hop's answer carries nothing of the request. A client that
/// sends its body in slow pieces gets its export through, redacted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_that_resets_and_a_slow_client() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let resetting = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = resetting.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = resetting.accept().await {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let _ = s.set_zero_linger();
        }
    });
    let collector = collector::Collector::start().await;
    let url = format!("http://{addr}");
    let h = Harness::start_to(collector, &url, "", Duration::from_secs(5)).await;
    let (status, _, body, _) = post(
        false,
        &format!("{}/v1/logs", h.url()),
        &[PROTOBUF],
        logs_request(),
    )
    .await;
    assert_eq!(status, 502, "{}", String::from_utf8_lossy(&body));
    assert!(!String::from_utf8_lossy(&body).contains("alice@example.com"));
    assert_upstream_failure(&h, 502, 14).await;

    let h = Harness::start("").await;
    let body = logs_request();
    let head = format!(
        "POST /v1/logs HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-protobuf\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let mut s = tokio::net::TcpStream::connect(h.addr).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    for piece in body.chunks(body.len() / 5 + 1) {
        tokio::time::sleep(Duration::from_millis(150)).await;
        s.write_all(piece).await.unwrap();
    }
    let mut answer = vec![];
    s.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(h.collector.seen().len(), 1);
    h.assert_nothing_planted();
}

/// Encodes a protobuf field.
fn field(n: u64, wire: u64, value: &[u8]) -> Vec<u8> {
    fn varint(mut v: u64, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push(v as u8 | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    let mut b = vec![];
    varint(n << 3 | wire, &mut b);
    if wire == 2 {
        varint(value.len() as u64, &mut b);
    }
    b.extend_from_slice(value);
    b
}

fn len(n: u64, parts: &[Vec<u8>]) -> Vec<u8> {
    field(n, 2, &parts.concat())
}

/// A logs request with fields the hop does not model, at every level: they arrive byte for
/// byte, and only the scanned strings change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_fields_arrive_unchanged() {
    let request = |body: &str, attr: &str| {
        let any = |s: &str| len(1, &[s.as_bytes().to_vec()]);
        let record = [
            field(1, 1, &T0.to_le_bytes()),
            field(2, 0, &[9]),
            len(5, &[any(body)]),
            len(
                6,
                &[
                    len(1, &[b"user".to_vec()]),
                    len(2, &[any(attr), field(99, 0, &[1])]),
                ],
            ),
            // Unknown: a varint, a fixed32, a binary string and a sub-message.
            field(40, 0, &[0x96, 0x01]),
            field(41, 5, &[1, 2, 3, 4]),
            field(42, 2, b"\x00\xffbinary"),
            len(43, &[field(1, 0, &[5])]),
            field(9, 2, &[0x5b; 16]),
        ]
        .concat();
        let scope_logs = [len(2, &[record]), field(77, 0, &[1])].concat();
        let resource_logs = [
            len(2, &[scope_logs]),
            field(1000, 2, b""),
            field(88, 1, &[7; 8]),
        ]
        .concat();
        len(1, &[resource_logs])
    };
    let sent = request("mail alice@example.com", "bob@example.com");
    let want = request("mail [EMAIL]", "[EMAIL]");
    let r = otlp::redactor("");
    let mut out = vec![];
    r.redact(
        &mut r.scratch(),
        blackbar::otlp::Signal::Logs,
        blackbar::otlp::Encoding::Protobuf,
        &sent,
        &mut out,
    )
    .unwrap();
    assert_eq!(out, want);
    // Through the hop, too.
    let h = Harness::start("").await;
    let (status, _, _, _) = post(
        false,
        &format!("{}/v1/logs", h.url()),
        &[PROTOBUF],
        sent.clone(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(h.collector.seen()[0].message, want);
    // Clean requests pass byte for byte.
    let clean = request("all is well", "nobody");
    let mut out = vec![];
    r.redact(
        &mut r.scratch(),
        blackbar::otlp::Signal::Logs,
        blackbar::otlp::Encoding::Protobuf,
        &clean,
        &mut out,
    )
    .unwrap();
    assert_eq!(out, clean);
    // An unknown text field holding a value the policy redacts is refused, naming the field.
    let mut leaky = request("ok", "ok");
    leaky.extend(len(
        1,
        &[len(55, &[b"contact mallory@example.com".to_vec()])],
    ));
    let err = r
        .redact(
            &mut r.scratch(),
            blackbar::otlp::Signal::Logs,
            blackbar::otlp::Encoding::Protobuf,
            &leaky,
            &mut vec![],
        )
        .unwrap_err();
    let why = format!("{err:?}");
    assert!(why.contains("field 55 of a ResourceLogs"), "{why}");
    assert!(!why.contains("mallory"), "{why}");
    let (status, _, body, _) =
        post(false, &format!("{}/v1/logs", h.url()), &[PROTOBUF], leaky).await;
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
    assert_eq!(h.collector.seen().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_keeps_its_bytes_and_refuses_unknown_members_with_values() {
    let r = otlp::redactor("");
    let redact = |doc: &str| {
        let mut out = vec![];
        r.redact(
            &mut r.scratch(),
            blackbar::otlp::Signal::Logs,
            blackbar::otlp::Encoding::Json,
            doc.as_bytes(),
            &mut out,
        )
        .map(|_| String::from_utf8(out).unwrap())
    };
    let doc = r#"{ "resourceLogs" : [ { "resource": {"attributes":[{"value":{"intValue":"12"},"key":"db_password"}]},
      "scopeLogs": [ {"scope":{"name":"n"}, "logRecords": [ {"timeUnixNano":"1700000000000000000","severityNumber":9,
      "body":{"kvlistValue":{"values":[{"key":"m","value":{"stringValue":"to alice\u0040example.com"}}]}},
      "traceId":"5b8efff798038103d269b633813fc60c","futureField":{"x":1},
      "attributes":[{"key":"b","value":{"bytesValue":"Ym9iQGV4YW1wbGUuY29t"}}] } ] } ] } ] }"#;
    let want = doc
        .replace(r#"{"intValue":"12"}"#, r#"{"stringValue":"[REDACTED]"}"#)
        .replace(r#""to alice\u0040example.com""#, r#""to [EMAIL]""#)
        .replace("Ym9iQGV4YW1wbGUuY29t", "W0VNQUlMXQ==");
    assert_eq!(redact(doc).unwrap(), want);
    let clean = doc
        .replace("alice\\u0040", "x")
        .replace("Ym9iQGV4YW1wbGUuY29t", "eA==")
        .replace("db_password", "db");
    assert_eq!(redact(&clean).unwrap(), clean);
    let leaky = doc.replace(r#"{"x":1}"#, r#""call +1 415 555 0132 or bob@example.com""#);
    let err = format!("{:?}", redact(&leaky).unwrap_err());
    assert!(
        err.contains(r#"member \"futureField\" of a LogRecord"#),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_removes_the_record_and_block_refuses_the_export() {
    let h = Harness::start("[actions]\nemail = \"drop\"\n").await;
    let records = |a: &str, b: &str| {
        format!(
            r#"{{"resourceLogs":[{{"scopeLogs":[{{"logRecords":[{{"body":{{"stringValue":"{a}"}}}},{{"body":{{"stringValue":"{b}"}}}}]}}]}}]}}"#
        )
    };
    let (status, _, _, _) = post(
        false,
        &format!("{}/v1/logs", h.url()),
        &[JSON],
        records("keep me", "mail alice@example.com").into_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    let got: serde_json::Value = serde_json::from_slice(&h.collector.seen()[0].message).unwrap();
    let want: serde_json::Value = serde_json::from_str(
        &records("keep me", "x").replace(r#",{"body":{"stringValue":"x"}}"#, ""),
    )
    .unwrap();
    assert_eq!(got, want);
    h.assert_nothing_planted();
    let h = Harness::start("[actions]\nsecret = \"block\"\n").await;
    let (status, _, body, _) = post(
        false,
        &format!("{}/v1/logs", h.url()),
        &[JSON],
        records("key AKIAQ3EGRZ4XWMJ7VN2K", "ok").into_bytes(),
    )
    .await;
    assert_eq!(status, 400);
    let msg = String::from_utf8_lossy(&body);
    assert!(
        msg.contains("aws-access-key-id") && !msg.contains("AKIA"),
        "{msg}"
    );
    assert!(h.collector.seen().is_empty());
    assert!(
        h.metrics
            .render()
            .contains("blackbar_otlp_blocked_total{rule="),
        "{}",
        h.metrics.render()
    );
}

/// A metrics request whose attribute and exemplar values, metric names and descriptions
/// hold values the hop would redact in logs.
fn metrics_request() -> Vec<u8> {
    use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
    use opentelemetry_proto::tonic::common::v1::KeyValue as Kv;
    use opentelemetry_proto::tonic::metrics::v1::{
        metric, number_data_point, Exemplar, Gauge, Metric, NumberDataPoint, ResourceMetrics,
        ScopeMetrics,
    };
    use opentelemetry_proto::tonic::resource::v1::Resource as ProtoResource;
    let kv = |k: &str, v: &str| Kv {
        key: k.into(),
        value: Some(string_value(v)),
        ..Default::default()
    };
    let point = NumberDataPoint {
        attributes: vec![
            kv("user.email", "zed@example.com"),
            kv("password", "hunter2"),
        ],
        start_time_unix_nano: T0,
        time_unix_nano: T0 + 1,
        exemplars: vec![Exemplar {
            filtered_attributes: vec![kv("key", "AKIAQ3EGRZ4XWMJ7VN2K")],
            time_unix_nano: T0,
            span_id: SPAN.to_be_bytes().to_vec(),
            trace_id: TRACE.to_be_bytes().to_vec(),
            value: Some(opentelemetry_proto::tonic::metrics::v1::exemplar::Value::AsDouble(1.5)),
        }],
        flags: 0,
        value: Some(number_data_point::Value::AsInt(42)),
    };
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(ProtoResource {
                attributes: vec![kv("owner", "zed@example.com")],
                ..Default::default()
            }),
            scope_metrics: vec![ScopeMetrics {
                scope: None,
                metrics: vec![Metric {
                    name: "logins.zed@example.com".into(),
                    description: "for zed@example.com".into(),
                    unit: "1".into(),
                    metadata: vec![],
                    data: Some(metric::Data::Gauge(Gauge {
                        data_points: vec![point],
                    })),
                }],
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
    .encode_to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_pass_through_and_the_hop_reports_its_own() {
    let h = Harness::start("").await;
    let body = br#"{"resourceMetrics":[{"resource":{"attributes":[{"key":"k","value":{"stringValue":"zed@example.com"}}]}}]}"#;
    let (status, _, _, _) = post(
        false,
        &format!("{}/v1/metrics", h.url()),
        &[JSON],
        body.to_vec(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(h.collector.seen()[0].message, body);
    assert_eq!(h.collector.seen()[0].path, "/v1/metrics");
    // Protobuf, gzipped, and over gRPC with gzip: the same message arrives, byte for byte.
    let metrics = metrics_request();
    let gz = {
        use std::io::Write as _;
        let mut e = flate2::write::GzEncoder::new(vec![], flate2::Compression::default());
        e.write_all(&metrics).unwrap();
        e.finish().unwrap()
    };
    let (status, _, _, _) = post(
        false,
        &format!("{}/v1/metrics", h.url()),
        &[PROTOBUF, ("content-encoding", "gzip")],
        gz.clone(),
    )
    .await;
    assert_eq!(status, 200);
    let mut framed = vec![1];
    framed.extend_from_slice(&(gz.len() as u32).to_be_bytes());
    framed.extend_from_slice(&gz);
    let (status, hdrs, _, trailers) = post(
        true,
        &format!(
            "{}/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
            h.url()
        ),
        &[
            ("content-type", "application/grpc"),
            ("te", "trailers"),
            ("grpc-encoding", "gzip"),
        ],
        framed,
    )
    .await;
    let grpc_status = trailers
        .as_ref()
        .and_then(|t| t.get("grpc-status"))
        .or(hdrs.get("grpc-status"));
    assert_eq!((status, grpc_status.unwrap().to_str().unwrap()), (200, "0"));
    let seen = h.collector.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[1].header("content-encoding"), Some("gzip"));
    assert_eq!(seen[1].message, metrics);
    assert_eq!(
        seen[2].path,
        "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"
    );
    assert_eq!(seen[2].header("grpc-encoding"), Some("gzip"));
    assert_eq!(seen[2].message, metrics);
    let (status, _, _, _) = post(
        false,
        &format!("{}/v1/logs", h.url()),
        &[PROTOBUF],
        logs_request(),
    )
    .await;
    assert_eq!(status, 200);
    let m = h.metrics.render();
    assert!(
        m.contains(r#"blackbar_otlp_requests_total{signal="logs",status="200"} 1"#),
        "{m}"
    );
    assert!(
        m.contains(
            r#"blackbar_otlp_findings_total{direction="request",rule="email",category="pii"} 1"#
        ),
        "{m}"
    );
    assert!(!m.contains("alice"), "{m}");
}

#[test]
fn the_command_says_what_is_wrong() {
    let dir = support::Dir::new();
    let help = dir.command().args(["otlp", "--help"]).run().ok();
    assert!(help.contains("--grpc-upstream URL"), "{help}");
    for (args, want) in [
        (vec!["otlp"], "otlp: give --upstream URL"),
        (
            vec![
                "otlp",
                "--listen",
                "1.2.3.4:5",
                "--grpc-upstream",
                "http://x",
            ],
            "--listen takes OTLP/HTTP, which needs --upstream URL",
        ),
        (
            vec!["otlp", "--upstream", "ftp://x"],
            "only http and https upstreams",
        ),
        (
            vec!["otlp", "--upstream", "http://x", "--listen", "nowhere"],
            "--listen nowhere: expected IP:PORT",
        ),
        (
            vec!["otlp", "--upstream", "http://x", "--bogus"],
            "unknown flag --bogus",
        ),
        (
            vec!["otlp", "--upstream", "http://x", "--action", "pii=explode"],
            "--action pii=explode",
        ),
    ] {
        let err = dir.command().args(&args).run().error();
        assert!(err.contains(want), "{args:?}: {err}");
    }
}
