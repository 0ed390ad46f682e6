//! The obviously-correct slow version, kept to test the fast path against.
//!
//! [`Reference::detect`] runs every rule's regex over the whole input with no prefilter and no window;
//! [`redact`] resolves and applies actions over the whole input at once. The engine and
//! [`crate::StreamRedactor`] must agree with them for every input and every chunking
//! (`tests/reference.rs`). Only validators, resolution and actions are shared: they define
//! what a finding *is*, not how it is found.

use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};
use regex_automata::{meta, Anchored, Input, PatternID};

use crate::engine::{build_regex, judge};
use crate::finding::ActionKind;
use crate::finding::Detection;
use crate::redactor::{Redacted, Redactor};
use crate::resolve;
use crate::rules::RuleSet;
use crate::stream::finding;

/// Each rule compiled on its own, with no prefilter.
#[derive(Debug)]
pub struct Reference {
    rules: RuleSet,
    regexes: Vec<Option<meta::Regex>>,
}

impl Reference {
    /// Compiles every rule separately.
    ///
    /// # Panics
    ///
    /// If a rule does not compile (a loaded [`RuleSet`] always does).
    pub fn new(rules: &RuleSet) -> Reference {
        let regexes = rules
            .rules()
            .iter()
            .map(|r| {
                r.literals
                    .is_none()
                    .then(|| build_regex(&[&r.pattern]).unwrap())
            })
            .collect();
        Reference {
            rules: rules.clone(),
            regexes,
        }
    }

    /// Every match of every rule over the whole input, validated, sorted by (claim start, rule).
    pub fn detect(&self, input: &[u8]) -> Vec<Detection> {
        detect_with(&self.rules, &self.regexes, input)
    }
}

fn detect_with(rules: &RuleSet, regexes: &[Option<meta::Regex>], input: &[u8]) -> Vec<Detection> {
    let mut out = vec![];
    for (i, rule) in rules.rules().iter().enumerate() {
        let window = rule.context_reach();
        let mut push = |claim: Range<usize>, span: Range<usize>| {
            let confidence = judge(rule, input, claim.clone(), span.clone(), window);
            out.push(Detection {
                rule: i as u32,
                claim: claim.start as u64..claim.end as u64,
                span: span.start as u64..span.end as u64,
                confidence,
                allowed: false,
            });
        };
        if let Some(ref lits) = rule.literals {
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(lits.iter())
                .unwrap();
            for m in ac.find_iter(input) {
                push(m.range(), m.range());
            }
            continue;
        }
        let re = regexes[i].as_ref().expect("a regex rule");
        let group = re.group_info().to_index(PatternID::ZERO, "secret");
        let mut caps = re.create_captures();
        for m in re.find_iter(input) {
            let mut span = m.range();
            if let Some(g) = group {
                re.search_captures(
                    &Input::new(input).range(m.range()).anchored(Anchored::Yes),
                    &mut caps,
                );
                if let Some(sp) = caps.get_group(g).filter(|sp| !sp.is_empty()) {
                    span = sp.range();
                }
            }
            push(m.range(), span);
        }
    }
    out.sort_by_key(|d| (d.claim.start, d.rule));
    out
}

/// Redacts the whole input at once: detect, resolve over everything, apply actions, remove
/// the output lines that hold a `drop`, then run the decoders' stage over the whole output.
/// `reference` must be built from the redactor's rules.
pub fn redact(reference: &Reference, redactor: &Redactor, input: &[u8]) -> Redacted {
    let inner = &redactor.inner;
    let vault = inner.has_placeholder.then(|| {
        let v = crate::placeholder::Vault::default();
        v.observe(input);
        v
    });
    let mut dets = reference.detect(input);
    inner.mark_allowed(
        redactor.path.as_deref(),
        &mut dets,
        |d| input.get(d.span.start as usize..d.span.end as usize),
        |_| None,
    );
    let min = inner.min_confidence;
    let active: Vec<Detection> = dets
        .iter()
        .filter(|d| d.confidence >= min)
        .cloned()
        .collect();
    let line_of = |at: u64| 1 + memchr::memchr_iter(b'\n', &input[..at as usize]).count() as u64;
    let mut findings = vec![];
    // Output pieces, each flagged when it is a dropped finding's place, and where each came
    // from in the input (for the decoders' findings; not under a `drop` policy).
    let mut pieces: Vec<(Vec<u8>, bool)> = vec![];
    let mut origins: Vec<crate::decode::Origin> = vec![];
    let mut at = 0u64;
    let mut origin = |input: std::ops::Range<u64>, len: usize, kept: bool| {
        if !input.is_empty() {
            origins.push(crate::decode::Origin {
                at,
                len: len as u64,
                line: line_of(input.start),
                input,
                kept,
            });
        }
        at += len as u64;
    };
    let mut pos = 0u64;
    for seg in resolve::segments(&inner.rules, &active, 0, None) {
        origin(
            pos..seg.range.start,
            (seg.range.start - pos) as usize,
            false,
        );
        pieces.push((
            input[pos as usize..seg.range.start as usize].to_vec(),
            false,
        ));
        let d = &active[seg.winner];
        let mut rep = vec![];
        let value = &input[seg.range.start as usize..seg.range.end as usize];
        let kind = inner.write_segment(d, value, vault.as_ref(), &mut rep);
        origin(seg.range.clone(), rep.len(), kind == ActionKind::Allowed);
        pieces.push((rep, kind == ActionKind::Drop));
        findings.push(finding(
            inner,
            d,
            seg.range.clone(),
            kind,
            line_of(seg.range.start),
        ));
        pos = seg.range.end;
    }
    origin(pos..input.len() as u64, input.len() - pos as usize, false);
    pieces.push((input[pos as usize..].to_vec(), false));
    for d in dets.iter().filter(|d| d.confidence < min) {
        findings.push(finding(
            inner,
            d,
            d.span.clone(),
            ActionKind::None,
            line_of(d.span.start),
        ));
    }
    findings.sort_by_key(|f| f.span.start);
    // Split into output lines; a line holding a drop disappears with its newline.
    let mut output = vec![];
    let mut line: Vec<u8> = vec![];
    let mut dropped = false;
    for (bytes, is_drop) in pieces {
        dropped |= is_drop;
        for &b in &bytes {
            line.push(b);
            if b == b'\n' {
                if !dropped {
                    output.extend_from_slice(&line);
                }
                line.clear();
                dropped = false;
            }
        }
    }
    if !dropped {
        output.extend_from_slice(&line);
    }
    // The decoders' stage, over the whole output at once.
    if inner.decoders.enabled() {
        let mut stage = crate::decode::DecodeStream::new(redactor, inner.decoders);
        let mut decoded = Vec::with_capacity(output.len());
        match inner.has_drop {
            false => stage.feed_mapped(&output, &origins, &mut decoded),
            true => stage.feed(&output, &mut decoded),
        }
        stage.finish(&mut decoded);
        findings.append(&mut stage.take_findings());
        findings.sort_by_key(|f| f.span.start);
        output = decoded;
    }
    Redacted { output, findings }
}
