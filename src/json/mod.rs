//! JSON redaction: only string values change, everything else stays byte for byte.
//!
//! One implementation serves every JSON front end: the CLI's `--format json|auto` (through
//! [`LineRedactor`]), a tracing layer's JSON output and the proxy's request bodies (through
//! [`JsonRedactor::redact_document`], for any JSON text, one line or pretty-printed).
//!
//! # How a document is rewritten
//!
//! 1. **Validate with simd-json.** The document is copied into the scratch and parsed to a
//!    tape; anything simd-json refuses (truncated, not UTF-8, trailing garbage) is
//!    [`Invalid`], and so is nesting deeper than [`JsonOptions::max_depth`]. The tape also
//!    gives every string unescaped.
//! 2. **Walk the original bytes** with a small tokenizer that relies on step 1 for validity.
//!    Whitespace, punctuation, numbers, `true`/`false`/`null` and every string that needs
//!    no change are copied from the input unchanged, so number formatting (`1.0`, `1e3`,
//!    `-0`), key order, duplicate keys and original escapes survive exactly. We never
//!    re-serialize a parsed value: that is what would change `1.10` into `1.1`.
//! 3. **Strings are redacted unescaped.** Each string value is scanned as the text it
//!    denotes (from the tape when it has escapes; the raw bytes otherwise, without a copy),
//!    so `alice\u0040example.com`, `https:\/\/` and a PEM key whose line breaks are `\n`
//!    escapes are seen as the rules expect. A string whose redacted text differs is written
//!    back re-escaped (`"` `\` and control characters); an unchanged one keeps its original
//!    bytes.
//! 4. **Keys** are copied, not scanned, unless [`JsonOptions::scan_keys`] is set. A key
//!    listed in [`JsonOptions::keys`] ([`SensitiveKeys`]) has its whole value, whatever its
//!    type, replaced by the string [`REDACTED`]; strings inside it are still scanned, so a
//!    canary planted as a fake password is reported as a canary.
//! 5. **Decoders** (the redactor's, [`crate::RedactorBuilder::decoders`]) run on each redacted
//!    string value.
//!
//! **One scan for many strings.** Scanning each string on its own costs a stream reset and
//! finish per string (most of the time on short log fields), so the strings of a document —
//! and of many lines, in [`LineRedactor`] — are joined with `"\n\xFF\n"` and scanned once
//! (`strings.rs`, which the OTLP hop uses too). The newlines stop context windows and
//! single-line rules at the string's edge, and `0xFF` never occurs in UTF-8, so the output
//! splits back exactly. When a finding still crosses a separator (a multi-line rule) or
//! drops a line, every string of the batch is scanned on its own instead, which is what the
//! joined scan stands for. One difference remains: a user rule anchored with `^`, `$`, `\A`
//! or `\z` sees the batch's edges, not the string's.
//!
//! The output is valid JSON with the same structure; `parse(output)` equals `parse(input)`
//! except for redacted strings and values under sensitive keys (property-tested in
//! `tests/json.rs`).
//!
//! # Findings
//!
//! Spans are byte offsets in the document. For a string without escapes a finding's span is
//! exact; in a string with escapes, or found by a decoder, it is the whole string token.
//! A value redacted for its key is reported under the rule id [`KEY_RULE_ID`] (category
//! `secret`, label `REDACTED`, `rule` index [`KEY_RULE`]), unless a rule already found
//! something in it.

mod keys;
mod lines;
mod strings;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use simd_json::Node;

use crate::escape::write_escaped;
use crate::finding::ActionKind;
use crate::finding::{Category, Confidence, Finding};
use crate::redactor::Redactor;
use crate::stream::StreamRedactor;

pub use self::keys::{SensitiveKeys, DEFAULT_KEYS};
pub use self::lines::{Format, LineRedactor, LineStats, MAX_LINE};
pub(crate) use self::strings::Strings;

