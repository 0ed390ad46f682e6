//! JSON lines: a stream of records, one per line, each redacted as JSON when it is JSON.
//!
//! [`LineRedactor`] takes input in chunks of any size. Each complete line is tried as JSON
//! ([`Format::Json`]: every non-blank line; [`Format::Auto`]: a line whose first non-space
//! byte is `{` or `[`). A line that is not valid JSON, or nests too deep, is **redacted in
//! text mode and counted** ([`LineStats::invalid`]), never dropped and never passed raw.
//! Consecutive text lines go through one text [`StreamRedactor`] (so a PEM block dumped over
//! several plain lines is still one match); a JSON line ends the text run first, so output
//! order is input order.
//!
//! Memory is bounded: a line is buffered up to [`MAX_LINE`] bytes; a longer one is counted
//! ([`LineStats::too_long`]) and streamed through text mode, in the text stream's bounded
//! window, until its newline.

use crate::finding::ActionKind;
use crate::finding::Finding;
use crate::stream::StreamRedactor;

use super::{JsonRedactor, JsonScratch};

/// The longest line buffered for JSON parsing (1 MiB); longer lines go to text mode.
pub const MAX_LINE: usize = 1024 * 1024;

/// How input lines are interpreted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// Plain text: never parsed.
    Text,
    /// JSON lines: every non-blank line is parsed; invalid ones fall back to text mode.
    Json,
    /// A line starting (after spaces) with `{` or `[` is tried as JSON; others are text.
    Auto,
}

impl Format {
    /// Parses `text`, `json` or `auto`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "text" => Some(Format::Text),
            "json" => Some(Format::Json),
            "auto" => Some(Format::Auto),
            _ => None,
        }
    }
}

/// Counts of how lines were handled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LineStats {
    /// Lines redacted as JSON.
    pub json: u64,
    /// Lines redacted as text by choice (`auto` mode, blank lines).
    pub text: u64,
    /// Lines tried as JSON that were not valid JSON (or nested too deep): redacted as text.
    pub invalid: u64,
    /// Lines longer than the buffer limit: streamed as text.
    pub too_long: u64,
}

/// A JSON line waiting in the batch: where it was and whether it had a newline.
struct Pending {
    offset: u64,
    line: u64,
    newline: bool,
}

/// Planned JSON lines are scanned together once they hold this many bytes (or when a text
/// line, a flush or the end of a `feed` comes): one scan amortises the per-scan cost.
const BATCH: usize = 256 * 1024;

/// A JSON lines stream. Create one per input with [`LineRedactor::new`].
///
/// # Example
///
/// ```
/// use blackbar::json::{Format, JsonOptions, JsonRedactor, LineRedactor};
/// let r = blackbar::Redactor::builder().build()?;
/// let mut lines = LineRedactor::new(JsonRedactor::new(r, JsonOptions::default()), Format::Auto);
/// let mut out = vec![];
/// lines.feed(b"{\"to\":\"bob@example.com\",\"n\":1.0}\nplain bob@example.com\n{\"a\":", &mut out);
/// lines.finish(&mut out);
/// assert_eq!(out, b"{\"to\":\"[EMAIL]\",\"n\":1.0}\nplain [EMAIL]\n{\"a\":");
/// assert_eq!(lines.stats().invalid, 1);
/// # Ok::<(), blackbar::Error>(())
/// ```
pub struct LineRedactor {
    json: JsonRedactor,
    format: Format,
    max_line: usize,
    scratch: JsonScratch,
    text: StreamRedactor,
    /// A text run is open; it started at this offset and line.
    text_open: bool,
    run_offset: u64,
    run_line: u64,
    /// The current line's bytes so far (not in a text run).
    line_buf: Vec<u8>,
    /// The current line is too long and is being streamed through the text run.
    long: bool,
    /// Offset and number of the current line's first byte.
    offset: u64,
    line: u64,
    tmp: Vec<u8>,
    /// JSON lines planned in the scratch's batch, not yet written.
    pending: Vec<Pending>,
    text_out: Vec<u8>,
    findings: Vec<Finding>,
    stats: LineStats,
}

