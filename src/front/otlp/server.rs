//! The hop's requests: OTLP/HTTP (`/v1/logs`, `/v1/traces`, `/v1/metrics`) and OTLP/gRPC
//! (the services' `Export` methods, on any listener), `/healthz`, `/metrics`; the upstream
//! call and the answer passed back. The server loop, the client and the metrics are
//! `crate::net`'s.
//!
//! Logs carry the signal, status, timings, finding counts and rule ids: never a header, a
//! body or a value.

use std::future::Future;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use tokio::net::TcpListener;
use tracing::{info, warn};

use super::redact::{Encoding, OtlpRedactor, Redaction, Refused, Signal};
use super::{grpc, proto};
use crate::error::{Error, ErrorKind};
use crate::finding::Finding;
use crate::net::{self, copy_headers, BodyError, Metrics, ProxyBody, Route, ServeError, Timeouts};
use crate::net::{Upstream, UpstreamCa};

/// The largest answer read from a collector.
const MAX_ANSWER: usize = 16 << 20;

/// Everything the hop needs besides its redactor.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct OtlpConfig {
    /// Where OTLP/HTTP requests go (`http://collector:4318`; the `/v1/...` path is
    /// appended to the URL's path).
    pub upstream: Option<Route>,
    /// Where OTLP/gRPC requests go (`http://collector:4317`: HTTP/2 in clear;
    /// `https://...`: over TLS).
    pub grpc_upstream: Option<Route>,
    /// Certificate authorities trusted for HTTPS upstreams besides the webpki roots.
    pub upstream_cas: Vec<UpstreamCa>,
    /// The largest request body, before and after decoding (default 20 MiB, the
    /// Collector's default; 413 or `RESOURCE_EXHAUSTED` past it).
    pub max_body: usize,
    /// Upstream timeouts (connect 10 s, answer 30 s).
    pub timeouts: Timeouts,
    /// How long in-flight requests may take to finish after a shutdown signal.
    pub grace: Duration,
}

impl Default for OtlpConfig {
    fn default() -> OtlpConfig {
        let mut timeouts = Timeouts::default();
        timeouts.response = Duration::from_secs(30);
        timeouts.idle = Duration::from_secs(30);
        OtlpConfig {
            upstream: None,
            grpc_upstream: None,
            upstream_cas: vec![],
            max_body: 20 << 20,
            timeouts,
            grace: Duration::from_secs(30),
        }
    }
}

/// The hop: cheap to clone, shared by every connection.
#[derive(Clone)]
pub struct Hop {
    inner: Arc<Shared>,
}

struct Shared {
    config: OtlpConfig,
    redactor: OtlpRedactor,
    http: Upstream,
    grpc: Upstream,
    metrics: Arc<Metrics>,
}

/// An answer from the collector, or why there is none.
enum Answer {
    Got(http::response::Parts, http_body_util::Collected<Bytes>),
    Unreachable,
    TimedOut,
}

impl Hop {
    /// A hop with `config`, redacting with `redactor`.
    ///
    /// # Errors
    ///
    /// No upstream at all, or TLS that cannot be set up.
    pub fn new(config: OtlpConfig, redactor: OtlpRedactor) -> Result<Hop, Error> {
        if config.upstream.is_none() && config.grpc_upstream.is_none() {
            return Err(Error::new(ErrorKind::Parse(
                "the OTLP hop needs an upstream (HTTP, gRPC or both)".into(),
            )));
        }
        let cas = &config.upstream_cas;
        Ok(Hop {
            inner: Arc::new(Shared {
                http: net::client(&config.timeouts, cas, net::Protocol::Http)?,
                grpc: net::client(&config.timeouts, cas, net::Protocol::Http2)?,
                config,
                redactor,
                metrics: Arc::new(Metrics::new("otlp", "signal", false)),
            }),
        })
    }

