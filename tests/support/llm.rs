//! A fake LLM provider on loopback (real HTTP, or only TLS with certificates made at test
//! time: [`TestCa`]), and a blackbar proxy in front of it: in process ([`Harness`]) or the
//! real binary ([`ProxyBin`]).
//!
//! The fake records every request it receives (body, headers, HTTP version and, over TLS,
//! what the handshake showed) and every TLS handshake that failed, so a test can tell what
//! reached it and how. It answers in the shape of the API that
//! was called: OpenAI chat completions, legacy completions, responses and embeddings, and
//! Anthropic messages, streamed (`"stream": true`) or not. Its answer echoes every
//! placeholder-shaped string of the request, in order of first appearance:
//! `Values: [EMAIL_1] | [CREDIT_CARD_1].` (so the proxy must restore them). Request headers
//! steer it:
//! * `x-fake-tool: 1`: also a tool call whose arguments are `{"to": "<the placeholders,
//!   joined by ' | '>", "n": 1}`;
//! * `x-fake-split: K`: streamed text and arguments are sent as two deltas cut at byte K;
//!   `x-fake-split: every`: one delta per byte;
//! * `x-fake-chunk: N`: the SSE byte stream is written in pieces of N bytes;
//! * `x-fake-extra: TEXT`: appended to the answer text (a secret or canary "the model wrote");
//! * `x-fake-status: CODE`: answer with this status and an error body echoing the
//!   placeholders; `x-fake-raw: TEXT`: answer 200 with this body as `application/json`;
//! * `x-fake-slow: MS`: streamed events are spaced MS apart, and many more are sent.

#![allow(dead_code)]

use std::convert::Infallible;
use std::ffi::OsStr;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, Version};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::rustls;

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub path: String,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    pub version: Version,
    /// `None` over plain HTTP.
    pub tls: Option<TlsSeen>,
}

/// What the fake saw of the TLS handshake of a request's connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsSeen {
    /// The server name the client asked for (none for an IP address).
    pub sni: Option<String>,
    /// The ALPN protocols the client offered, in its order.
    pub offered: Vec<String>,
    /// The protocol agreed on, if any.
    pub alpn: Option<String>,
}

/// The fake upstream.
#[derive(Clone, Default)]
pub struct Fake {
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    /// Set when a slow stream could not be written any more (the proxy dropped the call).
    pub cancelled: Arc<AtomicBool>,
    /// Why each failed TLS handshake failed (a TLS fake only).
    pub handshake_failures: Arc<Mutex<Vec<String>>>,
}

/// Every `[LABEL_N]` in `text`, in order of first appearance, each once.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'[' {
            let mut j = i + 1;
            while j < b.len()
                && (b[j].is_ascii_uppercase() || b[j].is_ascii_digit() || b[j] == b'_')
            {
                j += 1;
            }
            if j < b.len() && b[j] == b']' {
                let inner = &text[i + 1..j];
                if let Some((label, n)) = inner.rsplit_once('_') {
                    if !label.is_empty() && !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) {
                        let p = text[i..=j].to_string();
                        if !out.contains(&p) {
                            out.push(p);
                        }
                    }
                }
                i = j;
            }
        }
        i += 1;
    }
    out
}

struct Plan {
    text: String,
    args: Option<String>,
    split: Option<Split>,
    chunk: Option<usize>,
    slow: Option<u64>,
    model: String,
}

#[derive(Clone, Copy)]
enum Split {
    At(usize),
    Every,
}

fn pieces(s: &str, split: Option<Split>) -> Vec<String> {
    match split {
        None => vec![s.to_string()],
        Some(Split::Every) => s.chars().map(String::from).collect(),
        Some(Split::At(k)) => {
            let mut k = k.min(s.len());
            while !s.is_char_boundary(k) {
                k -= 1;
            }
            vec![s[..k].to_string(), s[k..].to_string()]
        }
    }
}

