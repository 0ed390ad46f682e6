//! A fake OpenTelemetry Collector for the OTLP hop's tests: OTLP/HTTP and OTLP/gRPC
//! (HTTP/1.1 and HTTP/2 in clear) on one port. It records every request it gets (path,
//! headers, and the message: gzip undone, gRPC's frame taken off) and answers as told,
//! by default with an empty success in the request's encoding.

#![allow(dead_code)] // Not every test uses every helper.

use std::convert::Infallible;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, Request, Response};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};

/// One request, as the collector saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub headers: HeaderMap,
    /// The message: the body without its gzip, or a gRPC body's one message unframed.
    pub message: Vec<u8>,
    pub grpc: bool,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What the collector answers.
#[derive(Clone, Debug, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// gRPC trailers (`grpc-status`...).
    pub trailers: Vec<(String, String)>,
}

#[derive(Clone)]
pub struct Collector {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// The next answers (the default answer once they are used up).
    pub replies: Arc<Mutex<Vec<Reply>>>,
}

impl Collector {
    pub async fn start() -> Collector {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let c = Collector {
            addr: listener.local_addr().unwrap(),
            seen: Arc::default(),
            replies: Arc::default(),
        };
        let me = c.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let me = me.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        let me = me.clone();
                        async move { Ok::<_, Infallible>(me.answer(req).await) }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        c
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Everything seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Answers the next request with `reply`.
    pub fn reply_with(&self, reply: Reply) {
        self.replies.lock().unwrap().push(reply);
    }

    async fn answer(&self, req: Request<Incoming>) -> Response<StreamBody<futures_stream::Frames>> {
        let (parts, body) = req.into_parts();
        let body = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        let ctype = parts
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let grpc = ctype.starts_with("application/grpc");
        let message = if grpc {
            let compressed = body.first() == Some(&1);
            let m = body.get(5..).unwrap_or_default().to_vec();
            if compressed {
                gunzip(&m)
            } else {
                m
            }
        } else if parts
            .headers
            .get("content-encoding")
            .is_some_and(|v| v == "gzip")
        {
            gunzip(&body)
        } else {
            body.to_vec()
        };
        self.seen.lock().unwrap().push(Seen {
            path: parts.uri.path().to_string(),
            headers: parts.headers.clone(),
            message,
            grpc,
        });
        let reply = {
            let mut r = self.replies.lock().unwrap();
            if r.is_empty() {
                None
            } else {
                Some(r.remove(0))
            }
        };
        let reply = reply.unwrap_or_else(|| {
            if grpc {
                Reply {
                    status: 200,
                    headers: vec![("content-type".into(), "application/grpc".into())],
                    body: vec![0, 0, 0, 0, 0],
                    trailers: vec![("grpc-status".into(), "0".into())],
                }
            } else {
                let body = if ctype.starts_with("application/json") {
                    b"{}".to_vec()
                } else {
                    vec![]
                };
                Reply {
                    status: 200,
                    headers: vec![("content-type".into(), ctype.clone())],
                    body,
                    trailers: vec![],
                }
            }
        });
        let mut resp = Response::builder().status(reply.status);
        for (k, v) in &reply.headers {
            resp = resp.header(k, v);
        }
        let mut frames = vec![];
        if !reply.body.is_empty() {
            frames.push(Frame::data(Bytes::from(reply.body)));
        }
        if !reply.trailers.is_empty() {
            let mut t = HeaderMap::new();
            for (k, v) in &reply.trailers {
                t.insert(
                    http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                );
            }
            frames.push(Frame::trailers(t));
        }
        resp.body(StreamBody::new(futures_stream::Frames(frames)))
            .unwrap()
    }
}

pub fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    flate2::read::MultiGzDecoder::new(b)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

pub mod futures_stream {
    use super::*;

    /// The frames of an answer, as a stream.
    pub struct Frames(pub Vec<Frame<Bytes>>);

    impl futures_core::Stream for Frames {
        type Item = Result<Frame<Bytes>, Infallible>;

        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(if self.0.is_empty() {
                None
            } else {
                Some(Ok(self.0.remove(0)))
            })
        }
    }
}

/// A hyper client for the tests' own requests (HTTP/1.1, or HTTP/2 with prior knowledge).
pub fn client(
    h2: bool,
) -> hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
> {
    hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .http2_only(h2)
        .build_http()
}

/// Posts `body` and returns the status, the headers, the body and the trailers.
pub async fn post(
    h2: bool,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (u16, HeaderMap, Vec<u8>, Option<HeaderMap>) {
    let mut req = Request::post(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = client(h2)
        .request(req.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .expect("the hop answers");
    let (parts, body) = resp.into_parts();
    let collected = body.collect().await.expect("a whole answer");
    let trailers = collected.trailers().cloned();
    (
        parts.status.as_u16(),
        parts.headers,
        collected.to_bytes().to_vec(),
        trailers,
    )
}