/// What replaces a value under a sensitive key (as a JSON string).
pub const REDACTED: &str = "[REDACTED]";
/// The rule id of findings made by key (no rule of the rule set).
pub const KEY_RULE_ID: &str = "json-sensitive-key";
/// The `rule` index of findings made by key: there is no such rule in the [`crate::RuleSet`].
pub const KEY_RULE: usize = usize::MAX;

/// How JSON is redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct JsonOptions {
    /// Keys whose whole value is redacted.
    pub keys: SensitiveKeys,
    /// Scan keys too, as strings (off: keys are names, not data).
    pub scan_keys: bool,
    /// Deeper nesting makes a document [`Invalid`] (the line goes to text mode).
    pub max_depth: usize,
}

impl Default for JsonOptions {
    /// Default keys, keys not scanned, depth 128.
    fn default() -> JsonOptions {
        JsonOptions {
            keys: SensitiveKeys::default(),
            scan_keys: false,
            max_depth: 128,
        }
    }
}

impl JsonOptions {
    /// Sets the keys whose whole value is redacted.
    pub fn keys(mut self, keys: SensitiveKeys) -> JsonOptions {
        self.keys = keys;
        self
    }

    /// Scans keys too, as strings.
    pub fn scan_keys(mut self, yes: bool) -> JsonOptions {
        self.scan_keys = yes;
        self
    }

    /// Sets the deepest nesting redacted as JSON.
    pub fn max_depth(mut self, depth: usize) -> JsonOptions {
        self.max_depth = depth;
        self
    }
}

/// Why a document was not redacted as JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Invalid {
    /// simd-json refused it (the message never quotes the input).
    Syntax(String),
    /// Nested deeper than [`JsonOptions::max_depth`].
    TooDeep,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::Syntax(e) => write!(f, "not valid JSON: {e}"),
            Invalid::TooDeep => f.write_str("JSON nested too deep"),
        }
    }
}

impl std::error::Error for Invalid {}

/// A [`Redactor`] with JSON options: immutable, `Send + Sync`, cheap to clone.
///
/// # Example
///
/// ```
/// use blackbar::json::{JsonOptions, JsonRedactor};
/// let r = blackbar::Redactor::builder().build()?;
/// let json = JsonRedactor::new(r, JsonOptions::default());
/// let mut scratch = json.scratch();
/// let mut out = vec![];
/// let doc = br#"{"to":"bob\u0040example.com","n":1.50,"password":12345}"#;
/// let findings = json.redact_document(&mut scratch, doc, &mut out).expect("valid JSON");
/// assert_eq!(out, br#"{"to":"[EMAIL]","n":1.50,"password":"[REDACTED]"}"#);
/// assert_eq!(findings.len(), 2);
/// # Ok::<(), blackbar::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct JsonRedactor {
    redactor: Redactor,
    opts: Arc<JsonOptions>,
}

/// A scratch in the thread-local pool, with the redactor it belongs to (the proxy's request
/// bodies use it).
#[cfg(feature = "proxy")]
pub(crate) struct Pooled {
    owner: JsonRedactor,
    pub(crate) scratch: JsonScratch,
}

/// Per-thread scratch for [`JsonRedactor`]: parse buffers, the batch of strings to scan,
/// and a reusable stream.
pub struct JsonScratch {
    copy: Vec<u8>,
    buffers: simd_json::Buffers,
    tape: Option<simd_json::tape::Tape<'static>>,
    stream: StreamRedactor,
    stack: Vec<Frame>,
    batch: Batch,
}

impl fmt::Debug for JsonScratch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonScratch")
            .field("docs", &self.batch.docs.len())
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
struct Frame {
    object: bool,
    /// In an object: the next string is a key.
    expect_key: bool,
    /// The key holding this frame's values (in an object, the last key read; an array's
    /// elements have the key holding the array), kept in the batch's strings when the
    /// allowlist looks at keys.
    key: Range<usize>,
}

