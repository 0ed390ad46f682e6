//! Decoders: secrets hidden in base64 or percent-encoding.
//!
//! `dXNlcjphbGljZUBleGFtcGxlLmNvbQ==` and `to=alice%40example.com` carry an email that no
//! rule can see in the encoded bytes. A [`Decoders`] pass looks for *plausible* encoded spans,
//! decodes each one, redacts the decoded text with the same [`Redactor`], and when the decoded
//! text holds an acted-on finding it replaces the encoded bytes:
//!
//! * **base64** (standard or URL-safe alphabet, padded or not): the whole encoded run is
//!   replaced by the action of the strongest finding inside it (canary > secret > pii, then
//!   confidence), applied to the encoded bytes: `[EMAIL]` with `label`, a keyed digest of
//!   the encoded run with `hash`, stars with `mask`.
//! * **percent-encoding** (`%40`, `+` for a space): decoding maps every decoded byte back to
//!   its encoded bytes, so only the encoded bytes of each finding are replaced:
//!   `to=alice%40example.com&x=1` becomes `to=[EMAIL]&x=1`.
//!
//! # Guarantees
//!
//! * **Never less than the rules alone.** The pass runs on text the rules have already
//!   redacted: it only adds replacements, in bytes no rule claimed (a redacted label such as
//!   `[JWT]` breaks an encoded run, so a run is never decoded twice).
//! * **Bounded cost.** A span is a candidate only if it is plausible: a base64 run of
//!   [`Decoders::min_base64`] to [`Decoders::max_span`] bytes in one alphabet, of a length
//!   that decodes, whose decoded bytes are UTF-8 text without control characters; or a run of
//!   URL bytes with at least one valid `%XX`, at most `max_span` long. Decoded text is decoded
//!   again only [`Decoders::depth`] levels deep (1 by default: an encoded span inside a
//!   decoded one is not looked at).
//! * **Text mode streams** through [`DecodeStream`] in bounded memory: candidate runs never
//!   contain whitespace, so output is cut at line ends (or, in a line longer than
//!   [`DecodeStream::CAP`], at whitespace) and the result does not depend on chunking.
//!
//! # Example
//!
//! ```
//! let r = blackbar::Redactor::builder().build()?; // the default decoders are on
//! let out = r.redact(b"q=bob%40example.com&x=1");
//! assert_eq!(out.output, b"q=[EMAIL]&x=1");
//! assert_eq!(&*out.findings[0].rule_id, "email");
//! # Ok::<(), blackbar::Error>(())
//! ```

use std::ops::Range;

use crate::finding::ActionKind;
use crate::finding::Finding;
use crate::redactor::Redactor;
use crate::stream::StreamRedactor;

mod runs;

use runs::{CLASS, URL};

/// Which decoders run, and their bounds. Cheap to copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Decoders {
    /// Decode base64 (standard and URL-safe) runs.
    pub base64: bool,
    /// Decode percent-encoded runs.
    pub percent: bool,
    /// How many levels of encoding are looked through (0 turns decoding off).
    pub depth: u8,
    /// The shortest base64 run considered (12 bytes decode to 9: `a@b.io` is shorter).
    pub min_base64: usize,
    /// The longest run considered; longer runs are left to the rules.
    pub max_span: usize,
}

impl Default for Decoders {
    /// base64 and percent-encoding, one level deep, runs of 12 to 8192 bytes.
    fn default() -> Decoders {
        Decoders {
            base64: true,
            percent: true,
            depth: 1,
            min_base64: 12,
            max_span: 8192,
        }
    }
}

impl Decoders {
    /// No decoding at all.
    pub fn none() -> Decoders {
        Decoders {
            base64: false,
            percent: false,
            depth: 0,
            ..Decoders::default()
        }
    }

    /// Whether any decoder runs.
    pub fn enabled(&self) -> bool {
        self.depth > 0 && (self.base64 || self.percent)
    }