fn header<'a>(req: &'a Recorded, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl Fake {
    /// Starts the fake on a fresh loopback port, speaking plain HTTP.
    pub async fn start() -> (Fake, SocketAddr) {
        Fake::listen(None).await
    }

    /// Starts the fake on a fresh loopback port, speaking only TLS with `tls` (see
    /// [`TestCa::server`]), then HTTP/2 or HTTP/1.1 as the ALPN outcome says.
    pub async fn start_tls(tls: Arc<rustls::ServerConfig>) -> (Fake, SocketAddr) {
        Fake::listen(Some(tls)).await
    }

    async fn listen(tls: Option<Arc<rustls::ServerConfig>>) -> (Fake, SocketAddr) {
        let fake = Fake::default();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let f = fake.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let f = f.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => f.serve(stream, None).await,
                        Some(config) => match accept_tls(stream, config).await {
                            Ok((stream, seen)) => f.serve(stream, Some(seen)).await,
                            Err(why) => f.handshake_failures.lock().unwrap().push(why),
                        },
                    }
                });
            }
        });
        (fake, addr)
    }

    /// Serves one connection (HTTP/1.1 or HTTP/2, whichever the client speaks).
    async fn serve<S>(self, io: S, tls: Option<TlsSeen>)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let svc = hyper::service::service_fn(move |req| {
            let f = self.clone();
            let tls = tls.clone();
            async move { Ok::<_, Infallible>(f.answer(req, tls).await) }
        });
        let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
            .serve_connection(TokioIo::new(io), svc)
            .await;
    }

    /// Every request body received so far.
    pub fn bodies(&self) -> Vec<Vec<u8>> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.body.clone())
            .collect()
    }

    /// Panics if any request that reached the fake contains one of `values` (raw, or as it
    /// would be written inside a JSON string).
    pub fn assert_nothing_raw(&self, values: &[&str]) {
        for r in self.requests.lock().unwrap().iter() {
            let body = String::from_utf8_lossy(&r.body);
            for v in values {
                let escaped = serde_json::to_string(v).unwrap();
                let escaped = &escaped[1..escaped.len() - 1];
                assert!(
                    !body.contains(v) && !body.contains(escaped),
                    "raw value {v:?} reached the upstream at {}: {body}",
                    r.path
                );
            }
        }
    }

    async fn answer(
        &self,
        req: Request<Incoming>,
        tls: Option<TlsSeen>,
    ) -> Response<http_body_util::combinators::BoxBody<Bytes, Infallible>> {
        let path = req.uri().path().to_string();
        let version = req.version();
        let headers = req
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = req.into_body().collect().await.unwrap().to_bytes().to_vec();
        let rec = Recorded {
            path: path.clone(),
            body,
            headers,
            version,
            tls,
        };
        self.requests.lock().unwrap().push(rec.clone());
        let text_body = String::from_utf8_lossy(&rec.body).into_owned();
        let ph = placeholders(&text_body);
        if let Some(raw) = header(&rec, "x-fake-raw") {
            return full(200, "application/json", raw.as_bytes().to_vec());
        }
        if let Some(code) = header(&rec, "x-fake-status") {
            let msg = format!("bad request about {}", ph.join(" "));
            let body = if path.ends_with("/messages") {
                json!({"type":"error","error":{"type":"invalid_request_error","message":msg}})
            } else {
                json!({"error":{"message":msg,"type":"invalid_request_error","param":null,"code":null}})
            };
            return full(
                code.parse().unwrap(),
                "application/json",
                serde_json::to_vec(&body).unwrap(),
            );
        }
        let req_json: Value = serde_json::from_slice(&rec.body).unwrap_or(Value::Null);
        let stream = req_json
            .get("stream")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let mut text = format!("Values: {}.", ph.join(" | "));
        if let Some(extra) = header(&rec, "x-fake-extra") {
            text.push_str(extra);
        }
        let args = (header(&rec, "x-fake-tool") == Some("1"))
            .then(|| serde_json::to_string(&json!({"to": ph.join(" | "), "n": 1})).unwrap());
        let plan = Plan {
            text,
            args,
            split: header(&rec, "x-fake-split").map(|s| match s {
                "every" => Split::Every,
                k => Split::At(k.parse().unwrap()),
            }),
            chunk: header(&rec, "x-fake-chunk").map(|n| n.parse().unwrap()),
            slow: header(&rec, "x-fake-slow").map(|n| n.parse().unwrap()),
            model: req_json
                .get("model")
                .and_then(Value::as_str)
                .unwrap_or("m")
                .to_string(),
        };
        let instructions = req_json.get("instructions").cloned().unwrap_or(Value::Null);
        let api = if path.ends_with("/chat/completions") {
            "chat"
        } else if path.ends_with("/completions") {
            "completions"
        } else if path.ends_with("/responses") {
            "responses"
        } else if path.ends_with("/messages") {
            "messages"
        } else if path.ends_with("/embeddings") {
            "embeddings"
        } else {
            "other"
        };
        if api == "embeddings" {
            let v = json!({"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],"model":plan.model,"usage":{"prompt_tokens":1,"total_tokens":1}});
            return full(200, "application/json", serde_json::to_vec(&v).unwrap());
        }
        if api == "other" {
            return full(
                200,
                "text/plain",
                format!("echo: {}", ph.join(" ")).into_bytes(),
            );
        }
        if !stream {
            let v = match api {
                "chat" => chat_whole(&plan),
                "completions" => {
                    json!({"id":"cmpl-1","object":"text_completion","created":1,"model":plan.model,
                    "choices":[{"index":0,"text":plan.text,"finish_reason":"stop","logprobs":null}]})
                }
                "responses" => responses_whole(&plan, &instructions, "completed"),
                _ => messages_whole(&plan),
            };
            let bytes = serde_json::to_vec(&v).unwrap();
            if let Some(ms) = plan.slow {
                return slow(bytes, ms, self.cancelled.clone());
            }
            return full(200, "application/json", bytes);
        }
        let events = match api {
            "chat" => chat_events(&plan),
            "completions" => completions_events(&plan),
            "responses" => responses_events(&plan, &instructions),
            _ => messages_events(&plan),
        };
        let (tx, rx) = mpsc::channel::<Result<Frame<Bytes>, Infallible>>(4);
        let cancelled = self.cancelled.clone();
        tokio::spawn(async move {
            let mut all: Vec<Vec<u8>> = events;
            if let Some(ms) = plan.slow {
                // A long, slow answer: many more events, spaced out.
                let filler = all[1].clone();
                let tail = all.split_off(2);
                for _ in 0..200 {
                    all.push(filler.clone());
                }
                all.extend(tail);
                for ev in all {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    if tx.send(Ok(Frame::data(Bytes::from(ev)))).await.is_err() {
                        cancelled.store(true, Ordering::SeqCst);
                        return;
                    }
                }
                return;
            }
            let bytes: Vec<u8> = all.concat();
            let pieces: Vec<Vec<u8>> = match plan.chunk {
                Some(n) => bytes.chunks(n).map(<[u8]>::to_vec).collect(),
                None => all,
            };
            for p in pieces {
                if tx.send(Ok(Frame::data(Bytes::from(p)))).await.is_err() {
                    cancelled.store(true, Ordering::SeqCst);
                    return;
                }
            }
        });
        let body = StreamBody::new(ReceiverStream(rx));
        Response::builder()
            .status(200)
            .header("content-type", "text/event-stream")
            .body(http_body_util::combinators::BoxBody::new(body))
            .unwrap()
    }
}

/// The server side of a TLS handshake, noting what the client offered; the error's text when
/// it fails (an alert the client sent, or bytes that are not TLS at all).
async fn accept_tls(
    stream: TcpStream,
    config: Arc<rustls::ServerConfig>,
) -> Result<(tokio_rustls::server::TlsStream<TcpStream>, TlsSeen), String> {
    let start = tokio_rustls::LazyConfigAcceptor::new(rustls::server::Acceptor::default(), stream)
        .await
        .map_err(|e| e.to_string())?;
    let hello = start.client_hello();
    let sni = hello.server_name().map(str::to_string);
    let offered = hello
        .alpn()
        .map(|protocols| {
            protocols
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect()
        })
        .unwrap_or_default();
    let stream = start.into_stream(config).await.map_err(|e| e.to_string())?;
    let alpn = stream
        .get_ref()
        .1
        .alpn_protocol()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    Ok((stream, TlsSeen { sni, offered, alpn }))
}

/// A certificate authority made for one test, and a server certificate it signed for
/// `localhost` and `127.0.0.1`: the TLS fake presents the server certificate, and the proxy
/// trusts it only when given [`TestCa::pem`] (`--upstream-ca`). Keys are ECDSA P-256 made
/// with `ring`, like everything TLS in blackbar.
pub struct TestCa {
    /// The CA certificate, PEM.
    pub pem: String,
    server_cert: rustls::pki_types::CertificateDer<'static>,
    server_key: rustls::pki_types::PrivatePkcs8KeyDer<'static>,
}

impl TestCa {
    pub fn new() -> TestCa {
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "blackbar test CA");
        ca.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca =
            rcgen::CertifiedIssuer::self_signed(ca, rcgen::KeyPair::generate().unwrap()).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let mut server =
            rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .unwrap();
        server
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        let cert = server.signed_by(&key, &ca).unwrap();
        TestCa {
            pem: ca.pem(),
            server_cert: cert.der().clone(),
            server_key: key.serialize_der().into(),
        }
    }

    /// A server configuration presenting the server certificate and agreeing to the ALPN
    /// protocols `alpn` (the first one the client also offers wins; empty: no ALPN).
    pub fn server(&self, alpn: &[&str]) -> Arc<rustls::ServerConfig> {
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![self.server_cert.clone()],
            self.server_key.clone_key().into(),
        )
        .unwrap();
        config.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
        Arc::new(config)
    }
}

