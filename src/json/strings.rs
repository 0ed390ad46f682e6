//! Many short strings redacted in one scan: the JSON mode's string values, the OTLP hop's
//! bodies and attributes.
//!
//! Scanning each string on its own costs a stream reset and finish per string (most of the
//! time on short fields), so the strings are joined with [`SEP`] and scanned once. The
//! newlines stop context windows and single-line rules at the string's edge, and `0xFF`
//! never occurs in UTF-8, so the output splits back exactly. When a finding still crosses a
//! separator (a multi-line rule, or binary data that holds the separator) or drops a line,
//! every string is scanned on its own instead, which is what the joined scan stands for.
//! Then the redactor's decoders run on each string.

use std::ops::Range;

use crate::finding::{ActionKind, Finding};
use crate::redactor::Redactor;
use crate::stream::StreamRedactor;

/// Separates the strings of a batch: a newline each side (so no context window, and no
/// single-line rule, reaches across) around `0xFF`, a byte that never occurs in UTF-8, so
/// the batch's redacted output splits back into one piece per string.
const SEP: &[u8] = b"\n\xff\n";

/// Strings to redact, joined, and after [`Strings::scan`] their redacted text and findings.
#[derive(Default)]
pub(crate) struct Strings {
    /// The strings, joined by `SEP`.
    text: Vec<u8>,
    segs: Vec<Seg>,
    /// The redacted text of every string (after the scan).
    out: Vec<u8>,
    /// Findings by string, in string order; spans relative to the string, or `u64::MAX..`
    /// for a decoder's finding (it stands for the whole string).
    findings: Vec<(u32, Finding)>,
    decoded: Vec<u8>,
    /// The keys given with [`Strings::key`], one after another.
    key_text: Vec<u8>,
    /// Whether some string has a key.
    keyed: bool,
    /// Where the rules wrote allowed values in `out`: the decoders leave them alone.
    kept: Vec<Range<usize>>,
}

struct Seg {
    /// In `Strings::text`.
    text: Range<usize>,
    /// In `Strings::out`, after the scan.
    out: Range<usize>,
    /// The key holding the string, in `Strings::key_text` (empty: none).
    key: Range<usize>,
}

/// Where a batch stood, to go back to it ([`Strings::rewind`]).
#[derive(Clone, Copy)]
pub(crate) struct Mark(usize, usize, usize);