    /// Parses a comma-separated list: `base64`, `percent`, `all`, or `none`.
    ///
    /// # Errors
    ///
    /// A parse error naming the unknown decoder.
    pub fn parse_list(list: &str) -> Result<Decoders, crate::Error> {
        let mut d = Decoders::none();
        d.depth = 1;
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match name {
                "base64" => d.base64 = true,
                "percent" => d.percent = true,
                "all" => (d.base64, d.percent) = (true, true),
                "none" => (d.base64, d.percent) = (false, false),
                other => {
                    return Err(crate::Error::new(crate::ErrorKind::Parse(format!(
                        "unknown decoder '{other}' (expected base64, percent, all or none)"
                    ))))
                }
            }
        }
        Ok(d)
    }

    /// Appends `text` (already redacted by the rules) to `out` with every encoded span that
    /// decodes to an acted-on finding replaced, and returns one finding per replacement
    /// (spans relative to `text`). `text[k]` for each range `k` of `kept` (the allowed values
    /// the rules left in their output) stays as it is. `scratch` is a stream of `redactor`,
    /// reused.
    pub(crate) fn redact(
        &self,
        redactor: &Redactor,
        scratch: &mut StreamRedactor,
        text: &[u8],
        kept: &[Range<usize>],
        out: &mut Vec<u8>,
    ) -> Vec<Finding> {
        self.redact_depth(redactor, scratch, text, kept, out, self.depth)
    }

    fn redact_depth(
        &self,
        redactor: &Redactor,
        scratch: &mut StreamRedactor,
        text: &[u8],
        kept: &[Range<usize>],
        out: &mut Vec<u8>,
        depth: u8,
    ) -> Vec<Finding> {
        let mut edits: Vec<Edit> = vec![];
        if depth > 0 {
            if self.base64 {
                self.base64_edits(redactor, scratch, text, depth, &mut edits);
            }
            if self.percent && memchr::memchr(b'%', text).is_some() {
                self.percent_edits(redactor, scratch, text, depth, &mut edits);
            }
        }
        if !kept.is_empty() {
            edits.retain(|e| {
                !kept
                    .iter()
                    .any(|k| k.start < e.range.end && e.range.start < k.end)
            });
        }
        if edits.is_empty() {
            out.extend_from_slice(text);
            return vec![];
        }
        edits.sort_by_key(|e| e.range.start);
        let mut pos = 0;
        let mut found = vec![];
        for e in edits {
            if e.range.start < pos {
                continue; // overlaps an earlier replacement (a base64 run inside a URL run)
            }
            out.extend_from_slice(&text[pos..e.range.start]);
            out.extend_from_slice(&e.replacement);
            pos = e.range.end;
            found.push(e.finding);
        }
        out.extend_from_slice(&text[pos..]);
        found
    }

    /// Redacts decoded text: the rules, then (one level down) the decoders again. Returns the
    /// acted-on findings, spans relative to `decoded` for the rules' findings.
    fn inner(
        &self,
        redactor: &Redactor,
        scratch: &mut StreamRedactor,
        decoded: &[u8],
        depth: u8,
    ) -> (Vec<Finding>, Vec<Finding>) {
        let mut out = Vec::with_capacity(decoded.len() + 16);
        let mut rules = redactor.redact_with(scratch, decoded, &mut out);
        rules.retain(|f| f.action.acted_on());
        let nested = if depth > 1 {
            let mut again = Vec::with_capacity(out.len());
            self.redact_depth(redactor, scratch, &out, &[], &mut again, depth - 1)
        } else {
            vec![]
        };
        (rules, nested)
    }

    fn base64_edits(
        &self,
        redactor: &Redactor,
        scratch: &mut StreamRedactor,
        text: &[u8],
        depth: u8,
        edits: &mut Vec<Edit>,
    ) {
        let mut decoded = vec![];
        runs::long_runs(text, self.min_base64, |body| {
            let mut end = body.end;
            while end < text.len() && end - body.end < 2 && text[end] == b'=' {
                end += 1;
            }
            if body.len() > self.max_span {
                return;
            }
            decoded.clear();
            if !decode_base64(&text[body.clone()], end - body.end, &mut decoded) {
                return;
            }
            let (rules, nested) = self.inner(redactor, scratch, &decoded, depth);
            if let Some(winner) = rules
                .iter()
                .chain(&nested)
                .max_by_key(|f| (f.category, f.confidence))
            {
                edits.push(replace(redactor, scratch, winner, text, body.start..end));
            }
        });
    }

    fn percent_edits(
        &self,
        redactor: &Redactor,
        scratch: &mut StreamRedactor,
        text: &[u8],
        depth: u8,
        edits: &mut Vec<Edit>,
    ) {
        let mut from = 0;
        let mut decoded = vec![];
        let mut map = vec![];
        while let Some(p) = memchr::memchr(b'%', &text[from..]) {
            let p = from + p;
            from = p + 1;
            if !(p + 2 < text.len() && hex(text[p + 1]).is_some() && hex(text[p + 2]).is_some()) {
                continue;
            }
            let mut start = p;
            while start > 0 && CLASS[text[start - 1] as usize] & URL != 0 {
                start -= 1;
            }
            let mut end = p;
            while end < text.len() && CLASS[text[end] as usize] & URL != 0 {
                end += 1;
            }
            from = end;
            if end - start > self.max_span {
                continue;
            }
            decoded.clear();
            map.clear();
            decode_percent(&text[start..end], &mut decoded, &mut map);
            let (rules, nested) = self.inner(redactor, scratch, &decoded, depth);
            if rules.is_empty() {
                // Only a deeper decoder found something: its spans are in the rules' output,
                // not in `decoded`, so the whole run is replaced.
                if let Some(w) = nested.iter().max_by_key(|f| (f.category, f.confidence)) {
                    edits.push(replace(redactor, scratch, w, text, start..end));
                }
                continue;
            }
            for f in &rules {
                let s = start + map[f.span.start as usize];
                let e = start + map[f.span.end as usize];
                edits.push(replace(redactor, scratch, f, text, s..e));
            }
        }
    }
}

