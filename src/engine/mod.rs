//! The matching engine: a multi-pattern prefilter pass proposes *anchors*, an anchored
//! regex confirm gives each match's exact span, validators give its confidence.
//!
//! # The prefilter contract
//!
//! Every match of every rule starts inside at least one anchor that the prefilter reports
//! for that rule. The prefilter may report anchors with no match (false candidates are only
//! a cost); it never misses one. Anchors come from three sources:
//!
//! * **keywords** (Aho-Corasick, ASCII case-insensitive, overlapping): a rule's match contains
//!   one of its keywords starting at most `keyword_lead` bytes after the match start, so a
//!   keyword at `k` anchors the start range `[k - lead, k]`;
//! * **the keyword-less pass**: the rules without keywords (phone numbers, cards, IBANs...)
//!   are compiled together into one multi-pattern leftmost-first regex. Every match of any of
//!   those rules starts inside some match that this combined search reports (a leftmost
//!   search can skip a match only by reporting one that overlaps its start), so each reported
//!   match `[s, e)` anchors the start range `[s, e)` for all of them;
//! * **self-scanned** literal sets (canary lists) search the text directly.
//!
//! # Exactness and streaming
//!
//! For each rule the engine reproduces exactly the non-overlapping leftmost-first matches that
//! the rule's regex finds over the *whole* input, however the input arrives: it keeps, per
//! rule, the next search position and the pending anchors, and it decides a match start `s`
//! only when the bytes that decide it are present (`s + max_len + context + 1 <= end`, or a
//! newline follows `s` for single-line rules, or the input has ended). `tests/engine.rs`
//! checks this against a naive reference that runs every rule's regex over the whole input.

use std::collections::VecDeque;
use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use regex_automata::{hybrid, meta, Anchored, Input, PatternID};

use crate::error::Error;
use crate::finding::Confidence;
use crate::rules::{Rule, RuleSet, MAX_CONTEXT_WINDOW};
use crate::validate;

pub mod reference;

/// A confirmed, validated match, before overlap resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    /// Index of the rule in the rule set.
    pub rule: u32,
    /// The whole match (absolute offsets). Overlaps are resolved on claims.
    pub claim: Range<u64>,
    /// The part to redact: the `secret` group, or the whole match.
    pub span: Range<u64>,
    /// The validated confidence.
    pub confidence: Confidence,
}

/// How a rule's candidates are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Keywords,
    Combined,
    SelfScan,
}

#[derive(Debug)]
enum Matcher {
    Regex {
        regex: meta::Regex,
        secret: Option<usize>,
    },
    Literals(AhoCorasick),
}

#[derive(Debug)]
struct RuleMatcher {
    matcher: Matcher,
    /// For multi-line rules: an anchored lazy DFA that tells when no match from a start can
    /// grow any more, so a closed block is released without waiting for `max_len` bytes.
    settle: Option<hybrid::dfa::DFA>,
    source: Source,
    max_len: u64,
    lead: u64,
    multiline: bool,
    /// The context window, or 0 when the rule has no context words.
    window: u64,
    /// The rule's keywords, lowercased.
    keywords: Vec<Vec<u8>>,
}

#[derive(Debug)]
struct Keywords {
    ac: AhoCorasick,
    /// For each keyword pattern, the rules it anchors.
    rules_of: Vec<Vec<u32>>,
    max_len: u64,
}

#[derive(Debug)]
struct Combined {
    regex: meta::Regex,
    rules: Vec<u32>,
    max_len: u64,
}

/// The compiled, immutable engine for one [`RuleSet`]. Shared by every stream; all mutable
/// search state lives in a [`Scanner`].
#[derive(Debug)]
pub struct Engine {
    rules: Vec<RuleMatcher>,
    keywords: Option<Keywords>,
    combined: Option<Combined>,
    /// How far back a new prefilter pass must start to see anchors that straddle old input.
    overlap: u64,
    /// Bytes kept before the earliest undecided position: look-behind for `\b` and context.
    lookbehind: u64,
    max_len: u64,
}

pub(crate) fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

pub(crate) fn build_regex(patterns: &[&str]) -> Result<meta::Regex, String> {
    meta::Regex::builder()
        .syntax(syntax_config())
        .configure(
            meta::Config::new()
                .utf8_empty(false)
                .nfa_size_limit(Some(64 << 20)),
        )
        .build_many(patterns)
        .map_err(|e| format!("cannot compile: {e}"))
}

