//! The proxy's requests: routing, `/healthz`, `/metrics`, request redaction, the upstream
//! call and answer processing. The server loop, the client and the metrics are `crate::net`'s.
//!
//! Logs (through `tracing`, so through blackbar's tracing front end when the binary runs it)
//! carry the API, status, timings, finding counts and rule ids: never a header, a body or a
//! value.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

use super::answer::{transform_text, transform_value, AnswerCtx};
use super::api::{self, Api, Provider};
use super::config::ProxyConfig;
use super::conversations::{continued_ids, Conversations};
use super::events::{Rewriter, Stop};
use super::request;
use super::sse;
use crate::error::{Error, ErrorKind};
use crate::json::{JsonOptions, JsonRedactor, SensitiveKeys};
use crate::net::{self, copy_headers, BodyError, Metrics, ProxyBody, Route, ServeError, Upstream};
use crate::placeholder::Vault;
use crate::redactor::Redactor;

/// The largest non-streamed answer read from an upstream.
const MAX_ANSWER: usize = 64 << 20;

/// The proxy: cheap to clone, shared by every connection.
#[derive(Clone)]
pub struct Proxy {
    inner: Arc<Shared>,
}

struct Shared {
    config: ProxyConfig,
    json: JsonRedactor,
    text: Redactor,
    check: Redactor,
    client: Upstream,
    metrics: Arc<Metrics>,
    conversations: Conversations,
}

fn error(provider: Provider, status: StatusCode, code: &str, message: &str) -> Response<ProxyBody> {
    let kind = match (provider, status.as_u16()) {
        (Provider::Anthropic, 404) => "not_found_error",
        (Provider::Anthropic, 413) => "request_too_large",
        (_, 400..=499) => "invalid_request_error",
        _ => "api_error",
    };
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(ProxyBody::full(api::error_body(
            provider, kind, code, message,
        )))
        .expect("a valid response")
}

impl Proxy {
    /// A proxy with `config`, redacting requests with `request` and checking answers with
    /// `check` (see [`super::redactors`]).
    ///
    /// # Errors
    ///
    /// No route, or TLS that cannot be set up.
    pub fn new(config: ProxyConfig, request: Redactor, check: Redactor) -> Result<Proxy, Error> {
        if config.routes.is_empty() {
            return Err(Error::new(ErrorKind::Parse(
                "the proxy needs at least one upstream route".into(),
            )));
        }
        let opts = JsonOptions {
            keys: SensitiveKeys::none(),
            scan_keys: false,
            max_depth: 256,
        };
        Ok(Proxy {
            inner: Arc::new(Shared {
                client: net::client(&config.timeouts, &config.upstream_cas, net::Protocol::Http)?,
                json: JsonRedactor::new(request.clone(), opts),
                text: request,
                check,
                config,
                metrics: Arc::new(Metrics::default()),
                conversations: Conversations::default(),
            }),
        })
    }