/// A planned replacement of `text[range]`.
struct Edit {
    range: Range<usize>,
    replacement: Vec<u8>,
    finding: Finding,
}

/// Applies `winner`'s action to the encoded bytes `text[range]`, unless the allowlist allows
/// them as they are (for `winner`'s rule; the decoded value was checked by the rules).
fn replace(
    redactor: &Redactor,
    scratch: &StreamRedactor,
    winner: &Finding,
    text: &[u8],
    range: Range<usize>,
) -> Edit {
    let encoded = &text[range.clone()];
    let allowed = redactor.inner.allow.as_ref().is_some_and(|a| {
        let place = crate::allow::Place {
            key: scratch.key_at(0),
            path: redactor.path.as_deref(),
        };
        a.allows(crate::allow::Target::Rule(winner.rule), encoded, place)
    });
    let mut replacement = vec![];
    let mut finding = winner.clone();
    if allowed {
        replacement.extend_from_slice(encoded);
        finding.action = ActionKind::Allowed;
    } else {
        redactor
            .inner
            .apply(winner.rule, encoded, None, &mut replacement);
    }
    finding.span = range.start as u64..range.end as u64;
    finding.line = 1 + memchr::memchr_iter(b'\n', &text[..range.start]).count() as u64;
    Edit {
        range,
        replacement,
        finding,
    }
}

/// For each base64 alphabet byte: its 6-bit value, with [`STD_ONLY`] for `+` and `/` and
/// [`URL_ONLY`] for `-` and `_`. Only alphabet bytes are looked up.
static B64_VALUE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62 | STD_ONLY,
            b'/' => 63 | STD_ONLY,
            b'-' => 62 | URL_ONLY,
            b'_' => 63 | URL_ONLY,
            _ => 0,
        };
        c += 1;
    }
    t
};
const STD_ONLY: u8 = 0x40;
const URL_ONLY: u8 = 0x80;