/// Documents planned but not yet written: their bytes, what to do with each token, and
/// every string to scan, batched so that one scan serves them all.
#[derive(Default)]
struct Batch {
    /// The documents' bytes, one after another.
    bytes: Vec<u8>,
    docs: Vec<Doc>,
    items: Vec<Item>,
    /// The strings to scan (segments), and where each one's token is.
    strings: Strings,
    toks: Vec<Tok>,
}

struct Doc {
    bytes: Range<usize>,
    items: Range<usize>,
}

enum Item {
    /// Bytes copied as they are (range in `Batch::bytes`).
    Copy(Range<usize>),
    /// A scanned string token: written unchanged or re-escaped.
    Str(u32),
    /// A value under a sensitive key (range in its document), whose strings are segments
    /// `segs`, and the key (kept in the batch's strings when the allowlist looks at keys).
    Hidden(Range<usize>, Range<u32>, Range<usize>),
}

/// A scanned string's token in its document.
struct Tok {
    tok: Range<usize>,
    escaped: bool,
}

impl JsonRedactor {
    /// A JSON redactor over `redactor`.
    pub fn new(redactor: Redactor, opts: JsonOptions) -> JsonRedactor {
        JsonRedactor {
            redactor,
            opts: Arc::new(opts),
        }
    }

    /// An ordered parallel redaction of one input of lines in `format` over `threads`
    /// workers: the same output and findings as one [`LineRedactor`] for any thread count
    /// (see [`crate::Parallel`]).
    pub fn parallel_lines(&self, format: Format, threads: usize) -> crate::Parallel<LineRedactor> {
        let threads = if self.redactor.inner.has_placeholder {
            1
        } else {
            threads
        };
        let json = self.clone();
        crate::parallel::Parallel::new(threads, self.redactor.cuts(), move || {
            LineRedactor::new(json.clone(), format)
        })
    }

    /// The underlying redactor.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The options.
    pub fn options(&self) -> &JsonOptions {
        &self.opts
    }

    #[cfg(feature = "proxy")]
    /// This thread's pooled scratch of this redactor ([`crate::scratch`]), or a new one;
    /// give it back with [`JsonRedactor::give_back`].
    pub(crate) fn take_scratch(&self) -> Box<Pooled> {
        crate::scratch::take(|p: &Pooled| {
            Arc::ptr_eq(&p.owner.opts, &self.opts)
                && Arc::ptr_eq(&p.owner.redactor.inner, &self.redactor.inner)
        })
        .unwrap_or_else(|| {
            Box::new(Pooled {
                owner: self.clone(),
                scratch: self.scratch(),
            })
        })
    }

    #[cfg(feature = "proxy")]
    /// Returns a scratch taken with [`JsonRedactor::take_scratch`] to this thread's pool,
    /// without the last input's placeholder vault: a pooled scratch keeps no values alive.
    pub(crate) fn give_back(mut pooled: Box<Pooled>) {
        pooled.scratch.stream.forget_vault();
        crate::scratch::give_back(pooled);
    }

    /// A new scratch; keep one per thread.
    pub fn scratch(&self) -> JsonScratch {
        JsonScratch {
            copy: vec![],
            buffers: simd_json::Buffers::default(),
            tape: Some(simd_json::tape::Tape::null().reset()),
            stream: StreamRedactor::plain(self.redactor.clone()),
            stack: vec![],
            batch: Batch::default(),
        }
    }

