//! Overlap resolution: one winner per byte.
//!
//! Each detection *claims* the bytes of its whole match. A byte claimed by several
//! detections belongs to the one with the highest priority: blackbar's own tokens (see
//! [`crate::token`]) beat everything, then canary beats secret beats pii, then a specific
//! rule beats a generic one (`generic = true`: `password = ...` loses to the token format it
//! surrounds), then the longer claim, then the earlier claim, then the earlier rule. A
//! detection redacts the bytes of its span (its `secret` group, or the match) that it won.
//!
//! Resolution is local: a byte's winner depends only on the detections that claim it, so the
//! stream can resolve any prefix of the input once every detection starting in it is known,
//! and the result never depends on how the input was chunked. Every byte claimed by any
//! redacting detection inside its span is redacted by someone; none leaks because a
//! higher-priority claim overlapped part of a lower one.

use std::cmp::Reverse;
use std::ops::Range;

use crate::engine::Detection;
use crate::rules::RuleSet;

/// A maximal run of bytes redacted by one detection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// The bytes (absolute offsets).
    pub range: Range<u64>,
    /// Index of the winning detection in the slice given to [`segments`].
    pub winner: usize,
}

type Priority = (bool, crate::Category, bool, u64, Reverse<u64>, Reverse<u32>);

fn priority(rules: &RuleSet, d: &Detection) -> Priority {
    let rule = &rules.rules()[d.rule as usize];
    (
        // blackbar's own tokens beat everything, so no other rule re-redacts their bytes.
        crate::token::is_own_rule(rule),
        rule.category,
        !rule.generic,
        d.claim.end - d.claim.start,
        Reverse(d.claim.start),
        Reverse(d.rule),
    )
}

/// The redacted segments within `window`, in order, given every detection whose claim
/// overlaps it.
pub fn segments(rules: &RuleSet, dets: &[Detection], window: Range<u64>) -> Vec<Segment> {
    if dets.is_empty() {
        // The clean path: no allocation.
        return Vec::new();
    }
    let mut points: Vec<u64> = vec![window.start, window.end];
    for d in dets {
        for p in [d.claim.start, d.claim.end, d.span.start, d.span.end] {
            if window.start < p && p < window.end {
                points.push(p);
            }
        }
    }
    points.sort_unstable();
    points.dedup();
    let prio: Vec<Priority> = dets.iter().map(|d| priority(rules, d)).collect();
    let mut out: Vec<Segment> = vec![];
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let winner = (0..dets.len())
            .filter(|&k| dets[k].claim.start <= a && b <= dets[k].claim.end)
            .max_by(|&x, &y| prio[x].cmp(&prio[y]));
        let Some(w) = winner else { continue };
        if !(dets[w].span.start <= a && b <= dets[w].span.end) {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.winner == w && last.range.end == a => last.range.end = b,
            _ => out.push(Segment {
                range: a..b,
                winner: w,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Confidence;

    fn det(rule: u32, claim: Range<u64>, span: Range<u64>) -> Detection {
        Detection {
            rule,
            claim,
            span,
            confidence: Confidence::High,
        }
    }

    #[test]
    fn higher_category_wins_and_loser_keeps_the_rest() {
        let rules = RuleSet::default_catalog();
        let pii = rules
            .rules()
            .iter()
            .position(|r| r.category == crate::Category::Pii)
            .unwrap() as u32;
        let secret = rules
            .rules()
            .iter()
            .position(|r| r.category == crate::Category::Secret)
            .unwrap() as u32;
        let dets = vec![det(pii, 0..10, 0..10), det(secret, 5..8, 5..8)];
        let segs = segments(&rules, &dets, 0..20);
        assert_eq!(
            segs,
            vec![
                Segment {
                    range: 0..5,
                    winner: 0
                },
                Segment {
                    range: 5..8,
                    winner: 1
                },
                Segment {
                    range: 8..10,
                    winner: 0
                },
            ]
        );
    }

    #[test]
    fn claim_outside_span_is_not_redacted() {
        let rules = RuleSet::default_catalog();
        let dets = vec![det(0, 0..10, 6..10)];
        assert_eq!(
            segments(&rules, &dets, 0..10),
            vec![Segment {
                range: 6..10,
                winner: 0
            }]
        );
    }
}
