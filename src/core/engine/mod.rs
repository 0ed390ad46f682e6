//! The matching engine: a multi-pattern prefilter pass proposes *anchors*, an anchored
//! regex confirm gives each match's exact span, validators give its confidence.
//!
//! # The prefilter contract
//!
//! Every match of every rule starts inside at least one anchor that the prefilter reports
//! for that rule. The prefilter may report anchors with no match (false candidates are only
//! a cost); it never misses one.
//!
//! The prefilter is one pass over the input with *all-matches, overlapping* semantics over
//! two kinds of pattern, the shape Hyperscan uses:
//!
//! * **keywords**, ASCII case-insensitive literals, in one Aho-Corasick DFA: a rule's match
//!   contains one of its keywords starting at most `keyword_lead` bytes after the match start,
//!   so a keyword found at `k` anchors the start range `[k - lead, k]` of each rule that has it;
//! * **whole patterns** of the rules without keywords (phone numbers, cards, IBANs...), in one
//!   lazy DFA (regex-automata's hybrid engine): every offset at which some match of the
//!   pattern ends is reported, so an end at `e` anchors the start range
//!   `[e - max_len, e - min_len]` of that rule.
//!
//! Both automata are walked in the same loop (`engine/prefilter.rs`).
//!
//! Literal sets (canary lists) are *self-scanned*: their own Aho-Corasick search runs over the
//! text directly.
//!
//! With the `hyperscan` feature the keywords can go into one Hyperscan database instead
//! ([`EngineKind::Hyperscan`], see `engine/hyperscan.rs`): it reports the same
//! `(pattern, end)` events, faster. Everything after the prefilter is shared.
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

use crate::error::{Error, ErrorKind};
use crate::finding::{Confidence, Detection};
use crate::rules::{Rule, RuleSet, MAX_CONTEXT_WINDOW};

#[cfg(feature = "hyperscan")]
mod hyperscan;
mod keyword_dfa;
mod prefilter;
mod settle;
mod tails;

use prefilter::{Hit, Prefilter, PrefilterExpr};
use settle::{settles, Settle};
use tails::{TailScratch, Tails};

/// Which multi-pattern engine runs the prefilter pass.
///
/// ```
/// use blackbar::EngineKind;
///
/// // `auto` is Hyperscan when it is compiled in, the pure-Rust engine otherwise.
/// let kind = EngineKind::parse("auto").unwrap();
/// assert!(EngineKind::compiled().contains(&kind));
/// assert_eq!(EngineKind::parse("rust").unwrap(), EngineKind::Rust);
/// assert!(EngineKind::parse("pcre").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EngineKind {
    /// An Aho-Corasick DFA for the keywords and regex-automata's lazy DFA for the rest (always
    /// available).
    Rust,
    /// A Hyperscan block database (cargo feature `hyperscan`); a pattern Hyperscan refuses is
    /// searched by the Aho-Corasick keyword DFA instead.
    Hyperscan,
}