impl Engine {
    /// Compiles a rule set.
    ///
    /// # Errors
    ///
    /// A rule whose regex the engine cannot compile (e.g. too large), named by id.
    pub fn new(set: &RuleSet) -> Result<Engine, Error> {
        let mut rules = Vec::with_capacity(set.len());
        let mut keyword_list: Vec<String> = vec![];
        let mut rules_of: Vec<Vec<u32>> = vec![];
        let mut combined_patterns: Vec<&str> = vec![];
        let mut combined_rules = vec![];
        let mut combined_max = 0;
        for (i, rule) in set.rules().iter().enumerate() {
            let i = i as u32;
            let (matcher, source) = match rule.literals {
                Some(ref lits) => {
                    let ac = AhoCorasick::builder()
                        .match_kind(MatchKind::LeftmostLongest)
                        .build(lits.iter())
                        .map_err(|e| Error::rule(&rule.id, format!("literal set: {e}")))?;
                    (Matcher::Literals(ac), Source::SelfScan)
                }
                None => {
                    let regex =
                        build_regex(&[&rule.pattern]).map_err(|e| Error::rule(&rule.id, e))?;
                    let secret = regex.group_info().to_index(PatternID::ZERO, "secret");
                    let source = if rule.keywords.is_empty() {
                        combined_patterns.push(&rule.pattern);
                        combined_rules.push(i);
                        combined_max = combined_max.max(rule.max_len as u64);
                        Source::Combined
                    } else {
                        for kw in &rule.keywords {
                            let kw = kw.to_ascii_lowercase();
                            let k = match keyword_list.iter().position(|x| *x == kw) {
                                Some(k) => k,
                                None => {
                                    keyword_list.push(kw);
                                    rules_of.push(vec![]);
                                    keyword_list.len() - 1
                                }
                            };
                            if !rules_of[k].contains(&i) {
                                rules_of[k].push(i);
                            }
                        }
                        Source::Keywords
                    };
                    (Matcher::Regex { regex, secret }, source)
                }
            };
            let settle = match (rule.multiline, &rule.literals) {
                (true, None) => Some(
                    hybrid::dfa::DFA::builder()
                        .syntax(syntax_config())
                        .configure(hybrid::dfa::DFA::config().cache_capacity(8 << 20))
                        .build(&rule.pattern)
                        .map_err(|e| Error::rule(&rule.id, format!("cannot compile: {e}")))?,
                ),
                _ => None,
            };
            rules.push(RuleMatcher {
                matcher,
                settle,
                source,
                max_len: rule.max_len as u64,
                lead: rule.keyword_lead as u64,
                multiline: rule.multiline,
                window: if rule.context.is_empty() {
                    0
                } else {
                    rule.context_window as u64
                },
                keywords: rule
                    .keywords
                    .iter()
                    .map(|k| k.to_ascii_lowercase().into_bytes())
                    .collect(),
            });
        }
        let keywords = if keyword_list.is_empty() {
            None
        } else {
            // Leftmost-longest, restarted one byte after each hit, reports every position where
            // some keyword starts (with the longest keyword there); the shorter keywords at the
            // same position are its prefixes, added from `rules_of`. Unlike an overlapping
            // search, this lets Aho-Corasick use its SIMD prefilters to skip text.
            let ac = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(&keyword_list)
                .map_err(|e| Error::rule("keywords", e.to_string()))?;
            let direct = rules_of.clone();
            for (k, kw) in keyword_list.iter().enumerate() {
                for (j, shorter) in keyword_list.iter().enumerate() {
                    if j != k && kw.starts_with(shorter.as_str()) {
                        for &r in &direct[j] {
                            if !rules_of[k].contains(&r) {
                                rules_of[k].push(r);
                            }
                        }
                    }
                }
            }
            let max_len = keyword_list.iter().map(|k| k.len()).max().unwrap_or(0) as u64;
            Some(Keywords {
                ac,
                rules_of,
                max_len,
            })
        };
        let combined = if combined_patterns.is_empty() {
            None
        } else {
            let regex = build_regex(&combined_patterns)
                .map_err(|e| Error::rule("keyword-less rules", e))?;
            Some(Combined {
                regex,
                rules: combined_rules,
                max_len: combined_max,
            })
        };
        let overlap = keywords
            .as_ref()
            .map_or(0, |k| k.max_len)
            .max(combined.as_ref().map_or(0, |c| c.max_len));
        let max_len = rules.iter().map(|r| r.max_len).max().unwrap_or(0);
        Ok(Engine {
            rules,
            keywords,
            combined,
            overlap,
            lookbehind: MAX_CONTEXT_WINDOW as u64 + 1,
            max_len,
        })
    }

