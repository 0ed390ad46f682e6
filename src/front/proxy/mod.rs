//! The LLM provider proxy (cargo feature `proxy`): redacts prompts, restores answers
//! (streamed too), stops canary leaks, fails closed.
//!
//! ```text
//! client ──► proxy: decode body ─► redact every string (placeholders) ─► upstream
//! client ◄── proxy: check output (secrets, canaries) ─► restore placeholders ◄── upstream
//! ```
//!
//! # APIs
//!
//! OpenAI-compatible `/v1/chat/completions`, `/v1/responses`, `/v1/completions`,
//! `/v1/embeddings` and Anthropic `/v1/messages` ((`api.rs`)). Other paths get a 404 in the
//! provider's shape, or with [`ProxyConfig::forward_other`] are forwarded with their body
//! redacted as text (answers are then passed through the output check only). Several
//! upstreams are selected by path prefix ([`Route`]); the prefix is stripped. HTTPS
//! upstreams must present a certificate from the webpki roots or from one of
//! [`ProxyConfig::upstream_cas`] ([`UpstreamCa`]); they get HTTP/2 or HTTP/1.1 as ALPN
//! settles it.
//!
//! # Requests
//!
//! The body (gzip, deflate or br decoded, [`ProxyConfig::max_body`] before and after
//! decoding, 413 past it) must be JSON. **Every string value** is redacted with the JSON mode
//! ([`crate::json`]): messages and content parts, system prompts and instructions, tool
//! definitions, tool-call arguments, tool results and earlier assistant turns alike, so
//! nothing the provider would see is skipped because a field was not on a list. Keys are
//! not scanned, and no key redacts its whole value (`max_tokens` is not a token). Decoders
//! are off: a base64 image is not data to decode and rewrite.
//!
//! Default actions (a `--policy` file overrides them, category or rule):
//! `pii = "placeholder"`, `secret = "placeholder"`, `canary = "report"`, on **every finding
//! whatever its confidence** (a policy's `min_confidence` raises the threshold explicitly):
//! documentation keys, failed checksums and 9xx SSN/ITIN shapes do not leave either. Canaries in a
//! request are expected (planted in system prompts) and pass; the answer check runs the same
//! rule set, so every canary recognised in a request (blackbar's own format or a listed one)
//! is recognised in the answer. A finding whose action is `block` refuses the request with a
//! provider-shaped 400 naming the rule and category, never the value.
//!
//! # Placeholder numbering across turns
//!
//! Each request gets a fresh [`Vault`](crate::placeholder::Vault) and its strings are
//! redacted in document order. A chat client sends the whole conversation every turn, with
//! earlier turns first and unchanged (answers as restored for the user), so a value gets the
//! same placeholder in every turn of a request and in every later request of the
//! conversation: numbering depends only on the order in which values first appear, never on
//! proxy state. Any proxy replica gives the same numbers, no store is shared, and an earlier
//! turn's placeholder that the model repeats is restored because its value is in this
//! request. Provider-side state the request does not carry (the Responses API's
//! `previous_response_id` and `conversation`) is covered by `conversations.rs`: the proxy
//! remembers each response's vault by id (bounded, in memory) and continues it; on a replica
//! that does not remember it, earlier placeholders reach the client as placeholders, never
//! as wrong values.
//!
//! # Answers
//!
//! Text the model produced first goes through the output check (a second [`Redactor`](crate::Redactor) with
//! the same rules: PII reported only, secrets labelled, canaries labelled and the answer
//! stopped), then placeholders are restored ([`crate::placeholder::Restorer`]). Tool-call
//! arguments are JSON text: values are restored JSON-escaped inside it
//! ([`crate::placeholder::Vault::json_restorer`]). Non-streamed answers: every string value
//! of the JSON answer is checked and restored, except structural fields (`answer.rs`).
//! Streamed answers: see `events.rs`; a stream holds back only what could still be the start
//! of a secret or canary (an anchored lazy DFA of the checked rules, `guard.rs`) or of a
//! placeholder, and sends the rest of each event at once.
//!
//! # Fail closed
//!
//! A request body that cannot be decoded or parsed gets a 400, an answer that cannot be
//! inspected a 502, each a JSON error in the provider's shape (`api.rs`); nothing
//! is ever forwarded raw. Upstream errors are passed on after the same answer processing.
//!
//! The server loop, the upstream client, TLS, body decoding and the metrics are the HTTP
//! front ends' shared core (`src/front/net/`), which the OTLP hop uses too.
mod answer;
mod api;
mod config;
mod conversations;
mod events;
mod request;
mod server;
mod sse;

pub use self::config::{OtherPaths, ProxyConfig};
pub use self::server::Proxy;
pub use crate::net::{Metrics, ProxyBody, Route, ServeError, Timeouts, UpstreamCa};

use crate::{Action, Confidence, Policy, RedactorBuilder};

/// Builds the proxy's two redactors from one set of rules, canaries and key: the request
/// redactor (defaults `pii` and `secret` → `placeholder`, `canary` → `report`, under
/// `policy`) and the answer check (`pii` → `report`, `secret` and `canary` → `label`).
///
/// The request side acts on every finding, low confidence included (documentation keys,
/// failed checksums, 9xx SSN/ITIN shapes), unless the policy sets `min_confidence`: a
/// placeholder is restored in the answer, so a false positive costs nothing there, and a
/// miss leaks a value to the provider. The answer check keeps the logs' threshold
/// (`medium`), or the policy's: it labels what the model wrote, which the user then sees.
///
/// # Errors
///
/// Whatever [`RedactorBuilder::build`] refuses.
pub fn redactors(
    builder: RedactorBuilder,
    policy: &Policy,
) -> Result<(crate::Redactor, crate::Redactor), crate::Error> {
    let mut request = policy.clone();
    request
        .set_min_confidence(policy.min_confidence_or(Confidence::Low))
        .set_default_action("canary", Action::Report)
        .set_default_action("secret", Action::Placeholder)
        .set_default_action("pii", Action::Placeholder);
    let mut answer = Policy::default();
    answer
        .set_min_confidence(policy.min_confidence())
        .set_action("pii", Action::Report)
        .set_action("secret", Action::Label)
        .set_action("canary", Action::Label);
    // A base64 image or document is not text to decode and rewrite.
    let builder = builder.decoders(crate::Decoders::none());
    Ok((
        builder.clone().policy(request).build()?,
        builder.policy(answer).release_eagerly(true).build()?,
    ))
}
