//! Overlap resolution: whole spans, never fragments.
//!
//! Detections of different rules may overlap. Resolution turns them into disjoint
//! *segments*, each redacted by one rule's action, so that every replacement stands for one
//! whole value and can be reversed whole (a token, a placeholder):
//!
//! 1. **Priority.** blackbar's own tokens (see [`crate::token`]) and allowed detections (see
//!    [`crate::Allowlist`]) beat everything, then canary beats secret beats pii, then a specific rule beats a generic one (`generic = true`),
//!    then the longer claim, the earlier claim, the earlier rule.
//! 2. **Explained bytes.** A detection whose span lies inside the claim (the whole match) of
//!    a stronger detection and overlaps that detection's span is dropped: the stronger match
//!    explains those bytes. In `https://user:pass@host.example` the URL credential rule
//!    redacts `pass`, and the e-mail rule's `pass@host.example` is part of its match, not a
//!    second value. This is local: it looks only at the detections whose claims hold the
//!    span.
//! 3. **Merge.** The remaining detections whose spans share a byte form one cluster,
//!    transitively; the cluster's union is one segment, redacted by its strongest member. A
//!    detection inside another is thereby absorbed by it; two adjacent detections (touching,
//!    not overlapping) stay two segments.
//! 4. **Tokens stay.** blackbar's own tokens are never merged: they are left as they are, and
//!    a cluster that overlaps one is redacted around it. Tokens delimit themselves, so the
//!    pieces around them stay readable. Allowed detections stay the same way: an allowed
//!    value is never changed.
//! 5. **Bounded.** A cluster longer than [`MAX_SEGMENT`] bytes, which takes a chain of
//!    overlapping matches that long, is cut every [`MAX_SEGMENT`] bytes, so memory never
//!    depends on the input.
//!
//! Resolution is local and forward: a segment depends only on detections whose spans
//! overlap its cluster and on those whose claims hold them, and a cluster is final once no
//! detection starting later can reach it. The stream therefore resolves any prefix of the
//! input once every detection starting in it is known, holds back only a cluster that may
//! still grow, and the result never depends on how the input was chunked.

use std::cmp::Reverse;
use std::ops::Range;

use crate::finding::Detection;
use crate::rules::RuleSet;

/// The longest segment: a cluster of overlapping matches longer than this is cut.
pub(crate) const MAX_SEGMENT: u64 = 64 * 1024;

/// A run of bytes redacted by one detection's action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    /// The bytes (absolute offsets).
    pub range: Range<u64>,
    /// Index of the winning detection in the slice given to [`segments`].
    pub winner: usize,
    /// Everything this segment's outcome depends on: its cluster's extent, with any own token
    /// inside it. A stream may release the segment only once no detection still unknown can
    /// overlap this range.
    pub whole: Range<u64>,
    /// Where the cluster was cut for being longer than [`MAX_SEGMENT`], if it was.
    pub cut: Option<u64>,
}

type Priority = (bool, crate::Category, bool, u64, Reverse<u64>, Reverse<u32>);

fn priority(rules: &RuleSet, d: &Detection) -> Priority {
    let rule = &rules.rules()[d.rule as usize];
    (
        // blackbar's own tokens and allowed values beat everything, so no other rule
        // re-redacts their bytes.
        rule.is_own_token() || d.allowed,
        rule.category,
        !rule.generic,
        d.claim.end - d.claim.start,
        Reverse(d.claim.start),
        Reverse(d.rule),
    )
}

fn overlaps(a: &Range<u64>, b: &Range<u64>) -> bool {
    a.start < b.end && b.start < a.end
}