    /// The largest maximum match length of any rule.
    pub fn max_len(&self) -> usize {
        self.max_len as usize
    }

    /// Fresh per-stream search state.
    pub fn scanner(&self) -> Scanner {
        let caches = self
            .rules
            .iter()
            .map(|r| match r.matcher {
                Matcher::Regex { ref regex, .. } => {
                    Some((regex.create_cache(), regex.create_captures()))
                }
                Matcher::Literals(_) => None,
            })
            .collect();
        let settle_caches = self
            .rules
            .iter()
            .map(|r| r.settle.as_ref().map(|d| d.create_cache()))
            .collect();
        Scanner {
            caches,
            settle_caches,
            combined_cache: self.combined.as_ref().map(|c| c.regex.create_cache()),
            states: self.rules.iter().map(|_| RuleState::default()).collect(),
            scanned: 0,
        }
    }

    /// The earliest absolute offset a scanner still needs in its buffer.
    pub(crate) fn keep_from(&self, sc: &Scanner, emitted: u64) -> u64 {
        let undecided = sc.states.iter().map(|s| s.p).min().unwrap_or(sc.scanned);
        emitted
            .min(undecided)
            .min(sc.scanned.saturating_sub(self.overlap))
            .saturating_sub(self.lookbehind)
    }

    /// Scans the buffer `hay` (whose first byte is at absolute offset `base`), appending newly
    /// decided detections to `out`, and returns the frontier: every detection starting before
    /// it is now known. With `eof`, the frontier is the end of the input.
    pub fn scan(
        &self,
        sc: &mut Scanner,
        rules: &RuleSet,
        hay: &[u8],
        base: u64,
        eof: bool,
        out: &mut Vec<Detection>,
    ) -> u64 {
        let end = base + hay.len() as u64;
        self.prefilter(sc, hay, base);
        let last_nl = memchr::memrchr(b'\n', hay).map(|i| base + i as u64);
        let mut frontier = end;
        for (i, rule) in rules.rules().iter().enumerate() {
            let decided = self.advance(i, rule, sc, hay, base, eof, last_nl, out);
            frontier = frontier.min(decided);
        }
        frontier
    }

    fn prefilter(&self, sc: &mut Scanner, hay: &[u8], base: u64) {
        let end = base + hay.len() as u64;
        let scanned = sc.scanned;
        if let Some(ref kw) = self.keywords {
            let from = scanned.saturating_sub(kw.max_len).max(base);
            let mut at = (from - base) as usize;
            while let Some(m) = kw
                .ac
                .find(aho_corasick::Input::new(hay).span(at..hay.len()))
            {
                at = m.start() + 1;
                let s = base + m.start() as u64;
                // A hit ending in text already scanned was reported then, with every keyword
                // starting at its position (they are all prefixes of this one or longer).
                if base + m.end() as u64 <= scanned {
                    continue;
                }
                for &r in &kw.rules_of[m.pattern().as_usize()] {
                    let lead = self.rules[r as usize].lead;
                    sc.states[r as usize].push_anchor(s.saturating_sub(lead), s + 1);
                }
            }
        }
        if let Some(ref c) = self.combined {
            let cache = sc.combined_cache.as_mut().expect("combined cache");
            let from = scanned.saturating_sub(c.max_len).max(base);
            let mut input = Input::new(hay).range((from - base) as usize..);
            while let Some(m) = c.regex.search_with(cache, &input) {
                let (s, e) = (base + m.start() as u64, base + m.end() as u64);
                for &r in &c.rules {
                    sc.states[r as usize].push_anchor(s, e);
                }
                input.set_start(m.end());
            }
        }
        sc.scanned = end;
    }