    /// Redacts one JSON document (a line without its newline, a request body, an event),
    /// appending the result to `out`, and returns the findings (spans relative to `doc`).
    /// A finding whose action is `drop` means the caller should drop the whole record.
    ///
    /// # Errors
    ///
    /// [`Invalid`] when the document is not valid JSON or nests too deep; `out` is then left
    /// as it was, and the caller decides (the line front end redacts the line as text).
    pub fn redact_document(
        &self,
        scratch: &mut JsonScratch,
        doc: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Vec<Finding>, Invalid> {
        scratch.batch.clear();
        self.plan(scratch, doc)?;
        self.scan(scratch);
        Ok(self.emit(scratch, 0, out))
    }

    /// Parses `doc` and adds it to the scratch's batch (document number
    /// `scratch.planned() - 1`). On error the batch is as it was.
    pub(crate) fn plan(&self, scratch: &mut JsonScratch, doc: &[u8]) -> Result<(), Invalid> {
        scratch.copy.clear();
        scratch.copy.extend_from_slice(doc);
        let mut tape = scratch.tape.take().expect("tape is put back").reset();
        let parsed = simd_json::fill_tape(&mut scratch.copy, &mut scratch.buffers, &mut tape);
        let b = &mut scratch.batch;
        let mark = (b.bytes.len(), b.items.len(), b.strings.mark(), b.toks.len());
        let result = parsed
            .map_err(|e| Invalid::Syntax(format!("{:?}", e.error())))
            .and_then(|()| {
                b.bytes.extend_from_slice(doc);
                Walk {
                    opts: &self.opts,
                    track_keys: self
                        .redactor
                        .inner
                        .allow
                        .as_ref()
                        .is_some_and(crate::allow::Allow::needs_keys),
                    doc,
                    base: mark.0,
                    tape: &tape.0,
                    ti: 0,
                    stack: &mut scratch.stack,
                    b: &mut *b,
                }
                .run()
            });
        scratch.tape = Some(tape.reset());
        match result {
            Ok(()) => {
                b.docs.push(Doc {
                    bytes: mark.0..b.bytes.len(),
                    items: mark.1..b.items.len(),
                });
                Ok(())
            }
            Err(e) => {
                b.bytes.truncate(mark.0);
                b.items.truncate(mark.1);
                b.strings.rewind(mark.2);
                b.toks.truncate(mark.3);
                Err(e)
            }
        }
    }

    /// Redacts every planned string (see `strings.rs`).
    pub(crate) fn scan(&self, scratch: &mut JsonScratch) {
        let b = &mut scratch.batch;
        b.strings.scan(&self.redactor, &mut scratch.stream);
    }

    /// Writes planned document `doc` and returns its findings (spans relative to it).
    pub(crate) fn emit(
        &self,
        scratch: &JsonScratch,
        doc: usize,
        out: &mut Vec<u8>,
    ) -> Vec<Finding> {
        let b = &scratch.batch;
        let d = &b.docs[doc];
        let bytes = &b.bytes[d.bytes.clone()];
        let mut findings = vec![];
        let push = |seg: u32, findings: &mut Vec<Finding>| {
            let s = &b.toks[seg as usize];
            for f in b.strings.findings(seg) {
                let mut f = f.clone();
                f.span = if s.escaped || f.span.start == u64::MAX {
                    s.tok.start as u64..s.tok.end as u64
                } else {
                    let at = (s.tok.start + 1) as u64;
                    at + f.span.start..at + f.span.end
                };
                f.line = 1;
                findings.push(f);
            }
        };
        for item in &b.items[d.items.clone()] {
            match *item {
                Item::Copy(ref r) => out.extend_from_slice(&b.bytes[r.clone()]),
                Item::Str(seg) => {
                    if b.strings.changed(seg) {
                        write_escaped(b.strings.out(seg), out);
                    } else {
                        out.extend_from_slice(&bytes[b.toks[seg as usize].tok.clone()]);
                    }
                    push(seg, &mut findings);
                }
                Item::Hidden(ref range, ref segs, ref key) => {
                    if self.hidden_allowed(b, bytes, range, segs, key) {
                        // Written as if its key were not sensitive.
                        let mut at = range.start;
                        for seg in segs.clone() {
                            let tok = b.toks[seg as usize].tok.clone();
                            out.extend_from_slice(&bytes[at..tok.start]);
                            if b.strings.changed(seg) {
                                write_escaped(b.strings.out(seg), out);
                            } else {
                                out.extend_from_slice(&bytes[tok.clone()]);
                            }
                            push(seg, &mut findings);
                            at = tok.end;
                        }
                        out.extend_from_slice(&bytes[at..range.end]);
                        findings.push(key_finding(range, ActionKind::Allowed));
                        continue;
                    }
                    out.push(b'"');
                    out.extend_from_slice(REDACTED.as_bytes());
                    out.push(b'"');
                    let before = findings.len();
                    for seg in segs.clone() {
                        push(seg, &mut findings);
                    }
                    // The rules' findings stay (a canary is reported as one); unless one
                    // was acted on, the value is reported by its key.
                    if !findings[before..].iter().any(|f| f.action.acted_on()) {
                        findings.push(key_finding(range, ActionKind::Label));
                    }
                }
            }
        }
        findings.sort_by_key(|f| f.span.start);
        if memchr::memchr(b'\n', bytes).is_some() {
            for f in &mut findings {
                let at = (f.span.start as usize).min(bytes.len());
                f.line = 1 + memchr::memchr_iter(b'\n', &bytes[..at]).count() as u64;
            }
        }
        findings
    }
}

/// The finding of a value hidden for its key (`bytes[range]` of its document).
fn key_finding(range: &Range<usize>, action: ActionKind) -> Finding {
    Finding {
        rule: KEY_RULE,
        rule_id: KEY_RULE_ID.into(),
        category: Category::Secret,
        label: "REDACTED".into(),
        span: range.start as u64..range.end as u64,
        line: 1,
        confidence: Confidence::High,
        action,
    }
}

impl JsonRedactor {
    /// Whether the allowlist allows the value `bytes[range]` hidden for its key: its text
    /// (a string's unescaped text, else the JSON as written), its key, the input's path.
    fn hidden_allowed(
        &self,
        b: &Batch,
        bytes: &[u8],
        range: &Range<usize>,
        segs: &Range<u32>,
        key: &Range<usize>,
    ) -> bool {
        let Some(ref allow) = self.redactor.inner.allow else {
            return false;
        };
        let one_string = segs.len() == 1 && b.toks[segs.start as usize].tok == *range;
        let value = match one_string {
            true => b.strings.text(segs.start),
            false => &bytes[range.clone()],
        };
        let place = crate::allow::Place {
            key: (!key.is_empty()).then(|| b.strings.key_text(key.clone())),
            path: self.redactor.path.as_deref(),
        };
        allow.allows(crate::allow::Target::Key, value, place)
    }
}

impl JsonScratch {
    /// Uses `vault` for the `placeholder` action of the documents redacted with this scratch
    /// from now on (see [`StreamRedactor::set_vault`]), e.g. one vault per proxied request.
    pub fn set_vault(&mut self, vault: crate::placeholder::Vault) {
        self.stream.set_vault(vault);
    }