impl EngineKind {
    /// The engines this build contains, fastest first.
    pub fn compiled() -> &'static [EngineKind] {
        #[cfg(feature = "hyperscan")]
        return &[EngineKind::Hyperscan, EngineKind::Rust];
        #[cfg(not(feature = "hyperscan"))]
        return &[EngineKind::Rust];
    }

    /// The fastest engine compiled in.
    pub fn auto() -> EngineKind {
        EngineKind::compiled()[0]
    }

    /// The engine's name as `--engine` spells it.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Rust => "rust",
            EngineKind::Hyperscan => "hyperscan",
        }
    }

    /// Parses `auto`, `rust` or `hyperscan`.
    ///
    /// # Errors
    ///
    /// An unknown name, or an engine this build does not contain.
    pub fn parse(name: &str) -> Result<EngineKind, Error> {
        let kind = match name {
            "auto" => return Ok(EngineKind::auto()),
            "rust" => EngineKind::Rust,
            "hyperscan" => EngineKind::Hyperscan,
            _ => {
                return Err(Error::new(ErrorKind::Engine(format!(
                    "unknown engine '{name}' (expected auto, hyperscan or rust)"
                ))))
            }
        };
        if !EngineKind::compiled().contains(&kind) {
            return Err(Error::new(ErrorKind::Engine(format!(
                "this blackbar was built without the {name} engine (cargo feature '{name}')"
            ))));
        }
        Ok(kind)
    }

    /// A description of the engines compiled in, for `--version`.
    pub fn describe_compiled() -> String {
        EngineKind::compiled()
            .iter()
            .map(|k| match k {
                #[cfg(feature = "hyperscan")]
                #[cfg(feature = "hyperscan")]
                EngineKind::Hyperscan => format!("hyperscan ({})", hyperscan::version()),
                EngineKind::Rust => "rust (regex-automata)".to_string(),
                #[cfg(not(feature = "hyperscan"))]
                EngineKind::Hyperscan => unreachable!("not compiled in"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How a rule's candidates are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// By its keywords, in the prefilter.
    Keywords,
    /// By its whole pattern, in the prefilter.
    Pattern,
    /// By its own literal search over the text.
    SelfScan,
}

#[derive(Debug)]
enum Matcher {
    Regex(Confirm),
    Literals(AhoCorasick),
}

/// A rule's confirm regex and the index of its `secret` group, compiled on first use for the
/// embedded catalog's rules: a given input anchors few of its hundreds of rules, and compiling
/// them all was most of the start-up (about 100 ms of 140). A user rule is compiled when the
/// engine is built, so that a rule that does not compile is refused at load; a test compiles
/// every embedded rule.
#[derive(Debug)]
struct Confirm {
    pattern: String,
    compiled: std::sync::OnceLock<(meta::Regex, Option<usize>)>,
}

impl Confirm {
    fn new(pattern: &str, eager: bool) -> Result<Confirm, String> {
        let c = Confirm {
            pattern: pattern.to_string(),
            compiled: std::sync::OnceLock::new(),
        };
        if eager {
            let compiled = Confirm::compile(pattern)?;
            let _ = c.compiled.set(compiled);
        }
        Ok(c)
    }

    fn compile(pattern: &str) -> Result<(meta::Regex, Option<usize>), String> {
        let regex = build_regex(&[pattern])?;
        let secret = regex.group_info().to_index(PatternID::ZERO, "secret");
        Ok((regex, secret))
    }

    /// The regex, compiled now if it was not yet.
    fn regex(&self) -> &meta::Regex {
        &self.get().0
    }

    /// The index of the `secret` group, if the pattern has one.
    fn secret(&self) -> Option<usize> {
        self.get().1
    }

    fn get(&self) -> &(meta::Regex, Option<usize>) {
        self.compiled.get_or_init(|| {
            Confirm::compile(&self.pattern).expect("an embedded rule compiles (tested)")
        })
    }

    /// Fresh search state for this regex.
    fn cache(&self) -> (meta::Cache, Captures) {
        let regex = self.regex();
        (regex.create_cache(), regex.create_captures())
    }
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
}

/// The compiled, immutable engine for one [`RuleSet`]. Shared by every stream; all mutable
/// search state lives in a [`Scanner`].
#[derive(Debug)]
pub struct Engine {
    rules: Vec<RuleMatcher>,
    prefilter: Option<Prefilter>,
    kind: EngineKind,
    /// Rules (indexes) some of whose prefilter patterns Hyperscan refused.
    fallback: Vec<u32>,
    /// The self-scanned rules (indexes): scanned whatever the prefilter says.
    self_scan: Vec<u32>,
    /// The keyword rules' keyword prefixes, for what a buffer's end may hold back.
    tails: Tails,
    /// Bytes kept before the earliest undecided position: look-behind for `\b` and context.
    lookbehind: u64,
    /// For streams that release eagerly: every rule, to find where a match may still grow.
    settle: Option<Settle>,
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
    /// Compiles a rule set with the fastest engine compiled in ([`EngineKind::auto`]).
    ///
    /// # Errors
    ///
    /// A rule whose regex the engine cannot compile (e.g. too large), named by id.
    pub fn new(set: &RuleSet) -> Result<Engine, Error> {
        match Engine::with_kind(set, EngineKind::auto()) {
            // Hyperscan cannot run here (say, a CPU it does not support): the Rust engine
            // gives the same results.
            Err(_) if EngineKind::auto() != EngineKind::Rust => {
                Engine::with_kind(set, EngineKind::Rust)
            }
            r => r,
        }
    }

    /// Compiles a rule set for the given prefilter engine.
    ///
    /// # Errors
    ///
    /// A rule whose regex the engine cannot compile (e.g. too large), named by id; an engine
    /// this build does not contain, or that cannot run here.
    pub fn with_kind(set: &RuleSet, kind: EngineKind) -> Result<Engine, Error> {
        if !EngineKind::compiled().contains(&kind) {
            return Err(EngineKind::parse(kind.name()).expect_err("not compiled in"));
        }
        let mut rules = Vec::with_capacity(set.len());
        let mut patterns: Vec<PrefilterExpr> = vec![];
        let mut hits: Vec<Hit> = vec![];
        let mut keyword_ids: Vec<(Vec<u8>, usize)> = vec![];
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
                    let confirm = Confirm::new(&rule.pattern, !rule.embedded)
                        .map_err(|e| Error::rule(&rule.id, e))?;
                    let source = if rule.keywords.is_empty() {
                        patterns.push(PrefilterExpr::Pattern(rule.pattern.clone()));
                        hits.push(Hit::Rule {
                            rule: i,
                            max_len: rule.max_len as u64,
                            min_len: rule.min_len as u64,
                        });
                        Source::Pattern
                    } else {
                        for kw in &rule.keywords {
                            let kw = kw.to_ascii_lowercase().into_bytes();
                            let id = match keyword_ids.iter().find(|(k, _)| *k == kw) {
                                Some(&(_, id)) => id,
                                None => {
                                    patterns.push(PrefilterExpr::Keyword(kw.clone()));
                                    hits.push(Hit::Keyword {
                                        len: kw.len() as u64,
                                        rules: vec![],
                                    });
                                    keyword_ids.push((kw, hits.len() - 1));
                                    hits.len() - 1
                                }
                            };
                            if let Hit::Keyword { ref mut rules, .. } = hits[id] {
                                if !rules.contains(&i) {
                                    rules.push(i);
                                }
                            }
                        }
                        Source::Keywords
                    };
                    (Matcher::Regex(confirm), source)
                }
            };
            let settle = match (rule.multiline, &rule.literals) {
                (true, None) => Some(
                    settle::dfa(&[&rule.pattern], regex_automata::MatchKind::LeftmostFirst)
                        .map_err(|e| Error::rule(&rule.id, e))?,
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
                window: rule.context_reach() as u64,
            });
        }
        let (prefilter, fallback) = if patterns.is_empty() {
            (None, vec![])
        } else {
            let (p, f) = Prefilter::build(patterns, hits, kind)?;
            (Some(p), f)
        };
        let self_scan = (0..rules.len() as u32)
            .filter(|&i| rules[i as usize].source == Source::SelfScan)
            .collect();
        let tails = Tails::new(
            set.rules()
                .iter()
                .enumerate()
                .filter(|&(i, _)| rules[i].source == Source::Keywords)
                .map(|(i, rule)| (i as u32, &rule.keywords[..])),
        );
        Ok(Engine {
            self_scan,
            tails,
            rules,
            prefilter,
            kind,
            fallback,
            lookbehind: MAX_CONTEXT_WINDOW as u64 + 1,
            settle: None,
        })
    }

    /// Lets scans release eagerly (see [`Engine::scan`]): compiles one anchored lazy DFA of
    /// every rule of `set`, the set this engine was built from.
    ///
    /// # Errors
    ///
    /// When the rules do not compile into one automaton.
    pub(crate) fn release_eagerly(mut self, set: &RuleSet) -> Result<Engine, Error> {
        self.settle = Some(Settle::new(set)?);
        Ok(self)
    }

    /// Whether scans release eagerly ([`Engine::release_eagerly`]).
    pub(crate) fn releases_eagerly(&self) -> bool {
        self.settle.is_some()
    }

    /// The prefilter engine this engine runs.
    pub fn kind(&self) -> EngineKind {
        self.kind
    }

    /// Whether rule `i`'s candidates come (in part) from the lazy DFA although the engine is
    /// Hyperscan, because Hyperscan refused one of its prefilter patterns.
    pub fn is_fallback(&self, i: usize) -> bool {
        self.fallback.contains(&(i as u32))
    }

    /// Fresh per-stream search state.
    pub fn scanner(&self) -> Scanner {
        // A rule's regex cache is made when the rule first has something to confirm.
        let caches = self.rules.iter().map(|_| None).collect();
        let settle_caches = self
            .rules
            .iter()
            .map(|r| r.settle.as_ref().map(|d| d.create_cache()))
            .collect();
        Scanner {
            caches,
            settle_caches,
            settle: self.settle.as_ref().and_then(Settle::cache),
            prefilter: self
                .prefilter
                .as_ref()
                .map_or_else(prefilter::Scratch::default, |p| p.scratch()),
            events: vec![],
            states: self.rules.iter().map(|_| RuleState::default()).collect(),
            scanned: 0,
            touched: vec![],
            all_touched: false,
            todo: vec![],
            tails: self.tails.scratch(self.rules.len()),
        }
    }

    /// The earliest absolute offset a scanner still needs in its buffer.
    pub(crate) fn keep_from(&self, sc: &Scanner, emitted: u64) -> u64 {
        // Untouched rules after a one-call scan are decided by the end of the input.
        let undecided = match sc.all_touched {
            true => sc.states.iter().map(|s| s.p).min(),
            false => sc.touched.iter().map(|&i| sc.states[i as usize].p).min(),
        }
        .unwrap_or(sc.scanned);
        let reach = self.prefilter.as_ref().map_or(0, |p| p.reach);
        emitted
            .min(undecided)
            .min(sc.scanned.saturating_sub(reach))
            .saturating_sub(self.lookbehind)
    }

    /// Scans the buffer `hay` (whose first byte is at absolute offset `base`), appending newly
    /// decided detections to `out`, and returns the frontier: every detection starting before
    /// it is now known. With `eof`, the frontier is the end of the input.
    ///
    /// An engine that releases eagerly ([`Engine::release_eagerly`]) also decides, before the
    /// end, every start from which no match can still be in progress ([`Settle::point`],
    /// walked from `from`, where everything before is decided), except a match of a rule with
    /// context words whose context is not complete yet: the frontier is then as far as no
    /// match can still grow, not `max_len` bytes back.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn scan(
        &self,
        sc: &mut Scanner,
        rules: &RuleSet,
        hay: &[u8],
        base: u64,
        from: u64,
        eof: bool,
        out: &mut Vec<Detection>,
    ) -> u64 {
        let end = base + hay.len() as u64;
        self.prefilter(sc, hay, base);
        let settled = match (&self.settle, eof) {
            (Some(s), false) => {
                let from = (from.max(base) - base) as usize;
                Some(base + s.point(&mut sc.settle, hay, from) as u64)
            }
            _ => None,
        };
        let last_nl = memchr::memrchr(b'\n', hay).map(|i| base + i as u64);
        let mut frontier = end;
        if eof && !sc.all_touched {
            // A whole input in one call (a small record): only the rules the prefilter
            // anchored and the self-scanned ones have anything to do; every other rule is
            // decided by the end of the input. The cost is independent of the catalog size.
            let mut todo = std::mem::take(&mut sc.todo);
            todo.clear();
            todo.extend_from_slice(&sc.touched);
            todo.extend_from_slice(&self.self_scan);
            todo.sort_unstable();
            todo.dedup();
            for &i in &todo {
                let i = i as usize;
                touch(&mut sc.states, &mut sc.touched, i);
                self.advance(i, &rules.rules()[i], sc, hay, base, eof, None, last_nl, out);
            }
            sc.todo = todo;
            return end;
        }
        sc.all_touched = true;
        self.tails.find(&mut sc.tails, hay);
        for (i, rule) in rules.rules().iter().enumerate() {
            if eof && self.rules[i].source != Source::SelfScan && sc.states[i].anchors.is_empty() {
                // Nothing to confirm and nothing left to come: the whole input is decided
                // (what `advance` concludes too, without its setup).
                sc.states[i].p = end;
                continue;
            }
            let decided = self.advance(i, rule, sc, hay, base, eof, settled, last_nl, out);
            frontier = frontier.min(decided);
        }
        frontier
    }

    fn prefilter(&self, sc: &mut Scanner, hay: &[u8], base: u64) {
        let end = base + hay.len() as u64;
        let scanned = sc.scanned;
        sc.scanned = end;
        let Some(ref pf) = self.prefilter else { return };
        // A match ending at or after `scanned` starts at most `reach` bytes before it. One
        // ending exactly at `scanned` may have needed the byte after it (`\b`), so it is
        // looked for again.
        let from = scanned.saturating_sub(pf.reach).max(base);
        let ok = pf.events(&mut sc.prefilter, hay, base, from, &mut sc.events);
        if !ok {
            // An engine gave up (neither can with this configuration, but the contract must
            // hold regardless): every start in the pass is a candidate.
            for (r, rm) in self.rules.iter().enumerate() {
                if rm.source != Source::SelfScan {
                    touch(&mut sc.states, &mut sc.touched, r);
                    sc.states[r].push_anchor(from.saturating_sub(rm.max_len), end);
                }
            }
            sc.events.clear();
            return;
        }
        let Scanner {
            events,
            states,
            touched,
            ..
        } = sc;
        // Events of one pattern at consecutive ends (a run of `@`, a digit run) anchor one
        // range: the union of their ranges, which are contiguous, pushed once per rule.
        let mut run: Option<(usize, u64, u64)> = None;
        for (id, e) in events.drain(..) {
            if e < scanned {
                continue;
            }
            if let Some((rid, first, ref mut last)) = run {
                if rid == id && first <= e && e <= *last + 1 {
                    *last = (*last).max(e);
                    continue;
                }
                self.anchor_run(pf, states, touched, rid, first, *last);
            }
            run = Some((id, e, e));
        }
        if let Some((id, first, last)) = run {
            self.anchor_run(pf, states, touched, id, first, last);
        }
    }

    /// Anchors the match starts of prefilter pattern `id`'s events ending at every offset in
    /// `first..=last`.
    fn anchor_run(
        &self,
        pf: &Prefilter,
        states: &mut [RuleState],
        touched: &mut Vec<u32>,
        id: usize,
        first: u64,
        last: u64,
    ) {
        match pf.hits[id] {
            Hit::Keyword { len, ref rules } => {
                let (s, t) = (first - len, last - len);
                for &r in rules {
                    let lead = self.rules[r as usize].lead;
                    touch(states, touched, r as usize);
                    states[r as usize].push_anchor(s.saturating_sub(lead), t + 1);
                }
            }
            Hit::Rule {
                rule,
                max_len,
                min_len,
            } => {
                touch(states, touched, rule as usize);
                states[rule as usize]
                    .push_anchor(first.saturating_sub(max_len), last - min_len + 1);
            }
        }
    }

    /// Decides as many of rule `i`'s match starts as the buffer allows; returns the first
    /// undecided start. Every start before `settled` (when given) is decidable now.
    #[allow(clippy::too_many_arguments)]
    fn advance(
        &self,
        i: usize,
        rule: &Rule,
        sc: &mut Scanner,
        hay: &[u8],
        base: u64,
        eof: bool,
        settled: Option<u64>,
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
            h.max(settled.unwrap_or(0))
        };
        // A match whose context words may still come after it (eager release only): its
        // start stays undecided until they are in.
        let context_open = |e: u64| {
            !eof && rm.window > 0
                && e + rm.window > end
                && memchr::memchr(b'\n', &hay[(e - base) as usize..]).is_none()
        };
        let mut waiting: Option<u64> = None;
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
                    Matcher::Regex(ref c) => {
                        c.regex().search_with(&mut regex_cache(c, cache).0, &input)
                    }
                    Matcher::Literals(_) => None,
                };
                match found {
                    Some(m) => {
                        let m = base + m.start() as u64..base + m.end() as u64;
                        if context_open(m.end) {
                            st.p = m.start;
                            waiting = Some(m.start);
                            break;
                        }
                        st.p = m.end;
                        out.push(confirm(i, rule, rm, cache, hay, base, m));
                    }
                    None => st.p = q + 1,
                }
                continue;
            }
            let upto = hi.min(horizon);
            let mut limit = if anchored {
                (hi - 1 + rm.max_len).min(end)
            } else {
                end
            };
            if !rm.multiline {
                // A match that cannot hold a newline and starts before `upto` ends by the
                // first newline from `upto - 1` on: the search window is a line, not
                // `max_len` bytes (which also lets `find` weigh its starts against it).
                let from = (upto - 1).max(q) - base;
                if let Some(nl) =
                    memchr::memchr(b'\n', &hay[from as usize..(limit - base) as usize])
                {
                    limit = base + from + nl as u64;
                }
            }
            let found = find(
                &rm.matcher,
                cache,
                hay,
                (q - base) as usize..(upto - base) as usize,
                (limit - base) as usize,
            )
            .map(|m| (base + m.start as u64, base + m.end as u64));
            match found {
                Some((s, e)) if context_open(e) => {
                    st.p = s;
                    waiting = Some(s);
                    break;
                }
                Some((s, e)) => {
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
                Source::Keywords => end.saturating_sub(sc.tails.get(i)).saturating_sub(rm.lead),
                _ => end.saturating_sub(rm.max_len),
            };
            if let (false, Some(nl)) = (rm.multiline, last_nl) {
                // Any single-line match starting before the last newline lies wholly in text the
                // prefilter has seen, so its anchor is already queued.
                future = future.max(nl + 1);
            }
            let front = st.anchors.front().map_or(u64::MAX, |a| a.0);
            st.p.max(front.min(future)).min(end)
        };
        // Starts before the settle point cannot gain a future anchor (a match from one would
        // still be in progress), and the loop has searched them all, unless a match waits for
        // its context.
        let decided = match (waiting, settled) {
            (Some(w), _) => w,
            (None, Some(s)) if !eof => decided.max(s.min(end)),
            _ => decided,
        };
        st.p = decided;
        decided
    }
}