/// Decodes a base64 body (no `=`) followed by `pad` padding bytes, giving up as soon as
/// the result cannot be text (see [`TextPrefix`]): garbage is rejected after a few bytes. Also
/// refuses a body mixing the standard (`+/`) and URL-safe (`-_`) alphabets, lengths that
/// cannot be base64, and text whose first character is not printable ASCII.
fn decode_base64(body: &[u8], pad: usize, out: &mut Vec<u8>) -> bool {
    if body.len() % 4 == 1 || (pad > 0 && (body.len() + pad) % 4 != 0) {
        return false;
    }
    // The first character carries the top 6 bits of the first byte: printable ASCII
    // (0x20..0x7e) means a value from 8 to 31, `I` to `f`.
    if !matches!(body[0], b'I'..=b'Z' | b'a'..=b'f') {
        return false;
    }
    let mut flags = 0;
    let mut acc = 0u32;
    let mut bits = 0;
    let mut text = TextPrefix::default();
    for &c in body {
        let v = B64_VALUE[c as usize];
        flags |= v;
        acc = (acc << 6) | u32::from(v & 63);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            let b = (acc >> bits) as u8;
            if !text.push(b) {
                return false;
            }
            out.push(b);
        }
    }
    flags & (STD_ONLY | URL_ONLY) != STD_ONLY | URL_ONLY && text.is_text(out)
}

/// Checks, a byte at a time, that decoded bytes are worth scanning: UTF-8 text at least 6
/// bytes long, without control characters other than tab and line ends. [`TextPrefix::push`]
/// refuses a byte that no such text can continue with, so random bytes (a hex id read as
/// base64) fail within a few bytes, where checking for control characters alone went on for
/// about eight; [`TextPrefix::is_text`] then settles the rest.
#[derive(Default)]
struct TextPrefix {
    /// Continuation bytes still expected.
    pending: u8,
}

impl TextPrefix {
    #[inline(always)]
    fn push(&mut self, b: u8) -> bool {
        match (self.pending, b) {
            (0, 0x20..=0x7e | b'\t' | b'\n' | b'\r') => true,
            (0, 0xc2..=0xdf) => {
                self.pending = 1;
                true
            }
            (0, 0xe0..=0xef) => {
                self.pending = 2;
                true
            }
            (0, 0xf0..=0xf4) => {
                self.pending = 3;
                true
            }
            (1.., 0x80..=0xbf) => {
                self.pending -= 1;
                true
            }
            _ => false,
        }
    }

    /// Whether `pushed`, every byte of which [`TextPrefix::push`] accepted, is text: long
    /// enough, and valid UTF-8 (which also refuses the overlong forms and surrogates that
    /// the byte-at-a-time check lets through).
    fn is_text(&self, pushed: &[u8]) -> bool {
        pushed.len() >= 6 && self.pending == 0 && std::str::from_utf8(pushed).is_ok()
    }
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes `run` (`+` is a space); `map[i]` is the offset in `run` of the encoded
/// bytes of decoded byte `i`, and `map[decoded.len()]` is `run.len()`.
fn decode_percent(run: &[u8], decoded: &mut Vec<u8>, map: &mut Vec<usize>) {
    let mut i = 0;
    while i < run.len() {
        map.push(i);
        match (
            run[i],
            run.get(i + 1).copied().and_then(hex),
            run.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                decoded.push(h << 4 | l);
                i += 3;
            }
            (b'+', _, _) => {
                decoded.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                decoded.push(c);
                i += 1;
            }
        }
    }
    map.push(run.len());
}

/// The decoders as a stage after a text [`StreamRedactor`]: takes its redacted output in
/// chunks of any size and releases it with encoded secrets replaced.
///
/// Output is cut at the last newline of each chunk, so a line is held only until it ends; a
/// line longer than [`DecodeStream::CAP`] is cut at whitespace, and a run of more than `CAP`
/// bytes without whitespace passes through undecoded.
///
/// Finding spans and lines are positions in the stream's *input* when the stream says where
/// its output came from ([`DecodeStream::feed_mapped`]): an encoded run is unchanged text,
/// so its input position is exact. Without that (a `drop` policy, whose held lines may
/// vanish) they are positions in the redacted text this stage receives.
pub struct DecodeStream {
    decoders: Decoders,
    redactor: Redactor,
    scratch: StreamRedactor,
    buf: Vec<u8>,
    /// Offset and line of `buf[0]` in the stage's input.
    base: u64,
    line: u64,
    /// Inside a run longer than `CAP`: pass bytes through until whitespace.
    skipping: bool,
    findings: Vec<Finding>,
    /// Where the bytes from `base` on came from in the stream's input, in order (empty when
    /// the stream does not say).
    origins: std::collections::VecDeque<Origin>,
}