    /// Bytes of the documents planned since the last [`JsonScratch::clear_batch`].
    pub(crate) fn batch_bytes(&self) -> usize {
        self.batch.bytes.len()
    }

    /// Forgets the planned documents.
    pub(crate) fn clear_batch(&mut self) {
        self.batch.clear();
    }
}

impl Batch {
    fn clear(&mut self) {
        self.bytes.clear();
        self.docs.clear();
        self.items.clear();
        self.strings.clear();
        self.toks.clear();
    }
}

struct Walk<'a, 't> {
    opts: &'a JsonOptions,
    /// Whether to keep each string's key (for the allowlist's `json_keys`).
    track_keys: bool,
    doc: &'a [u8],
    /// Offset of `doc` in `Batch::bytes`.
    base: usize,
    tape: &'a [Node<'t>],
    ti: usize,
    stack: &'a mut Vec<Frame>,
    b: &'a mut Batch,
}

impl Walk<'_, '_> {
    fn run(&mut self) -> Result<(), Invalid> {
        let doc = self.doc;
        let opts = self.opts;
        self.stack.clear();
        let mut i = 0;
        // Bytes from here to `i` are copied as they are.
        let mut copy_from = 0;
        // The value about to be read is under a sensitive key.
        let mut sensitive = false;
        // Inside a redacted container: (stack depth to return to, its start, first segment).
        let mut hidden: Option<(usize, usize, u32)> = None;
        while i < doc.len() {
            let c = doc[i];
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' => {
                    if c == b',' {
                        if let Some(top) = self.stack.last_mut() {
                            top.expect_key = top.object;
                        }
                    }
                    i += 1;
                }
                b'{' | b'[' => {
                    if self.stack.len() >= opts.max_depth {
                        return Err(Invalid::TooDeep);
                    }
                    self.ti += 1;
                    if sensitive && hidden.is_none() {
                        self.copy(copy_from, i);
                        hidden = Some((self.stack.len(), i, self.b.strings.len() as u32));
                    }
                    sensitive = false;
                    let key = self.key();
                    self.stack.push(Frame {
                        object: c == b'{',
                        expect_key: c == b'{',
                        key,
                    });
                    i += 1;
                }
                b'}' | b']' => {
                    self.stack.pop().ok_or_else(syntax)?;
                    i += 1;
                    if let Some((depth, start, seg)) = hidden {
                        if depth == self.stack.len() {
                            hidden = None;
                            let segs = seg..self.b.strings.len() as u32;
                            let key = self.key();
                            self.b.items.push(Item::Hidden(start..i, segs, key));
                            copy_from = i;
                        }
                    }
                }
                b'"' => {
                    let (end, escaped) = string_end(doc, i)?;
                    let node = self.tape.get(self.ti).copied();
                    self.ti += 1;
                    let Some(Node::String(unescaped)) = node else {
                        return Err(syntax());
                    };
                    let text: &[u8] = if escaped {
                        unescaped.as_bytes()
                    } else {
                        &doc[i + 1..end - 1]
                    };
                    let is_key = match self.stack.last_mut() {
                        Some(top) if top.expect_key => {
                            top.expect_key = false;
                            true
                        }
                        _ => false,
                    };
                    if hidden.is_some() {
                        if !is_key && !text.is_empty() {
                            self.seg(i..end, text, escaped);
                        }
                    } else if is_key {
                        sensitive = opts.keys.matches(text);
                        if self.track_keys {
                            let key = self.b.strings.key(text);
                            if let Some(top) = self.stack.last_mut() {
                                top.key = key;
                            }
                        }
                        if opts.scan_keys && !text.is_empty() {
                            self.copy(copy_from, i);
                            let seg = self.seg(i..end, text, escaped);
                            self.b.items.push(Item::Str(seg));
                            copy_from = end;
                        }
                    } else if sensitive {
                        self.copy(copy_from, i);
                        let segs = if text.is_empty() {
                            let n = self.b.strings.len() as u32;
                            n..n
                        } else {
                            let seg = self.seg(i..end, text, escaped);
                            seg..seg + 1
                        };
                        let key = self.key();
                        self.b.items.push(Item::Hidden(i..end, segs, key));
                        copy_from = end;
                        sensitive = false;
                    } else if !text.is_empty() {
                        self.copy(copy_from, i);
                        let seg = self.seg(i..end, text, escaped);
                        self.b.items.push(Item::Str(seg));
                        copy_from = end;
                    }
                    i = end;
                }
                _ => {
                    // A number, true, false or null: copied as written.
                    let s = i;
                    while i < doc.len()
                        && !matches!(doc[i], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                    {
                        i += 1;
                    }
                    self.ti += 1;
                    if sensitive && hidden.is_none() {
                        self.copy(copy_from, s);
                        let n = self.b.strings.len() as u32;
                        let key = self.key();
                        self.b.items.push(Item::Hidden(s..i, n..n, key));
                        copy_from = i;
                    }
                    sensitive = false;
                }
            }
        }
        if !self.stack.is_empty() || hidden.is_some() {
            return Err(syntax());
        }
        self.copy(copy_from, doc.len());
        Ok(())
    }

    fn abs(&self, r: Range<usize>) -> Range<usize> {
        self.base + r.start..self.base + r.end
    }

    /// Plans copying `doc[from..to]`.
    fn copy(&mut self, from: usize, to: usize) {
        if from < to {
            let r = self.abs(from..to);
            self.b.items.push(Item::Copy(r));
        }
    }

    /// The key holding the value about to be read (empty when keys are not kept).
    fn key(&self) -> Range<usize> {
        self.stack.last().map_or(0..0, |f| f.key.clone())
    }

    /// Adds the text of the string token `doc[tok]` to the batch.
    fn seg(&mut self, tok: Range<usize>, text: &[u8], escaped: bool) -> u32 {
        self.b.toks.push(Tok { tok, escaped });
        let key = self.key();
        self.b.strings.push_keyed(text, key)
    }
}