    /// Decides as many of rule `i`'s match starts as the buffer allows; returns the first
    /// undecided start.
    #[allow(clippy::too_many_arguments)]
    fn advance(
        &self,
        i: usize,
        rule: &Rule,
        sc: &mut Scanner,
        hay: &[u8],
        base: u64,
        eof: bool,
        last_nl: Option<u64>,
        out: &mut Vec<Detection>,
    ) -> u64 {
        let rm = &self.rules[i];
        let end = base + hay.len() as u64;
        let horizon = if eof {
            end
        } else {
            let mut h = end.saturating_sub(rm.max_len + rm.window + 1);
            if let (false, Some(nl)) = (rm.multiline, last_nl) {
                h = h.max(nl + 1);
            }
            h
        };
        let st = &mut sc.states[i];
        let cache = &mut sc.caches[i];
        let settle_cache = &mut sc.settle_caches[i];
        loop {
            let (lo, hi, anchored) = if rm.source == Source::SelfScan {
                (st.p, end, false)
            } else {
                while st.anchors.front().is_some_and(|a| a.1 <= st.p) {
                    st.anchors.pop_front();
                }
                match st.anchors.front() {
                    Some(&(lo, hi)) => (lo, hi, true),
                    None => break,
                }
            };
            let q = st.p.max(lo);
            if q >= hi {
                break;
            }
            if q >= horizon {
                // Not enough text to be sure by length; a multi-line rule may still be sure
                // because no match from `q` can grow (its DFA died inside the buffer).
                let settled = match (&rm.settle, settle_cache.as_mut()) {
                    (Some(dfa), Some(c)) => settles(dfa, c, hay, (q - base) as usize),
                    _ => false,
                };
                if !settled {
                    break;
                }
                let input = Input::new(hay)
                    .range((q - base) as usize..)
                    .anchored(Anchored::Yes);
                let found = match rm.matcher {
                    Matcher::Regex { ref regex, .. } => {
                        regex.search_with(&mut cache.as_mut().expect("regex cache").0, &input)
                    }
                    Matcher::Literals(_) => None,
                };
                match found {
                    Some(m) => {
                        let m = base + m.start() as u64..base + m.end() as u64;
                        st.p = m.end;
                        out.push(confirm(i, rule, rm, cache, hay, base, m));
                    }
                    None => st.p = q + 1,
                }
                continue;
            }
            let limit = if anchored {
                (hi - 1 + rm.max_len).min(end)
            } else {
                end
            };
            let found = find(
                &rm.matcher,
                cache,
                hay,
                (q - base) as usize..(limit - base) as usize,
            )
            .map(|m| (base + m.start as u64, base + m.end as u64));
            let upto = hi.min(horizon);
            match found {
                Some((s, e)) if s < upto => {
                    out.push(confirm(i, rule, rm, cache, hay, base, s..e));
                    st.p = e;
                }
                _ => {
                    st.p = upto;
                    if !(anchored && upto == hi) {
                        break;
                    }
                    st.anchors.pop_front();
                }
            }
        }
        let decided = if eof {
            end
        } else if rm.source == Source::SelfScan {
            st.p
        } else {
            // The lowest start a future anchor can have.
            let mut future = match rm.source {
                Source::Keywords => end
                    .saturating_sub(keyword_prefix_len(&rm.keywords, hay))
                    .saturating_sub(rm.lead),
                _ => end.saturating_sub(self.combined.as_ref().map_or(0, |c| c.max_len)),
            };
            if let (false, Some(nl)) = (rm.multiline, last_nl) {
                // Any single-line match starting before the last newline lies wholly in text the
                // prefilter has seen, so its anchor is already queued.
                future = future.max(nl + 1);
            }
            let front = st.anchors.front().map_or(u64::MAX, |a| a.0);
            st.p.max(front.min(future)).min(end)
        };
        st.p = decided;
        decided
    }
}

/// Whether every anchored match attempt from `from` has ended inside `hay`: the lazy DFA
/// reaches its dead state before the end, so more input cannot change the match at `from`.
fn settles(
    dfa: &hybrid::dfa::DFA,
    cache: &mut hybrid::dfa::Cache,
    hay: &[u8],
    from: usize,
) -> bool {
    let input = Input::new(hay).range(from..).anchored(Anchored::Yes);
    let Ok(mut sid) = dfa.start_state_forward(cache, &input) else {
        return false;
    };
    for &b in &hay[from..] {
        sid = match dfa.next_state(cache, sid, b) {
            Ok(s) => s,
            Err(_) => return false,
        };
        if sid.is_dead() {
            return true;
        }
        if sid.is_quit() {
            return false;
        }
    }
    false
}

/// The length of the longest suffix of `hay` that is a proper prefix of one of `keywords`
/// (ASCII case-insensitive): a keyword hit not yet seen can start no earlier than that.
fn keyword_prefix_len(keywords: &[Vec<u8>], hay: &[u8]) -> u64 {
    let mut best = 0;
    for k in keywords {
        for j in (best + 1..k.len().min(hay.len() + 1)).rev() {
            if hay[hay.len() - j..].eq_ignore_ascii_case(&k[..j]) {
                best = j;
                break;
            }
        }
    }
    best as u64
}

