//! The official `openai` and `anthropic` Python SDKs against the proxy (in front of the fake
//! upstream of `support/llm.rs`), streamed and not, for chat completions, completions,
//! responses and messages, tool calls and canaries included: `tests/sdk/e2e.py`.
//!
//! Needs `BLACKBAR_SDK_PYTHON`: a Python with both SDKs installed (`.ci/run` makes a venv
//! and sets it). When it is set, any problem fails the test; when it is unset (a machine with
//! only Rust) the test prints a notice and passes without running.

#![cfg(feature = "proxy")]

#[path = "support/llm.rs"]
mod llm;
#[path = "support/python.rs"]
mod python;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_sdks_through_the_proxy() {
    let h = llm::Harness::start("").await;
    let canary = blackbar::canary::generate().unwrap();
    let env = vec![
        ("PROXY_URL", format!("http://{}", h.proxy)),
        ("CANARY", canary),
    ];
    let what = "the Python SDK end-to-end test";
    let Some(stdout) = python::run_script("BLACKBAR_SDK_PYTHON", what, "e2e.py", env).await else {
        return;
    };
    assert!(stdout.contains("sdk: 9 passed, 0 failed"), "{stdout}");
    h.fake.assert_nothing_raw(&[
        "alice.smith@example.com",
        "4111 1111 1111 1111",
        "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",
        r#"Q<a"b\c>"#,
        "+1 415 555 0132",
        "AKIAQ3EGRZ4XWMJ7VN2K",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8w2LpKEY",
        "Tr0ub4dor#3xQ",
        "AKIAIOSFODNN7EXAMPLE",
        "xoxb-00000-00000-EXAMPLENOTAREALTOKEN",
        "912-34-5678",
    ]);
    let paths: Vec<String> = h
        .fake
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(paths.len() >= 9, "{paths:?}");
}