/// The segments of `dets` that end after `from`, in order.
///
/// `dets` holds every detection that can matter: each one whose span ends after `from`,
/// and each one whose claim holds such a span. Segments ending at or before `from` were
/// resolved by an earlier call. `resumed` is where the previous call cut an over-long
/// cluster, when it did: spans crossing it continue from there.
pub(crate) fn segments(
    rules: &RuleSet,
    dets: &[Detection],
    from: u64,
    resumed: Option<u64>,
) -> Vec<Segment> {
    if dets.is_empty() {
        // The clean path: no allocation.
        return Vec::new();
    }
    let prio: Vec<Priority> = dets.iter().map(|d| priority(rules, d)).collect();
    let own: Vec<bool> = prio.iter().map(|p| p.0).collect();
    let mut order: Vec<usize> = (0..dets.len()).collect();
    order.sort_unstable_by_key(|&i| (dets[i].span.start, dets[i].span.end));
    let longest = dets
        .iter()
        .map(|d| d.span.end - d.span.start)
        .max()
        .unwrap_or(0);

    // 2. Explained bytes: a stronger detection whose span overlaps this one's starts less
    // than `longest` bytes before it.
    let explained = |i: usize| {
        let d = &dets[i];
        let lo = order.partition_point(|&k| dets[k].span.start + longest <= d.span.start);
        let hi = order.partition_point(|&k| dets[k].span.start < d.span.end);
        order[lo..hi].iter().any(|&k| {
            k != i
                && prio[k] > prio[i]
                && overlaps(&dets[k].span, &d.span)
                && ((dets[k].claim.start <= d.span.start && d.span.end <= dets[k].claim.end)
                    // Two values that stay as they are (own tokens, allowed values) never
                    // overlap as segments: the stronger one stands for the bytes.
                    || (own[k] && own[i]))
        })
    };
    let start_at = |i: usize| match resumed {
        Some(at) if dets[i].span.start < at => at,
        _ => dets[i].span.start,
    };
    let floor = resumed.map_or(from, |at| at.max(from));
    let mut tokens: Vec<usize> = vec![];
    let mut kept: Vec<usize> = vec![];
    for &i in &order {
        if dets[i].span.end <= floor || dets[i].span.is_empty() || explained(i) {
            continue;
        }
        if own[i] {
            tokens.push(i);
        } else {
            kept.push(i);
        }
    }
    kept.sort_by_key(|&i| start_at(i));

    // 3 and 5. Clusters of overlapping spans, cut at MAX_SEGMENT.
    let mut clusters: Vec<(Range<u64>, usize, Option<u64>)> = vec![];
    let mut list = kept;
    let mut carry_from: Option<u64> = None;
    let mut i = 0;
    while i < list.len() {
        let begin = |k: usize| carry_from.map_or(start_at(k), |at| start_at(k).max(at));
        let start = begin(list[i]);
        let limit = start + MAX_SEGMENT;
        let mut end = dets[list[i]].span.end;
        let mut winner = list[i];
        let mut j = i + 1;
        while j < list.len() && begin(list[j]) < end.min(limit) {
            end = end.max(dets[list[j]].span.end);
            if prio[list[j]] > prio[winner] {
                winner = list[j];
            }
            j += 1;
        }
        if end <= limit {
            clusters.push((start..end, winner, None));
            i = j;
            continue;
        }
        // A chain longer than MAX_SEGMENT: cut it, and go on from the cut with what crosses it.
        clusters.push((start..limit, winner, Some(limit)));
        list = list[i..]
            .iter()
            .copied()
            .filter(|&k| dets[k].span.end > limit)
            .collect();
        list.sort_by_key(|&k| start_at(k).max(limit));
        carry_from = Some(limit);
        i = 0;
    }

    // 4. Tokens stay: clusters are redacted around them.
    let mut out: Vec<Segment> = Vec::with_capacity(clusters.len() + tokens.len());
    let mut t = 0;
    for (range, winner, cut) in clusters {
        let mut pos = range.start;
        while t < tokens.len() && dets[tokens[t]].span.start < range.end {
            let span = dets[tokens[t]].span.clone();
            if span.end <= range.start {
                out.push(token_segment(span, tokens[t], None));
            } else {
                if pos < span.start {
                    out.push(Segment {
                        range: pos..span.start,
                        winner,
                        whole: range.clone(),
                        cut,
                    });
                }
                pos = pos.max(span.end);
                out.push(token_segment(span, tokens[t], Some(&range)));
            }
            t += 1;
        }
        if pos < range.end {
            out.push(Segment {
                range: pos..range.end,
                winner,
                whole: range.clone(),
                cut,
            });
        }
    }
    for &k in &tokens[t..] {
        out.push(token_segment(dets[k].span.clone(), k, None));
    }
    out
}