type RuleCache = Option<(meta::Cache, Captures)>;

fn find(
    matcher: &Matcher,
    cache: &mut RuleCache,
    hay: &[u8],
    range: Range<usize>,
) -> Option<Range<usize>> {
    match *matcher {
        Matcher::Regex { ref regex, .. } => {
            let (cache, _) = cache.as_mut().expect("regex cache");
            regex
                .search_with(cache, &Input::new(hay).range(range))
                .map(|m| m.range())
        }
        Matcher::Literals(ref ac) => ac
            .find(aho_corasick::Input::new(hay).span(range))
            .map(|m| m.range()),
    }
}

/// Turns a match into a detection: finds the `secret` group and runs the validators.
fn confirm(
    i: usize,
    rule: &Rule,
    rm: &RuleMatcher,
    cache: &mut RuleCache,
    hay: &[u8],
    base: u64,
    m: Range<u64>,
) -> Detection {
    let (s, e) = ((m.start - base) as usize, (m.end - base) as usize);
    let mut span = s..e;
    if let Matcher::Regex {
        ref regex,
        secret: Some(group),
    } = rm.matcher
    {
        let (cache, caps) = cache.as_mut().expect("regex cache");
        let input = Input::new(hay).range(s..e).anchored(Anchored::Yes);
        regex.search_captures_with(cache, &input, caps);
        if let Some(g) = caps.get_group(group) {
            if !g.is_empty() {
                span = g.range();
            }
        }
    }
    let confidence = judge(rule, hay, s..e, span.clone(), rm.window as usize);
    Detection {
        rule: i as u32,
        claim: m,
        span: base + span.start as u64..base + span.end as u64,
        confidence,
    }
}

/// A match's confidence: its validators on the redacted `span`, and its context words within
/// `window` bytes of the `claim` on the same line. `hay` must hold `window` bytes on each side
/// of the claim (or the input's start/end, or a newline).
pub(crate) fn judge(
    rule: &Rule,
    hay: &[u8],
    claim: Range<usize>,
    span: Range<usize>,
    window: usize,
) -> Confidence {
    let (s, e) = (claim.start, claim.end);
    let (mut lo, mut hi) = (s, e);
    if window > 0 {
        lo = s.saturating_sub(window);
        hi = (e + window).min(hay.len());
        if let Some(nl) = memchr::memrchr(b'\n', &hay[lo..s]) {
            lo += nl + 1;
        }
        if let Some(nl) = memchr::memchr(b'\n', &hay[e..hi]) {
            hi = e + nl;
        }
    }
    validate::confidence(rule, &hay[span], &hay[lo..hi], s - lo..e - lo)
}

impl Scanner {
    /// Forgets the input seen so far, keeping the caches: ready for a new input.
    pub fn reset(&mut self) {
        for st in &mut self.states {
            st.p = 0;
            st.anchors.clear();
        }
        self.scanned = 0;
    }
}

/// Per-stream mutable search state: regex caches and, per rule, the next search position and
/// the pending anchors. Create one with [`Engine::scanner`]; never share it between streams.
#[derive(Debug)]
pub struct Scanner {
    caches: Vec<RuleCache>,
    settle_caches: Vec<Option<hybrid::dfa::Cache>>,
    combined_cache: Option<meta::Cache>,
    states: Vec<RuleState>,
    scanned: u64,
}

#[derive(Debug, Default)]
struct RuleState {
    /// Every match start before `p` is decided.
    p: u64,
    /// Candidate start ranges `[lo, hi)`, sorted by `lo`.
    anchors: VecDeque<(u64, u64)>,
}

impl RuleState {
    fn push_anchor(&mut self, lo: u64, hi: u64) {
        if hi <= self.p {
            return;
        }
        if let Some(last) = self.anchors.back_mut() {
            if last.0 <= lo && lo <= last.1 {
                // Overlapping or adjacent ranges merge: the union is the same set of starts.
                last.1 = last.1.max(hi);
                return;
            }
        }
        let at = self
            .anchors
            .iter()
            .rposition(|a| a.0 <= lo)
            .map_or(0, |k| k + 1);
        self.anchors.insert(at, (lo, hi));
    }
}