/// The real `blackbar proxy` binary on a free loopback port, with the default catalog and
/// [`QUOTED_RULE`], its environment cleared; its stderr log lines are collected. Killed when
/// dropped before [`ProxyBin::stop`], so a failing test leaves no process behind.
pub struct ProxyBin {
    pub addr: SocketAddr,
    /// The first log line (the start-up line, naming the routes).
    pub first: String,
    child: Option<std::process::Child>,
    lines: std::sync::mpsc::Receiver<String>,
    _rules: tempfile::NamedTempFile,
}

impl ProxyBin {
    /// Runs `blackbar proxy --listen ADDR --rules QUOTED_RULE ARGS...` and waits for its first
    /// log line.
    pub fn start<I, S>(args: I) -> ProxyBin
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        use std::io::BufRead;
        // A free port (the log line carrying the address is itself redacted: IPs are PII).
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let rules = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(rules.path(), QUOTED_RULE).unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_blackbar"))
            .args(["proxy", "--listen", &addr.to_string(), "--rules"])
            .arg(rules.path())
            .args(args)
            .env_clear()
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                if tx.send(line.unwrap()).is_err() {
                    break;
                }
            }
        });
        let mut bin = ProxyBin {
            addr,
            first: String::new(),
            child: Some(child),
            lines,
            _rules: rules,
        };
        bin.first = bin
            .lines
            .recv_timeout(Duration::from_secs(20))
            .expect("a start-up log line");
        bin
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends SIGTERM and waits for the exit; returns its status and every log line.
    #[cfg(unix)]
    pub async fn stop(mut self) -> (std::process::ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        let ok = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap();
        let mut logs = vec![std::mem::take(&mut self.first)];
        logs.extend(self.lines.iter());
        (status, logs.join("\n"))
    }
}

