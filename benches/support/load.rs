//! The HTTP front ends' benches: a timed request, throughput from concurrent clients, and what
//! a hop adds to the latency of a request sent directly.

#![allow(dead_code)] // Not every bench uses every helper.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;

/// The benches' runtime: two workers, like the machine the figures come from.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A pooled HTTP/1.1 client.
pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

pub fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// Posts `body` as `content_type`, asserts a 200, and returns the time until the whole
/// answer had arrived, and the answer.
pub async fn post(
    client: &HttpClient,
    url: &str,
    content_type: &str,
    body: &Bytes,
) -> (Duration, Bytes) {
    let t = Instant::now();
    let req = hyper::Request::post(url)
        .header("content-type", content_type)
        .body(Full::new(body.clone()))
        .unwrap();
    let resp = client.request(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let answer = resp.into_body().collect().await.unwrap().to_bytes();
    (t.elapsed(), answer)
}

/// Requests per second from `clients` concurrent clients, each posting `body` to `url` one
/// request after the other for `secs`.
pub async fn throughput(
    clients: usize,
    url: &str,
    content_type: &'static str,
    body: &Bytes,
    secs: f64,
) -> f64 {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (url, body) = (url.to_string(), body.clone());
            tokio::spawn(async move {
                let client = client();
                let mut count = 0u64;
                while Instant::now() < deadline {
                    post(&client, &url, content_type, &body).await;
                    count += 1;
                }
                count
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / secs
}

/// The `p` quantile (0 to 1) of `sorted`.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Sorts both samples and prints p50 and p99 of each and the difference, one line each:
/// `{prefix}p50: direct 63 us, {via} 373 us, added 310 us`.
pub fn print_added(prefix: &str, via: &str, direct: &mut [Duration], through: &mut [Duration]) {
    direct.sort();
    through.sort();
    let us = |x: Duration| x.as_secs_f64() * 1e6;
    for (name, q) in [("p50", 0.5), ("p99", 0.99)] {
        let (a, b) = (percentile(direct, q), percentile(through, q));
        println!(
            "{prefix}{name}: direct {:.0} us, {via} {:.0} us, added {:.0} us",
            us(a),
            us(b),
            us(b) - us(a)
        );
    }
}
