//! The OTLP hop (cargo feature `otlp`, on by default): receives OpenTelemetry logs and
//! traces, redacts them and forwards them to a collector.
//!
//! ```text
//! SDK / agent ──OTLP──► blackbar otlp: decode ─► redact strings in place ─► collector
//!             ◄──────── the collector's answer (status, Retry-After, partial success) ◄──
//! ```
//!
//! # What is redacted
//!
//! In logs (`/v1/logs`, `LogsService/Export`) and traces (`/v1/traces`,
//! `TraceService/Export`): log bodies (strings, and the values of arrays and key/value
//! lists, recursively), every attribute value of records, spans, span events and links,
//! scopes and resources (strings and byte strings, recursively), span, span event and log
//! event names, and span status messages. The sensitive-key rules of the JSON mode
//! ([`SensitiveKeys`]) apply to attribute *keys*, at any depth: the value of
//! `password`, `db.password` or `http.request.header.authorization` becomes the string
//! `[REDACTED]`, whatever its type. Metrics (`/v1/metrics`, `MetricsService/Export`) pass
//! through unchanged.
//!
//! Numbers, severities, timestamps, flags, trace and span ids, and every field the hop does
//! not know stay exactly as they were: requests are rewritten in place, in protobuf
//! (`proto.rs`) and in JSON (`json.rs`), never decoded into types and encoded again, so a
//! field newer than the hop passes unchanged, byte for byte. Strings of one request are
//! scanned in one batch, like the JSON mode's.
//!
//! A field the hop does not know cannot be rewritten (it may be a message, a string or
//! bytes), but it is not passed on unseen either: its text (when it is UTF-8) is scanned,
//! and if it holds a finding the policy acts on, the export is refused with a 400 naming
//! the field and the rule, never the value. Binary unknown fields pass as they are.
//!
//! # Actions
//!
//! The policy is the log pipe's (`medium` confidence and up, `label` by default). `drop`
//! removes the log record or span a finding is in (found in a scope's or resource's own
//! attributes, everything under it); `block` refuses the whole export (400, or gRPC
//! `INVALID_ARGUMENT`), naming the rule and category; `placeholder` numbers values per
//! export request.
//!
//! # Fail closed
//!
//! A body that cannot be decoded or parsed as the request it claims to be gets a 400 (gRPC:
//! `INVALID_ARGUMENT`) and nothing is forwarded. The collector's answer is passed on as it
//! came: its status (429 and 503 with `Retry-After`; gRPC statuses and their retry details)
//! and its body (partial success included). A collector that cannot be reached gets the
//! client a 502 (gRPC: `UNAVAILABLE`) and one that does not answer in time a 504
//! (`DEADLINE_EXCEEDED`), both of which OTLP clients retry.
//!
//! The server loop, the upstream client, TLS, body decoding and the metrics are the HTTP
//! front ends' shared core (`src/front/net/`), the LLM proxy's too.

mod grpc;
mod json;
mod plan;
mod proto;
mod redact;
mod schema;
mod server;

pub use self::plan::Invalid;
pub use self::redact::{Encoding, OtlpRedactor, OtlpScratch, Redaction, Refused, Signal};
pub use self::server::{Hop, OtlpConfig};
pub use crate::net::{Metrics, ProxyBody, Route, ServeError, Timeouts, UpstreamCa};
