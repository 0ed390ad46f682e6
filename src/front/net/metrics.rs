//! The HTTP front ends' metrics, served at `/metrics` in the Prometheus text format: one
//! implementation, named per front end (`blackbar_proxy_*`, `blackbar_otlp_*`). Labels carry
//! rule ids, categories, API or signal names and status codes, never a value.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::finding::Finding;

/// Upper bounds (seconds) of the upstream latency histogram's buckets.
const BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

/// Counters and the upstream latency histogram. Shared by all connections.
#[derive(Debug)]
pub struct Metrics {
    /// The front end's name in the metric names (`proxy`, `otlp`).
    front: &'static str,
    /// The label that names what a request was for (`api`, `signal`).
    kind: &'static str,
    /// Whether answers are checked (the proxy), so canary stops are counted.
    answers: bool,
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

impl Default for Metrics {
    /// The LLM proxy's metrics.
    fn default() -> Metrics {
        Metrics::new("proxy", "api", true)
    }
}

impl Metrics {
    /// Metrics named `blackbar_{front}_*`, whose requests are labelled `kind`; `answers`
    /// when the front end checks answers (canary stops are counted then).
    pub(crate) fn new(front: &'static str, kind: &'static str, answers: bool) -> Metrics {
        Metrics {
            front,
            kind,
            answers,
            requests: Mutex::default(),
            findings: Mutex::default(),
            blocked: Mutex::default(),
            canary_stops: AtomicU64::default(),
            upstream_errors: AtomicU64::default(),
            latency_buckets: Default::default(),
            latency_count: AtomicU64::default(),
            latency_micros: AtomicU64::default(),
        }
    }

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
        let (f, kind) = (self.front, self.kind);
        let mut o = String::new();
        let family = |o: &mut String, name: &str, ty: &str, help: &str| {
            let _ = writeln!(o, "# HELP blackbar_{f}_{name} {help}");
            let _ = writeln!(o, "# TYPE blackbar_{f}_{name} {ty}");
        };
        family(
            &mut o,
            "requests_total",
            "counter",
            &format!("Requests answered, by {kind} and status."),
        );
        for ((api, status), n) in lock(&self.requests).iter() {
            let _ = writeln!(
                o,
                "blackbar_{f}_requests_total{{{kind}=\"{api}\",status=\"{status}\"}} {n}"
            );
        }
        family(
            &mut o,
            "findings_total",
            "counter",
            "Findings, by direction, rule and category.",
        );
        for ((dir, rule, cat), n) in lock(&self.findings).iter() {
            let _ = writeln!(
                o,
                "blackbar_{f}_findings_total{{direction=\"{dir}\",rule=\"{}\",category=\"{cat}\"}} {n}",
                escape(rule)
            );
        }
        family(
            &mut o,
            "blocked_total",
            "counter",
            "Requests refused by a block action, by rule.",
        );
        for (rule, n) in lock(&self.blocked).iter() {
            let _ = writeln!(
                o,
                "blackbar_{f}_blocked_total{{rule=\"{}\"}} {n}",
                escape(rule)
            );
        }
        if self.answers {
            family(
                &mut o,
                "canary_stops_total",
                "counter",
                "Answers stopped because they carried a canary.",
            );
            let _ = writeln!(o, "blackbar_{f}_canary_stops_total {}", self.canary_stops());
        }
        family(
            &mut o,
            "upstream_errors_total",
            "counter",
            "Upstream calls that failed or timed out.",
        );
        let _ = writeln!(
            o,
            "blackbar_{f}_upstream_errors_total {}",
            self.upstream_errors.load(Ordering::Relaxed)
        );
        family(
            &mut o,
            "upstream_latency_seconds",
            "histogram",
            "Time from sending a request upstream to its answer's headers.",
        );
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                o,
                "blackbar_{f}_upstream_latency_seconds_bucket{{le=\"{b}\"}} {}",
                self.latency_buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            o,
            "blackbar_{f}_upstream_latency_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            o,
            "blackbar_{f}_upstream_latency_seconds_sum {}",
            self.latency_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(o, "blackbar_{f}_upstream_latency_seconds_count {count}");
        o
    }
}

/// Escapes a label value (rule ids are `[a-z0-9-]`, but user rule files could say more).
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