type RuleCache = Option<(meta::Cache, Captures)>;

/// The rule's regex cache, made on first use.
fn regex_cache<'c>(c: &Confirm, cache: &'c mut RuleCache) -> &'c mut (meta::Cache, Captures) {
    cache.get_or_insert_with(|| c.cache())
}

/// The leftmost match of `matcher` in `hay` that starts in `starts` and ends by `end`.
fn find(
    matcher: &Matcher,
    cache: &mut RuleCache,
    hay: &[u8],
    starts: Range<usize>,
    end: usize,
) -> Option<Range<usize>> {
    let found = match *matcher {
        Matcher::Regex(ref c) => {
            let regex = c.regex();
            let (cache, _) = regex_cache(c, cache);
            if starts.len() * ANCHORED_TRY_COST <= end - starts.start {
                // A few candidate starts (a keyword anchor): an anchored search from each
                // usually dies within a few bytes, where an unanchored one runs to `end`.
                // The first start with a match is the leftmost start, and the anchored search
                // gives it the same (leftmost-first) end.
                return starts.clone().find_map(|s| {
                    let input = Input::new(hay).range(s..end).anchored(Anchored::Yes);
                    regex.search_with(cache, &input).map(|m| m.range())
                });
            }
            regex
                .search_with(cache, &Input::new(hay).range(starts.start..end))
                .map(|m| m.range())
        }
        Matcher::Literals(ref ac) => ac
            .find(aho_corasick::Input::new(hay).span(starts.start..end))
            .map(|m| m.range()),
    };
    found.filter(|m| m.start < starts.end)
}

