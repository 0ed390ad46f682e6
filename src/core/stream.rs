//! Streaming redaction in bounded memory.
//!
//! A [`StreamRedactor`] takes input in chunks of any size and writes redacted output as soon
//! as it is final. Its guarantees, each tested in `tests/stream.rs`:
//!
//! * **Chunking never changes the output.** Every decision depends on the bytes, never on
//!   where a chunk ended: a match start is decided only once the bytes that decide it are
//!   present (see [`crate::engine`]), and bytes are released only once every finding that
//!   could cover them is known.
//! * **Bytes outside findings pass unchanged and in order**, invalid UTF-8 and NUL included.
//! * **Bounded memory.** The window holds at most about twice the largest rule length plus
//!   the context window and one read, whatever the line length; a held line for the `drop`
//!   action is capped at [`MAX_HELD_LINE`].
//! * **Low latency.** A completed line is released at once unless it could still be part of
//!   a multi-line match (an open PEM block). A partial line is held only as far as a match
//!   could still cover it.

use memchr::memchr;

use crate::engine::Scanner;
use crate::finding::ActionKind;
use crate::finding::Detection;
use crate::finding::Finding;
use crate::redactor::Redactor;
use crate::resolve;

/// Input is processed in pieces of at most this many bytes, so a huge `feed` never grows the
/// window past it.
const PIECE: usize = 64 * 1024;
/// Without a newline, a search round runs once this many bytes are waiting.
const ROUND: usize = 16 * 1024;
/// With a `drop` action, an output line is held until its end so it can be removed whole; a
/// longer line is released in pieces of this size (a later drop then removes the rest).
pub const MAX_HELD_LINE: usize = 1024 * 1024;

/// One stream's redaction state. Create with [`Redactor::stream`].
///
/// # Example
///
/// ```
/// let r = blackbar::Redactor::builder().build()?;
/// let mut s = r.stream();
/// let mut out = vec![];
/// for chunk in [&b"mail ali"[..], b"ce@exam", b"ple.com now\n"] {
///     s.feed(chunk, &mut out);
/// }
/// s.finish(&mut out);
/// assert_eq!(out, b"mail [EMAIL] now\n");
/// # Ok::<(), blackbar::Error>(())
/// ```
pub struct StreamRedactor {
    redactor: Redactor,
    scanner: Scanner,
    buf: Vec<u8>,
    /// Absolute offset of `buf[0]`.
    base: u64,
    /// Every input byte before this offset has been written out.
    emitted: u64,
    /// 1-based line number of the byte at `emitted`.
    line: u64,
    /// Detections whose claims reach past `emitted`, sorted by claim start.
    pending: Vec<Detection>,
    /// Where the last released segment was cut for length (see [`resolve::MAX_SEGMENT`]),
    /// when `emitted` is there: the next segment continues it.
    resumed: Option<u64>,
    fresh: Vec<Detection>,
    waiting: usize,
    findings: Vec<Finding>,
    held: Vec<u8>,
    held_drop: bool,
    finished: bool,
    /// The session vault of the `placeholder` action (a fresh one per stream unless
    /// [`StreamRedactor::set_vault`] shares one).
    session: Option<crate::placeholder::Session>,
    /// The decoders, a stage after the rules when the redactor has them on
    /// ([`crate::RedactorBuilder::decoders`]): the rules' output goes through it.
    stage: Option<Box<crate::decode::DecodeStream>>,
    /// The rules' output on its way to the stage.
    mid: Vec<u8>,
    /// Where each stretch of `mid` came from in the input, for the stage's findings (not
    /// kept under a `drop` policy, whose held lines may vanish).
    origins: Vec<crate::decode::Origin>,
    /// Made without the decoders' stage ([`StreamRedactor::plain`]).
    plain: bool,
    /// The JSON keys holding stretches of the input, for the allowlist's `json_keys`: input
    /// range and the key's bytes in `key_text`, sorted. Set by the JSON and OTLP front ends
    /// ([`StreamRedactor::set_keys`]); kept across [`StreamRedactor::reset`].
    keys: Vec<(std::ops::Range<u64>, std::ops::Range<usize>)>,
    key_text: Vec<u8>,
    /// Where allowed values were written, as positions in the `out` buffers given since the
    /// last reset (not kept under a `drop` policy, whose held lines may vanish).
    kept: Vec<std::ops::Range<usize>>,
    /// A segment's value and its replacement while it is written: reused, so that a finding
    /// costs no allocation; zeroed after each use, so that no value outlives its segment here.
    value: Vec<u8>,
    replacement: Vec<u8>,
}

