//! The LLM proxy over real loopback HTTP, against the fake upstream of `support/llm.rs`:
//! every API shape, streamed and not, tool calls, a placeholder cut at every byte position,
//! canaries, block, fail-closed paths, compression, HTTP/2, metrics, cancellation, shutdown;
//! and the real binary in front of HTTPS upstreams (a TLS-only fake with a CA made at test
//! time, trusted through `--upstream-ca` or not, HTTP/2 or HTTP/1.1 by ALPN).
//! Every test asserts that no raw value reached the upstream.

#![cfg(feature = "proxy")]

#[path = "support/llm.rs"]
mod llm;

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use llm::{get, post, sse_events, Harness};
use serde_json::{json, Value};

const EMAIL: &str = "alice.smith@example.com";
const CARD: &str = "4111 1111 1111 1111";
const GITHUB: &str = "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";
const QUOTED: &str = r#"Q<a"b\c>"#;
const PHONE: &str = "+1 415 555 0132";

/// The values of every request, in order of first appearance (the fake echoes their
/// placeholders in that order).
const VALUES: [&str; 5] = [EMAIL, CARD, GITHUB, QUOTED, PHONE];

fn expected_text() -> String {
    format!("Values: {}.", VALUES.join(" | "))
}

/// A request of `api` spreading the values over system prompt, user turns, an earlier
/// assistant turn, tool results and tool definitions. The first value appears first in the
/// body's byte order (serde_json writes keys sorted), so all APIs share one expected answer.
fn request(api: &str, stream: bool) -> Value {
    let first = format!("Mail {EMAIL}, card {CARD}.");
    let second = format!("Token {GITHUB} and {QUOTED}");
    let third = format!("Call {PHONE} or mail {EMAIL} again.");
    match api {
        "chat" => json!({
            "model": "gpt-test", "stream": stream,
            "messages": [
                {"role": "system", "content": first},
                {"role": "user", "content": [{"type": "text", "text": second}]},
                {"role": "assistant", "content": null, "tool_calls": [{"id": "call_0", "type": "function",
                    "function": {"name": "lookup", "arguments": serde_json::to_string(&json!({"q": third})).unwrap()}}]},
                {"role": "tool", "tool_call_id": "call_0", "content": format!("found {EMAIL}")},
                {"role": "user", "content": "go"}
            ],
            "tools": [{"type": "function", "function": {"name": "send", "parameters": {"type": "object"}}}]
        }),
        "completions" => json!({"model": "gpt-test", "stream": stream,
            "prompt": format!("{first} {second} {third}")}),
        "responses" => json!({
            "model": "gpt-test", "stream": stream,
            "instructions": first,
            "input": [
                {"role": "developer", "content": first},
                {"role": "user", "content": [{"type": "input_text", "text": second}]},
                {"type": "function_call", "call_id": "call_0", "name": "lookup",
                 "arguments": serde_json::to_string(&json!({"q": third})).unwrap()},
                {"type": "function_call_output", "call_id": "call_0", "output": format!("found {EMAIL}")}
            ]
        }),
        _ => json!({
            "model": "claude-test", "max_tokens": 100, "stream": stream,
            "system": [{"type": "text", "text": first}],
            "messages": [
                {"role": "user", "content": format!("{first} {second}")},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_0", "name": "lookup", "input": {"q": third}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_0", "content": format!("found {EMAIL}")}]}
            ]
        }),
    }
}

fn path(api: &str) -> &'static str {
    match api {
        "chat" => "/v1/chat/completions",
        "completions" => "/v1/completions",
        "responses" => "/v1/responses",
        _ => "/anthropic/v1/messages",
    }
}

/// What a client reads from an answer: its text and its tool-call arguments (as JSON text).
#[derive(Debug, Default, PartialEq)]
struct Read {
    text: String,
    args: Option<String>,
}

fn read_whole(api: &str, body: &[u8]) -> Read {
    let v: Value = serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!(
            "answer is not JSON ({e}): {}",
            String::from_utf8_lossy(body)
        )
    });
    match api {
        "chat" => Read {
            text: v["choices"][0]["message"]["content"]
                .as_str()
                .unwrap()
                .into(),
            args: v["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
                .as_str()
                .map(String::from),
        },
        "completions" => Read {
            text: v["choices"][0]["text"].as_str().unwrap().into(),
            args: None,
        },
        "responses" => {
            if let Some(i) = v["instructions"].as_str() {
                assert_eq!(
                    i,
                    format!("Mail {EMAIL}, card {CARD}."),
                    "echoed field restored"
                );
            }
            Read {
                text: v["output"][0]["content"][0]["text"]
                    .as_str()
                    .unwrap()
                    .into(),
                args: v["output"][1]["arguments"].as_str().map(String::from),
            }
        }
        _ => Read {
            text: v["content"][0]["text"].as_str().unwrap().into(),
            args: v["content"]
                .get(1)
                .map(|b| serde_json::to_string(&b["input"]).unwrap()),
        },
    }
}