impl Strings {
    /// Forgets every string.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.segs.clear();
        self.out.clear();
        self.findings.clear();
        self.key_text.clear();
        self.keyed = false;
        self.kept.clear();
    }

    /// Keeps a key's text for [`Strings::push_keyed`]; returns where it is.
    pub(crate) fn key(&mut self, key: &[u8]) -> Range<usize> {
        let at = self.key_text.len();
        self.key_text.extend_from_slice(key);
        at..self.key_text.len()
    }

    /// A key kept with [`Strings::key`].
    pub(crate) fn key_text(&self, key: Range<usize>) -> &[u8] {
        &self.key_text[key]
    }

    /// The number of strings.
    pub(crate) fn len(&self) -> usize {
        self.segs.len()
    }

    /// Adds a string held by a key kept with [`Strings::key`] (for the allowlist's
    /// `json_keys`); returns its number.
    pub(crate) fn push_keyed(&mut self, text: &[u8], key: Range<usize>) -> u32 {
        if !self.segs.is_empty() {
            self.text.extend_from_slice(SEP);
        }
        let start = self.text.len();
        self.text.extend_from_slice(text);
        self.keyed |= !key.is_empty();
        self.segs.push(Seg {
            text: start..self.text.len(),
            out: 0..0,
            key,
        });
        (self.segs.len() - 1) as u32
    }

    /// Where the batch stands now.
    pub(crate) fn mark(&self) -> Mark {
        Mark(self.text.len(), self.segs.len(), self.key_text.len())
    }

    /// Forgets the strings added since `mark`.
    pub(crate) fn rewind(&mut self, mark: Mark) {
        self.text.truncate(mark.0);
        self.segs.truncate(mark.1);
        self.key_text.truncate(mark.2);
    }

    /// Tells `stream` which key holds each string: of the batch (`seg` `None`), or of string
    /// `seg` scanned alone.
    fn tell_keys(&self, stream: &mut StreamRedactor, seg: Option<usize>) {
        if !self.keyed {
            return;
        }
        let key = |s: &Seg| &self.key_text[s.key.clone()];
        match seg {
            None => stream.set_keys(
                self.segs
                    .iter()
                    .filter(|s| !s.key.is_empty())
                    .map(|s| (s.text.start as u64..s.text.end as u64, key(s))),
            ),
            Some(i) => {
                let s = &self.segs[i];
                stream.set_keys((!s.key.is_empty()).then(|| (0..u64::MAX, key(s))));
            }
        }
    }

    /// String `seg` as it was added.
    pub(crate) fn text(&self, seg: u32) -> &[u8] {
        &self.text[self.segs[seg as usize].text.clone()]
    }

    /// String `seg` redacted (after [`Strings::scan`]).
    pub(crate) fn out(&self, seg: u32) -> &[u8] {
        &self.out[self.segs[seg as usize].out.clone()]
    }

    /// Whether redaction changed string `seg`.
    pub(crate) fn changed(&self, seg: u32) -> bool {
        self.out(seg) != self.text(seg)
    }

    /// The findings of string `seg`.
    pub(crate) fn findings(&self, seg: u32) -> impl Iterator<Item = &Finding> {
        let lo = self.findings.partition_point(|(i, _)| *i < seg);
        self.findings[lo..]
            .iter()
            .take_while(move |(i, _)| *i == seg)
            .map(|(_, f)| f)
    }

    /// Every finding, in string order.
    #[cfg(feature = "otlp")]
    pub(crate) fn all_findings(&self) -> impl Iterator<Item = (u32, &Finding)> {
        self.findings.iter().map(|(i, f)| (*i, f))
    }

    /// Redacts every string with `r` (and `stream`, a stream of `r` kept as scratch): one
    /// scan of the whole batch when no finding crosses a separator and none drops (the
    /// common case), else one scan per string. Then the decoders, per string.
    pub(crate) fn scan(&mut self, r: &Redactor, stream: &mut StreamRedactor) {
        self.out.clear();
        self.findings.clear();
        if self.segs.is_empty() {
            return;
        }
        self.tell_keys(stream, None);
        self.kept.clear();
        let found = r.redact_with(stream, &self.text, &mut self.out);
        self.kept.extend_from_slice(stream.kept());
        if !self.split(found) {
            // A match crossed from one string into the next (or a `drop`): scan each
            // string on its own, which is what the batch stands for.
            self.out.clear();
            self.findings.clear();
            self.kept.clear();
            for i in 0..self.segs.len() {
                let start = self.out.len();
                let t = self.segs[i].text.clone();
                self.tell_keys(stream, Some(i));
                let found = r.redact_with(stream, &self.text[t], &mut self.out);
                self.kept.extend_from_slice(stream.kept());
                self.segs[i].out = start..self.out.len();
                self.findings
                    .extend(found.into_iter().map(|f| (i as u32, f)));
            }
        }
        let decoders = &r.inner.decoders;
        if decoders.enabled() {
            let mut extra = vec![];
            for i in 0..self.segs.len() {
                let o = self.segs[i].out.clone();
                self.decoded.clear();
                self.tell_keys(stream, Some(i));
                let kept: Vec<Range<usize>> = self
                    .kept
                    .iter()
                    .filter(|k| k.start < o.end && o.start < k.end)
                    .map(|k| k.start.max(o.start) - o.start..k.end.min(o.end) - o.start)
                    .collect();
                let found = decoders.redact(r, stream, &self.out[o], &kept, &mut self.decoded);
                if !found.is_empty() {
                    let start = self.out.len();
                    self.out.extend_from_slice(&self.decoded);
                    self.segs[i].out = start..self.out.len();
                    extra.extend(found.into_iter().map(|mut f| {
                        f.span = u64::MAX..u64::MAX;
                        (i as u32, f)
                    }));
                }
            }
            if !extra.is_empty() {
                self.findings.extend(extra);
                self.findings.sort_by_key(|(seg, _)| *seg);
            }
        }
        if self.keyed {
            stream.set_keys(None);
        }
    }

    /// Splits the batch's redacted output at the separators and files the findings by
    /// string. False when that is not possible: a finding crosses a separator, or drops.
    fn split(&mut self, found: Vec<Finding>) -> bool {
        let n = self.segs.len();
        for f in found {
            let start = f.span.start as usize;
            let i = self.segs.partition_point(|s| s.text.end <= start);
            if i == n
                || start < self.segs[i].text.start
                || (f.span.end as usize) > self.segs[i].text.end
                || f.action == ActionKind::Drop
            {
                return false;
            }
            let mut f = f;
            let at = self.segs[i].text.start as u64;
            f.span = f.span.start - at..f.span.end - at;
            self.findings.push((i as u32, f));
        }
        let mut start = 0;
        let mut i = 0;
        for p in memchr::memchr_iter(0xff, &self.out) {
            if i + 1 >= n || p == 0 || self.out[p - 1] != b'\n' {
                return false;
            }
            self.segs[i].out = start..p - 1;
            start = p + 2;
            i += 1;
        }
        if i + 1 != n || start > self.out.len() {
            return false;
        }
        self.segs[i].out = start..self.out.len();
        true
    }
}