impl std::fmt::Debug for LineRedactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineRedactor")
            .field("format", &self.format)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl LineRedactor {
    /// A stream of lines in `format`, buffering lines up to [`MAX_LINE`].
    pub fn new(json: JsonRedactor, format: Format) -> LineRedactor {
        let redactor = json.redactor().clone();
        LineRedactor {
            scratch: json.scratch(),
            text: redactor.stream(),
            json,
            format,
            max_line: MAX_LINE,
            text_open: false,
            run_offset: 0,
            run_line: 1,
            line_buf: vec![],
            long: false,
            offset: 0,
            line: 1,
            tmp: vec![],
            pending: vec![],
            text_out: vec![],
            findings: vec![],
            stats: LineStats::default(),
        }
    }

    /// Sets the longest line buffered for parsing (for tests and memory-tight callers).
    pub fn with_max_line(mut self, max_line: usize) -> LineRedactor {
        self.max_line = max_line.max(1);
        self
    }

    /// Takes more input; appends whatever output is final to `out`.
    pub fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        while !input.is_empty() {
            let nl = memchr::memchr(b'\n', input);
            if self.long {
                let n = nl.map_or(input.len(), |p| p + 1);
                self.text_feed(&input[..n], out);
                self.advance(&input[..n]);
                if nl.is_some() {
                    self.long = false;
                }
                input = &input[n..];
                continue;
            }
            let n = nl.map_or(input.len(), |p| p + 1);
            if self.line_buf.len() + n > self.max_line {
                self.stats.too_long += 1;
                self.long = true;
                self.run_batch(out);
                self.begin_text();
                let held = std::mem::take(&mut self.line_buf);
                self.text_feed(&held, out);
                self.advance(&held);
                self.line_buf = held;
                self.line_buf.clear();
                continue;
            }
            if nl.is_none() {
                self.line_buf.extend_from_slice(input);
                break;
            }
            if self.line_buf.is_empty() {
                self.line_done(&input[..n], out);
            } else {
                let mut line = std::mem::take(&mut self.line_buf);
                line.extend_from_slice(&input[..n]);
                self.line_done(&line, out);
                line.clear();
                self.line_buf = line;
            }
            input = &input[n..];
        }
        self.run_batch(out);
    }

    /// Releases what is final in the text run (the input went idle). A partial JSON line
    /// stays buffered: it cannot be parsed before it ends.
    pub fn flush(&mut self, out: &mut Vec<u8>) {
        self.run_batch(out);
        if self.text_open {
            self.text_out.clear();
            self.text.flush(&mut self.text_out);
            let found = self.text.take_findings();
            self.collect(found);
            out.extend_from_slice(&self.text_out);
        }
    }

    /// Ends the input: a last line without a newline is handled like any other.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if !self.line_buf.is_empty() {
            let line = std::mem::take(&mut self.line_buf);
            self.line_done(&line, out);
        }
        self.run_batch(out);
        self.end_text(out);
    }

    /// Removes and returns the findings so far, in input order; offsets and lines are
    /// positions in the whole input.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }

    /// How lines were handled so far.
    pub fn stats(&self) -> LineStats {
        self.stats
    }

    /// Starts a new input, keeping the scratch (and a placeholder vault).
    pub fn reset(&mut self) {
        self.scratch.clear_batch();
        self.text.reset();
        self.text_open = false;
        self.run_offset = 0;
        self.run_line = 1;
        self.line_buf.clear();
        self.long = false;
        self.offset = 0;
        self.line = 1;
        self.pending.clear();
        self.findings.clear();
        self.stats = LineStats::default();
    }

    fn advance(&mut self, bytes: &[u8]) {
        self.offset += bytes.len() as u64;
        self.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
    }

    /// One complete line, with its newline unless it is the input's last.
    fn line_done(&mut self, line: &[u8], out: &mut Vec<u8>) {
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let first = content
            .iter()
            .find(|c| !matches!(c, b' ' | b'\t' | b'\r'))
            .copied();
        let try_json = match (self.format, first) {
            (_, None) | (Format::Text, _) => false,
            (Format::Json, Some(_)) => true,
            (Format::Auto, Some(c)) => c == b'{' || c == b'[',
        };
        if try_json {
            match self.json.plan(&mut self.scratch, content) {
                Ok(()) => {
                    self.end_text(out);
                    self.stats.json += 1;
                    self.pending.push(Pending {
                        offset: self.offset,
                        line: self.line,
                        newline: content.len() < line.len(),
                    });
                    self.advance(line);
                    if self.scratch.batch_bytes() >= BATCH {
                        self.run_batch(out);
                    }
                    return;
                }
                Err(_) => self.stats.invalid += 1,
            }
        } else {
            self.stats.text += 1;
        }
        self.run_batch(out);
        self.begin_text();
        self.text_feed(line, out);
        self.advance(line);
    }

    /// Scans the planned JSON lines and writes them, in order.
    fn run_batch(&mut self, out: &mut Vec<u8>) {
        if self.pending.is_empty() {
            return;
        }
        self.json.scan(&mut self.scratch);
        for (k, p) in self.pending.iter().enumerate() {
            self.tmp.clear();
            let mut found = self.json.emit(&self.scratch, k, &mut self.tmp);
            if !found.iter().any(|f| f.action == ActionKind::Drop) {
                out.extend_from_slice(&self.tmp);
                if p.newline {
                    out.push(b'\n');
                }
            }
            for f in &mut found {
                f.span = f.span.start + p.offset..f.span.end + p.offset;
                f.line += p.line - 1;
            }
            self.findings.append(&mut found);
        }
        self.pending.clear();
        self.scratch.clear_batch();
    }

    fn begin_text(&mut self) {
        if !self.text_open {
            self.text.reset();
            self.text_open = true;
            self.run_offset = self.offset;
            self.run_line = self.line;
        }
    }

    fn text_feed(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        self.text_out.clear();
        self.text.feed(bytes, &mut self.text_out);
        let found = self.text.take_findings();
        self.collect(found);
        out.extend_from_slice(&self.text_out);
    }

    fn end_text(&mut self, out: &mut Vec<u8>) {
        if !self.text_open {
            return;
        }
        self.text_open = false;
        self.text_out.clear();
        self.text.finish(&mut self.text_out);
        let found = self.text.take_findings();
        self.collect(found);
        out.extend_from_slice(&self.text_out);
    }

    /// Moves a text run's findings (run-relative) into the stream's, made absolute.
    fn collect(&mut self, found: Vec<Finding>) {
        for mut f in found {
            f.span = f.span.start + self.run_offset..f.span.end + self.run_offset;
            f.line += self.run_line - 1;
            self.findings.push(f);
        }
    }
}

impl std::ops::AddAssign for LineStats {
    fn add_assign(&mut self, other: LineStats) {
        self.json += other.json;
        self.text += other.text;
        self.invalid += other.invalid;
        self.too_long += other.too_long;
    }
}

impl crate::Chunked for LineRedactor {
    type Stats = LineStats;

    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        LineRedactor::feed(self, input, out)
    }

    fn flush(&mut self, out: &mut Vec<u8>) {
        LineRedactor::flush(self, out)
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        LineRedactor::finish(self, out)
    }

    fn take_findings(&mut self) -> Vec<Finding> {
        LineRedactor::take_findings(self)
    }

    fn take_stats(&mut self) -> LineStats {
        std::mem::take(&mut self.stats)
    }

    fn add_stats(total: &mut LineStats, chunk: LineStats) {
        *total += chunk;
    }

    fn restart(&mut self) {
        self.reset()
    }
}
