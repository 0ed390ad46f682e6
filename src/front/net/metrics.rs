//! Metrics in the Prometheus text format, served at `/metrics`: the one writer of the format
//! ([`Exposition`], which escapes every label value), the HTTP front ends' counters
//! ([`Metrics`], named per front end: `blackbar_proxy_*`, `blackbar_otlp_*`) and the answer
//! to `GET /metrics` and `GET /healthz` ([`endpoint`]), which the Kafka connector serves
//! too, with its own counters. Labels carry rule ids, categories, API or signal names,
//! topics, partitions and status codes, never a value.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use std::fmt::{Display, Write};

use http::{header, Method, Request, Response, StatusCode};

use super::body::ProxyBody;
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
        let name = |n: &str| format!("blackbar_{}_{n}", self.front);
        let mut e = Exposition::default();
        let requests = name("requests_total");
        e.family(
            &requests,
            Kind::Counter,
            &format!("Requests answered, by {} and status.", self.kind),
        );
        for ((api, status), n) in lock(&self.requests).iter() {
            let status = status.to_string();
            e.sample(&requests, &[(self.kind, api), ("status", &status)], n);
        }
        let findings = name("findings_total");
        e.family(
            &findings,
            Kind::Counter,
            "Findings, by direction, rule and category.",
        );
        for ((dir, rule, cat), n) in lock(&self.findings).iter() {
            e.sample(
                &findings,
                &[("direction", dir), ("rule", rule), ("category", cat)],
                n,
            );
        }
        let blocked = name("blocked_total");
        e.family(
            &blocked,
            Kind::Counter,
            "Requests refused by a block action, by rule.",
        );
        for (rule, n) in lock(&self.blocked).iter() {
            e.sample(&blocked, &[("rule", rule)], n);
        }
        if self.answers {
            let stops = name("canary_stops_total");
            e.family(
                &stops,
                Kind::Counter,
                "Answers stopped because they carried a canary.",
            )
            .sample(&stops, &[], self.canary_stops());
        }
        let errors = name("upstream_errors_total");
        e.family(
            &errors,
            Kind::Counter,
            "Upstream calls that failed or timed out.",
        )
        .sample(&errors, &[], self.upstream_errors.load(Ordering::Relaxed));
        let latency = name("upstream_latency_seconds");
        e.family(
            &latency,
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

/// The answer to `GET /metrics` (the page `render` writes) and `GET /healthz`; `None` for
/// any other request.
pub(crate) fn endpoint<B>(
    req: &Request<B>,
    render: impl FnOnce() -> String,
) -> Option<Response<ProxyBody>> {
    if req.method() != Method::GET {
        return None;
    }
    let body = match req.uri().path() {
        "/metrics" => render(),
        "/healthz" => "ok\n".to_string(),
        _ => return None,
    };
    let answer = Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/plain; version=0.0.4")
        .body(ProxyBody::full(body))
        .expect("a valid response");
    Some(answer)
}

/// The type of a metric family.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// A metrics page being written: families, each a `# HELP` and `# TYPE` line followed by
/// its samples.
#[derive(Debug, Default)]
pub(crate) struct Exposition {
    out: String,
}

impl Exposition {
    /// Starts the family `name`.
    pub(crate) fn family(&mut self, name: &str, kind: Kind, help: &str) -> &mut Exposition {
        let kind = match kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        };
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
        self
    }

    /// One sample, `name{label="value",...} value`.
    pub(crate) fn sample(
        &mut self,
        name: &str,
        labels: &[(&str, &str)],
        value: impl Display,
    ) -> &mut Exposition {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (label, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{label}=\"{}\"", escape(v));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {value}");
        self
    }

    /// The page.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// Escapes a label value (rule ids are `[a-z0-9-]`, but user rule files and topic names may
/// say more).
fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['\\', '"', '\n']) {
        return s.into();
    }
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_samples_and_escapes() {
        let mut e = Exposition::default();
        e.family("x_total", Kind::Counter, "Things.")
            .sample("x_total", &[], 3)
            .sample("x_total", &[("rule", "a\"b\\c\nd"), ("k", "v")], 1.5);
        assert_eq!(
            e.finish(),
            "# HELP x_total Things.\n# TYPE x_total counter\nx_total 3\n\
             x_total{rule=\"a\\\"b\\\\c\\nd\",k=\"v\"} 1.5\n"
        );
    }
}