    /// The proxy's metrics.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.inner.metrics.clone()
    }

    /// Serves connections from `listener` until `shutdown` completes, then stops accepting
    /// and lets in-flight requests finish (for at most the configured grace period).
    ///
    /// # Errors
    ///
    /// None today: accept errors are logged and retried; the `Result` leaves room for
    /// fatal ones.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ServeError> {
        let grace = self.inner.config.grace;
        net::serve("proxy", vec![listener], shutdown, grace, move |req| {
            let proxy = self.clone();
            async move { proxy.handle(req).await }
        })
        .await
    }

    /// Answers one request.
    pub async fn handle(&self, req: Request<Incoming>) -> Response<ProxyBody> {
        let started = Instant::now();
        let path = req.uri().path().to_string();
        if req.method() == Method::GET && path == "/healthz" {
            return Response::new(ProxyBody::full("ok\n"));
        }
        if req.method() == Method::GET && path == "/metrics" {
            return Response::builder()
                .header(header::CONTENT_TYPE, "text/plain; version=0.0.4")
                .body(ProxyBody::full(self.inner.metrics.render()))
                .expect("a valid response");
        }
        let config = &self.inner.config;
        let routed = config
            .route(&path)
            .and_then(|(route, rest)| match Api::from_path(rest) {
                Some(api) => Some((route.clone(), rest.to_string(), api)),
                None if config.forward_other() => {
                    Some((route.clone(), rest.to_string(), Api::Other))
                }
                None => None,
            });
        let Some((route, rest, api)) = routed else {
            let provider = api::provider_of(req.headers());
            self.inner.metrics.request("unknown", 404);
            info!(target: "blackbar::proxy", status = 404, "path not proxied");
            return error(
                provider,
                StatusCode::NOT_FOUND,
                "blackbar_path_not_proxied",
                "blackbar: this path is not proxied (chat/completions, responses, completions, embeddings and messages are)",
            );
        };
        let provider = match api {
            Api::Other => api::provider_of(req.headers()),
            a => a.provider(),
        };
        let resp = self
            .forward(api, provider, &route, &rest, req, started)
            .await;
        let status = resp.status().as_u16();
        self.inner.metrics.request(api.as_str(), status);
        info!(
            target: "blackbar::proxy",
            api = api.as_str(),
            status,
            ms = started.elapsed().as_secs_f64() * 1e3,
            "request"
        );
        resp
    }

    async fn forward(
        &self,
        api: Api,
        provider: Provider,
        route: &Route,
        rest: &str,
        req: Request<Incoming>,
        started: Instant,
    ) -> Response<ProxyBody> {
        let shared = &self.inner;
        let max = shared.config.max_body;
        let (parts, body) = req.into_parts();
        let too_large = |_| {
            error(
                provider,
                StatusCode::PAYLOAD_TOO_LARGE,
                "blackbar_body_too_large",
                &format!("blackbar: the request body is larger than {max} bytes"),
            )
        };
        let decoded = match net::read_body(&parts.headers, body, max).await {
            Ok(d) => d,
            Err(BodyError::TooLarge) => return too_large(()),
            Err(BodyError::Unreadable) => {
                return error(
                    provider,
                    StatusCode::BAD_REQUEST,
                    "blackbar_body_unreadable",
                    "blackbar: the request body could not be read",
                )
            }
            Err(BodyError::Encoding(why)) => {
                return error(
                    provider,
                    StatusCode::BAD_REQUEST,
                    "blackbar_body_encoding",
                    &format!("blackbar: {why}"),
                )
            }
        };
        // A Responses request that continues a stored response or conversation continues its
        // vault; every other request starts a fresh one.
        let (previous, conversation) = if api == Api::Responses {
            continued_ids(&decoded)
        } else {
            (None, None)
        };
        let vault = previous
            .iter()
            .chain(conversation.iter())
            .find_map(|id| shared.conversations.get(id))
            .unwrap_or_default();
        let redacted = if api == Api::Other {
            let text = shared.text.clone();
            net::run(decoded, move |b| {
                Ok::<_, String>(request::redact_text(&text, &b))
            })
            .await
        } else {
            let json = shared.json.clone();
            net::run(decoded, move |b| {
                let mut pooled = json.take_scratch();
                let redacted = request::redact_json(&json, &mut pooled.scratch, &b, vault);
                JsonRedactor::give_back(pooled);
                redacted
            })
            .await
        };
        let redacted = match redacted {
            Ok(r) => r,
            Err(why) => {
                warn!(target: "blackbar::proxy", api = api.as_str(), %why, "request refused: not JSON");
                return error(
                    provider,
                    StatusCode::BAD_REQUEST,
                    "blackbar_body_not_json",
                    &format!(
                        "blackbar: the request body must be JSON ({why}); nothing was forwarded"
                    ),
                );
            }
        };
        shared.metrics.findings("request", &redacted.findings);
        if redacted.blocking().next().is_some() {
            for f in redacted.blocking() {
                shared.metrics.blocked(&f.rule_id);
            }
            let message =
                net::block_message(redacted.blocking(), "request", ". Remove it and try again.");
            warn!(target: "blackbar::proxy", api = api.as_str(), %message, "request blocked");
            return error(
                provider,
                StatusCode::BAD_REQUEST,
                "blackbar_blocked",
                &message,
            );
        }
        let findings_in = redacted.findings.len();

        let query = parts
            .uri
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        let uri = format!(
            "{}://{}{}{}{}",
            route.scheme, route.authority, route.base_path, rest, query
        );
        let mut up = Request::builder().method(parts.method.clone()).uri(&uri);
        if let Some(h) = up.headers_mut() {
            copy_headers(&parts.headers, h);
            h.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_static("identity"),
            );
            if api != Api::Other {
                h.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
            }
        }
        let up = match up.body(Full::new(Bytes::from(redacted.body))) {
            Ok(r) => r,
            Err(_) => {
                return error(
                    provider,
                    StatusCode::BAD_GATEWAY,
                    "blackbar_bad_upstream_url",
                    "blackbar: the upstream URL is not valid",
                )
            }
        };
        let sent = Instant::now();
        let timeouts = shared.config.timeouts;
        let answer = match tokio::time::timeout(timeouts.response, shared.client.request(up)).await
        {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                shared.metrics.upstream_error();
                // As an error value, so the log shows its causes (a refused connection, an
                // untrusted certificate), not just "client error (Connect)".
                let cause: &(dyn std::error::Error + 'static) = &e;
                warn!(target: "blackbar::proxy", upstream = %route.authority, error = cause, "upstream unreachable");
                return error(
                    provider,
                    StatusCode::BAD_GATEWAY,
                    "blackbar_upstream_unreachable",
                    "blackbar: the upstream could not be reached",
                );
            }
            Err(_) => {
                shared.metrics.upstream_error();
                warn!(target: "blackbar::proxy", upstream = %route.authority, "upstream timed out");
                return error(
                    provider,
                    StatusCode::GATEWAY_TIMEOUT,
                    "blackbar_upstream_timeout",
                    "blackbar: the upstream did not answer in time",
                );
            }
        };
        shared.metrics.upstream_latency(sent.elapsed());
        let (aparts, abody) = answer.into_parts();
        let ctx = AnswerCtx {
            check: shared.check.clone(),
            vault: redacted.vault,
        };
        let mut resp = Response::builder().status(aparts.status);
        if let Some(h) = resp.headers_mut() {
            copy_headers(&aparts.headers, h);
        }
        let is_sse = aparts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("text/event-stream"));
        let encoded = aparts
            .headers
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.eq_ignore_ascii_case("identity"))
            .map(str::to_string);
        if is_sse {
            if encoded.is_some() {
                shared.metrics.upstream_error();
                return error(
                    provider,
                    StatusCode::BAD_GATEWAY,
                    "blackbar_answer_uninspectable",
                    "blackbar: the upstream sent a compressed event stream",
                );
            }
            let (tx, rx) = mpsc::channel(32);
            let remember = Remember {
                shared: self.inner.clone(),
                vault: ctx.vault.clone(),
                conversation,
            };
            tokio::spawn(pump(abody, tx, Rewriter::new(ctx), api, remember, started));
            return resp.body(ProxyBody::Channel(rx)).expect("a valid response");
        }
        let bytes = match tokio::time::timeout(
            timeouts.response,
            Limited::new(abody, MAX_ANSWER).collect(),
        )
        .await
        {
            Ok(Ok(c)) => c.to_bytes().to_vec(),
            _ => {
                shared.metrics.upstream_error();
                return error(
                    provider,
                    StatusCode::BAD_GATEWAY,
                    "blackbar_answer_unreadable",
                    "blackbar: the upstream's answer could not be read",
                );
            }
        };
        let bytes = match net::decode(encoded.as_deref(), bytes, MAX_ANSWER) {
            Ok(b) => b,
            Err(_) => {
                shared.metrics.upstream_error();
                return error(
                    provider,
                    StatusCode::BAD_GATEWAY,
                    "blackbar_answer_uninspectable",
                    "blackbar: the upstream's answer could not be decoded",
                );
            }
        };
        let success = aparts.status.is_success();
        let mut findings = vec![];
        let out = if api == Api::Embeddings && success {
            // Vectors, no text: nothing to check or restore.
            Ok(bytes)
        } else {
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(mut v) => match transform_value(&ctx, &mut v, &mut findings) {
                    Ok(changed) if api == Api::Responses && success => {
                        let id = v.get("id").and_then(Value::as_str);
                        remember_ids(shared, &ctx.vault, id, conversation.as_deref());
                        Ok(if changed {
                            serde_json::to_vec(&v).expect("a JSON value serializes")
                        } else {
                            bytes
                        })
                    }
                    Ok(true) => Ok(serde_json::to_vec(&v).expect("a JSON value serializes")),
                    Ok(false) => Ok(bytes),
                    Err(hit) => Err(hit),
                },
                Err(_) if success && api != Api::Other => {
                    shared.metrics.upstream_error();
                    return error(
                        provider,
                        StatusCode::BAD_GATEWAY,
                        "blackbar_answer_uninspectable",
                        "blackbar: the upstream's answer is not JSON; it was not passed on",
                    );
                }
                Err(_) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    transform_text(&ctx, &text, false, &mut findings)
                        .map(|o| o.map_or(bytes, String::into_bytes))
                }
            }
        };
        shared.metrics.findings("answer", &findings);
        match out {
            Ok(body) => {
                debug!(target: "blackbar::proxy", findings_in, findings_out = findings.len(), "answer");
                resp.body(ProxyBody::full(body)).expect("a valid response")
            }
            Err(hit) => {
                shared.metrics.canary_stop();
                warn!(target: "blackbar::proxy", api = api.as_str(), rule = %hit.rule, "canary in the answer: stopped");
                error(
                    provider,
                    StatusCode::BAD_GATEWAY,
                    "blackbar_canary",
                    &format!(
                        "blackbar: the answer contained a canary ({}) and was stopped",
                        hit.rule
                    ),
                )
            }
        }
    }
}

