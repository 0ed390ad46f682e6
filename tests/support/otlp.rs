//! The OTLP hop's test harness: the hop in-process in front of the fake collector
//! (`collector.rs`), the values the tests plant, and the reference for what must arrive: the
//! request as sent, with exactly the scanned strings redacted (each on its own, by the same
//! rules) and the values under sensitive attribute keys replaced, written here from the
//! OTLP schema independently of the hop.

#![allow(dead_code)] // Not every test uses every helper.

use std::net::SocketAddr;
use std::sync::Arc;

use blackbar::otlp::{Hop, Metrics, OtlpConfig, OtlpRedactor, Route};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use serde_json::Value;

use super::collector::Collector;

/// Values planted in the tests' requests: none may reach the collector.
pub const PLANTED: &[&str] = &[
    "alice@example.com",
    "bob@example.com",
    "carol@example.com",
    "dave@example.com",
    "erin@example.com",
    "frank@example.com",
    "grace@example.com",
    "heidi@example.com",
    "ivan@example.com",
    "judy@example.com",
    "mallory@example.com",
    "trent@example.com",
    "AKIAQ3EGRZ4XWMJ7VN2K",
    "Xk9#mP2vL7q!",
    "Bearer eyJ0b2tlbiI6InNlY3JldCJ9",
    "s3cr3t-Pa55w0rd",
];

/// Attribute keys the tests plant whose values must become `[REDACTED]`.
pub const SENSITIVE: &[&str] = &[
    "password",
    "http.request.header.authorization",
    "db.password",
];

/// The hop in front of a fake collector, serving OTLP/HTTP and OTLP/gRPC on one port.
pub struct Harness {
    pub collector: Collector,
    pub addr: SocketAddr,
    pub metrics: Arc<Metrics>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Harness {
    /// With the default catalog and the policy in TOML (`""`: the default policy).
    pub async fn start(policy: &str) -> Harness {
        let collector = Collector::start().await;
        let url = collector.url();
        Harness::start_to(collector, &url, policy).await
    }

    /// In front of `collector`, sending to `url` (which may be somewhere else).
    pub async fn start_to(collector: Collector, url: &str, policy: &str) -> Harness {
        let mut config = OtlpConfig::default();
        config.upstream = Some(Route::parse(url).unwrap());
        config.grpc_upstream = Some(Route::parse(url).unwrap());
        config.timeouts.connect = std::time::Duration::from_secs(2);
        config.timeouts.response = std::time::Duration::from_secs(5);
        let hop = Hop::new(config, redactor(policy)).unwrap();
        let metrics = hop.metrics();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(hop.serve(vec![listener], async move {
            let _ = rx.await;
        }));
        Harness {
            collector,
            addr,
            metrics,
            stop: Some(tx),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Fails if any planted value is in anything the collector received.
    pub fn assert_nothing_planted(&self) {
        let seen = self.collector.seen();
        assert!(!seen.is_empty(), "the collector received nothing");
        assert_nothing_planted(seen.iter().map(|s| s.message.as_slice()));
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

pub fn assert_nothing_planted<'a>(messages: impl Iterator<Item = &'a [u8]>) {
    for m in messages {
        for v in PLANTED {
            assert!(
                memchr::memmem::find(m, v.as_bytes()).is_none(),
                "{v} reached the collector"
            );
        }
    }
}

/// The hop's redactor: the default catalog, `policy`, the default sensitive keys.
pub fn redactor(policy: &str) -> OtlpRedactor {
    let policy = blackbar::Policy::from_toml(policy, "policy").unwrap();
    let r = blackbar::Redactor::builder()
        .policy(policy)
        .build()
        .unwrap();
    OtlpRedactor::new(r, Default::default())
}

/// The reference redaction of one scanned string: the string redacted on its own.
pub fn expect_str(s: &str) -> String {
    thread_local! {
        static R: blackbar::Redactor = blackbar::Redactor::builder().build().unwrap();
    }
    R.with(|r| String::from_utf8(r.redact(s.as_bytes()).output).unwrap())
}

fn expect_value(v: &mut AnyValue) {
    match v.value.as_mut() {
        Some(any_value::Value::StringValue(s)) => *s = expect_str(s),
        Some(any_value::Value::BytesValue(b)) => {
            *b = blackbar::Redactor::builder()
                .build()
                .unwrap()
                .redact(b)
                .output
        }
        Some(any_value::Value::ArrayValue(a)) => a.values.iter_mut().for_each(expect_value),
        Some(any_value::Value::KvlistValue(l)) => expect_attributes(&mut l.values),
        _ => {}
    }
}

fn expect_attributes(attrs: &mut [KeyValue]) {
    for kv in attrs {
        if SENSITIVE.contains(&kv.key.as_str()) {
            kv.value = Some(AnyValue {
                value: Some(any_value::Value::StringValue("[REDACTED]".into())),
            });
        } else if let Some(v) = kv.value.as_mut() {
            expect_value(v);
        }
    }
}

/// What the collector must receive for `req`.
pub fn expect_logs(mut req: ExportLogsServiceRequest) -> ExportLogsServiceRequest {
    for rl in &mut req.resource_logs {
        if let Some(r) = rl.resource.as_mut() {
            expect_attributes(&mut r.attributes);
        }
        for sl in &mut rl.scope_logs {
            if let Some(s) = sl.scope.as_mut() {
                expect_attributes(&mut s.attributes);
            }
            for lr in &mut sl.log_records {
                if let Some(b) = lr.body.as_mut() {
                    expect_value(b);
                }
                expect_attributes(&mut lr.attributes);
                lr.event_name = expect_str(&lr.event_name);
            }
        }
    }
    req
}

/// What the collector must receive for `req`.
pub fn expect_traces(mut req: ExportTraceServiceRequest) -> ExportTraceServiceRequest {
    for rs in &mut req.resource_spans {
        if let Some(r) = rs.resource.as_mut() {
            expect_attributes(&mut r.attributes);
        }
        for ss in &mut rs.scope_spans {
            if let Some(s) = ss.scope.as_mut() {
                expect_attributes(&mut s.attributes);
            }
            for span in &mut ss.spans {
                span.name = expect_str(&span.name);
                expect_attributes(&mut span.attributes);
                for e in &mut span.events {
                    e.name = expect_str(&e.name);
                    expect_attributes(&mut e.attributes);
                }
                for l in &mut span.links {
                    expect_attributes(&mut l.attributes);
                }
                if let Some(st) = span.status.as_mut() {
                    st.message = expect_str(&st.message);
                }
            }
        }
    }
    req
}

/// The same reference on OTLP/JSON (lowerCamelCase names): the strings of `stringValue`,
/// the span, event and log event names and status messages, and sensitive keys' values.
pub fn expect_json(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let sensitive = m
                .get("key")
                .and_then(Value::as_str)
                .is_some_and(|k| SENSITIVE.contains(&k))
                && m.contains_key("value");
            if sensitive {
                m.insert(
                    "value".into(),
                    serde_json::json!({"stringValue": "[REDACTED]"}),
                );
                return;
            }
            for (k, x) in m.iter_mut() {
                match (k.as_str(), x) {
                    ("stringValue" | "name" | "message" | "eventName", Value::String(s)) => {
                        *s = expect_str(s)
                    }
                    (_, x) => expect_json(x),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(expect_json),
        _ => {}
    }
}