impl Drop for ProxyBin {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// An mpsc receiver as a `futures_core::Stream` (StreamBody wants one).
pub struct ReceiverStream<T>(pub mpsc::Receiver<T>);

impl<T> futures_core::Stream for ReceiverStream<T> {
    type Item = T;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<T>> {
        self.0.poll_recv(cx)
    }
}

/// A whole JSON answer sent in 100 pieces, `ms` apart; `cancelled` is set if the reader
/// goes away first.
fn slow(
    bytes: Vec<u8>,
    ms: u64,
    cancelled: Arc<AtomicBool>,
) -> Response<http_body_util::combinators::BoxBody<Bytes, Infallible>> {
    let (tx, rx) = mpsc::channel::<Result<Frame<Bytes>, Infallible>>(1);
    tokio::spawn(async move {
        let n = bytes.len().div_ceil(100);
        for piece in bytes.chunks(n) {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            if tx
                .send(Ok(Frame::data(Bytes::copy_from_slice(piece))))
                .await
                .is_err()
            {
                cancelled.store(true, Ordering::SeqCst);
                return;
            }
        }
    });
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(http_body_util::combinators::BoxBody::new(StreamBody::new(
            ReceiverStream(rx),
        )))
        .unwrap()
}

fn full(
    status: u16,
    ct: &str,
    body: Vec<u8>,
) -> Response<http_body_util::combinators::BoxBody<Bytes, Infallible>> {
    Response::builder()
        .status(status)
        .header("content-type", ct)
        .body(http_body_util::combinators::BoxBody::new(Full::new(
            Bytes::from(body),
        )))
        .unwrap()
}

fn sse(event: Option<&str>, v: &Value) -> Vec<u8> {
    let mut out = vec![];
    if let Some(e) = event {
        out.extend_from_slice(format!("event: {e}\n").as_bytes());
    }
    out.extend_from_slice(format!("data: {}\n\n", serde_json::to_string(v).unwrap()).as_bytes());
    out
}

fn chat_whole(p: &Plan) -> Value {
    let mut message = json!({"role":"assistant","content":p.text});
    if let Some(a) = &p.args {
        message["tool_calls"] =
            json!([{"id":"call_1","type":"function","function":{"name":"send","arguments":a}}]);
    }
    json!({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":p.model,
        "choices":[{"index":0,"message":message,"logprobs":null,"finish_reason":"stop"}],
        "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})
}

fn chat_events(p: &Plan) -> Vec<Vec<u8>> {
    let chunk = |delta: Value, finish: Value| {
        sse(
            None,
            &json!({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":p.model,
            "choices":[{"index":0,"delta":delta,"logprobs":null,"finish_reason":finish}]}),
        )
    };
    let mut out = vec![chunk(json!({"role":"assistant","content":""}), Value::Null)];
    for piece in pieces(&p.text, p.split) {
        out.push(chunk(json!({"content":piece}), Value::Null));
    }
    if let Some(a) = &p.args {
        out.push(chunk(json!({"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"send","arguments":""}}]}), Value::Null));
        for piece in pieces(a, p.split) {
            out.push(chunk(
                json!({"tool_calls":[{"index":0,"function":{"arguments":piece}}]}),
                Value::Null,
            ));
        }
    }
    out.push(chunk(
        json!({}),
        json!(if p.args.is_some() {
            "tool_calls"
        } else {
            "stop"
        }),
    ));
    out.push(sse(
        None,
        &json!({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":p.model,
        "choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}),
    ));
    out.push(b"data: [DONE]\n\n".to_vec());
    out
}

fn completions_events(p: &Plan) -> Vec<Vec<u8>> {
    let mut out = vec![];
    for piece in pieces(&p.text, p.split) {
        out.push(sse(
            None,
            &json!({"id":"cmpl-1","object":"text_completion","created":1,"model":p.model,
            "choices":[{"index":0,"text":piece,"finish_reason":null,"logprobs":null}]}),
        ));
    }
    out.push(sse(
        None,
        &json!({"id":"cmpl-1","object":"text_completion","created":1,"model":p.model,
        "choices":[{"index":0,"text":"","finish_reason":"stop","logprobs":null}]}),
    ));
    out.push(b"data: [DONE]\n\n".to_vec());
    out
}

fn responses_whole(p: &Plan, instructions: &Value, status: &str) -> Value {
    let mut output = vec![
        json!({"type":"message","id":"msg_1","status":"completed","role":"assistant",
        "content":[{"type":"output_text","text":p.text,"annotations":[]}]}),
    ];
    if let Some(a) = &p.args {
        output.push(json!({"type":"function_call","id":"fc_1","call_id":"call_1","name":"send","arguments":a,"status":"completed"}));
    }
    json!({"id":"resp_1","object":"response","created_at":1,"status":status,"model":p.model,
        "instructions":instructions,"output":output,"parallel_tool_calls":true,"tool_choice":"auto","tools":[],
        "usage":{"input_tokens":1,"output_tokens":1,"total_tokens":2,
            "input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}}})
}

fn responses_events(p: &Plan, instructions: &Value) -> Vec<Vec<u8>> {
    let mut seq = 0;
    let mut ev = |t: &str, mut v: Value| {
        v["type"] = json!(t);
        v["sequence_number"] = json!(seq);
        seq += 1;
        sse(Some(t), &v)
    };
    let mut start = responses_whole(p, instructions, "in_progress");
    start["output"] = json!([]);
    let mut out = vec![
        ev("response.created", json!({"response":start.clone()})),
        ev("response.in_progress", json!({"response":start})),
        ev(
            "response.output_item.added",
            json!({"output_index":0,"item":{"type":"message","id":"msg_1","status":"in_progress","role":"assistant","content":[]}}),
        ),
        ev(
            "response.content_part.added",
            json!({"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}),
        ),
    ];
    for piece in pieces(&p.text, p.split) {
        out.push(ev("response.output_text.delta", json!({"item_id":"msg_1","output_index":0,"content_index":0,"delta":piece,"logprobs":[]})));
    }
    out.push(ev(
        "response.output_text.done",
        json!({"item_id":"msg_1","output_index":0,"content_index":0,"text":p.text,"logprobs":[]}),
    ));
    out.push(ev("response.content_part.done", json!({"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":p.text,"annotations":[]}})));
    out.push(ev("response.output_item.done", json!({"output_index":0,"item":{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":p.text,"annotations":[]}]}})));
    if let Some(a) = &p.args {
        out.push(ev("response.output_item.added", json!({"output_index":1,"item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"send","arguments":"","status":"in_progress"}})));
        for piece in pieces(a, p.split) {
            out.push(ev(
                "response.function_call_arguments.delta",
                json!({"item_id":"fc_1","output_index":1,"delta":piece}),
            ));
        }
        out.push(ev(
            "response.function_call_arguments.done",
            json!({"item_id":"fc_1","output_index":1,"arguments":a}),
        ));
        out.push(ev("response.output_item.done", json!({"output_index":1,"item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"send","arguments":a,"status":"completed"}})));
    }
    out.push(ev(
        "response.completed",
        json!({"response":responses_whole(p, instructions, "completed")}),
    ));
    out
}

fn messages_whole(p: &Plan) -> Value {
    let mut content = vec![json!({"type":"text","text":p.text})];
    if let Some(a) = &p.args {
        let input: Value = serde_json::from_str(a).unwrap();
        content.push(json!({"type":"tool_use","id":"toolu_1","name":"send","input":input}));
    }
    json!({"id":"msg_1","type":"message","role":"assistant","model":p.model,"content":content,
        "stop_reason": if p.args.is_some() {"tool_use"} else {"end_turn"},"stop_sequence":null,
        "usage":{"input_tokens":1,"output_tokens":1}})
}

fn messages_events(p: &Plan) -> Vec<Vec<u8>> {
    let mut out = vec![
        sse(
            Some("message_start"),
            &json!({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":p.model,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}),
        ),
        sse(
            Some("content_block_start"),
            &json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
        ),
        sse(Some("ping"), &json!({"type":"ping"})),
    ];
    for piece in pieces(&p.text, p.split) {
        out.push(sse(Some("content_block_delta"), &json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":piece}})));
    }
    out.push(sse(
        Some("content_block_stop"),
        &json!({"type":"content_block_stop","index":0}),
    ));
    if let Some(a) = &p.args {
        out.push(sse(Some("content_block_start"), &json!({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"send","input":{}}})));
        for piece in pieces(a, p.split) {
            out.push(sse(Some("content_block_delta"), &json!({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":piece}})));
        }
        out.push(sse(
            Some("content_block_stop"),
            &json!({"type":"content_block_stop","index":1}),
        ));
    }
    out.push(sse(Some("message_delta"), &json!({"type":"message_delta","delta":{"stop_reason": if p.args.is_some() {"tool_use"} else {"end_turn"},"stop_sequence":null},"usage":{"output_tokens":5}})));
    out.push(sse(Some("message_stop"), &json!({"type":"message_stop"})));
    out
}

/// A running proxy in front of a fake upstream.
pub struct Harness {
    pub fake: Fake,
    pub upstream: SocketAddr,
    pub proxy: SocketAddr,
    pub metrics: Arc<blackbar::proxy::Metrics>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    pub served: Option<tokio::task::JoinHandle<()>>,
}

/// A rule whose values need JSON escaping (`Q<a"b\c>`), so restoring them into tool-call
/// arguments is tested for escaping.
pub const QUOTED_RULE: &str = r#"
[[rule]]
id = "test-quoted"
name = "Quoted test value"
category = "pii"
label = "QUOTED"
pattern = 'Q<[^<>\n]{1,30}>'
keywords = ["Q<"]
confidence = "high"
examples = ['Q<a"b\c>', 'x Q<v1> y']
counterexamples = ['Q<>', 'Q<\n>']
"#;

impl Harness {
    /// Starts a fake upstream and a proxy with the default catalog, the quoted test rule,
    /// and `policy` (TOML) over the proxy's defaults.
    pub async fn start(policy: &str) -> Harness {
        Harness::start_with(policy, |c| c).await
    }

    pub async fn start_with(
        policy: &str,
        adjust: impl FnOnce(blackbar::proxy::ProxyConfig) -> blackbar::proxy::ProxyConfig,
    ) -> Harness {
        let (fake, upstream) = Fake::start().await;
        let builder = blackbar::Redactor::builder().rule_source("test-rules", QUOTED_RULE);
        let policy = blackbar::Policy::from_toml(policy, "test-policy").unwrap();
        let (req, check) = blackbar::proxy::redactors(builder, &policy).unwrap();
        let route = blackbar::proxy::Route::parse(&format!("http://{upstream}")).unwrap();
        let mut config = blackbar::proxy::ProxyConfig::new(route.clone());
        let mut anthropic = route;
        anthropic.prefix = "/anthropic".into();
        config.routes.push(anthropic);
        let config = adjust(config);
        let proxy = blackbar::proxy::Proxy::new(config, req, check).unwrap();
        let metrics = proxy.metrics();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = tokio::spawn(async move {
            proxy
                .serve(listener, async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Harness {
            fake,
            upstream,
            proxy: addr,
            metrics,
            stop: Some(tx),
            served: Some(served),
        }
    }

    /// Sends the shutdown signal.
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.proxy)
    }
}

/// A plain HTTP/1.1 client.
pub fn client() -> hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
> {
    hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http()
}

/// POSTs `body` with `headers`; returns status, content type and the whole body.
pub async fn post(url: &str, headers: &[(&str, &str)], body: Vec<u8>) -> (u16, String, Vec<u8>) {
    let mut req = Request::post(url).header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    send(req.body(Full::new(Bytes::from(body))).unwrap()).await
}

/// GETs `url`; returns status, content type and the whole body.
pub async fn get(url: &str) -> (u16, String, Vec<u8>) {
    send(Request::get(url).body(Full::new(Bytes::new())).unwrap()).await
}

/// Sends `req`; returns status, content type and the whole body.
async fn send(req: Request<Full<Bytes>>) -> (u16, String, Vec<u8>) {
    let resp = client().request(req).await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, ct, body)
}

/// The `data:` payloads of an SSE body, with their `event:` names.
pub fn sse_events(body: &[u8]) -> Vec<(Option<String>, String)> {
    let text = std::str::from_utf8(body).expect("SSE is UTF-8");
    let mut out = vec![];
    for block in text.split("\n\n") {
        let mut event = None;
        let mut data: Option<String> = None;
        for line in block.lines() {
            if let Some(e) = line.strip_prefix("event: ") {
                event = Some(e.to_string());
            } else if let Some(d) = line.strip_prefix("data: ") {
                data = Some(match data {
                    Some(prev) => format!("{prev}\n{d}"),
                    None => d.to_string(),
                });
            }
        }
        if let Some(d) = data {
            out.push((event, d));
        }
    }
    out
}
