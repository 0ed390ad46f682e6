//! The proxy's metrics, served at `/metrics` in the Prometheus text format. Labels carry
//! rule ids, categories, API names and status codes, never a value.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::finding::Finding;
use crate::prometheus::{Exposition, Kind};

/// Upper bounds (seconds) of the upstream latency histogram's buckets.
const BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

/// Counters and the upstream latency histogram. Shared by all connections.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    findings: Mutex<BTreeMap<(&'static str, String, &'static str), u64>>,
    blocked: Mutex<BTreeMap<String, u64>>,
    canary_stops: AtomicU64,
    upstream_errors: AtomicU64,
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_micros: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Metrics {
    /// Counts a request answered with `status`.
    pub(crate) fn request(&self, api: &'static str, status: u16) {
        *lock(&self.requests).entry((api, status)).or_default() += 1;
    }

    /// Counts findings; `direction` is `request` or `answer`.
    pub(crate) fn findings(&self, direction: &'static str, findings: &[Finding]) {
        if findings.is_empty() {
            return;
        }
        let mut m = lock(&self.findings);
        for f in findings {
            *m.entry((direction, f.rule_id.to_string(), f.category.as_str()))
                .or_default() += 1;
        }
    }

    /// Counts a request refused by a `block` action on `rule`.
    pub(crate) fn blocked(&self, rule: &str) {
        *lock(&self.blocked).entry(rule.to_string()).or_default() += 1;
    }

    /// Counts an answer stopped for a canary.
    pub(crate) fn canary_stop(&self) {
        self.canary_stops.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an upstream that could not be reached, timed out or answered unreadably.
    pub(crate) fn upstream_error(&self) {
        self.upstream_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Records the time from sending a request upstream to its answer's headers.
    pub(crate) fn upstream_latency(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_micros
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    /// The number of answers stopped for a canary.
    pub fn canary_stops(&self) -> u64 {
        self.canary_stops.load(Ordering::Relaxed)
    }

    /// Everything, in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut e = Exposition::default();
        e.family(
            "blackbar_proxy_requests_total",
            Kind::Counter,
            "Requests answered, by API and status.",
        );
        for ((api, status), n) in lock(&self.requests).iter() {
            let status = status.to_string();
            e.sample(
                "blackbar_proxy_requests_total",
                &[("api", api), ("status", &status)],
                n,
            );
        }
        e.family(
            "blackbar_proxy_findings_total",
            Kind::Counter,
            "Findings, by direction, rule and category.",
        );
        for ((dir, rule, cat), n) in lock(&self.findings).iter() {
            e.sample(
                "blackbar_proxy_findings_total",
                &[("direction", dir), ("rule", rule), ("category", cat)],
                n,
            );
        }
        e.family(
            "blackbar_proxy_blocked_total",
            Kind::Counter,
            "Requests refused by a block action, by rule.",
        );
        for (rule, n) in lock(&self.blocked).iter() {
            e.sample("blackbar_proxy_blocked_total", &[("rule", rule)], n);
        }
        e.family(
            "blackbar_proxy_canary_stops_total",
            Kind::Counter,
            "Answers stopped because they carried a canary.",
        )
        .sample("blackbar_proxy_canary_stops_total", &[], self.canary_stops());
        e.family(
            "blackbar_proxy_upstream_errors_total",
            Kind::Counter,
            "Upstream calls that failed or timed out.",
        )
        .sample(
            "blackbar_proxy_upstream_errors_total",
            &[],
            self.upstream_errors.load(Ordering::Relaxed),
        );
        let latency = "blackbar_proxy_upstream_latency_seconds";
        e.family(
            latency,
            Kind::Histogram,
            "Time from sending a request upstream to its answer's headers.",
        );
        let bucket = format!("{latency}_bucket");
        for (i, b) in BUCKETS.iter().enumerate() {
            let le = b.to_string();
            e.sample(
                &bucket,
                &[("le", &le)],
                self.latency_buckets[i].load(Ordering::Relaxed),
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        e.sample(&bucket, &[("le", "+Inf")], count)
            .sample(
                &format!("{latency}_sum"),
                &[],
                self.latency_micros.load(Ordering::Relaxed) as f64 / 1e6,
            )
            .sample(&format!("{latency}_count"), &[], count);
        e.finish()
    }
}
