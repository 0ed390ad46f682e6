//! [`RedactingMakeWriter`]: redacts every record a `tracing_subscriber::fmt` layer writes.

use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use tracing_core::Metadata;
use tracing_subscriber::fmt::MakeWriter;

use super::scratch::{strip_ansi, Scratch, Shared, Which, NOTICE};
use crate::json::JsonRedactor;
use crate::redactor::Redactor;

/// The most bytes of one record held for redaction as a whole. A longer record is redacted
/// as a text stream (bounded memory, colour codes removed, no JSON mode) and written in
/// several pieces.
pub const MAX_RECORD: usize = 1024 * 1024;

/// A [`MakeWriter`] that redacts each record before it reaches the inner writer.
///
/// The fmt layer makes one writer per event, writes the formatted record into it and drops
/// it; the record is buffered in a per-thread scratch (no allocation once warm), redacted
/// when the writer is dropped, and written to the inner writer with one `write_all`.
/// See [the module documentation](crate::tracing) for what is guaranteed.
///
/// # Example
///
/// ```
/// let writer = blackbar::tracing::RedactingMakeWriter::with_default_catalog(std::io::stdout)?;
/// let subscriber = tracing_subscriber::fmt().with_writer(writer).finish();
/// tracing::subscriber::with_default(subscriber, || {
///     tracing::info!(user = "alice@example.com", "signed in"); // user=[EMAIL]
/// });
/// # Ok::<(), blackbar::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RedactingMakeWriter<M> {
    inner: M,
    shared: Arc<Shared>,
}

impl<M> RedactingMakeWriter<M> {
    /// Redacts with `redactor` (text records) and the default JSON options (JSON records):
    /// share one `Redactor` with the rest of the service by cloning it.
    pub fn new(redactor: Redactor, inner: M) -> RedactingMakeWriter<M> {
        RedactingMakeWriter {
            inner,
            shared: Shared::from_redactor(redactor),
        }
    }

    /// Redacts with `json` (its redactor for text records, its options for JSON records).
    pub fn with_json(json: JsonRedactor, inner: M) -> RedactingMakeWriter<M> {
        RedactingMakeWriter {
            inner,
            shared: Shared::new(json),
        }
    }

    /// The default catalog and policy, in one call.
    ///
    /// # Errors
    ///
    /// Only if the embedded catalog fails to build (never in a released build).
    pub fn with_default_catalog(inner: M) -> Result<RedactingMakeWriter<M>, crate::Error> {
        Ok(RedactingMakeWriter::new(
            Redactor::builder().build()?,
            inner,
        ))
    }

    /// The redactor in use.
    pub fn redactor(&self) -> &Redactor {
        self.shared.redactor()
    }

    /// Test hook: every redaction fails, so the notice is written instead of each record.
    #[doc(hidden)]
    pub fn fail_every_record(mut self) -> RedactingMakeWriter<M> {
        let mut shared = (*self.shared).clone();
        shared.fail = true;
        self.shared = Arc::new(shared);
        self
    }
}

impl<'a, M> MakeWriter<'a> for RedactingMakeWriter<M>
where
    M: MakeWriter<'a>,
{
    type Writer = RedactingWriter<'a, M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter::new(&self.shared, self.inner.make_writer())
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Self::Writer {
        RedactingWriter::new(&self.shared, self.inner.make_writer_for(meta))
    }
}

/// The writer for one record, made by [`RedactingMakeWriter`]. Buffers what is written and
/// redacts it when dropped.
pub struct RedactingWriter<'a, W: Write> {
    shared: &'a Arc<Shared>,
    inner: W,
    scratch: Option<Box<Scratch>>,
    state: State,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Buffering the record.
    Buffering,
    /// The record outgrew [`MAX_RECORD`]: streamed through text mode.
    Streaming,
    /// Redaction failed and the notice was written: the rest of the record is discarded.
    Failed,
}

impl<W: Write> std::fmt::Debug for RedactingWriter<'_, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedactingWriter").finish_non_exhaustive()
    }
}