impl std::fmt::Debug for StreamRedactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamRedactor")
            .field("window", &self.buf.len())
            .field("emitted", &self.emitted)
            .finish_non_exhaustive()
    }
}

/// How many finished streams' scanners a redactor keeps for reuse.
const POOL: usize = 16;

impl Drop for StreamRedactor {
    fn drop(&mut self) {
        if let Ok(mut pool) = self.redactor.inner.scanners.lock() {
            if pool.len() < POOL {
                let scanner = std::mem::replace(&mut self.scanner, crate::engine::Scanner::empty());
                pool.push(scanner);
            }
        }
    }
}

impl StreamRedactor {
    /// The stream's engine scanner (pooled, so a one-off scan does not build new caches).
    pub(crate) fn scanner_mut(&mut self) -> &mut crate::engine::Scanner {
        &mut self.scanner
    }

    pub(crate) fn new(redactor: Redactor) -> StreamRedactor {
        let decoders = redactor.inner.decoders;
        let mut s = StreamRedactor::plain(redactor);
        s.plain = false;
        if decoders.enabled() {
            s.stage = Some(Box::new(crate::decode::DecodeStream::new(
                &s.redactor,
                decoders,
            )));
        }
        s
    }

    /// A stream of the rules alone, without the decoders' stage (the decoders redact decoded
    /// text with one of these).
    pub(crate) fn plain(redactor: Redactor) -> StreamRedactor {
        let pooled = redactor
            .inner
            .scanners
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop());
        let scanner = match pooled {
            Some(mut s) => {
                s.reset();
                s
            }
            None => redactor.inner.engine.scanner(),
        };
        let session = redactor
            .inner
            .has_placeholder
            .then(|| crate::placeholder::Session::new(crate::placeholder::Vault::default()));
        StreamRedactor {
            redactor,
            scanner,
            buf: Vec::with_capacity(2 * PIECE),
            base: 0,
            emitted: 0,
            line: 1,
            pending: vec![],
            resumed: None,
            fresh: vec![],
            waiting: 0,
            findings: vec![],
            held: vec![],
            held_drop: false,
            finished: false,
            session,
            stage: None,
            mid: vec![],
            origins: vec![],
            plain: true,
            keys: vec![],
            key_text: vec![],
            kept: vec![],
            value: vec![],
            replacement: vec![],
        }
    }

    /// Where allowed values were written since the last reset: positions in the `out`
    /// buffers given (each call's `out` taken as one buffer that only grows), so that the
    /// decoders leave them alone. Empty under a `drop` policy.
    pub(crate) fn kept(&self) -> &[std::ops::Range<usize>] {
        &self.kept
    }

    /// The JSON key holding input offset `at`, if [`StreamRedactor::set_keys`] said.
    pub(crate) fn key_at(&self, at: u64) -> Option<&[u8]> {
        key_at(&self.keys, &self.key_text, at)
    }

    /// Says which JSON key holds each stretch of the coming inputs (ranges in input offsets,
    /// sorted, disjoint), for the allowlist's `json_keys`; replaces what was set before, and
    /// stays across [`StreamRedactor::reset`] until set again. Does nothing unless an
    /// allowlist entry looks at keys.
    pub(crate) fn set_keys<'k>(
        &mut self,
        spans: impl IntoIterator<Item = (std::ops::Range<u64>, &'k [u8])>,
    ) {
        self.keys.clear();
        self.key_text.clear();
        if !self
            .redactor
            .inner
            .allow
            .as_ref()
            .is_some_and(crate::allow::Allow::needs_keys)
        {
            return;
        }
        for (range, key) in spans {
            let at = self.key_text.len();
            self.key_text.extend_from_slice(key);
            self.keys.push((range, at..self.key_text.len()));
        }
    }

    /// Starts a new input, keeping the scratch (regex caches, buffers): much cheaper than a
    /// new stream when redacting many small inputs, such as log records or JSON strings.
    /// The placeholder session (if any) carries on: its values keep their placeholders.
    pub fn reset(&mut self) {
        self.scanner.reset();
        self.buf.clear();
        self.base = 0;
        self.emitted = 0;
        self.line = 1;
        self.pending.clear();
        self.resumed = None;
        self.fresh.clear();
        self.waiting = 0;
        self.findings.clear();
        self.held.clear();
        self.held_drop = false;
        self.finished = false;
        self.kept.clear();
        if let Some(ref mut stage) = self.stage {
            stage.reset();
        }
    }

    /// Uses `vault` for the `placeholder` action from now on, e.g. one vault for all the
    /// requests of a conversation, so a value keeps its placeholder across turns. The vault
    /// is shown this stream's input as it arrives, so placeholders the user wrote are never
    /// handed out (see [`crate::placeholder`]). Without a placeholder action, nothing changes.
    pub fn set_vault(&mut self, vault: crate::placeholder::Vault) {
        if self.redactor.inner.has_placeholder {
            self.session = Some(crate::placeholder::Session::new(vault));
        }
    }

    /// Drops the placeholder vault (a later input gets a fresh one, or [`Self::set_vault`]'s).
    #[cfg(feature = "proxy")]
    pub(crate) fn forget_vault(&mut self) {
        if self.session.is_some() {
            self.session = Some(crate::placeholder::Session::new(
                crate::placeholder::Vault::default(),
            ));
        }
    }

    /// The session vault of the `placeholder` action, if the policy has one.
    pub fn vault(&self) -> Option<&crate::placeholder::Vault> {
        self.session.as_ref().map(|s| &s.vault)
    }

    /// Takes more input and appends whatever output is now final to `out`.
    ///
    /// # Panics
    ///
    /// If called after [`StreamRedactor::finish`].
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        self.staged(out, |s, mid| s.rules_feed(input, mid), |_, _| {});
    }

    /// Takes the last input and ends it: [`StreamRedactor::feed`] then
    /// [`StreamRedactor::finish`] in one search round, for an input of at most one piece.
    /// A round before the end only decides what may be released early, which a caller that
    /// ends the input at once does not need, so a small record (a log line, a JSON string
    /// batch) pays for one round instead of two. The output is the same: chunking never
    /// changes it, and this is the input fed as one chunk without its newline rounds.
    ///
    /// # Panics
    ///
    /// If called after [`StreamRedactor::finish`].
    pub(crate) fn feed_last(&mut self, input: &[u8], out: &mut Vec<u8>) {
        self.staged(
            out,
            |s, mid| s.rules_feed_last(input, mid),
            |stage, out| stage.finish(out),
        );
    }

    /// Releases everything that is final now, even if fewer than a round's bytes are waiting
    /// and no newline came (e.g. when the input goes idle).
    pub fn flush(&mut self, out: &mut Vec<u8>) {
        self.staged(
            out,
            |s, mid| s.rules_flush(mid),
            |stage, out| stage.flush(out),
        );
    }

    /// Ends the input: decides everything and writes the rest of the output.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.staged(
            out,
            |s, mid| s.rules_finish(mid),
            |stage, out| stage.finish(out),
        );
    }

    /// Runs `rules` (one step of the rules' stream) and passes its output through the
    /// decoders' stage, then `then` on the stage; without a stage, the rules write to `out`.
    fn staged(
        &mut self,
        out: &mut Vec<u8>,
        rules: impl FnOnce(&mut StreamRedactor, &mut Vec<u8>),
        then: impl FnOnce(&mut crate::decode::DecodeStream, &mut Vec<u8>),
    ) {
        let Some(mut stage) = self.stage.take() else {
            return rules(self, out);
        };
        let mut mid = std::mem::take(&mut self.mid);
        mid.clear();
        self.origins.clear();
        rules(self, &mut mid);
        stage.feed_mapped(&mid, &self.origins, out);
        then(&mut stage, out);
        self.findings.append(&mut stage.take_findings());
        self.mid = mid;
        self.stage = Some(stage);
    }

    fn rules_feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        assert!(!self.finished, "feed after finish");
        if let Some(ref mut session) = self.session {
            session.observe(input);
        }
        let eager = self.redactor.inner.engine.releases_eagerly();
        for piece in input.chunks(PIECE) {
            self.buf.extend_from_slice(piece);
            self.waiting += piece.len();
            if eager || self.waiting >= ROUND || memchr(b'\n', piece).is_some() {
                self.round(false, out);
            }
        }
    }

    fn rules_feed_last(&mut self, input: &[u8], out: &mut Vec<u8>) {
        if input.len() > PIECE {
            self.rules_feed(input, out);
            return self.rules_finish(out);
        }
        assert!(!self.finished, "feed after finish");
        if let Some(ref mut session) = self.session {
            session.observe(input);
        }
        self.buf.extend_from_slice(input);
        self.waiting += input.len();
        self.rules_finish(out);
    }

    fn rules_flush(&mut self, out: &mut Vec<u8>) {
        if !self.finished && self.waiting > 0 {
            self.round(false, out);
        }
    }

    fn rules_finish(&mut self, out: &mut Vec<u8>) {
        if self.finished {
            return;
        }
        self.round(true, out);
        if !self.held_drop {
            out.append(&mut self.held);
        }
        self.held.clear();
        self.finished = true;
    }

    /// Removes and returns the findings made so far, in input order. With the decoders'
    /// stage, the findings past the first byte the stage still holds wait for it, so the
    /// order never depends on how the input was chunked.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        let Some(ref stage) = self.stage else {
            return std::mem::take(&mut self.findings);
        };
        self.findings.sort_by_key(|f| f.span.start);
        match stage.pending_from() {
            Some(from) => {
                let ready = self.findings.partition_point(|f| f.span.start < from);
                self.findings.drain(..ready).collect()
            }
            None => std::mem::take(&mut self.findings),
        }
    }

    /// The findings made so far.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The number of bytes currently held back: the rules' window and the decoders' stage.
    pub fn window_len(&self) -> usize {
        self.buf.len() + self.stage.as_ref().map_or(0, |s| s.held())
    }

    fn round(&mut self, eof: bool, out: &mut Vec<u8>) {
        self.waiting = 0;
        let redactor = self.redactor.clone();
        let inner = &redactor.inner;
        self.fresh.clear();
        let frontier = inner.engine.scan(
            &mut self.scanner,
            &inner.rules,
            &self.buf,
            self.base,
            self.emitted,
            eof,
            &mut self.fresh,
        );
        if !self.fresh.is_empty() {
            if inner.allow.is_some() {
                let (buf, base) = (&self.buf, self.base);
                let (keys, key_text) = (&self.keys, &self.key_text);
                inner.mark_allowed(
                    redactor.path.as_deref(),
                    &mut self.fresh,
                    |d| {
                        let from = d.span.start.checked_sub(base)? as usize;
                        buf.get(from..(d.span.end - base) as usize)
                    },
                    |d| key_at(keys, key_text, d.span.start),
                );
            }
            self.pending.append(&mut self.fresh);
            self.pending.sort_by_key(|d| d.claim.start);
        }
        let end = self.base + self.buf.len() as u64;
        self.emit(if eof { end } else { frontier }, eof, out);
        let keep = inner
            .engine
            .keep_from(&self.scanner, self.emitted)
            .max(self.base);
        if keep > self.base {
            self.buf.drain(..(keep - self.base) as usize);
            self.base = keep;
        }
    }

    /// Writes out input `[emitted, to)` with redactions, holding back a redacted segment that
    /// may continue past `to`.
    fn emit(&mut self, to: u64, eof: bool, out: &mut Vec<u8>) {
        if to <= self.emitted {
            return;
        }
        let redactor = self.redactor.clone();
        let inner = &redactor.inner;
        let known = self.pending.partition_point(|d| d.claim.start < to);
        let (active, below): (Vec<Detection>, Vec<Detection>) = self.pending[..known]
            .iter()
            .cloned()
            .partition(|d| d.confidence >= inner.min_confidence);
        let mut segs = resolve::segments(&inner.rules, &active, self.emitted, self.resumed);
        let mut cut = to;
        if !eof {
            // A cluster that reaches past `to` may still grow or change its winner: hold it,
            // and never release past `to` (a known span may start after it).
            if let Some(k) = segs.iter().position(|s| s.whole.end > to) {
                cut = segs[k].whole.start.clamp(self.emitted, to);
                segs.truncate(k);
            }
        }
        match segs.last() {
            Some(last) => self.resumed = last.cut.filter(|&c| c == cut),
            None if cut > self.emitted => self.resumed = None,
            None => {}
        }
        let mut reported: Vec<Finding> = vec![];
        let mut pos = self.emitted;
        let mut line = self.line;
        for seg in &segs {
            self.note_origin(out.len(), pos..seg.range.start, line, None, false);
            line += self.count_newlines(pos, seg.range.start);
            self.write(pos, seg.range.start, out);
            let d = &active[seg.winner];
            let mut value = std::mem::take(&mut self.value);
            let mut replacement = std::mem::take(&mut self.replacement);
            value.extend_from_slice(self.slice(seg.range.start, seg.range.end));
            let vault = self.session.as_ref().map(|s| &s.vault);
            let kind = inner.write_segment(d, &value, vault, &mut replacement);
            if kind == ActionKind::Drop {
                self.held_drop = true;
            }
            let kept = kind == ActionKind::Allowed;
            if kept && !inner.has_drop {
                self.kept.push(out.len()..out.len() + replacement.len());
            }
            self.note_origin(
                out.len(),
                seg.range.clone(),
                line,
                Some(replacement.len()),
                kept,
            );
            self.write_output(&replacement, out);
            reported.push(finding(inner, d, seg.range.clone(), kind, line));
            line += memchr::memchr_iter(b'\n', &value).count() as u64;
            for scratch in [&mut value, &mut replacement] {
                scratch.fill(0);
                scratch.clear();
            }
            (self.value, self.replacement) = (value, replacement);
            pos = seg.range.end;
        }
        self.note_origin(out.len(), pos..cut, line, None, false);
        self.write(pos, cut, out);
        // Lines are counted once, forward: the findings below the threshold in order, from
        // where this round started.
        let mut below: Vec<&Detection> = below.iter().filter(|d| d.span.start < cut).collect();
        below.sort_by_key(|d| d.span.start);
        let (mut at, mut at_line) = (self.emitted, self.line);
        for d in below {
            let start = d.span.start.max(self.emitted);
            at_line += self.count_newlines(at, start);
            at = start;
            reported.push(finding(inner, d, d.span.clone(), ActionKind::None, at_line));
        }
        reported.sort_by_key(|f| f.span.start);
        self.findings.append(&mut reported);
        self.line = line + self.count_newlines(pos, cut);
        self.emitted = cut;
        let min = inner.min_confidence;
        self.pending.retain(|d| {
            if d.confidence >= min {
                d.claim.end > cut
            } else {
                d.span.start >= cut
            }
        });
    }

    /// Notes that output from `at` (in the stage's input) comes from `input`: copied, or
    /// replaced by `replaced` bytes. Only with a stage, and not under a `drop` policy.
    fn note_origin(
        &mut self,
        at: usize,
        input: std::ops::Range<u64>,
        line: u64,
        replaced: Option<usize>,
        kept: bool,
    ) {
        // The stage is taken out while the rules run (see `staged`).
        let staged = self.redactor.inner.decoders.enabled() && !self.plain;
        if !staged || self.redactor.inner.has_drop || input.is_empty() {
            return;
        }
        let len = replaced.map_or(input.end - input.start, |n| n as u64);
        self.origins.push(crate::decode::Origin {
            at: at as u64,
            len,
            input,
            line,
            kept,
        });
    }

    fn slice(&self, from: u64, to: u64) -> &[u8] {
        &self.buf[(from - self.base) as usize..(to - self.base) as usize]
    }

    fn count_newlines(&self, from: u64, to: u64) -> u64 {
        memchr::memchr_iter(b'\n', self.slice(from, to)).count() as u64
    }

    /// Writes input bytes `[from, to)` unchanged.
    fn write(&mut self, from: u64, to: u64, out: &mut Vec<u8>) {
        if from >= to {
            return;
        }
        if !self.redactor.inner.has_drop {
            out.extend_from_slice(self.slice(from, to));
            return;
        }
        let bytes = self.slice(from, to).to_vec();
        self.write_output(&bytes, out);
    }

    /// Writes output bytes, holding each output line whole when the policy can drop lines.
    fn write_output(&mut self, mut bytes: &[u8], out: &mut Vec<u8>) {
        if !self.redactor.inner.has_drop {
            out.extend_from_slice(bytes);
            return;
        }
        while !bytes.is_empty() {
            let room = MAX_HELD_LINE - self.held.len();
            let (take, line_end) = match memchr(b'\n', &bytes[..bytes.len().min(room)]) {
                Some(i) => (i + 1, true),
                None => (bytes.len().min(room), false),
            };
            self.held.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if line_end || self.held.len() == MAX_HELD_LINE {
                if !self.held_drop {
                    out.extend_from_slice(&self.held);
                }
                self.held.clear();
                if line_end {
                    self.held_drop = false;
                }
            }
        }
    }
}

