//! The connector's metrics, written and served (`GET /metrics`, `GET /healthz`) with the
//! HTTP core's Prometheus writer and server loop (`crate::net`). Labels carry rule ids, categories, topics, partitions
//! and error kinds, never a value.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use tokio::net::TcpListener;

use super::record::{Mode, Outcome};
use crate::net::{self, Exposition, Kind, ProxyBody, ServeError};

/// What went wrong, for `blackbar_kafka_errors_total{kind}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The client library reported a problem (a broker unreachable, a request timed out);
    /// it retries by itself.
    Client,
    /// Consuming returned an error.
    Consume,
    /// A redacted record was not acknowledged by the broker.
    Delivery,
    /// Committing offsets failed (they are committed again later).
    Commit,
    /// A record could not be redacted (the connector stops).
    Redaction,
    /// A rebalance failed.
    Rebalance,
}

impl ErrorKind {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Client => "client",
            ErrorKind::Consume => "consume",
            ErrorKind::Delivery => "delivery",
            ErrorKind::Commit => "commit",
            ErrorKind::Redaction => "redaction",
            ErrorKind::Rebalance => "rebalance",
        }
    }
}

/// Counters and gauges of one connector, shared with its metrics server.
#[derive(Debug, Default)]
pub struct Metrics {
    topic: String,
    records_in: AtomicU64,
    bytes_in: AtomicU64,
    records_out: AtomicU64,
    bytes_out: AtomicU64,
    dropped: AtomicU64,
    in_flight: AtomicU64,
    modes: Mutex<BTreeMap<Mode, u64>>,
    findings: Mutex<BTreeMap<(String, &'static str), u64>>,
    errors: Mutex<BTreeMap<ErrorKind, u64>>,
    /// Consumer lag of each assigned input partition.
    lag: Mutex<BTreeMap<i32, i64>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Metrics {
    pub(crate) fn new(input_topic: &str) -> Metrics {
        Metrics {
            topic: input_topic.to_string(),
            ..Metrics::default()
        }
    }

    /// Counts a consumed record of `bytes` bytes.
    pub(crate) fn consumed(&self, bytes: usize) {
        self.records_in.fetch_add(1, Ordering::Relaxed);
        self.bytes_in.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// Counts a redacted record: how it was read, what was found in it.
    pub(crate) fn redacted(&self, outcome: &Outcome) {
        *lock(&self.modes).entry(outcome.mode).or_default() += 1;
        if outcome.drop {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        if outcome.findings.is_empty() {
            return;
        }
        let mut m = lock(&self.findings);
        for f in &outcome.findings {
            *m.entry((f.rule_id.to_string(), f.category.as_str()))
                .or_default() += 1;
        }
    }

    /// Counts a redacted record of `bytes` bytes acknowledged by the broker.
    pub(crate) fn written(&self, bytes: usize) {
        self.records_out.fetch_add(1, Ordering::Relaxed);
        self.bytes_out.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// Counts an error.
    pub(crate) fn error(&self, kind: ErrorKind) {
        *lock(&self.errors).entry(kind).or_default() += 1;
    }

    pub(crate) fn set_in_flight(&self, n: usize) {
        self.in_flight.store(n as u64, Ordering::Relaxed);
    }

    /// Replaces the lag of the assigned partitions.
    pub(crate) fn set_lag(&self, lag: BTreeMap<i32, i64>) {
        *lock(&self.lag) = lag;
    }

    /// Records consumed.
    pub fn records_in(&self) -> u64 {
        self.records_in.load(Ordering::Relaxed)
    }

    /// Redacted records acknowledged by the broker.
    pub fn records_out(&self) -> u64 {
        self.records_out.load(Ordering::Relaxed)
    }

    /// Records the policy dropped.
    pub fn records_dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Errors of one kind.
    pub fn errors(&self, kind: ErrorKind) -> u64 {
        lock(&self.errors).get(&kind).copied().unwrap_or(0)
    }

    /// Everything, in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut e = Exposition::default();
        let counters: [(&str, &str, &AtomicU64); 5] = [
            (
                "records_in",
                "Records consumed from the input topic.",
                &self.records_in,
            ),
            (
                "bytes_in",
                "Bytes of record values consumed.",
                &self.bytes_in,
            ),
            (
                "records_out",
                "Redacted records written to the output topic and acknowledged.",
                &self.records_out,
            ),
            (
                "bytes_out",
                "Bytes of redacted values acknowledged.",
                &self.bytes_out,
            ),
            (
                "records_dropped",
                "Records not written because a finding's action is drop.",
                &self.dropped,
            ),
        ];
        for (name, help, n) in counters {
            let name = format!("blackbar_kafka_{name}_total");
            e.family(&name, Kind::Counter, help)
                .sample(&name, &[], n.load(Ordering::Relaxed));
        }
        let name = "blackbar_kafka_records_by_mode_total";
        e.family(
            name,
            Kind::Counter,
            "Records by how their value was redacted: json, text, invalid_json or too_long (both redacted as text).",
        );
        for (mode, n) in lock(&self.modes).iter() {
            e.sample(name, &[("mode", mode.as_str())], n);
        }
        let name = "blackbar_kafka_findings_total";
        e.family(name, Kind::Counter, "Findings, by rule and category.");
        for ((rule, category), n) in lock(&self.findings).iter() {
            e.sample(name, &[("rule", rule), ("category", category)], n);
        }
        let name = "blackbar_kafka_errors_total";
        e.family(name, Kind::Counter, "Errors, by kind.");
        for (kind, n) in lock(&self.errors).iter() {
            e.sample(name, &[("kind", kind.as_str())], n);
        }
        let name = "blackbar_kafka_in_flight_records";
        e.family(
            name,
            Kind::Gauge,
            "Records consumed whose redacted copy is not acknowledged yet.",
        )
        .sample(name, &[], self.in_flight.load(Ordering::Relaxed));
        let name = "blackbar_kafka_consumer_lag";
        e.family(
            name,
            Kind::Gauge,
            "Records between the committed offset and the end of each assigned input partition.",
        );
        let topic = &self.topic;
        for (partition, lag) in lock(&self.lag).iter() {
            let partition = partition.to_string();
            e.sample(name, &[("topic", topic), ("partition", &partition)], lag);
        }
        e.finish()
    }
}

/// Serves `GET /metrics` and `GET /healthz` on `listener` (with the HTTP front ends' server
/// loop) until `shutdown` completes.
///
/// # Errors
///
/// When the server loop cannot run ([`ServeError`]).
pub async fn serve(
    metrics: Arc<Metrics>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let handle = move |req: Request<Incoming>| {
        let answer = net::endpoint(&req, || metrics.render()).unwrap_or_else(|| {
            let mut answer = Response::new(ProxyBody::full("not found\n"));
            *answer.status_mut() = StatusCode::NOT_FOUND;
            answer
        });
        std::future::ready(answer)
    };
    net::serve(
        "kafka",
        vec![listener],
        shutdown,
        Duration::from_secs(1),
        handle,
    )
    .await
}
