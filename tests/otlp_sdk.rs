//! The official OpenTelemetry Python SDK (opentelemetry-sdk with the OTLP/HTTP and
//! OTLP/gRPC exporters) through the OTLP hop: `tests/sdk/otlp.py` exports the same logs and
//! span straight to the fake collector and through the hop (HTTP and gRPC, gzip), and what
//! arrived through the hop must be the direct request with exactly the scanned strings
//! redacted, field by field.
//!
//! Needs `BLACKBAR_OTLP_PYTHON`: a Python with the SDK and both exporters installed
//! (`.ci/run` makes a venv and sets it). When it is set, any problem fails the test; when it
//! is unset (a machine with only Rust) the test prints a notice and passes without running.

#![cfg(feature = "otlp")]

#[path = "support/collector.rs"]
mod collector;
#[path = "support/otlp.rs"]
mod otlp;
#[path = "support/python.rs"]
mod python;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_sdk_through_the_hop() {
    let h = otlp::Harness::start("").await;
    let env = vec![("COLLECTOR_URL", h.collector.url()), ("HOP_URL", h.url())];
    let what = "the OpenTelemetry Python SDK test";
    let Some(stdout) = python::run_script("BLACKBAR_OTLP_PYTHON", what, "otlp.py", env).await
    else {
        return;
    };
    assert!(stdout.contains("otlp-sdk: 6 passed, 0 failed"), "{stdout}");
    let seen = h.collector.seen();
    let paths: Vec<(&str, bool)> = seen.iter().map(|s| (s.path.as_str(), s.grpc)).collect();
    assert_eq!(
        paths,
        [
            ("/v1/logs", false),
            ("/v1/logs", false),
            (
                "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
                true
            ),
            ("/v1/traces", false),
            ("/v1/traces", false),
            (
                "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                true
            ),
        ]
    );
    // The direct requests carry the planted values; nothing through the hop does.
    assert!(String::from_utf8_lossy(&seen[0].message).contains("alice@example.com"));
    otlp::assert_nothing_planted([1, 2, 4, 5].iter().map(|&i| seen[i].message.as_slice()));
    let want = otlp::expect_logs(ExportLogsServiceRequest::decode(&*seen[0].message).unwrap());
    for i in [1, 2] {
        let got = ExportLogsServiceRequest::decode(&*seen[i].message).unwrap();
        assert_eq!(got, want, "logs request {i}");
    }
    let record = &want.resource_logs[0].scope_logs[0].log_records[0];
    assert_eq!(record.time_unix_nano, 1_700_000_000_123_456_789);
    assert_eq!(record.trace_id.len(), 16);
    let want = otlp::expect_traces(ExportTraceServiceRequest::decode(&*seen[3].message).unwrap());
    for i in [4, 5] {
        let got = ExportTraceServiceRequest::decode(&*seen[i].message).unwrap();
        assert_eq!(got, want, "traces request {i}");
    }
    assert_eq!(
        want.resource_spans[0].scope_spans[0].spans[0].name,
        "GET /users/[EMAIL]"
    );
    // The same Python bytes, redacted the same way, whichever way they came.
    assert_eq!(seen[1].message, seen[2].message);
    assert_eq!(seen[4].message, seen[5].message);
}