/// Where a stretch of the stage's input came from in the stream's input: copied unchanged,
/// or a replacement of an input span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    /// The stretch's first byte in the stage's input (relative to the bytes handed over with
    /// it, made absolute when taken).
    pub(crate) at: u64,
    /// Its length in the stage's input.
    pub(crate) len: u64,
    /// The input span it came from.
    pub(crate) input: std::ops::Range<u64>,
    /// The 1-based input line of `input.start`.
    pub(crate) line: u64,
    /// An allowed value (see [`crate::Allowlist`]): the decoders leave it as it is.
    pub(crate) kept: bool,
}

impl Origin {
    fn copied(&self) -> bool {
        self.len == self.input.end - self.input.start
    }
}

impl std::fmt::Debug for DecodeStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodeStream")
            .field("decoders", &self.decoders)
            .field("held", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl DecodeStream {
    /// The most bytes held without a newline.
    pub const CAP: usize = 64 * 1024;

    /// A stage for `redactor`'s output.
    pub fn new(redactor: &Redactor, decoders: Decoders) -> DecodeStream {
        DecodeStream {
            decoders,
            redactor: redactor.clone(),
            scratch: StreamRedactor::plain(redactor.clone()),
            buf: vec![],
            base: 0,
            line: 1,
            skipping: false,
            findings: vec![],
            origins: std::collections::VecDeque::new(),
        }
    }

    /// Starts a new input, keeping the scratch.
    pub fn reset(&mut self) {
        self.buf.clear();
        self.base = 0;
        self.line = 1;
        self.skipping = false;
        self.findings.clear();
        self.origins.clear();
    }

    /// [`DecodeStream::feed`], with where each stretch of `text` came from in the stream's
    /// input (`at` relative to `text`), so that findings are given in input positions.
    pub(crate) fn feed_mapped(&mut self, text: &[u8], origins: &[Origin], out: &mut Vec<u8>) {
        let received = self.base + self.buf.len() as u64;
        self.origins.extend(origins.iter().map(|o| Origin {
            at: o.at + received,
            ..o.clone()
        }));
        self.feed(text, out);
    }

    /// The input position from which findings may still come: the input position of the
    /// first byte not processed yet, when the stream said where it came from and one is held.
    pub(crate) fn pending_from(&self) -> Option<u64> {
        let o = self.origins.front()?;
        let start = o.input.start + if o.copied() { self.base - o.at } else { 0 };
        (!self.buf.is_empty() || self.skipping).then_some(start)
    }

    /// Takes redacted text and appends what is final to `out`.
    pub fn feed(&mut self, mut text: &[u8], out: &mut Vec<u8>) {
        if self.skipping {
            match text.iter().position(|c| c.is_ascii_whitespace()) {
                Some(n) => {
                    self.pass(&text[..n], out);
                    text = &text[n..];
                    self.skipping = false;
                }
                None => {
                    self.pass(text, out);
                    return;
                }
            }
        }
        if self.buf.is_empty() {
            // Nothing held: the complete lines are redacted where they are, not copied first.
            if let Some(nl) = memchr::memrchr(b'\n', text) {
                self.redact_lines(&text[..=nl], out);
                text = &text[nl + 1..];
            }
            self.buf.extend_from_slice(text);
        } else {
            self.buf.extend_from_slice(text);
            if let Some(nl) = memchr::memrchr(b'\n', &self.buf) {
                self.process(nl + 1, out);
            }
        }
        if self.buf.len() > Self::CAP {
            match self.buf.iter().rposition(|c| c.is_ascii_whitespace()) {
                Some(ws) => self.process(ws + 1, out),
                None => {
                    let all = std::mem::take(&mut self.buf);
                    self.pass(&all, out);
                    self.skipping = true;
                }
            }
        }
    }

    /// Releases everything up to the last whitespace (the input went idle).
    pub fn flush(&mut self, out: &mut Vec<u8>) {
        if let Some(ws) = self.buf.iter().rposition(|c| c.is_ascii_whitespace()) {
            self.process(ws + 1, out);
        }
    }

    /// Ends the input and releases the rest.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        let n = self.buf.len();
        self.process(n, out);
        self.skipping = false;
    }

    /// The bytes held back, waiting for a line end or whitespace.
    pub(crate) fn held(&self) -> usize {
        self.buf.len()
    }

    /// Removes and returns the findings made so far.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }

    fn pass(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(bytes);
        self.base += bytes.len() as u64;
        self.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
        self.forget_before(bytes);
    }

    /// Drops or advances the origins of `done`, the bytes just before `self.base`.
    fn forget_before(&mut self, done: &[u8]) {
        let done_at = self.base - done.len() as u64;
        while let Some(o) = self.origins.front_mut() {
            if o.at + o.len <= self.base {
                self.origins.pop_front();
                continue;
            }
            if o.at < self.base {
                let k = self.base - o.at;
                if o.len == o.input.end - o.input.start {
                    let skipped = &done[(o.at.max(done_at) - done_at) as usize..];
                    o.line += memchr::memchr_iter(b'\n', skipped).count() as u64;
                    o.input.start += k;
                }
                o.at = self.base;
                o.len -= k;
            }
            break;
        }
    }

    /// The input position and line of the stage position `at` (within `chunk`, which starts
    /// at `base`), or `None` when the stream did not say.
    fn input_of(&self, at: u64, chunk: &[u8], end: bool) -> Option<(u64, u64)> {
        let i = self.origins.partition_point(|o| match end {
            true => o.at + o.len < at,
            false => o.at + o.len <= at,
        });
        let o = self.origins.get(i)?;
        if !o.copied() {
            return Some((if end { o.input.end } else { o.input.start }, o.line));
        }
        let k = at.saturating_sub(o.at);
        let from = (o.at.max(self.base) - self.base) as usize;
        let to = ((at - self.base) as usize).min(chunk.len()).max(from);
        let lines = memchr::memchr_iter(b'\n', &chunk[from..to]).count() as u64;
        // `o` starts at or after `base` (origins before it were advanced), so its line is
        // the line at its start.
        Some((o.input.start + k, o.line + lines))
    }

    /// Redacts and releases the first `n` bytes held.
    fn process(&mut self, n: usize, out: &mut Vec<u8>) {
        if n == 0 {
            return;
        }
        // The buffer is lent out while its bytes are redacted, then keeps its capacity.
        let mut buf = std::mem::take(&mut self.buf);
        self.redact_lines(&buf[..n], out);
        buf.drain(..n);
        self.buf = buf;
    }

    /// Redacts and releases `chunk`, the next bytes of the stage's input (none held before
    /// them).
    fn redact_lines(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        let end = self.base + chunk.len() as u64;
        // Allowed values only exist under an allowlist: the clean path does not look.
        let allowing = self.redactor.inner.allow.is_some();
        let kept: Vec<Range<usize>> = self
            .origins
            .iter()
            .take_while(|o| allowing && o.at < end)
            .filter(|o| o.kept && o.at + o.len > self.base)
            .map(|o| {
                (o.at.max(self.base) - self.base) as usize
                    ..((o.at + o.len).min(end) - self.base) as usize
            })
            .collect();
        let found = self
            .decoders
            .redact(&self.redactor, &mut self.scratch, chunk, &kept, out);
        if found.iter().any(|f| f.action == ActionKind::Drop) {
            drop_lines(
                chunk,
                &found,
                start,
                out,
                &self.decoders,
                &self.redactor,
                &mut self.scratch,
            );
        }
        for mut f in found {
            let (s, e) = (f.span.start + self.base, f.span.end + self.base);
            match (
                self.input_of(s, chunk, false),
                self.input_of(e, chunk, true),
            ) {
                (Some((s, line)), Some((e, _))) => {
                    f.span = s..e;
                    f.line = line;
                }
                _ => {
                    f.span = s..e;
                    f.line += self.line - 1;
                }
            }
            self.findings.push(f);
        }
        self.base += chunk.len() as u64;
        self.line += memchr::memchr_iter(b'\n', chunk).count() as u64;
        self.forget_before(chunk);
    }
}

