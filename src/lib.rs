//! blackbar: a streaming DLP redaction filter.
//!
//! blackbar finds PII, secrets and canary tokens in text and labels, masks, hashes, tokenizes
//! or placeholders them inline, as the data flows, without changing a byte it did not redact.
//!
//! * [`Redactor`] is the entry point: rules, policy, key and engine compiled once by a
//!   [`RedactorBuilder`]; immutable, `Send + Sync`, cheap to clone. [`Redactor::redact`]
//!   redacts a whole input, [`Redactor::stream`] gives a [`StreamRedactor`] that takes input
//!   in chunks of any size, in bounded memory, with the same output for any chunking.
//! * [`Policy`] joins detection and redaction: an [`Action`] per category or rule, and the
//!   confidence a finding needs. [`Finding`]s say what was found where (rule, category,
//!   span, [`Confidence`], [`ActionKind`]), never the value.
//! * [`Key`] rings key the `hash`, `token` and `fpe` actions; [`token`] restores reversible
//!   tokens, [`placeholder`] restores the placeholders of a conversation.
//! * [`rules`]: the rule format and the embedded catalog; [`canary`]: decoys that must never
//!   appear downstream.
//! * Front ends on top: [`json`] (JSON documents and JSON lines), `tracing` (cargo feature
//!   `tracing`: a redacting `MakeWriter` and `Layer` for Rust services) and `proxy` (feature
//!   `proxy`, on by default: an LLM provider proxy that placeholders prompts and restores
//!   answers, streamed too) and `kafka` (feature `kafka`, on by default: a consumer-group
//!   connector that redacts the records of one topic into another).
//!
//! How the pipeline works inside (rules, engine, validators, overlap resolution, actions,
//! stream) is in `docs/architecture.md`.
//!
//! # Example
//!
//! ```
//! let redactor = blackbar::Redactor::builder().build()?;
//! let out = redactor.redact(b"contact alice@example.com, card 4111 1111 1111 1111");
//! assert_eq!(out.output, b"contact [EMAIL], card [CREDIT_CARD]");
//! assert_eq!(out.findings.len(), 2);
//! # Ok::<(), blackbar::Error>(())
//! ```
#![deny(missing_docs)]
// Unsafe code only where a module allows it, each block with its SAFETY argument: the keyword
// DFA's unchecked table lookups, the decoders' SSE2 classifier, and the tracing layer's
// `downcast_raw` (an unsafe trait method it forwards).
#![deny(unsafe_code)]

// The folder tree is the architecture (docs/architecture.md): `core/` holds the pipeline's
// stages, `json/` the JSON format on top of them, `front/` the front ends; the module paths
// stay flat.
#[path = "core/action.rs"]
mod action;
#[path = "core/allow.rs"]
mod allow;
#[path = "core/canary.rs"]
pub mod canary;
#[path = "core/decode/mod.rs"]
mod decode;
#[path = "core/engine/mod.rs"]
mod engine;
#[path = "core/error.rs"]
mod error;
#[path = "core/escape.rs"]
mod escape;
#[path = "core/finding.rs"]
mod finding;
pub mod json;
// With `testkit` alone, only the record path (no Kafka client): its fuzz target needs no
// librdkafka.
#[cfg(any(feature = "kafka", feature = "testkit"))]
#[path = "front/kafka/mod.rs"]
pub mod kafka;
#[path = "core/key.rs"]
pub mod key;
#[cfg(any(feature = "proxy", feature = "otlp"))]
#[path = "front/net/mod.rs"]
mod net;
#[cfg(feature = "otlp")]
#[path = "front/otlp/mod.rs"]
pub mod otlp;
#[path = "core/parallel.rs"]
mod parallel;
#[path = "core/placeholder.rs"]
pub mod placeholder;
#[path = "core/policy.rs"]
mod policy;
#[cfg(feature = "proxy")]
#[path = "front/proxy/mod.rs"]
pub mod proxy;
#[path = "core/redactor.rs"]
mod redactor;
#[path = "core/resolve.rs"]
mod resolve;
#[path = "core/rules/mod.rs"]
pub mod rules;
#[cfg(any(feature = "proxy", feature = "tracing"))]
#[path = "core/scratch.rs"]
mod scratch;
#[path = "core/stream.rs"]
mod stream;
#[cfg(feature = "testkit")]
pub mod testkit;
#[path = "core/token/mod.rs"]
pub mod token;
#[cfg(feature = "tracing")]
#[path = "front/tracing/mod.rs"]
pub mod tracing;
#[path = "core/validate/mod.rs"]
mod validate;
#[cfg(test)]
#[path = "core/xorshift.rs"]
mod xorshift;

pub use crate::action::{Action, Template};
pub use crate::allow::Allowlist;
pub use crate::decode::Decoders;
pub use crate::engine::EngineKind;
pub use crate::error::{Error, ErrorKind};
pub use crate::finding::{ActionKind, Category, Confidence, Detection, Finding};
pub use crate::key::Key;
pub use crate::parallel::{Chunked, Parallel};
pub use crate::policy::Policy;
pub use crate::redactor::{ExampleFailure, Redacted, Redactor, RedactorBuilder};
pub use crate::rules::{Rule, RuleSet, RuleSetBuilder};
pub use crate::stream::StreamRedactor;