fn unparseable() -> (&'static str, String) {
    (
        "blackbar_answer_uninspectable",
        "blackbar: the event stream could not be parsed; it was stopped".into(),
    )
}

/// Where a streamed Responses answer's vault is remembered.
struct Remember {
    shared: Arc<Shared>,
    vault: Vault,
    conversation: Option<String>,
}

fn remember_ids(
    shared: &Shared,
    vault: &Vault,
    response: Option<&str>,
    conversation: Option<&str>,
) {
    for id in response.into_iter().chain(conversation) {
        shared.conversations.insert(id, vault.clone());
    }
}

/// Reads a streamed answer, rewrites its events and sends them on. Stops (dropping the
/// upstream call) when the client goes away.
async fn pump(
    mut body: Incoming,
    tx: mpsc::Sender<Bytes>,
    mut rw: Rewriter,
    api: Api,
    remember: Remember,
    started: Instant,
) {
    let metrics = remember.shared.metrics.clone();
    let idle = remember.shared.config.timeouts.idle;
    let mut parser = sse::Parser::default();
    let mut events = vec![];
    let mut out = vec![];
    let mut first = true;
    loop {
        let frame = tokio::select! {
            f = tokio::time::timeout(idle, body.frame()) => f,
            () = tx.closed() => {
                debug!(target: "blackbar::proxy", "client went away: upstream call dropped");
                break;
            }
        };
        let mut stop: Option<(&str, String)> = None;
        let mut ended = false;
        match frame {
            Err(_) => {
                metrics.upstream_error();
                stop = Some((
                    "blackbar_upstream_timeout",
                    "blackbar: the upstream stream went silent".into(),
                ));
            }
            Ok(Some(Err(_))) => {
                metrics.upstream_error();
                stop = Some((
                    "blackbar_upstream_failed",
                    "blackbar: the upstream stream failed".into(),
                ));
            }
            Ok(None) => ended = true,
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    if parser.push(&data, &mut events).is_err() {
                        stop = Some(unparseable());
                    }
                }
            }
        }
        if stop.is_none() && ended && parser.finish(&mut events).is_err() {
            stop = Some(unparseable());
        }
        if stop.is_none() {
            for ev in events.drain(..) {
                match rw.event(&ev, &mut out) {
                    Ok(()) => {}
                    Err(Stop::Canary(hit)) => {
                        metrics.canary_stop();
                        warn!(target: "blackbar::proxy", api = api.as_str(), rule = %hit.rule, "canary in the streamed answer: stopped");
                        stop = Some((
                            "blackbar_canary",
                            format!(
                                "blackbar: the answer contained a canary ({}) and was stopped",
                                hit.rule
                            ),
                        ));
                        break;
                    }
                    Err(Stop::Uninspectable(why)) => {
                        stop = Some((
                            "blackbar_answer_uninspectable",
                            format!("blackbar: {why}; the stream was stopped"),
                        ));
                        break;
                    }
                }
            }
        }
        if stop.is_none() && ended {
            if let Err(Stop::Canary(hit)) = rw.end(&mut out) {
                metrics.canary_stop();
                stop = Some((
                    "blackbar_canary",
                    format!(
                        "blackbar: the answer contained a canary ({}) and was stopped",
                        hit.rule
                    ),
                ));
            }
        }
        if let Some((code, message)) = &stop {
            out.extend_from_slice(&api::error_event(api, "api_error", code, message));
        }
        if !out.is_empty() {
            if first {
                debug!(target: "blackbar::proxy", ms = started.elapsed().as_secs_f64() * 1e3, "first bytes of the stream");
                first = false;
            }
            if tx
                .send(Bytes::from(std::mem::take(&mut out)))
                .await
                .is_err()
            {
                break;
            }
        }
        if stop.is_some() || ended {
            break;
        }
    }
    metrics.findings("answer", &rw.findings);
    if api == Api::Responses {
        remember_ids(
            &remember.shared,
            &remember.vault,
            rw.response_id.as_deref(),
            remember.conversation.as_deref(),
        );
    }
}