    /// The hop's metrics.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.inner.metrics.clone()
    }

    /// Serves connections from every listener (OTLP/HTTP and OTLP/gRPC alike: a request
    /// is told by its content type) until `shutdown` completes, then stops accepting and
    /// lets in-flight requests finish (for at most the configured grace period).
    ///
    /// # Errors
    ///
    /// None today: accept errors are logged and retried.
    pub async fn serve(
        self,
        listeners: Vec<TcpListener>,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ServeError> {
        let grace = self.inner.config.grace;
        net::serve("otlp", listeners, shutdown, grace, move |req| {
            let hop = self.clone();
            async move { hop.handle(req).await }
        })
        .await
    }

    /// Answers one request.
    pub async fn handle(&self, req: Request<Incoming>) -> Response<ProxyBody> {
        let started = Instant::now();
        let path = req.uri().path().to_string();
        let grpc = content_type(req.headers()).starts_with("application/grpc");
        if grpc {
            let signal = grpc::signal(&path);
            let resp = self.grpc(signal, req).await;
            let code = resp
                .headers()
                .get("grpc-status")
                .and_then(|v| v.to_str().ok()?.parse().ok())
                .unwrap_or(0);
            let name = signal.map_or("grpc_unknown", |s| match s {
                Signal::Logs => "grpc_logs",
                Signal::Traces => "grpc_traces",
                Signal::Metrics => "grpc_metrics",
            });
            self.inner.metrics.request(name, code);
            info!(target: "blackbar::otlp", signal = name, grpc_status = code, ms = started.elapsed().as_secs_f64() * 1e3, "request");
            return resp;
        }
        if req.method() == Method::GET && path == "/healthz" {
            return Response::new(ProxyBody::full("ok\n"));
        }
        if req.method() == Method::GET && path == "/metrics" {
            return Response::builder()
                .header(header::CONTENT_TYPE, "text/plain; version=0.0.4")
                .body(ProxyBody::full(self.inner.metrics.render()))
                .expect("a valid response");
        }
        let signal = match path.trim_end_matches('/') {
            "/v1/logs" => Signal::Logs,
            "/v1/traces" => Signal::Traces,
            "/v1/metrics" => Signal::Metrics,
            _ => {
                self.inner.metrics.request("unknown", 404);
                return status(
                    Encoding::Json,
                    StatusCode::NOT_FOUND,
                    "blackbar: not an OTLP path (/v1/logs, /v1/traces and /v1/metrics are)",
                );
            }
        };
        let resp = self.http(signal, req).await;
        let code = resp.status().as_u16();
        self.inner.metrics.request(signal.as_str(), code);
        info!(target: "blackbar::otlp", signal = signal.as_str(), status = code, ms = started.elapsed().as_secs_f64() * 1e3, "request");
        resp
    }

    /// Redacts a decoded request; `Err` is a message for the client.
    async fn redact(
        &self,
        signal: Signal,
        encoding: Encoding,
        body: Vec<u8>,
    ) -> Result<(Vec<u8>, Redaction), String> {
        let redactor = self.inner.redactor.clone();
        let result = net::run(body, move |body| {
            let mut out = Vec::with_capacity(body.len() + body.len() / 16);
            Ok::<_, std::convert::Infallible>(
                redactor
                    .redact_pooled(signal, encoding, &body, &mut out)
                    .map(|r| (out, r)),
            )
        })
        .await
        .map_err(|why| format!("blackbar: {why}; nothing was forwarded"))?;
        let metrics = &self.inner.metrics;
        match result {
            Ok((out, r)) => {
                metrics.findings("request", &r.findings);
                if !r.findings.is_empty() {
                    let rules = rule_ids(&r.findings);
                    info!(target: "blackbar::otlp", signal = signal.as_str(), findings = r.findings.len(), dropped = r.dropped, rules = %rules, "redacted");
                }
                Ok((out, r))
            }
            Err(Refused::Invalid(why)) => {
                warn!(target: "blackbar::otlp", signal = signal.as_str(), %why, "request refused");
                Err(format!("blackbar: {why}; nothing was forwarded"))
            }
            Err(Refused::Unknown(why)) => {
                warn!(target: "blackbar::otlp", signal = signal.as_str(), %why, "request refused");
                Err(format!("blackbar: {why}; nothing was forwarded"))
            }
            Err(Refused::Blocked(found)) => {
                for f in &found {
                    metrics.blocked(&f.rule_id);
                }
                metrics.findings("request", &found);
                let message = net::block_message(found.iter(), "export", "; nothing was forwarded");
                warn!(target: "blackbar::otlp", signal = signal.as_str(), %message, "request blocked");
                Err(message)
            }
        }
    }

    /// Sends `req` with the answer timeout, and reads the whole answer.
    async fn send(&self, client: &Upstream, req: Request<Full<Bytes>>, to: &str) -> Answer {
        let shared = &self.inner;
        let timeout = shared.config.timeouts.response;
        let sent = Instant::now();
        let answer = tokio::time::timeout(timeout, async {
            let resp = client.request(req).await?;
            shared.metrics.upstream_latency(sent.elapsed());
            let (parts, body) = resp.into_parts();
            let body = Limited::new(body, MAX_ANSWER)
                .collect()
                .await
                .map_err(|_| ())
                .ok();
            Ok::<_, hyper_util::client::legacy::Error>((parts, body))
        })
        .await;
        match answer {
            Ok(Ok((parts, Some(body)))) => Answer::Got(parts, body),
            Ok(Ok((_, None))) => {
                shared.metrics.upstream_error();
                warn!(target: "blackbar::otlp", upstream = to, "the upstream's answer could not be read");
                Answer::Unreachable
            }
            Ok(Err(e)) => {
                shared.metrics.upstream_error();
                let cause: &(dyn std::error::Error + 'static) = &e;
                warn!(target: "blackbar::otlp", upstream = to, error = cause, "upstream unreachable");
                Answer::Unreachable
            }
            Err(_) => {
                shared.metrics.upstream_error();
                warn!(target: "blackbar::otlp", upstream = to, "upstream timed out");
                Answer::TimedOut
            }
        }
    }

    async fn http(&self, signal: Signal, req: Request<Incoming>) -> Response<ProxyBody> {
        let shared = &self.inner;
        let ctype = content_type(req.headers()).to_string();
        let encoding = if ctype.starts_with("application/x-protobuf") {
            Encoding::Protobuf
        } else if ctype.starts_with("application/json") {
            Encoding::Json
        } else {
            return status(
                Encoding::Json,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "blackbar: OTLP/HTTP takes application/x-protobuf or application/json",
            );
        };
        let Some(route) = shared.config.upstream.clone() else {
            return status(
                encoding,
                StatusCode::NOT_FOUND,
                "blackbar: this hop forwards OTLP/gRPC only",
            );
        };
        if req.method() != Method::POST {
            return status(
                encoding,
                StatusCode::METHOD_NOT_ALLOWED,
                "blackbar: OTLP/HTTP exports are POSTed",
            );
        }
        let (parts, body) = req.into_parts();
        let max = shared.config.max_body;
        let decoded = match net::read_body(&parts.headers, body, max).await {
            Ok(d) => d,
            Err(e) => return body_error(encoding, e, max),
        };
        let (redacted, _) = match self.redact(signal, encoding, decoded).await {
            Ok(r) => r,
            Err(message) => return status(encoding, StatusCode::BAD_REQUEST, &message),
        };
        let gzip = parts
            .headers
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("gzip"));
        let body = if gzip { gzip_body(&redacted) } else { redacted };
        let uri = format!(
            "{}://{}{}{}",
            route.scheme,
            route.authority,
            route.base_path,
            parts.uri.path()
        );
        let mut up = Request::builder().method(Method::POST).uri(&uri);
        if let Some(h) = up.headers_mut() {
            copy_headers(&parts.headers, h);
            h.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_static("identity"),
            );
            if gzip {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
        }
        let Ok(up) = up.body(Full::new(Bytes::from(body))) else {
            return status(
                encoding,
                StatusCode::BAD_GATEWAY,
                "blackbar: the upstream URL is not valid",
            );
        };
        match self.send(&shared.http, up, &route.authority).await {
            Answer::Got(parts, body) => {
                let mut resp = Response::builder().status(parts.status);
                if let Some(h) = resp.headers_mut() {
                    pass_headers(&parts.headers, h);
                }
                resp.body(ProxyBody::full(body.to_bytes()))
                    .expect("a valid response")
            }
            Answer::Unreachable => status(
                encoding,
                StatusCode::BAD_GATEWAY,
                "blackbar: the upstream could not be reached",
            ),
            Answer::TimedOut => status(
                encoding,
                StatusCode::GATEWAY_TIMEOUT,
                "blackbar: the upstream did not answer in time",
            ),
        }
    }

    async fn grpc(&self, signal: Option<Signal>, req: Request<Incoming>) -> Response<ProxyBody> {
        let shared = &self.inner;
        let Some(signal) = signal else {
            return grpc::status(
                grpc::UNIMPLEMENTED,
                "blackbar: only the OTLP export methods are forwarded",
            );
        };
        let Some(route) = shared.config.grpc_upstream.clone() else {
            return grpc::status(
                grpc::UNIMPLEMENTED,
                "blackbar: this hop forwards OTLP/HTTP only",
            );
        };
        let (parts, body) = req.into_parts();
        let max = shared.config.max_body;
        // The body is framed: gRPC compresses the message, not the body.
        let raw = match Limited::new(body, max + 5).collect().await {
            Ok(c) => c.to_bytes(),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                return grpc::status(
                    grpc::RESOURCE_EXHAUSTED,
                    &format!("blackbar: the message is larger than {max} bytes"),
                )
            }
            Err(_) => {
                return grpc::status(
                    grpc::INVALID_ARGUMENT,
                    "blackbar: the request could not be read",
                )
            }
        };
        let encoding = parts
            .headers
            .get("grpc-encoding")
            .and_then(|v| v.to_str().ok());
        let (message, compressed) = match grpc::unframe(&raw, encoding, max) {
            Ok(m) => m,
            Err(r) => return grpc::status(r.code, &r.message),
        };
        let redacted = match self.redact(signal, Encoding::Protobuf, message).await {
            Ok((out, _)) => out,
            Err(message) => return grpc::status(grpc::INVALID_ARGUMENT, &message),
        };
        let uri = format!(
            "{}://{}{}{}",
            route.scheme,
            route.authority,
            route.base_path,
            parts.uri.path()
        );
        let mut up = Request::builder()
            .method(Method::POST)
            .uri(&uri)
            .version(http::Version::HTTP_2);
        if let Some(h) = up.headers_mut() {
            copy_headers(&parts.headers, h);
            // gRPC needs `te: trailers`, a hop-by-hop header that is never copied.
            h.insert(header::TE, HeaderValue::from_static("trailers"));
            if !compressed {
                h.remove("grpc-encoding");
            }
        }
        let Ok(up) = up.body(Full::new(Bytes::from(grpc::frame(&redacted, compressed)))) else {
            return grpc::status(grpc::UNAVAILABLE, "blackbar: the upstream URL is not valid");
        };
        match self.send(&shared.grpc, up, &route.authority).await {
            Answer::Got(parts, body) => {
                let trailers = body.trailers().cloned();
                let mut resp = Response::builder().status(parts.status);
                if let Some(h) = resp.headers_mut() {
                    pass_headers(&parts.headers, h);
                }
                resp.body(ProxyBody::WithTrailers(Some(body.to_bytes()), trailers))
                    .expect("a valid response")
            }
            Answer::Unreachable => grpc::status(
                grpc::UNAVAILABLE,
                "blackbar: the upstream could not be reached",
            ),
            Answer::TimedOut => grpc::status(
                grpc::DEADLINE_EXCEEDED,
                "blackbar: the upstream did not answer in time",
            ),
        }
    }
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The answer's end-to-end headers, and its `Content-Encoding`: the body is passed on as
/// it came.
fn pass_headers(from: &HeaderMap, to: &mut HeaderMap) {
    copy_headers(from, to);
    if let Some(v) = from.get(header::CONTENT_ENCODING) {
        to.insert(header::CONTENT_ENCODING, v.clone());
    }
}