/// Reassembles a streamed answer the way an SDK does, checking the events' shapes.
fn read_stream(api: &str, body: &[u8]) -> Read {
    let mut r = Read::default();
    let mut args = String::new();
    let mut done_text = None;
    for (event, data) in sse_events(body) {
        if data == "[DONE]" {
            continue;
        }
        let v: Value = serde_json::from_str(&data).unwrap_or_else(|e| panic!("{e}: {data}"));
        assert!(
            v.get("error").is_none() && event.as_deref() != Some("error"),
            "error event: {data}"
        );
        match api {
            "chat" | "completions" => {
                for c in v["choices"].as_array().unwrap() {
                    if let Some(t) = c["delta"]["content"].as_str().or(c["text"].as_str()) {
                        r.text.push_str(t);
                    }
                    if let Some(calls) = c["delta"]["tool_calls"].as_array() {
                        for call in calls {
                            assert_eq!(call["index"], 0);
                            args.push_str(call["function"]["arguments"].as_str().unwrap_or(""));
                        }
                    }
                }
            }
            "responses" => {
                assert_eq!(
                    event.as_deref(),
                    v["type"].as_str(),
                    "event name matches type"
                );
                match v["type"].as_str().unwrap() {
                    "response.output_text.delta" => r.text.push_str(v["delta"].as_str().unwrap()),
                    "response.function_call_arguments.delta" => {
                        args.push_str(v["delta"].as_str().unwrap())
                    }
                    "response.output_text.done" => {
                        done_text = Some(v["text"].as_str().unwrap().to_string())
                    }
                    "response.function_call_arguments.done" => {
                        assert_eq!(
                            serde_json::from_str::<Value>(v["arguments"].as_str().unwrap())
                                .unwrap(),
                            serde_json::from_str::<Value>(&args).unwrap()
                        );
                    }
                    "response.completed" => {
                        let whole = serde_json::to_vec(&v["response"]).unwrap();
                        let w = read_whole("responses", &whole);
                        assert_eq!(w.text, r.text, "completed response carries the same text");
                    }
                    _ => {}
                }
            }
            _ => {
                if v["type"] == "content_block_delta" {
                    match v["delta"]["type"].as_str().unwrap() {
                        "text_delta" => r.text.push_str(v["delta"]["text"].as_str().unwrap()),
                        "input_json_delta" => {
                            args.push_str(v["delta"]["partial_json"].as_str().unwrap())
                        }
                        t => panic!("unexpected delta {t}"),
                    }
                }
            }
        }
    }
    if let Some(t) = done_text {
        assert_eq!(t, r.text, "output_text.done equals the deltas");
    }
    if !args.is_empty() {
        r.args = Some(args);
    }
    r
}

fn check_args(args: Option<&str>) {
    let args = args.expect("a tool call");
    let v: Value = serde_json::from_str(args)
        .unwrap_or_else(|e| panic!("arguments are not JSON ({e}): {args}"));
    assert_eq!(
        v["to"].as_str().unwrap(),
        VALUES.join(" | "),
        "arguments restored and escaped"
    );
    assert_eq!(v["n"], 1);
}

async fn call(h: &Harness, api: &str, stream: bool, headers: &[(&str, &str)]) -> (u16, Vec<u8>) {
    call_at(&h.url(""), api, stream, headers).await
}