/// About how many bytes an unanchored search scans in the time an anchored search that
/// fails early takes (its setup, and the few bytes before it dies).
const ANCHORED_TRY_COST: usize = 16;

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
    if let Matcher::Regex(ref c) = rm.matcher {
        if let Some(group) = c.secret() {
            let regex = c.regex();
            let (cache, caps) = regex_cache(c, cache);
            let input = Input::new(hay).range(s..e).anchored(Anchored::Yes);
            regex.search_captures_with(cache, &input, caps);
            if let Some(g) = caps.get_group(group) {
                if !g.is_empty() {
                    span = g.range();
                }
            }
        }
    }
    let confidence = judge(rule, hay, s..e, span.clone(), rm.window as usize);
    Detection {
        rule: i as u32,
        claim: m,
        span: base + span.start as u64..base + span.end as u64,
        confidence,
        allowed: false,
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
    let value_at = span.start.clamp(lo, hi) - lo;
    crate::rules::confidence(rule, &hay[span], &hay[lo..hi], s - lo..e - lo, value_at)
}

impl Scanner {
    /// A placeholder with no caches, never used to scan.
    pub(crate) fn empty() -> Scanner {
        Scanner {
            caches: vec![],
            settle_caches: vec![],
            settle: None,
            prefilter: prefilter::Scratch::default(),
            events: vec![],
            states: vec![],
            scanned: 0,
            touched: vec![],
            all_touched: false,
            todo: vec![],
            tails: TailScratch::default(),
        }
    }

