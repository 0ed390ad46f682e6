//! The proxy's added latency and throughput, against the in-process fake upstream of
//! `tests/support/llm.rs` on loopback.
//!
//! * Added latency: the same non-streamed chat request (a 16 KB prompt carrying 12 values:
//!   emails, cards, phones, IP addresses) sent sequentially, directly to the fake and through
//!   the proxy; p50 and p99 of each, and the difference.
//! * Time to first byte of a streamed answer, directly and through the proxy.
//! * Requests per second through the proxy with 16 concurrent clients.
//!
//! Every proxied answer is checked (all 12 values restored), so a fast but wrong proxy
//! cannot look good. `cargo bench --bench proxy` (release); `-- --test` does a quick pass.

#[path = "../tests/support/llm.rs"]
mod llm;
#[path = "support/load.rs"]
mod load;

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{json, Value};

const VALUES: [&str; 12] = [
    "alice.smith@example.com",
    "bob.jones@example.org",
    "carol@example.net",
    "4111 1111 1111 1111",
    "5500 0000 0000 0004",
    "3400 000000 00009",
    "+1 415 555 0132",
    "+44 20 7946 0958",
    "+33 1 42 68 53 00",
    "10.1.2.3",
    "192.168.10.20",
    "172.16.5.4",
];

const JSON: &str = "application/json";

fn prompt() -> String {
    let filler = "The quarterly report covers revenue, churn and the support backlog; \
                  please summarise the open items and propose next steps for the team. ";
    let mut p = String::new();
    let mut i = 0;
    while p.len() < 16 * 1024 - 200 {
        p.push_str(filler);
        if p.len() > (i + 1) * 1300 && i < VALUES.len() {
            p.push_str(&format!("Contact: {}. ", VALUES[i]));
            i += 1;
        }
    }
    while i < VALUES.len() {
        p.push_str(&format!("Contact: {}. ", VALUES[i]));
        i += 1;
    }
    p
}

async fn first_byte(url: &str, body: &Bytes) -> Duration {
    let client = llm::client();
    let t = Instant::now();
    let req = hyper::Request::post(url)
        .header("content-type", "application/json")
        .body(Full::new(body.clone()))
        .unwrap();
    let resp = client.request(req).await.unwrap();
    let mut b = resp.into_body();
    loop {
        let f = b.frame().await.unwrap().unwrap();
        if f.data_ref()
            .is_some_and(|d| d.windows(8).any(|w| w == b"Values: "))
        {
            return t.elapsed();
        }
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let n = if quick { 20 } else { 2000 };
    load::runtime().block_on(async {
        let h = llm::Harness::start("").await;
        let prompt = prompt();
        let body = Bytes::from(
            serde_json::to_vec(&json!({"model": "m", "messages": [{"role": "user", "content": prompt}]}))
                .unwrap(),
        );
        let direct = format!("http://{}/v1/chat/completions", h.upstream);
        let proxied = h.url("/v1/chat/completions");
        let client = load::client();
        // Warm up both paths (connections, lazy DFA states).
        for _ in 0..(n / 10).max(5) {
            load::post(&client, &direct, JSON, &body).await;
            load::post(&client, &proxied, JSON, &body).await;
        }
        let mut d = Vec::with_capacity(n);
        let mut p = Vec::with_capacity(n);
        for _ in 0..n {
            d.push(load::post(&client, &direct, JSON, &body).await.0);
            let (t, answer) = load::post(&client, &proxied, JSON, &body).await;
            p.push(t);
            let v: Value = serde_json::from_slice(&answer).unwrap();
            let text = v["choices"][0]["message"]["content"].as_str().unwrap();
            let restored = VALUES.iter().filter(|x| text.contains(*x)).count();
            assert_eq!(restored, VALUES.len(), "every value restored: {text}");
        }
        println!(
            "prompt {} bytes, {} values, {n} sequential requests",
            prompt.len(),
            VALUES.len()
        );
        load::print_added("", "via proxy", &mut d, &mut p);
        // Time to the first text of a streamed answer.
        let sbody = Bytes::from(
            serde_json::to_vec(&json!({"model": "m", "stream": true, "messages": [{"role": "user", "content": prompt}]}))
                .unwrap(),
        );
        let mut fd = vec![];
        let mut fp = vec![];
        for _ in 0..(n / 4).max(5) {
            fd.push(first_byte(&direct, &sbody).await);
            fp.push(first_byte(&proxied, &sbody).await);
        }
        load::print_added("stream first text ", "via proxy", &mut fd, &mut fp);
        // Throughput through the proxy: 16 concurrent clients.
        let secs = if quick { 0.5 } else { 5.0 };
        let rate = load::throughput(16, &proxied, JSON, &body, secs).await;
        println!(
            "throughput via proxy: {rate:.0} requests/s (16 concurrent clients, {secs} s)"
        );
    });
}