fn syntax() -> Invalid {
    Invalid::Syntax("unexpected structure".into())
}

/// The end (one past the closing quote) of the string token starting at `doc[start]`, and
/// whether it holds escapes.
pub(crate) fn string_end(doc: &[u8], start: usize) -> Result<(usize, bool), Invalid> {
    let mut i = start + 1;
    let mut escaped = false;
    loop {
        match memchr::memchr2(b'"', b'\\', &doc[i..]) {
            None => return Err(syntax()),
            Some(n) if doc[i + n] == b'"' => return Ok((i + n + 1, escaped)),
            Some(n) => {
                escaped = true;
                i += n + 2;
                if i > doc.len() {
                    return Err(syntax());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json() -> JsonRedactor {
        JsonRedactor::new(
            Redactor::builder().build().expect("catalog"),
            JsonOptions::default(),
        )
    }

    fn redact(doc: &str) -> Result<String, Invalid> {
        let j = json();
        let mut s = j.scratch();
        let mut out = vec![];
        j.redact_document(&mut s, doc.as_bytes(), &mut out)?;
        Ok(String::from_utf8(out).expect("utf-8"))
    }

    #[test]
    fn untouched_is_byte_identical() {
        for doc in [
            r#"{"a":1.10,"b":-0,"c":1e3,"d":[true,false,null],"e":{"f":"g\u0041\/"}}"#,
            " { \"a\" : [ 1 , 2 ] , \"a\" : \"dup\" } \r",
            r#""just a string""#,
            "42",
            "[]",
            r#"{"max_tokens":4096,"token_type":"Bearer"}"#,
        ] {
            assert_eq!(redact(doc).unwrap(), doc);
        }
    }

    #[test]
    fn escapes_do_not_hide_secrets() {
        assert_eq!(
            redact(r#"{"m":"mail alice\u0040example.com now"}"#).unwrap(),
            r#"{"m":"mail [EMAIL] now"}"#
        );
        assert_eq!(
            redact(r#"{"m":"say \"hi\" to bob@example.com\n"}"#).unwrap(),
            r#"{"m":"say \"hi\" to [EMAIL]\n"}"#
        );
    }

    #[test]
    fn sensitive_keys_redact_any_type() {
        assert_eq!(
            redact(r#"{"password":123,"auth":{"apiKey":{"a":[1,"x"]}},"cookie":null,"n":1}"#)
                .unwrap(),
            r#"{"password":"[REDACTED]","auth":{"apiKey":"[REDACTED]"},"cookie":"[REDACTED]","n":1}"#
        );
    }

    #[test]
    fn invalid_and_deep() {
        assert!(matches!(redact(r#"{"a":"#), Err(Invalid::Syntax(_))));
        assert!(matches!(redact("{\"a\":1} x"), Err(Invalid::Syntax(_))));
        assert!(matches!(redact(""), Err(Invalid::Syntax(_))));
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(redact(&deep), Err(Invalid::TooDeep));
    }

    #[test]
    fn escaping_round_trip() {
        let mut out = vec![];
        write_escaped("a\"b\\c\nd\u{1}é".as_bytes(), &mut out);
        assert_eq!(out, r#""a\"b\\c\nd\u0001é""#.as_bytes());
    }
}