    /// Forgets the input seen so far, keeping the caches: ready for a new input.
    pub fn reset(&mut self) {
        let clear = |st: &mut RuleState| {
            st.p = 0;
            st.anchors.clear();
            st.touched = false;
        };
        if self.all_touched {
            self.states.iter_mut().for_each(clear);
        } else {
            for &i in &self.touched {
                clear(&mut self.states[i as usize]);
            }
        }
        self.touched.clear();
        self.all_touched = false;
        self.scanned = 0;
    }
}

/// Per-stream mutable search state: regex caches and, per rule, the next search position and
/// the pending anchors. Create one with [`Engine::scanner`]; never share it between streams.
#[derive(Debug)]
pub struct Scanner {
    caches: Vec<RuleCache>,
    settle_caches: Vec<Option<hybrid::dfa::Cache>>,
    /// The cache of the engine's [`Settle`], when it releases eagerly.
    settle: Option<hybrid::dfa::Cache>,
    prefilter: prefilter::Scratch,
    /// Prefilter events of the current pass: (hit index, absolute end offset).
    events: Vec<(usize, u64)>,
    states: Vec<RuleState>,
    scanned: u64,
    /// The rules whose state may differ from a fresh one, unless `all_touched`.
    touched: Vec<u32>,
    /// Whether any rule's state may differ from a fresh one (a scan visited every rule).
    all_touched: bool,
    /// Reused list of the rules a one-call scan visits.
    todo: Vec<u32>,
    /// Each keyword rule's tail at the end of the current buffer.
    tails: TailScratch,
}