/// The key of `keys` (ranges and their text in `key_text`) holding offset `at`.
fn key_at<'k>(
    keys: &[(std::ops::Range<u64>, std::ops::Range<usize>)],
    key_text: &'k [u8],
    at: u64,
) -> Option<&'k [u8]> {
    let k = keys.partition_point(|(r, _)| r.end <= at);
    let (r, t) = keys.get(k)?;
    (r.start <= at).then(|| &key_text[t.clone()])
}

pub(crate) fn finding(
    inner: &crate::redactor::Inner,
    d: &Detection,
    span: std::ops::Range<u64>,
    action: ActionKind,
    line: u64,
) -> Finding {
    let rule = &inner.rules.rules()[d.rule as usize];
    Finding {
        rule: d.rule as usize,
        rule_id: rule.id.clone(),
        category: rule.category,
        label: rule.label.clone(),
        span,
        line,
        confidence: d.confidence,
        action,
    }
}

impl crate::parallel::Chunked for StreamRedactor {
    type Stats = ();

    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        StreamRedactor::feed(self, input, out)
    }

    fn flush(&mut self, out: &mut Vec<u8>) {
        StreamRedactor::flush(self, out)
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        StreamRedactor::finish(self, out)
    }

    fn take_findings(&mut self) -> Vec<Finding> {
        StreamRedactor::take_findings(self)
    }

    fn take_stats(&mut self) {}

    fn add_stats(_: &mut (), _: ()) {}

    fn restart(&mut self) {
        self.reset()
    }
}
