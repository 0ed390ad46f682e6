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
}

struct Seg {
    /// In `Strings::text`.
    text: Range<usize>,
    /// In `Strings::out`, after the scan.
    out: Range<usize>,
}

/// Where a batch stood, to go back to it ([`Strings::rewind`]).
#[derive(Clone, Copy)]
pub(crate) struct Mark(usize, usize);

impl Strings {
    /// Forgets every string.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.segs.clear();
        self.out.clear();
        self.findings.clear();
    }

    /// The number of strings.
    pub(crate) fn len(&self) -> usize {
        self.segs.len()
    }

    /// Adds a string; returns its number.
    pub(crate) fn push(&mut self, text: &[u8]) -> u32 {
        if !self.segs.is_empty() {
            self.text.extend_from_slice(SEP);
        }
        let start = self.text.len();
        self.text.extend_from_slice(text);
        self.segs.push(Seg {
            text: start..self.text.len(),
            out: 0..0,
        });
        (self.segs.len() - 1) as u32
    }

    /// Where the batch stands now.
    pub(crate) fn mark(&self) -> Mark {
        Mark(self.text.len(), self.segs.len())
    }

    /// Forgets the strings added since `mark`.
    pub(crate) fn rewind(&mut self, mark: Mark) {
        self.text.truncate(mark.0);
        self.segs.truncate(mark.1);
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
        let found = r.redact_with(stream, &self.text, &mut self.out);
        if !self.split(found) {
            // A match crossed from one string into the next (or a `drop`): scan each
            // string on its own, which is what the batch stands for.
            self.out.clear();
            self.findings.clear();
            for i in 0..self.segs.len() {
                let start = self.out.len();
                let t = self.segs[i].text.clone();
                let found = r.redact_with(stream, &self.text[t], &mut self.out);
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
                let found = decoders.redact(r, stream, &self.out[o], &mut self.decoded);
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
