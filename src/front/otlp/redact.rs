//! Redacting one export request: plan it (`proto.rs` or `json.rs`), scan its strings in
//! one batch, settle what changes, write it back.

use std::sync::Arc;

use super::plan::{self, Invalid, Plan};
use super::{json, proto, schema};
use crate::finding::Finding;
use crate::json::SensitiveKeys;
use crate::redactor::Redactor;
use crate::stream::StreamRedactor;

/// What an export request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Signal {
    /// `ExportLogsServiceRequest`.
    Logs,
    /// `ExportTraceServiceRequest`.
    Traces,
    /// `ExportMetricsServiceRequest` (passed through).
    Metrics,
}

impl Signal {
    /// The name used in metrics and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Logs => "logs",
            Signal::Traces => "traces",
            Signal::Metrics => "metrics",
        }
    }
}

/// How a request is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encoding {
    /// Protobuf (`application/x-protobuf`, and gRPC).
    Protobuf,
    /// OTLP/JSON (`application/json`).
    Json,
}

/// Why a request was not redacted.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Refused {
    /// It does not parse.
    Invalid(Invalid),
    /// Findings whose action is `block`.
    Blocked(Vec<Finding>),
    /// A field the hop does not know (newer than this blackbar, or a vendor's) holds a
    /// value it would redact: the hop cannot rewrite what it cannot place, so it refuses.
    Unknown(String),
}

/// What redacting one request found.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Redaction {
    /// Every finding (spans are relative to the string each was found in).
    pub findings: Vec<Finding>,
    /// Log records, spans or groups a `drop` removed.
    pub dropped: usize,
}

/// Redacts OTLP export requests: a [`Redactor`] and the sensitive attribute keys.
/// Immutable and cheap to clone.
///
/// # Example
///
/// ```
/// use blackbar::otlp::{Encoding, OtlpRedactor, Signal};
/// let r = OtlpRedactor::new(blackbar::Redactor::builder().build()?, Default::default());
/// let mut scratch = r.scratch();
/// let body = br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000000000000000",
///   "body":{"stringValue":"mail bob@example.com"},
///   "attributes":[{"key":"password","value":{"intValue":"1234"}}]}]}]}]}"#;
/// let mut out = vec![];
/// r.redact(&mut scratch, Signal::Logs, Encoding::Json, body, &mut out).expect("valid");
/// let out = String::from_utf8(out).unwrap();
/// assert!(out.contains(r#""body":{"stringValue":"mail [EMAIL]"}"#));
/// assert!(out.contains(r#"{"key":"password","value":{"stringValue":"[REDACTED]"}}"#));
/// assert!(out.contains(r#""timeUnixNano":"1700000000000000000""#));
/// # Ok::<(), blackbar::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct OtlpRedactor {
    redactor: Redactor,
    keys: Arc<SensitiveKeys>,
}

/// Per-thread scratch for [`OtlpRedactor`].
pub struct OtlpScratch {
    plan: Plan,
    stream: StreamRedactor,
}

impl std::fmt::Debug for OtlpScratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtlpScratch").finish_non_exhaustive()
    }
}

/// A scratch in the thread-local pool, with the redactor it belongs to.
struct Pooled {
    owner: OtlpRedactor,
    scratch: OtlpScratch,
}

impl OtlpRedactor {
    /// Redacts with `redactor`; the values of attributes whose key is in `keys` are
    /// replaced whole.
    pub fn new(redactor: Redactor, keys: SensitiveKeys) -> OtlpRedactor {
        OtlpRedactor {
            redactor,
            keys: Arc::new(keys),
        }
    }

    /// The underlying redactor.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// A new scratch; keep one per thread.
    pub fn scratch(&self) -> OtlpScratch {
        OtlpScratch {
            plan: Plan::default(),
            stream: StreamRedactor::plain(self.redactor.clone()),
        }
    }

    /// Redacts one export request, appending it to `out`. [`Signal::Metrics`] is copied
    /// unchanged.
    ///
    /// # Errors
    ///
    /// [`Refused::Invalid`] when `body` is not the request it should be (`out` is then as
    /// it was), [`Refused::Blocked`] when a finding's action is `block`.
    pub fn redact(
        &self,
        scratch: &mut OtlpScratch,
        signal: Signal,
        encoding: Encoding,
        body: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Redaction, Refused> {
        let msg = match signal {
            Signal::Logs => schema::Msg::LogsRequest,
            Signal::Traces => schema::Msg::TracesRequest,
            Signal::Metrics => {
                out.extend_from_slice(body);
                return Ok(Redaction::default());
            }
        };
        let plan = &mut scratch.plan;
        plan.clear();
        plan.track_keys = self
            .redactor
            .inner
            .allow
            .as_ref()
            .is_some_and(crate::allow::Allow::needs_keys);
        let keys = &self.keys;
        let planned = match encoding {
            Encoding::Protobuf => proto::Walk { body, keys, plan }.run(msg),
            Encoding::Json => json::Walk { body, keys, plan }.run(msg),
        };
        planned.map_err(Refused::Invalid)?;
        // Placeholders are numbered per request.
        if scratch.stream.vault().is_some() {
            scratch
                .stream
                .set_vault(crate::placeholder::Vault::default());
        }
        plan.strings.scan(&self.redactor, &mut scratch.stream);
        let outcome = plan.settle().map_err(|stop| match stop {
            plan::Stop::Blocked(found) => Refused::Blocked(found),
            plan::Stop::Unknown(why) => Refused::Unknown(why),
        })?;
        match encoding {
            Encoding::Protobuf => proto::emit(plan, body, out),
            Encoding::Json => json::emit(plan, body, out),
        }
        Ok(Redaction {
            findings: outcome.findings,
            dropped: outcome.dropped,
        })
    }

    /// This thread's pooled scratch of this redactor, or a new one.
    fn take_scratch(&self) -> Box<Pooled> {
        crate::scratch::take(|p: &Pooled| {
            Arc::ptr_eq(&p.owner.keys, &self.keys)
                && Arc::ptr_eq(&p.owner.redactor.inner, &self.redactor.inner)
        })
        .unwrap_or_else(|| {
            Box::new(Pooled {
                owner: self.clone(),
                scratch: self.scratch(),
            })
        })
    }

    /// Redacts with this thread's pooled scratch (the server's requests).
    pub(crate) fn redact_pooled(
        &self,
        signal: Signal,
        encoding: Encoding,
        body: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Redaction, Refused> {
        let mut pooled = self.take_scratch();
        let r = self.redact(&mut pooled.scratch, signal, encoding, body, out);
        pooled.scratch.stream.forget_vault();
        crate::scratch::give_back(pooled);
        r
    }
}