impl<'a, W: Write> RedactingWriter<'a, W> {
    fn new(shared: &'a Arc<Shared>, inner: W) -> RedactingWriter<'a, W> {
        RedactingWriter {
            shared,
            inner,
            scratch: None,
            state: State::Buffering,
        }
    }

    fn fail(&mut self) {
        self.state = State::Failed;
        // A scratch that saw a panic is not reused.
        self.scratch = None;
        let _ = self.inner.write_all(NOTICE.as_bytes());
        let _ = self.inner.write_all(b"\n");
    }

    /// Redacts the buffered record and writes it.
    fn finish_record(&mut self) {
        let Some(mut scratch) = self.scratch.take() else {
            return;
        };
        match self.state {
            State::Buffering => {
                let done = catch_unwind(AssertUnwindSafe(|| redact_record(&mut scratch)));
                match done {
                    Ok(Some(bytes)) => {
                        let out = match bytes {
                            Out::Original => &scratch.input,
                            Out::Redacted => &scratch.out,
                        };
                        let _ = self.inner.write_all(out);
                    }
                    Ok(None) => {}
                    Err(_) => return self.fail(),
                }
            }
            State::Streaming => {
                let done = catch_unwind(AssertUnwindSafe(|| {
                    scratch.out.clear();
                    scratch.stream.finish(&mut scratch.out);
                }));
                if done.is_err() {
                    return self.fail();
                }
                let _ = self.inner.write_all(&scratch.out);
            }
            State::Failed => return,
        }
        scratch.give_back();
    }

    /// Switches a record longer than [`MAX_RECORD`] to streaming text mode.
    fn stream_chunk(&mut self, buf: &[u8]) -> io::Result<()> {
        let Some(scratch) = self.scratch.as_mut() else {
            return Ok(());
        };
        let start = self.state == State::Buffering;
        let done = catch_unwind(AssertUnwindSafe(|| {
            if scratch.shared.fail {
                panic!("blackbar: injected failure");
            }
            scratch.out.clear();
            if start {
                scratch.stream.reset();
                let input = std::mem::take(&mut scratch.input);
                feed(scratch, &input);
                scratch.input = input;
                scratch.input.clear();
            }
            feed(scratch, buf);
        }));
        if done.is_err() {
            self.fail();
            return Ok(());
        }
        self.state = State::Streaming;
        self.inner.write_all(&scratch.out)
    }
}

/// Feeds `bytes`, without escape sequences, to the scratch's stream (output in `out`, which
/// the caller writes and clears). Escape sequences split across two writes are not
/// recognised.
fn feed(scratch: &mut Scratch, bytes: &[u8]) {
    scratch.clean.clear();
    strip_ansi(bytes, &mut scratch.clean);
    scratch.stream.feed(&scratch.clean, &mut scratch.out);
}

enum Out {
    /// Nothing to redact: the record as written (colour codes included).
    Original,
    /// `scratch.out`.
    Redacted,
}

/// Redacts `scratch.input`. `None`: a finding's action is `drop`, the record is dropped.
fn redact_record(scratch: &mut Scratch) -> Option<Out> {
    let input = &scratch.input[..];
    let first = input.iter().position(|c| !c.is_ascii_whitespace());
    if first.map(|i| input[i]) == Some(b'{') {
        // A JSON record: one document and its line ending.
        let body_end = trim_end(input);
        let shared = scratch.shared.clone();
        if shared.fail {
            panic!("blackbar: injected failure");
        }
        let json = scratch.json.get_or_insert_with(|| shared.json.scratch());
        scratch.out.clear();
        // Not JSON after all (an error): text mode below.
        if let Ok(found) =
            shared
                .json
                .redact_document(json, &scratch.input[..body_end], &mut scratch.out)
        {
            if found
                .iter()
                .any(|f| f.action == crate::finding::ActionKind::Drop)
            {
                return None;
            }
            if found.is_empty() {
                return Some(Out::Original);
            }
            let (out, input) = (&mut scratch.out, &scratch.input);
            out.extend_from_slice(&input[body_end..]);
            return Some(Out::Redacted);
        }
    }
    if memchr::memchr(0x1b, &scratch.input).is_none() {
        if !scratch.redact_text(Which::Input) {
            return None;
        }
        return Some(if scratch.out == scratch.input {
            Out::Original
        } else {
            Out::Redacted
        });
    }
    // Colour codes: match on the text without them, so that a value split by escape codes
    // is still one value. A record with nothing to redact keeps its colours; one with a
    // redaction is written without them.
    scratch.clean.clear();
    strip_ansi(&scratch.input, &mut scratch.clean);
    if !scratch.redact_text(Which::Clean) {
        return None;
    }
    Some(if scratch.out == scratch.clean {
        Out::Original
    } else {
        Out::Redacted
    })
}

/// The length of `b` without trailing ASCII whitespace.
fn trim_end(b: &[u8]) -> usize {
    b.iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |i| i + 1)
}

impl<W: Write> Write for RedactingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.state == State::Failed {
            return Ok(buf.len());
        }
        let scratch = self
            .scratch
            .get_or_insert_with(|| Scratch::take(self.shared));
        if self.state == State::Buffering && scratch.input.len() + buf.len() <= MAX_RECORD {
            scratch.input.extend_from_slice(buf);
        } else {
            self.stream_chunk(buf)?;
        }
        Ok(buf.len())
    }

    /// Flushes the inner writer. The record itself is redacted and written when the writer
    /// is dropped (the end of the event), since a value may still be split across writes.
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<'_, W> {
    fn drop(&mut self) {
        self.finish_record();
    }
}