fn gzip_body(body: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::fast(),
    );
    gz.write_all(body).expect("writing to memory");
    gz.finish().expect("writing to memory")
}

fn body_error(encoding: Encoding, e: BodyError, max: usize) -> Response<ProxyBody> {
    match e {
        BodyError::TooLarge => status(
            encoding,
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("blackbar: the request body is larger than {max} bytes"),
        ),
        BodyError::Unreadable => status(
            encoding,
            StatusCode::BAD_REQUEST,
            "blackbar: the request body could not be read",
        ),
        BodyError::Encoding(why) => status(
            encoding,
            StatusCode::BAD_REQUEST,
            &format!("blackbar: {why}; nothing was forwarded"),
        ),
    }
}

/// An OTLP/HTTP error: a `google.rpc.Status` in the request's encoding.
fn status(encoding: Encoding, code: StatusCode, message: &str) -> Response<ProxyBody> {
    let rpc = match code.as_u16() {
        404 => grpc::UNIMPLEMENTED,
        413 => grpc::RESOURCE_EXHAUSTED,
        502 | 503 => grpc::UNAVAILABLE,
        504 => grpc::DEADLINE_EXCEEDED,
        _ => grpc::INVALID_ARGUMENT,
    };
    let (ctype, body) = match encoding {
        Encoding::Json => (
            "application/json",
            serde_json::to_vec(&serde_json::json!({"code": rpc, "message": message}))
                .expect("a JSON value serializes"),
        ),
        Encoding::Protobuf => {
            let mut b = vec![0x08];
            proto::put_varint(u64::from(rpc), &mut b);
            b.push(0x12);
            proto::put_varint(message.len() as u64, &mut b);
            b.extend_from_slice(message.as_bytes());
            ("application/x-protobuf", b)
        }
    };
    Response::builder()
        .status(code)
        .header(header::CONTENT_TYPE, ctype)
        .body(ProxyBody::full(body))
        .expect("a valid response")
}

fn rule_ids(found: &[Finding]) -> String {
    let mut ids: Vec<&str> = found.iter().map(|f| &*f.rule_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.join(",")
}