fn token_segment(span: Range<u64>, winner: usize, cluster: Option<&Range<u64>>) -> Segment {
    let whole = match cluster {
        Some(c) => c.start.min(span.start)..c.end.max(span.end),
        None => span.clone(),
    };
    Segment {
        range: span,
        winner,
        whole,
        cut: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Category, Confidence};

    fn det(rule: u32, claim: Range<u64>, span: Range<u64>) -> Detection {
        Detection {
            rule,
            claim,
            span,
            confidence: Confidence::High,
            allowed: false,
        }
    }

    fn allowed(mut d: Detection) -> Detection {
        d.allowed = true;
        d
    }

    fn rule_of(rules: &RuleSet, f: impl Fn(&crate::rules::Rule) -> bool) -> u32 {
        rules.rules().iter().position(f).unwrap() as u32
    }

    fn ranges(segs: &[Segment]) -> Vec<(Range<u64>, usize)> {
        segs.iter().map(|s| (s.range.clone(), s.winner)).collect()
    }

    /// One table: detections in, whole segments out.
    #[test]
    fn whole_spans_never_fragments() {
        let rules = RuleSet::default_catalog();
        let pii = rule_of(&rules, |r| r.category == Category::Pii && !r.generic);
        let secret = rule_of(&rules, |r| r.category == Category::Secret && !r.generic);
        let generic = rule_of(&rules, |r| r.category == Category::Secret && r.generic);
        let token = rule_of(&rules, crate::rules::Rule::is_own_token);
        type Case = (&'static str, Vec<Detection>, Vec<(Range<u64>, usize)>);
        let cases: Vec<Case> = vec![
            (
                "overlap merges, the strongest labels the union",
                vec![det(pii, 0..10, 0..10), det(secret, 5..15, 5..15)],
                vec![(0..15, 1)],
            ),
            (
                "a detection inside another is absorbed",
                vec![det(pii, 0..20, 0..20), det(secret, 5..8, 5..8)],
                vec![(0..20, 1)],
            ),
            (
                "adjacent detections stay two segments",
                vec![det(pii, 0..10, 0..10), det(secret, 10..20, 10..20)],
                vec![(0..10, 0), (10..20, 1)],
            ),
            (
                "merging is transitive",
                vec![
                    det(pii, 0..10, 0..10),
                    det(pii, 8..20, 8..20),
                    det(generic, 18..30, 18..30),
                ],
                vec![(0..30, 2)],
            ),
            (
                "a span inside a stronger claim, overlapping its span, is explained",
                vec![det(secret, 0..30, 10..14), det(pii, 10..26, 10..26)],
                vec![(10..14, 0)],
            ),
            (
                "a span inside a stronger claim but apart from its span stays",
                vec![det(secret, 0..30, 20..30), det(pii, 2..12, 2..12)],
                vec![(2..12, 1), (20..30, 0)],
            ),
            (
                "specific beats generic on the same bytes",
                vec![det(generic, 0..20, 9..20), det(secret, 9..20, 9..20)],
                vec![(9..20, 1)],
            ),
            (
                "a cluster is redacted around an own token",
                vec![
                    det(pii, 0..30, 0..30),
                    det(token, 10..20, 10..20),
                    det(pii, 25..40, 25..40),
                ],
                vec![(0..10, 0), (10..20, 1), (20..40, 0)],
            ),
            (
                "a span inside an own token is explained",
                vec![det(token, 0..50, 0..50), det(pii, 10..20, 10..20)],
                vec![(0..50, 0)],
            ),
            (
                "an allowed detection beats a stronger rule on the same bytes",
                vec![det(secret, 0..10, 0..10), allowed(det(pii, 0..10, 0..10))],
                vec![(0..10, 1)],
            ),
            (
                "a cluster is redacted around an allowed detection",
                vec![det(pii, 0..30, 0..30), allowed(det(pii, 10..20, 10..20))],
                vec![(0..10, 0), (10..20, 1), (20..30, 0)],
            ),
            (
                "of two overlapping allowed detections the stronger stands for the bytes",
                vec![
                    allowed(det(generic, 0..44, 22..44)),
                    allowed(det(secret, 15..40, 22..40)),
                ],
                vec![(22..40, 1)],
            ),
            (
                "a span inside an allowed claim, overlapping its span, is explained",
                vec![
                    allowed(det(generic, 0..30, 10..14)),
                    det(secret, 10..26, 10..26),
                ],
                vec![(10..14, 0)],
            ),
            (
                "glued tokens stay two",
                vec![det(token, 0..50, 0..50), det(token, 50..90, 50..90)],
                vec![(0..50, 0), (50..90, 1)],
            ),
        ];
        for (name, dets, want) in cases {
            assert_eq!(ranges(&segments(&rules, &dets, 0, None)), want, "{name}");
        }
    }

    #[test]
    fn segments_before_from_are_left_out() {
        let rules = RuleSet::default_catalog();
        let pii = rule_of(&rules, |r| r.category == Category::Pii);
        let dets = vec![det(pii, 0..10, 0..10), det(pii, 20..30, 20..30)];
        assert_eq!(
            ranges(&segments(&rules, &dets, 10, None)),
            vec![(20..30, 1)]
        );
    }

    #[test]
    fn a_chain_longer_than_the_bound_is_cut_and_resumed() {
        let rules = RuleSet::default_catalog();
        let pii = rule_of(&rules, |r| r.category == Category::Pii);
        let secret = rule_of(&rules, |r| r.category == Category::Secret && !r.generic);
        // Overlapping 20-byte detections every 10 bytes, well past MAX_SEGMENT.
        let mut dets: Vec<Detection> = (0..20_000u64)
            .map(|k| det(pii, k * 10..k * 10 + 20, k * 10..k * 10 + 20))
            .collect();
        dets.push(det(secret, 70_000..70_020, 70_000..70_020));
        let segs = segments(&rules, &dets, 0, None);
        let total: u64 = segs.iter().map(|s| s.range.end - s.range.start).sum();
        assert_eq!(total, 200_010);
        assert_eq!(segs[0].range, 0..MAX_SEGMENT);
        assert_eq!(segs[0].cut, Some(MAX_SEGMENT));
        assert_eq!(segs[1].range, MAX_SEGMENT..2 * MAX_SEGMENT);
        assert_eq!(
            segs[1].winner,
            dets.len() - 1,
            "the secret labels its piece"
        );
        // Resuming at a cut gives what the one call gave.
        let rest = segments(&rules, &dets, MAX_SEGMENT, Some(MAX_SEGMENT));
        assert_eq!(ranges(&rest), ranges(&segs[1..]));
    }
}