/// Notes that rule `i`'s state is about to change, so that [`Scanner::reset`] restores it.
fn touch(states: &mut [RuleState], touched: &mut Vec<u32>, i: usize) {
    if !states[i].touched {
        states[i].touched = true;
        touched.push(i as u32);
    }
}

#[derive(Debug, Default)]
struct RuleState {
    /// Every match start before `p` is decided.
    p: u64,
    /// Candidate start ranges `[lo, hi)`, sorted by `lo`.
    anchors: VecDeque<(u64, u64)>,
    /// Listed in the scanner's `touched`.
    touched: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded catalog's regexes are compiled on first use (see [`Confirm`]), so that
    /// one of them failing to compile would only show on some input: each is compiled here.
    #[test]
    fn every_embedded_rule_compiles() {
        let set = RuleSet::default_catalog();
        for rule in set.rules().iter().filter(|r| r.literals.is_none()) {
            assert!(rule.embedded, "{}", rule.id);
            if let Err(e) = Confirm::compile(&rule.pattern) {
                panic!("{}: {e}", rule.id);
            }
        }
    }

    /// The keyword lead is what the engine trusts to put a match's start within reach of a
    /// keyword hit: in every match of every catalog example, a keyword begins at most `lead`
    /// bytes after the start (checked on each match the rule's regex finds, at every start).
    #[test]
    fn every_catalog_match_has_a_keyword_within_its_lead() {
        let set = RuleSet::default_catalog();
        for rule in set.rules().iter().filter(|r| r.literals.is_none()) {
            if rule.keywords.is_empty() {
                continue;
            }
            let (regex, _) = Confirm::compile(&rule.pattern).unwrap();
            for example in &rule.examples {
                let hay = example.as_bytes();
                for start in 0..hay.len() {
                    let input = Input::new(hay).range(start..).anchored(Anchored::Yes);
                    let Some(m) = regex.search(&input) else {
                        continue;
                    };
                    let reach = &hay[m.start()..m.end()];
                    let found = (0..=rule.keyword_lead.min(reach.len())).any(|off| {
                        rule.keywords.iter().any(|k| {
                            reach[off..].len() >= k.len()
                                && reach[off..off + k.len()].eq_ignore_ascii_case(k.as_bytes())
                        })
                    });
                    assert!(
                        found,
                        "{}: no keyword within {} bytes of the start in {example:?}",
                        rule.id, rule.keyword_lead
                    );
                }
            }
        }
    }

    /// A user rule is compiled when the engine is built (so that one that does not compile
    /// is refused at load, named by id); an embedded one when it first has a candidate.
    #[test]
    fn user_rules_compile_at_load_embedded_ones_on_first_use() {
        let text = r#"
[[rule]]
id = "user-rule"
name = "user rule"
category = "secret"
label = "X"
pattern = 'zz[0-9]{4}'
keywords = ["zz"]
examples = ["zz1234", "a zz9876 b"]
counterexamples = ["zz12", "zzabcd"]
"#;
        let set = RuleSet::builder()
            .source("user.toml", text)
            .build()
            .unwrap();
        let engine = Engine::new(&set).unwrap();
        for (rule, rm) in set.rules().iter().zip(&engine.rules) {
            if let Matcher::Regex(ref c) = rm.matcher {
                assert_eq!(c.compiled.get().is_some(), !rule.embedded, "{}", rule.id);
            }
        }
        assert!(set
            .rules()
            .iter()
            .any(|r| !r.embedded && &*r.id == "user-rule"));
    }
}