/// Redoes a chunk line by line, leaving out the lines in which a decoded finding's action is
/// `drop`.
fn drop_lines(
    chunk: &[u8],
    found: &[Finding],
    start: usize,
    out: &mut Vec<u8>,
    decoders: &Decoders,
    redactor: &Redactor,
    scratch: &mut StreamRedactor,
) {
    out.truncate(start);
    let mut offset = 0u64;
    for line in chunk.split_inclusive(|&c| c == b'\n') {
        let end = offset + line.len() as u64;
        let dropped = found
            .iter()
            .any(|f| f.action == ActionKind::Drop && f.span.start >= offset && f.span.start < end);
        if !dropped {
            decoders.redact(redactor, scratch, line, &[], out);
        }
        offset = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules alone: these tests run the decoders by hand.
    fn redactor() -> Redactor {
        Redactor::builder()
            .decoders(Decoders::none())
            .build()
            .expect("catalog")
    }

    fn redact(d: Decoders, text: &str) -> String {
        redact_with(&redactor(), d, text)
    }

    fn redact_with(r: &Redactor, d: Decoders, text: &str) -> String {
        let mut out = vec![];
        d.redact(r, &mut r.stream(), text.as_bytes(), &[], &mut out);
        String::from_utf8(out).unwrap()
    }

    /// Decoded bytes worth scanning, by definition: UTF-8 text of 6 bytes or more without
    /// control characters other than tab and line ends.
    fn is_text(b: &[u8]) -> bool {
        b.len() >= 6
            && std::str::from_utf8(b).is_ok()
            && b.iter()
                .all(|&c| c >= 0x20 && c != 0x7f || matches!(c, b'\t' | b'\n' | b'\r'))
    }

    /// The byte-at-a-time check decides exactly what the definition does, never refuses a
    /// prefix of text (it only saves work), and refuses random bytes early.
    #[test]
    fn text_prefix_accepts_every_prefix_of_text() {
        let accepted = |b: &[u8]| {
            let mut p = TextPrefix::default();
            b.iter().all(|&c| p.push(c))
        };
        let decided = |b: &[u8]| {
            let mut p = TextPrefix::default();
            b.iter().all(|&c| p.push(c)) && p.is_text(b)
        };
        let samples = [
            "plain ascii\tand\r\n",
            "zoé → ünïcode 日本語 🎉",
            "\u{80}\u{7ff}\u{10ffff}",
        ];
        for s in samples {
            assert!(is_text(s.as_bytes()) && decided(s.as_bytes()), "{s:?}");
        }
        // Overlong forms, surrogates, truncated sequences and control characters.
        for b in [
            &b"abc\xc0\xafdef"[..],
            b"abc\xed\xa0\x80def",
            b"abcdef\xe2\x82",
            b"abc\x7fdef",
            b"abc\x1bdef",
        ] {
            assert!(!is_text(b) && !decided(b), "{b:?}");
        }
        let mut rng = crate::xorshift::Xorshift(0x9e37_79b9_7f4a_7c15);
        let (mut random, mut late) = (0, 0);
        for _ in 0..20_000 {
            let bytes: Vec<u8> = (0..8).map(|_| rng.next() as u8).collect();
            if is_text(&bytes) {
                assert!(accepted(&bytes), "{bytes:?}");
            }
            assert_eq!(decided(&bytes), is_text(&bytes), "{bytes:?}");
            random += 1;
            late += usize::from(accepted(&bytes[..3]));
        }
        // Random bytes seldom make a 3-byte prefix of text (about 13%).
        assert!(late * 5 < random, "{late} of {random}");
    }

    #[test]
    fn base64_both_alphabets_padded_or_not() {
        let d = Decoders::default();
        // "mail me: zoe@example.com ok?" in standard and URL-safe base64, with and without padding.
        for enc in [
            "bWFpbCBtZTogem9lQGV4YW1wbGUuY29tIG9rPw==",
            "bWFpbCBtZTogem9lQGV4YW1wbGUuY29tIG9rPw",
        ] {
            assert_eq!(redact(d, &format!("x {enc} y")), "x [EMAIL] y", "{enc}");
        }
        // Mixed alphabets, binary, or nothing inside: untouched.
        for text in [
            "bWFpbC+tZTogem9l_GV4YW1wbGUuY29t",
            "AAECAwQFBgcICQoLDA0ODxAREhM=",
            "aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=",
            "AbstractSingletonProxyFactoryBean",
        ] {
            assert_eq!(redact(d, text), text);
        }
    }

    #[test]
    fn base64_runs_are_found_after_words_of_any_length() {
        // "zoe@example.com" is exactly 20 characters of base64.
        let enc = "em9lQGV4YW1wbGUuY29t";
        let r = redactor();
        let redact = |d, text: &str| redact_with(&r, d, text);
        for min in [1, 12, 19, 20] {
            let d = Decoders {
                min_base64: min,
                ..Decoders::default()
            };
            for words in 0..4 {
                for len in 0..24 {
                    // Words of the alphabet that are too short, ending at every offset before
                    // the run: the probe that skips ahead must never step over its start.
                    let prefix = format!("{}:", vec!["x".repeat(len); words].join(" "));
                    let text = format!("{prefix}{enc}.");
                    assert_eq!(redact(d, &text), format!("{prefix}[EMAIL]."), "min {min}");
                }
            }
        }
        let d = Decoders {
            min_base64: 21,
            ..Decoders::default()
        };
        assert_eq!(redact(d, &format!("a {enc} b")), format!("a {enc} b"));
    }

    #[test]
    fn percent_maps_spans_exactly() {
        let d = Decoders::default();
        assert_eq!(
            redact(d, "GET /a?to=ann%40example.com&b=c%2Bd HTTP/1.1"),
            "GET /a?to=[EMAIL]&b=c%2Bd HTTP/1.1"
        );
        assert_eq!(redact(d, "100% sure"), "100% sure");
    }

    #[test]
    fn depth_and_switches() {
        // base64 of a percent-encoded email: two levels.
        let inner = "to=kim%40example.com";
        let enc = "dG89a2ltJTQwZXhhbXBsZS5jb20=";
        assert_eq!(
            redact(Decoders::default(), enc),
            enc,
            "{inner} is two levels down"
        );
        let deep = Decoders {
            depth: 2,
            ..Decoders::default()
        };
        assert_eq!(redact(deep, enc), "[EMAIL]");
        assert_eq!(
            redact(Decoders::none(), "a%40b.example.com"),
            "a%40b.example.com"
        );
        assert!(!Decoders::parse_list("base64").unwrap().percent);
        assert!(Decoders::parse_list("rot13").is_err());
    }

    #[test]
    fn stream_is_chunking_independent() {
        let r = redactor();
        let mut input = String::new();
        for i in 0..50 {
            input.push_str(&format!(
                "line {i} q=u{i}%40example.com b=bWFpbCBtZTogem9lQGV4YW1wbGUuY29tIG9rPw== {}\n",
                "x".repeat(i * 40)
            ));
        }
        let one = {
            let mut s = DecodeStream::new(&r, Decoders::default());
            let mut out = vec![];
            s.feed(input.as_bytes(), &mut out);
            s.finish(&mut out);
            assert_eq!(s.take_findings().len(), 100);
            out
        };
        for chunk in [1, 2, 3, 7, 64, 4096] {
            let mut s = DecodeStream::new(&r, Decoders::default());
            let mut out = vec![];
            for c in input.as_bytes().chunks(chunk) {
                s.feed(c, &mut out);
                if c[0] == b' ' {
                    s.flush(&mut out);
                }
            }
            s.finish(&mut out);
            assert!(out == one, "chunk {chunk}");
        }
    }
}