/// [`call`] to the proxy at `base` (a URL, with a route prefix or not).
async fn call_at(base: &str, api: &str, stream: bool, headers: &[(&str, &str)]) -> (u16, Vec<u8>) {
    let mut hs = headers.to_vec();
    if api == "messages" {
        hs.push(("anthropic-version", "2023-06-01"));
    }
    let body = serde_json::to_vec(&request(api, stream)).unwrap();
    let (status, ct, body) = post(&format!("{base}{}", path(api)), &hs, body).await;
    if stream && status == 200 {
        assert!(ct.starts_with("text/event-stream"), "{ct}");
    }
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_whole_and_streamed_with_tool_calls() {
    let h = Harness::start("").await;
    for api in ["chat", "completions", "responses", "messages"] {
        for stream in [false, true] {
            let tool: &[(&str, &str)] = if api == "completions" {
                &[]
            } else {
                &[("x-fake-tool", "1")]
            };
            let (status, body) = call(&h, api, stream, tool).await;
            assert_eq!(
                status,
                200,
                "{api} {stream}: {}",
                String::from_utf8_lossy(&body)
            );
            let r = if stream {
                read_stream(api, &body)
            } else {
                read_whole(api, &body)
            };
            assert_eq!(r.text, expected_text(), "{api} stream={stream}");
            if api != "completions" {
                check_args(r.args.as_deref());
            }
            let raw = String::from_utf8_lossy(&body);
            assert!(
                !raw.contains("[EMAIL_"),
                "{api} {stream}: a placeholder reached the client: {raw}"
            );
        }
    }
    h.fake.assert_nothing_raw(&VALUES);
    // Placeholders were numbered in order of first appearance and reused for repeats.
    let first = String::from_utf8(h.fake.bodies()[0].clone()).unwrap();
    assert_eq!(
        llm::placeholders(&first),
        [
            "[EMAIL_1]",
            "[CREDIT_CARD_1]",
            "[GITHUB_TOKEN_1]",
            "[QUOTED_1]",
            "[PHONE_1]"
        ]
    );
    assert_eq!(first.matches("[EMAIL_1]").count(), 3, "{first}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_placeholder_cut_at_every_byte_position_is_restored() {
    let h = Harness::start("").await;
    // The answer text is "Values: [EMAIL_1] | ...": cut it (and the arguments) everywhere.
    let len = format!(
        "Values: {}.",
        "[EMAIL_1] | [CREDIT_CARD_1] | [GITHUB_TOKEN_1] | [QUOTED_1] | [PHONE_1]"
    )
    .len();
    for api in ["chat", "responses", "messages", "completions"] {
        for k in 1..len {
            let k = k.to_string();
            let mut headers = vec![("x-fake-split", k.as_str())];
            if api != "completions" {
                headers.push(("x-fake-tool", "1"));
            }
            let (status, body) = call(&h, api, true, &headers).await;
            assert_eq!(status, 200);
            let r = read_stream(api, &body);
            assert_eq!(r.text, expected_text(), "{api} cut at {k}");
            if api != "completions" {
                check_args(r.args.as_deref());
            }
        }
        // One byte per event, and the SSE bytes themselves in 7-byte pieces.
        let (_, body) = call(
            &h,
            api,
            true,
            &[
                ("x-fake-split", "every"),
                ("x-fake-tool", "1"),
                ("x-fake-chunk", "7"),
            ],
        )
        .await;
        assert_eq!(
            read_stream(api, &body).text,
            expected_text(),
            "{api} one byte per event"
        );
    }
    h.fake.assert_nothing_raw(&VALUES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canaries_stop_answers_and_secrets_the_model_writes_are_labelled() {
    let h = Harness::start("").await;
    let canary = blackbar::canary::generate().unwrap();
    // A canary planted in the system prompt passes to the provider (that is its purpose)...
    let mut req = request("chat", false);
    req["messages"][0]["content"] = json!(format!("secret marker {canary}"));
    let (status, _, _) = post(
        &h.url("/v1/chat/completions"),
        &[],
        serde_json::to_vec(&req).unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        String::from_utf8_lossy(&h.fake.bodies()[0]).contains(&canary),
        "request canaries pass"
    );
    // ...and stops any answer that repeats it, whole or split anywhere in a stream.
    let extra = format!(" leaked {canary}");
    for api in ["chat", "responses", "messages"] {
        let (status, body) = call(&h, api, false, &[("x-fake-extra", &extra)]).await;
        assert_eq!(status, 502, "{api}");
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("blackbar_canary") || text.contains("canary"),
            "{text}"
        );
        assert!(!text.contains(&canary));
        for k in (40..110).step_by(7) {
            let k = k.to_string();
            let (status, body) = call(
                &h,
                api,
                true,
                &[("x-fake-extra", &extra), ("x-fake-split", &k)],
            )
            .await;
            assert_eq!(status, 200);
            let text = String::from_utf8_lossy(&body);
            assert!(
                !text.contains(&canary[..12]),
                "{api} {k}: canary bytes reached the client: {text}"
            );
            let events = sse_events(&body);
            let (name, last) = events.last().unwrap();
            let last: Value = serde_json::from_str(last).unwrap();
            match api {
                "chat" => assert_eq!(last["error"]["code"], "blackbar_canary", "{text}"),
                "responses" => {
                    assert_eq!(name.as_deref(), Some("error"));
                    assert_eq!(last["code"], "blackbar_canary");
                }
                _ => {
                    assert_eq!(name.as_deref(), Some("error"));
                    assert_eq!(last["type"], "error");
                }
            }
        }
    }
    assert!(h.metrics.canary_stops() >= 3);
    // A secret the model produced by itself is labelled, not restored or passed.
    // A token of the right shape (its checksum fails: still redacted at medium confidence),
    // cut at every position of the token and around it.
    let own = "ghp_fg3f8gr29hw7dz7po4ziyacd5cw1hq65d4gj";
    let extra = format!("-also {own}");
    let start = expected_text().len();
    for k in start..start + extra.len() + 1 {
        let k = k.to_string();
        let (_, body) = call(
            &h,
            "chat",
            true,
            &[("x-fake-extra", &extra), ("x-fake-split", &k)],
        )
        .await;
        let r = read_stream("chat", &body);
        assert_eq!(
            r.text,
            format!("{}-also [GITHUB_TOKEN]", expected_text()),
            "cut at {k}"
        );
        assert!(!String::from_utf8_lossy(&body).contains(&own[..10]));
    }
    h.fake.assert_nothing_raw(&VALUES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_refuses_with_a_provider_shaped_error_and_forwards_nothing() {
    let h = Harness::start("[actions]\nsecret = \"block\"\n").await;
    let (status, body) = call(&h, "chat", false, &[]).await;
    assert_eq!(status, 400);
    let v: Value = serde_json::from_slice(&body).unwrap();
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("github-pat-classic") && msg.contains("secret"),
        "{msg}"
    );
    assert!(!msg.contains(GITHUB));
    assert_eq!(v["error"]["code"], "blackbar_blocked");
    let (status, body) = call(&h, "messages", true, &[]).await;
    assert_eq!(status, 400);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["type"], "error");
    assert_eq!(v["error"]["type"], "invalid_request_error");
    assert!(h.fake.bodies().is_empty(), "nothing forwarded");
    let (_, _, metrics) = get(&h.url("/metrics")).await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(
        metrics.contains("blackbar_proxy_blocked_total{rule=\"github-pat-classic\"} 2"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fails_closed() {
    let h = Harness::start_with("", |mut c| {
        c.max_body = 64 * 1024;
        c
    })
    .await;
    let url = h.url("/v1/chat/completions");
    // Not JSON: 400 in the provider's shape, nothing forwarded.
    let raw = format!("{{\"messages\": \"{EMAIL}\"");
    let (status, _, body) = post(&url, &[], raw.into_bytes()).await;
    assert_eq!(status, 400);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"]["code"], "blackbar_body_not_json");
    let (status, _, body) = post(&h.url("/anthropic/v1/messages"), &[], b"nope".to_vec()).await;
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["type"],
        "error"
    );
    // A body encoding that is not what it says.
    let (status, _, _) = post(&url, &[("content-encoding", "gzip")], b"{}".to_vec()).await;
    assert_eq!(status, 400);
    let (status, _, _) = post(&url, &[("content-encoding", "zstd")], b"{}".to_vec()).await;
    assert_eq!(status, 400);
    // Too large, declared or not.
    let big =
        serde_json::to_vec(&json!({"messages": [{"role": "user", "content": "x".repeat(70_000)}]}))
            .unwrap();
    let (status, _, _) = post(&url, &[], big).await;
    assert_eq!(status, 413);
    assert!(h.fake.bodies().is_empty(), "nothing forwarded");
    // An upstream that answers 200 with something that is not JSON: 502, not passed on.
    let (status, _, body) = post(
        &url,
        &[("x-fake-raw", "not json at all")],
        serde_json::to_vec(&request("chat", false)).unwrap(),
    )
    .await;
    assert_eq!(status, 502);
    assert!(!String::from_utf8_lossy(&body).contains("not json at all"));
    // Upstream errors are passed on, after the answer processing.
    let (status, body) = call(&h, "chat", false, &[("x-fake-status", "400")]).await;
    assert_eq!(status, 400);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        v["error"]["message"].as_str().unwrap().contains(EMAIL),
        "restored for the client"
    );
    // Unknown paths are refused; an unreachable upstream is a 502.
    let (status, _, body) = post(&h.url("/v1/files"), &[], b"{}".to_vec()).await;
    assert_eq!(status, 404);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["error"]["code"],
        "blackbar_path_not_proxied"
    );
    h.fake.assert_nothing_raw(&VALUES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_upstream_is_a_502() {
    let h = Harness::start_with("", |mut c| {
        c.routes[0] = blackbar::proxy::Route::parse("http://127.0.0.1:9").unwrap();
        c
    })
    .await;
    let (status, body) = call(&h, "chat", false, &[]).await;
    assert_eq!(status, 502, "{}", String::from_utf8_lossy(&body));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_request_bodies_are_decoded_and_redacted() {
    use std::io::Write;
    let h = Harness::start("").await;
    let body = serde_json::to_vec(&request("chat", false)).unwrap();
    let mut gz = flate2::write::GzEncoder::new(vec![], flate2::Compression::default());
    gz.write_all(&body).unwrap();
    let mut br = vec![];
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
        w.write_all(&body).unwrap();
    }
    let mut z = flate2::write::ZlibEncoder::new(vec![], flate2::Compression::default());
    z.write_all(&body).unwrap();
    for (enc, data) in [
        ("gzip", gz.finish().unwrap()),
        ("br", br),
        ("deflate", z.finish().unwrap()),
    ] {
        let (status, _, answer) = post(
            &h.url("/v1/chat/completions"),
            &[("content-encoding", enc)],
            data,
        )
        .await;
        assert_eq!(status, 200, "{enc}");
        assert_eq!(read_whole("chat", &answer).text, expected_text());
    }
    h.fake.assert_nothing_raw(&VALUES);
    for r in h.fake.requests.lock().unwrap().iter() {
        assert!(
            !r.headers.iter().any(|(k, _)| k == "content-encoding"),
            "forwarded decoded"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_clients_healthz_metrics_and_headers() {
    let h = Harness::start("").await;
    let (status, _, body) = get(&h.url("/healthz")).await;
    assert_eq!((status, body.as_slice()), (200, &b"ok\n"[..]));
    // HTTP/2 with prior knowledge, streamed.
    let c = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .http2_only(true)
        .build_http::<Full<Bytes>>();
    let req = hyper::Request::post(h.url("/v1/chat/completions"))
        .header("authorization", "Bearer sk-test-not-logged")
        .header("x-fake-split", "13")
        .body(Full::new(Bytes::from(
            serde_json::to_vec(&request("chat", true)).unwrap(),
        )))
        .unwrap();
    let resp = c.request(req).await.unwrap();
    assert_eq!(resp.version(), hyper::Version::HTTP_2);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(read_stream("chat", &body).text, expected_text());
    // Headers pass through (the upstream authenticates the client).
    let reqs = h.fake.requests.lock().unwrap().clone();
    assert!(reqs[0]
        .headers
        .iter()
        .any(|(k, v)| k == "authorization" && v == "Bearer sk-test-not-logged"));
    assert!(reqs[0]
        .headers
        .iter()
        .any(|(k, v)| k == "accept-encoding" && v == "identity"));
    let (_, ct, m) = get(&h.url("/metrics")).await;
    assert!(ct.starts_with("text/plain"));
    let m = String::from_utf8(m).unwrap();
    for want in [
        "blackbar_proxy_requests_total{api=\"chat_completions\",status=\"200\"} 1",
        "blackbar_proxy_findings_total{direction=\"request\",rule=\"email\",category=\"pii\"}",
        "blackbar_proxy_upstream_latency_seconds_count 1",
    ] {
        assert!(m.contains(want), "{want} not in\n{m}");
    }
    assert!(!m.contains(EMAIL) && !m.contains("sk-test"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embeddings_and_other_paths() {
    let h = Harness::start_with("", |mut c| {
        c.other = blackbar::proxy::OtherPaths::RedactAsText;
        c
    })
    .await;
    let body =
        serde_json::to_vec(&json!({"model": "e", "input": [format!("about {EMAIL}")]})).unwrap();
    let (status, _, answer) = post(&h.url("/v1/embeddings"), &[], body).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&answer).unwrap()["data"][0]["embedding"][1],
        0.2
    );
    let (status, _, answer) = post(
        &h.url("/v1/other"),
        &[],
        format!("free text {EMAIL}").into_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(String::from_utf8(answer).unwrap(), format!("echo: {EMAIL}"));
    h.fake.assert_nothing_raw(&[EMAIL]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_disconnect_cancels_the_upstream_call() {
    let h = Harness::start("").await;
    let req = hyper::Request::post(h.url("/v1/chat/completions"))
        .header("x-fake-slow", "10")
        .body(Full::new(Bytes::from(
            serde_json::to_vec(&request("chat", true)).unwrap(),
        )))
        .unwrap();
    let resp = llm::client().request(req).await.unwrap();
    let mut body = resp.into_body();
    let first = body.frame().await.unwrap().unwrap();
    assert!(first.is_data());
    drop(body);
    for _ in 0..300 {
        if h.fake.cancelled.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the upstream stream was not cancelled after the client left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_in_flight_streams_finish() {
    let mut h = Harness::start("").await;
    let url = h.url("/v1/chat/completions");
    let inflight = tokio::spawn(async move {
        let body = serde_json::to_vec(&request("chat", true)).unwrap();
        post(&url, &[("x-fake-slow", "2")], body).await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    h.shutdown();
    let (status, _, body) = inflight.await.unwrap();
    assert_eq!(status, 200);
    let text = read_stream("chat", &body).text;
    assert!(
        text.ends_with(&expected_text()),
        "the stream finished: {text}"
    );
    tokio::time::timeout(Duration::from_secs(5), h.served.take().unwrap())
        .await
        .expect("server stopped")
        .unwrap();
    assert!(
        tokio::net::TcpStream::connect(h.proxy).await.is_err(),
        "no longer accepting"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_previous_response_id_continues_the_vault() {
    let h = Harness::start("").await;
    for stream in [false, true] {
        // Turn 1: the provider stores it (the fake answers with id resp_1).
        let (status, _) = call(&h, "responses", stream, &[]).await;
        assert_eq!(status, 200);
        // Turn 2 carries only the new input; the model repeats a placeholder of turn 1.
        let body = serde_json::to_vec(&json!({
            "model": "gpt-test", "stream": stream, "previous_response_id": "resp_1",
            "input": "also bob.jones@example.org"
        }))
        .unwrap();
        let (status, _, answer) = post(
            &h.url("/v1/responses"),
            &[("x-fake-extra", "-[EMAIL_1]")],
            body,
        )
        .await;
        assert_eq!(status, 200);
        let text = if stream {
            read_stream_text(&answer)
        } else {
            read_whole("responses", &answer).text
        };
        assert_eq!(
            text,
            format!("Values: bob.jones@example.org.-{EMAIL}"),
            "stream={stream}"
        );
        let last = String::from_utf8(h.fake.bodies().last().unwrap().clone()).unwrap();
        assert!(last.contains("[EMAIL_2]"), "numbering continues: {last}");
    }
    h.fake.assert_nothing_raw(&[EMAIL, "bob.jones@example.org"]);
}

fn read_stream_text(body: &[u8]) -> String {
    sse_events(body)
        .into_iter()
        .filter_map(|(_, d)| serde_json::from_str::<Value>(&d).ok())
        .filter(|v| v["type"] == "response.output_text.delta")
        .map(|v| v["delta"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_disconnect_cancels_a_non_streamed_upstream_call() {
    use tokio::io::AsyncWriteExt;
    let h = Harness::start("").await;
    let body = serde_json::to_vec(&request("chat", false)).unwrap();
    let mut tcp = tokio::net::TcpStream::connect(h.proxy).await.unwrap();
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-fake-slow: 20\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(&body).await.unwrap();
    // Wait until the upstream has the request, then leave.
    for _ in 0..200 {
        if !h.fake.bodies().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    drop(tcp);
    for _ in 0..300 {
        if h.fake.cancelled.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the upstream call went on after the client left");
}

/// The real binary: `blackbar proxy` serves, logs through the redacting writer (never the
/// Authorization header or a value), and exits 0 on SIGTERM.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_logs_safely_and_stops_on_sigterm() {
    let (fake, upstream) = llm::Fake::start().await;
    let proxy = llm::ProxyBin::start(["--upstream".to_string(), format!("http://{upstream}")]);
    assert!(proxy.first.contains("listening"), "{}", proxy.first);
    let body = serde_json::to_vec(&request("chat", false)).unwrap();
    let (status, _, answer) = post(
        &proxy.url("/v1/chat/completions"),
        &[("authorization", "Bearer sk-live-do-not-log")],
        body,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(read_whole("chat", &answer).text, expected_text());
    fake.assert_nothing_raw(&VALUES);
    let (status, logs) = proxy.stop().await;
    assert!(status.success(), "{status:?}");
    assert!(logs.contains("status=200"), "{logs}");
    assert!(logs.contains("shutdown signal"), "{logs}");
    for secret in ["sk-live-do-not-log", "Bearer", EMAIL, CARD, GITHUB] {
        assert!(!logs.contains(secret), "{secret} in logs:\n{logs}");
    }
}

/// One TLS upstream of the HTTPS tests: its route prefix, the host the proxy is given, the
/// ALPN protocols the fake agrees to and the HTTP version it must then see. The proxy offers
/// `h2` and `http/1.1`; the upstream picks.
struct TlsUpstream {
    prefix: &'static str,
    host: &'static str,
    alpn: &'static [&'static str],
    version: hyper::Version,
}

const TLS_UPSTREAMS: [TlsUpstream; 4] = [
    // Picks HTTP/2 (as the big providers do).
    TlsUpstream {
        prefix: "",
        host: "localhost",
        alpn: &["h2", "http/1.1"],
        version: hyper::Version::HTTP_2,
    },
    TlsUpstream {
        prefix: "/h1",
        host: "localhost",
        alpn: &["http/1.1"],
        version: hyper::Version::HTTP_11,
    },
    // No ALPN at all: HTTP/1.1.
    TlsUpstream {
        prefix: "/no-alpn",
        host: "localhost",
        alpn: &[],
        version: hyper::Version::HTTP_11,
    },
    // By address: the certificate's IP address is what is checked, and no SNI is sent.
    TlsUpstream {
        prefix: "/ip",
        host: "127.0.0.1",
        alpn: &["h2", "http/1.1"],
        version: hyper::Version::HTTP_2,
    },
];

/// The real binary in front of TLS-only fakes whose certificates a CA made for this test
/// signed: with that CA given by `--upstream-ca` (in a bundle, after an unrelated CA, and
/// after another `--upstream-ca`), every upstream of [`TLS_UPSTREAMS`] gets only redacted
/// bodies over TLS, in the HTTP version ALPN settled on, and the client gets the values back,
/// streamed and not.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_upstreams_are_trusted_through_upstream_ca() {
    let ca = llm::TestCa::new();
    let dir = tempfile::tempdir().unwrap();
    let unrelated = dir.path().join("unrelated.pem");
    std::fs::write(&unrelated, llm::TestCa::new().pem).unwrap();
    let bundle = dir.path().join("bundle.pem");
    std::fs::write(&bundle, format!("{}{}", llm::TestCa::new().pem, ca.pem)).unwrap();
    let mut fakes = vec![];
    let mut args: Vec<std::ffi::OsString> = vec![];
    for up in &TLS_UPSTREAMS {
        let (fake, addr) = llm::Fake::start_tls(ca.server(up.alpn)).await;
        fakes.push(fake);
        let url = format!("https://{}:{}", up.host, addr.port());
        args.push("--upstream".into());
        args.push(match up.prefix {
            "" => url.into(),
            prefix => format!("{prefix}={url}").into(),
        });
    }
    for file in [&unrelated, &bundle] {
        args.push("--upstream-ca".into());
        args.push(file.into());
    }
    let proxy = llm::ProxyBin::start(&args);
    assert!(proxy.first.contains("bundle.pem"), "{}", proxy.first);
    for (up, fake) in TLS_UPSTREAMS.iter().zip(&fakes) {
        for stream in [false, true] {
            let (status, body) = call_at(
                &proxy.url(up.prefix),
                "chat",
                stream,
                &[("x-fake-tool", "1")],
            )
            .await;
            let what = format!("{}{} stream={stream}", up.host, up.prefix);
            assert_eq!(status, 200, "{what}: {}", String::from_utf8_lossy(&body));
            let r = if stream {
                read_stream("chat", &body)
            } else {
                read_whole("chat", &body)
            };
            assert_eq!(r.text, expected_text(), "{what}");
            check_args(r.args.as_deref());
        }
        let reqs = fake.requests.lock().unwrap().clone();
        assert_eq!(reqs.len(), 2, "{}: both calls reached it", up.prefix);
        for r in &reqs {
            let tls = r.tls.as_ref().expect("over TLS");
            assert_eq!(tls.offered, ["h2", "http/1.1"], "the proxy's ALPN offer");
            assert_eq!(tls.alpn.as_deref(), up.alpn.first().copied());
            assert_eq!(r.version, up.version, "{}", up.prefix);
            let sni = (up.host == "localhost").then_some("localhost");
            assert_eq!(tls.sni.as_deref(), sni);
        }
        fake.assert_nothing_raw(&VALUES);
        let failures = fake.handshake_failures.lock().unwrap().clone();
        assert!(failures.is_empty(), "{failures:?}");
    }
    let (status, logs) = proxy.stop().await;
    assert!(status.success(), "{status:?}");
    for value in VALUES {
        assert!(!logs.contains(value), "{value} in logs:\n{logs}");
    }
}

/// The fake's failed handshakes once there are `n` of them, or after two seconds.
async fn handshake_failures(fake: &llm::Fake, n: usize) -> Vec<String> {
    for _ in 0..200 {
        let failures = fake.handshake_failures.lock().unwrap().clone();
        if failures.len() >= n {
            return failures;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    fake.handshake_failures.lock().unwrap().clone()
}

/// Without `--upstream-ca` the same kind of upstream is not trusted: every call is a 502 in
/// the provider's error shape that carries no value and no placeholder, the fake sees the
/// proxy's TLS alert and never a request, and the proxy's log names the cause. The fake also
/// refuses plain HTTP, so the test above really went over TLS.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_https_upstream_is_a_502_and_gets_nothing() {
    let ca = llm::TestCa::new();
    let (fake, addr) = llm::Fake::start_tls(ca.server(&["h2", "http/1.1"])).await;
    let port = addr.port();
    let proxy = llm::ProxyBin::start([
        "--upstream".to_string(),
        format!("https://localhost:{port}"),
        "--upstream".to_string(),
        format!("/anthropic=https://localhost:{port}"),
        "--upstream".to_string(),
        format!("/plain=http://localhost:{port}"),
    ]);
    let calls = [
        ("chat", false),
        ("chat", true),
        ("messages", false),
        ("messages", true),
    ];
    for (api, stream) in calls {
        let (status, body) = call_at(&proxy.url(""), api, stream, &[]).await;
        let text = String::from_utf8_lossy(&body).into_owned();
        assert_eq!(status, 502, "{api} stream={stream}: {text}");
        let v: Value = serde_json::from_slice(&body).unwrap();
        if api == "messages" {
            assert_eq!(v["type"], "error", "{text}");
        } else {
            assert_eq!(
                v["error"]["code"], "blackbar_upstream_unreachable",
                "{text}"
            );
        }
        assert_eq!(v["error"]["type"], "api_error", "{text}");
        for value in VALUES {
            assert!(!text.contains(value), "{value} in {text}");
        }
        assert!(llm::placeholders(&text).is_empty(), "{text}");
    }
    // The fake records a failed handshake on its own task, after the proxy has answered.
    let failures = handshake_failures(&fake, calls.len()).await;
    assert_eq!(failures.len(), calls.len(), "{failures:?}");
    for f in &failures {
        assert!(
            f.contains("UnknownCA"),
            "the proxy rejected the certificate: {f}"
        );
    }
    let (status, _) = call_at(&proxy.url("/plain"), "chat", false, &[]).await;
    assert_eq!(status, 502);
    let failures = handshake_failures(&fake, calls.len() + 1).await;
    assert_eq!(failures.len(), calls.len() + 1, "{failures:?}");
    assert!(
        fake.requests.lock().unwrap().is_empty(),
        "no request got through"
    );
    let (status, logs) = proxy.stop().await;
    assert!(status.success(), "{status:?}");
    assert!(logs.contains("invalid peer certificate"), "{logs}");
    for value in VALUES {
        assert!(!logs.contains(value), "{value} in logs:\n{logs}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_stream_ends_with_an_error_event_after_the_idle_timeout() {
    let h = Harness::start_with("", |mut c| {
        c.timeouts.idle = Duration::from_millis(100);
        c
    })
    .await;
    let (status, body) = call(&h, "messages", true, &[("x-fake-slow", "400")]).await;
    assert_eq!(status, 200);
    let events = sse_events(&body);
    let (name, last) = events.last().unwrap();
    assert_eq!(name.as_deref(), Some("error"));
    assert!(
        last.contains("blackbar_upstream_timeout") || last.contains("went silent"),
        "{last}"
    );
}

/// One step of a [`scripted`] upstream's answer.
enum Step {
    /// Bytes written as they are (the status line and headers, or chunks).
    Raw(Vec<u8>),
    /// One chunk of a chunked body.
    Chunk(Vec<u8>),
    Sleep(u64),
    /// The connection reset (RST), mid-answer.
    Reset,
}

/// An upstream on loopback that reads each request (headers and a `content-length` body) and
/// answers with `script`, byte for byte: for faults a well-behaved HTTP server cannot make.
async fn scripted(script: Vec<Step>) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let script = std::sync::Arc::new(script);
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let script = script.clone();
            tokio::spawn(async move {
                let mut got = vec![];
                let mut buf = [0u8; 4096];
                loop {
                    let Ok(n) = tcp.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&got).to_ascii_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len: usize = text
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map_or(0, |v| v.trim().parse().unwrap());
                        if got.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                for step in script.iter() {
                    let ok = match step {
                        Step::Raw(b) => tcp.write_all(b).await.is_ok(),
                        Step::Chunk(b) => {
                            let mut c = format!("{:x}\r\n", b.len()).into_bytes();
                            c.extend_from_slice(b);
                            c.extend_from_slice(b"\r\n");
                            tcp.write_all(&c).await.is_ok()
                        }
                        Step::Sleep(ms) => {
                            tokio::time::sleep(Duration::from_millis(*ms)).await;
                            true
                        }
                        Step::Reset => {
                            let _ = tcp.set_zero_linger();
                            return;
                        }
                    };
                    if !ok {
                        return;
                    }
                }
            });
        }
    });
    addr
}

const SSE_HEAD: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";

fn delta(text: &str) -> Vec<u8> {
    let v = json!({"id": "c1", "object": "chat.completion.chunk", "model": "m",
        "choices": [{"index": 0, "delta": {"content": text}}]});
    format!("data: {v}\n\n").into_bytes()
}

/// A proxy whose upstream is `upstream`, with `timeouts` of `ms` milliseconds (response and
/// idle).
async fn harness_to(upstream: std::net::SocketAddr, ms: u64) -> Harness {
    Harness::start_with("", |mut c| {
        c.routes[0] = blackbar::proxy::Route::parse(&format!("http://{upstream}")).unwrap();
        c.timeouts.response = Duration::from_millis(ms);
        c.timeouts.idle = Duration::from_millis(ms);
        c
    })
    .await
}

fn chat_request() -> Vec<u8> {
    serde_json::to_vec(&json!({"model": "m", "stream": true,
        "messages": [{"role": "user", "content": format!("mail {EMAIL}")}]}))
    .unwrap()
}

/// The upstream resets the connection in the middle of a streamed answer, while the model's
/// text ends with the first 24 characters of a token: the client gets what came before (its
/// placeholder restored), then an error event; the cut token is never written, raw or not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_reset_mid_stream_ends_with_an_error_event_and_no_raw_prefix() {
    let upstream = scripted(vec![
        Step::Raw(SSE_HEAD.to_vec()),
        Step::Chunk(delta("Your mail is [EMAIL_1]. Next: ")),
        Step::Chunk(delta(&GITHUB[..24])),
        Step::Sleep(200),
        Step::Reset,
    ])
    .await;
    let h = harness_to(upstream, 5_000).await;
    let (status, _, body) = post(&h.url("/v1/chat/completions"), &[], chat_request()).await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains(&format!("Your mail is {EMAIL}.")), "{text}");
    assert!(
        !text.contains(&GITHUB[4..16]),
        "a cut token went out: {text}"
    );
    let events = sse_events(&body);
    let (_, last) = events.last().unwrap();
    assert!(last.contains("blackbar_upstream_failed"), "{text}");
}

/// The upstream sends events the proxy cannot inspect (JSON cut short, bytes that are not
/// UTF-8), each carrying a key: the stream stops with an error event, the key never out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_upstream_events_stop_the_stream_without_passing_them() {
    const KEY: &str = "AKIAQ3EGRZ4XWMJ7VN2K";
    let cut = format!("data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"key {KEY}\n\n");
    let mut not_utf8 = b"data: \xff\xfe key ".to_vec();
    not_utf8.extend_from_slice(KEY.as_bytes());
    not_utf8.extend_from_slice(b"\n\n");
    for bad in [cut.into_bytes(), not_utf8] {
        let upstream = scripted(vec![
            Step::Raw(SSE_HEAD.to_vec()),
            Step::Chunk(delta("Fine so far. ")),
            Step::Chunk(bad),
            Step::Chunk(delta("more")),
            Step::Raw(b"0\r\n\r\n".to_vec()),
        ])
        .await;
        let h = harness_to(upstream, 5_000).await;
        let (status, _, body) = post(&h.url("/v1/chat/completions"), &[], chat_request()).await;
        assert_eq!(status, 200);
        let text = String::from_utf8_lossy(&body);
        // What came before is out (the held-back end of its text, ". ", is dropped).
        assert!(text.contains("Fine so far"), "{text}");
        assert!(!text.contains(KEY) && !text.contains("more"), "{text}");
        let events = sse_events(&body);
        let (_, last) = events.last().unwrap();
        assert!(last.contains("blackbar_answer_uninspectable"), "{text}");
    }
}

/// An upstream that accepts the request and never answers: a 504 in the provider's shape
/// when the response timeout passes, not a hang.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_that_never_answers_is_a_504_after_the_timeout() {
    let upstream = scripted(vec![Step::Sleep(30_000)]).await;
    let h = harness_to(upstream, 300).await;
    let started = std::time::Instant::now();
    let (status, _, body) = post(&h.url("/v1/chat/completions"), &[], chat_request()).await;
    assert_eq!(status, 504, "{}", String::from_utf8_lossy(&body));
    assert!(started.elapsed() < Duration::from_secs(5));
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"]["code"], "blackbar_upstream_timeout");
}

/// A client that sends its body in slow pieces gets the same answer as any other, and the
/// upstream the redacted body; one that leaves half-way through its body sends nothing
/// upstream, and the proxy goes on serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_vanishing_clients() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = Harness::start("").await;
    let body = serde_json::to_vec(&request("chat", false)).unwrap();
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    // Slow: six pieces, 150 ms apart.
    let mut tcp = tokio::net::TcpStream::connect(h.proxy).await.unwrap();
    tcp.write_all(head.as_bytes()).await.unwrap();
    for piece in body.chunks(body.len() / 6 + 1) {
        tokio::time::sleep(Duration::from_millis(150)).await;
        tcp.write_all(piece).await.unwrap();
    }
    let mut answer = vec![];
    tcp.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(EMAIL), "restored: {answer}");
    assert_eq!(h.fake.bodies().len(), 1);
    // Vanishing: half the body, then the connection closed.
    let mut tcp = tokio::net::TcpStream::connect(h.proxy).await.unwrap();
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(&body[..body.len() / 2]).await.unwrap();
    drop(tcp);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        h.fake.bodies().len(),
        1,
        "nothing of the cut request went upstream"
    );
    let (status, _) = call(&h, "chat", false, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(h.fake.bodies().len(), 2);
    h.fake.assert_nothing_raw(&VALUES);
}
