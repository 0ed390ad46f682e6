//! What the chunking fuzz targets share: streaming an input in pseudo-random chunk sizes drawn
//! from a one-byte seed, and comparing findings as sets.

use blackbar::{Finding, Redactor};

/// Streams `input` through `r` in chunks of 1 to 97 bytes chosen by `seed`; returns the output
/// and the findings.
pub fn stream(r: &Redactor, seed: u8, input: &[u8]) -> (Vec<u8>, Vec<Finding>) {
    let mut s = r.stream();
    let mut out = vec![];
    let mut rest = input;
    let mut k = u32::from(seed);
    while !rest.is_empty() {
        k = k.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = (1 + (k >> 16) as usize % 97).min(rest.len());
        s.feed(&rest[..n], &mut out);
        rest = &rest[n..];
    }
    s.finish(&mut out);
    (out, s.take_findings())
}

/// Findings in a canonical order: findings with the same span may come out in another order
/// when streamed; the set must be the same.
pub fn sorted(mut v: Vec<Finding>) -> Vec<Finding> {
    v.sort_by(|a, b| (a.span.start, a.span.end, a.rule).cmp(&(b.span.start, b.span.end, b.rule)));
    v
}
