//! blackbar: a streaming DLP redaction filter.
//!
//! blackbar finds PII, secrets and canary tokens in text and masks, labels or hashes them
//! inline, as the data flows. The crate is organised as the pipeline it implements:
//!
//! ```text
//! rules ─► engine ─► validate ─► resolve ─► action ─► stream ─► front ends (CLI)
//! ```
//!
//! * [`rules`]: rules are data (`patterns/*.toml`); loading validates them, computes every
//!   rule's maximum match length and refuses anything that cannot stream.
//! * [`engine`]: one multi-pattern lazy-DFA pass proposes anchors; an anchored regex confirm
//!   gives the exact span. The prefilter may propose false candidates, never miss one.
//! * `validate`: Luhn, mod-97, CRC32 token checksums, entropy, context words. A validator
//!   never drops a match: it sets the finding's [`Confidence`] and the [`Policy`] decides.
//! * `resolve`: overlapping findings merge into whole spans, labelled by the strongest
//!   (canary > secret > pii, then the longer match).
//! * [`action`]: label, mask, partial, hash (HMAC-SHA256), token (AES-SIV, reversible with
//!   [`token::Detokenizer`]), fpe (FF1), placeholder (session [`placeholder::Vault`]), drop,
//!   report. Keys: [`Key`], a ring of one or more secrets.
//! * [`stream`]: [`StreamRedactor`] holds back only the bytes that could still be part of a
//!   match; the output never depends on how the input was chunked.
//! * Front ends: the CLI, [`json`] (JSON documents and lines) and, with the cargo feature
//!   `tracing`, `tracing` (a redacting `MakeWriter` and `Layer` for Rust services), and with
//!   the feature `proxy` (on by default), `proxy`: an LLM provider proxy that redacts prompts
//!   and restores answers, streamed too.
//!
//! The entry point is [`Redactor`]: immutable, `Send + Sync`, cheap to clone.
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

pub mod action;
pub mod canary;
pub mod decode;
pub mod engine;
mod error;
mod escape;
pub mod finding;
pub mod json;
pub mod key;
pub mod placeholder;
pub mod policy;
#[cfg(feature = "proxy")]
pub mod proxy;
pub mod redactor;
pub(crate) mod resolve;
pub mod rules;
pub mod stream;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod token;
#[cfg(feature = "tracing")]
pub mod tracing;
pub(crate) mod validate;
#[cfg(test)]
mod xorshift;

pub use crate::action::Action;
pub use crate::decode::Decoders;
pub use crate::error::{Error, ErrorKind};
pub use crate::finding::{ActionKind, Category, Confidence, Detection, Finding};
pub use crate::key::Key;
pub use crate::policy::Policy;
pub use crate::redactor::{Redacted, Redactor, RedactorBuilder};
pub use crate::rules::{Rule, RuleSet, RuleSetBuilder};
pub use crate::stream::StreamRedactor;
