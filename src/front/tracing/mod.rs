//! Redaction for Rust services that log with [`tracing`](https://docs.rs/tracing) (cargo
//! feature `tracing`).
//!
//! Two integrations, one per kind of output:
//!
//! * [`RedactingMakeWriter`] wraps the `MakeWriter` of a `tracing_subscriber::fmt` layer:
//!   whatever the format (full, compact, pretty, JSON), each formatted record is redacted
//!   before it reaches the sink.
//! * [`RedactLayer`] wraps any other [`Layer`](tracing_subscriber::Layer) (an OpenTelemetry
//!   exporter, a custom or metrics layer) so that it only sees redacted field values.
//!
//! ```no_run
//! let writer = blackbar::tracing::RedactingMakeWriter::with_default_catalog(std::io::stdout)?;
//! tracing_subscriber::fmt().with_writer(writer).init();
//! # Ok::<(), blackbar::Error>(())
//! ```
//!
//! Both take a [`Redactor`](crate::Redactor) (`new`) to share one catalog, policy and key
//! with the rest of the service, or build the default one (`with_default_catalog`: about
//! 35 ms, and about 2 ms more for the first event while the lazy DFAs warm up;
//! `cargo test --release --features tracing --test tracing -- --nocapture startup`).
//!
//! # The writer: what is guaranteed
//!
//! * **One record, one write.** The fmt layer makes a writer per event and drops it at the
//!   end of the event. Everything written in between is one record: it is buffered (in a
//!   per-thread scratch, so a warm thread does not allocate), redacted when the writer is
//!   dropped, and passed to the inner writer with one `write_all`. The record's framing
//!   (timestamp, level, target, span context, line breaks of the pretty format) is text
//!   outside any finding, so it passes unchanged.
//! * **JSON stays JSON.** A record whose first non-space byte is `{` is redacted with the
//!   JSON mode ([`crate::json::JsonRedactor::redact_document`]): only string values change,
//!   sensitive keys (`password`, `token`...) are replaced whole, and the output parses. A
//!   record that is not valid JSON is redacted as text.
//! * **Colour codes hide nothing.** When a record contains `ESC`, every ANSI escape sequence
//!   is removed before matching, so a value split by colour codes (`AKIA` `ESC[2m`
//!   `Q3EG...`) is matched as one value. A record with nothing to redact is written as it
//!   was, colours included; a record with a redaction is written **without** its colour
//!   codes (mapping codes back into replaced text would be guesswork; losing colour is
//!   safe).
//! * **A `drop` action drops the whole record** (text or JSON).
//! * **Never the raw record on failure.** Redaction runs under `catch_unwind`; if it panics,
//!   the fixed line `[blackbar: record withheld]` is written instead, and the scratch is
//!   discarded.
//! * **No locks, bounded memory.** The hot path takes no lock beyond what the inner writer
//!   takes (the scratch comes from a thread-local pool). A record is buffered up to
//!   [`MAX_RECORD`] bytes; a longer one is redacted as a text stream in bounded memory
//!   (written in pieces, without colour codes, decoders applied per piece, no JSON mode).
//! * `flush` on the writer flushes the inner writer; the record is written at drop, because
//!   a value may still be split across writes.
//!
//! # The layer: what is covered, and what is not
//!
//! The tracing API does not let one layer rewrite the events another layer sees
//! (tokio-rs/tracing#1349). [`RedactLayer`] therefore *owns* its inner layer and re-dispatches
//! to it: for each event, new span and `Span::record`, it visits the field values, redacts
//! them, and when anything changed calls the inner layer with a copy built from the same
//! metadata, the same [`FieldSet`](tracing_core::field::FieldSet) and the same parent
//! (`Event::new` / `Event::new_child_of`, `Attributes::new` / `child_of` / `new_root`,
//! `Record::new`). An event with nothing to redact is passed on as it is.
//!
//! Covered, for the inner layer's `on_event`, `event_enabled`, `on_new_span` and
//! `on_record` (an event's values are redacted for each of `event_enabled` and `on_event`,
//! so that a layer filtering on values never sees a raw one either):
//! * every value of a field named like a sensitive key (`password`, `token`, `api_key`...:
//!   [`crate::json::SensitiveKeys`], the JSON mode's default list) becomes `[REDACTED]`,
//!   whatever its type;
//! * string values (`record_str`), the message and every `Debug`/`Display` value (formatted,
//!   redacted, passed on as a `Display` value with the same text), errors (their text and
//!   source chain, as one value: the inner layer no longer sees an `Error` object), byte
//!   values. Each value is scanned as `name=value`, the way it appears in a formatted
//!   record, so rules that need a keyword before the value (`password=`) match as they do
//!   in the writer's output;
//! * integers, scanned as their decimal text; a redacted integer becomes a string.
//!
//! Not covered:
//! * `f64` and `bool` values (passed unchanged: they carry no text);
//! * metadata: the target, module path, file, span and event names (static strings from the
//!   source code, not data);
//! * layers *beside* the `RedactLayer` (wrap each one), and `valuable` values (recorded by
//!   their `Debug` text, as without the `valuable` feature);
//! * anything the inner layer reads by other means than the event or span it is given
//!   (e.g. another layer's span extensions);
//! * a `Span::record` on a span the registry no longer knows: not passed on at all.
//!
//! A value whose finding has the `drop` action becomes `[REDACTED]`. If redaction panics
//! (a `Debug` implementation that panics, say), every value of that event or span becomes
//! `[blackbar: record withheld]`. The layer relies on `ValueSet` constructors that
//! tracing-core marks `#[doc(hidden)]` (`FieldSet::value_set_all`, the one its own macros
//! use); tracing-core is pinned to `0.1.36` or later for it.

mod layer;
mod scratch;
mod writer;

pub use self::layer::RedactLayer;
pub use self::scratch::NOTICE;
pub use self::writer::{RedactingMakeWriter, RedactingWriter, MAX_RECORD};
