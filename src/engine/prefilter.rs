//! The prefilter pass: every `(prefilter pattern, end offset)` event in a buffer, the raw
//! material of the engine's anchors (see the contract in the parent module).
//!
//! # Two automata, not one
//!
//! The prefilter patterns are of two kinds, and each goes to the automaton that suits it:
//!
//! * **keywords** (ASCII case-insensitive literals) go to one Aho-Corasick DFA (or, with the
//!   `hyperscan` feature, to a Hyperscan database, see `engine/hyperscan.rs`);
//! * **whole patterns** of keyword-less rules (phone numbers, cards, IBANs, IPs...) go to one
//!   lazy DFA with all-matches semantics.
//!
//! One lazy DFA over both would have to determinize the product of the keyword trie and the
//! patterns' states. With the full catalog it kept building new states, and clearing its
//! cache, all through a long input: 32 MiB of logs took 1.2 s against 0.5 s with the two
//! automata apart.
//!
//! # Events
//!
//! [`Prefilter::events`] reports, for a pass starting at `from`, every end offset `e` at which
//! a keyword occurrence, or a match of a whole pattern, that starts at or after `from` ends.
//! Each automaton is walked by a loop written here rather than by the crates' overlapping
//! iterators, which re-enter the search (and re-check its setup) once per event and are not
//! unrolled; on a 200-byte record those iterators cost about twice the loop below.
//! The loops follow the crates' documented low-level contracts: a lazy DFA state id is only
//! used until the next call that may compute a state, and a lazy DFA match is reported one
//! byte late (at the byte after its end, or at the end-of-input transition).

use aho_corasick::automaton::Automaton;
use aho_corasick::MatchKind;
use regex_automata::hybrid;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::Input;

use super::syntax_config;
#[cfg(feature = "hyperscan")]
use super::{hyperscan, ErrorKind};
use super::{EngineKind, Error};

/// What a prefilter pattern stands for.
#[derive(Debug)]
pub(super) enum Hit {
    /// A keyword of this length, shared by these rules.
    Keyword { len: u64, rules: Vec<u32> },
    /// The whole pattern of one keyword-less rule.
    Rule {
        rule: u32,
        max_len: u64,
        min_len: u64,
    },
}

/// A prefilter pattern, before it goes to an automaton.
pub(super) enum PrefilterExpr {
    /// A keyword, lowercased.
    Keyword(Vec<u8>),
    /// A keyword-less rule's whole pattern.
    Pattern(String),
}

/// The compiled prefilter. Pattern ids are indexes into `hits`.
#[derive(Debug)]
pub(super) struct Prefilter {
    /// By prefilter pattern id.
    pub(super) hits: Vec<Hit>,
    /// The longest prefilter match: how far back a new pass must start.
    pub(super) reach: u64,
    /// The keywords no Hyperscan database holds (all of them with the Rust engine).
    keywords: Option<Keywords>,
    /// The keyword-less rules' whole patterns.
    patterns: Option<Patterns>,
    /// The Hyperscan database of the keywords (pattern id = hit index).
    #[cfg(feature = "hyperscan")]
    hs: Option<hyperscan::Database>,
}

/// Keywords in one ASCII case-insensitive Aho-Corasick DFA, with the hit index of each of its
/// pattern ids.
#[derive(Debug)]
struct Keywords {
    dfa: aho_corasick::dfa::DFA,
    ids: Vec<usize>,
}

/// Whole patterns in one all-matches lazy DFA, with the hit index of each of its pattern ids.
#[derive(Debug)]
struct Patterns {
    dfa: hybrid::dfa::DFA,
    ids: Vec<usize>,
}

impl Prefilter {
    /// Compiles the prefilter patterns (pattern id = hit index) for `kind`; returns the
    /// prefilter and the rules some of whose keywords Hyperscan refused.
    pub(super) fn build(
        patterns: Vec<PrefilterExpr>,
        hits: Vec<Hit>,
        kind: EngineKind,
    ) -> Result<(Prefilter, Vec<u32>), Error> {
        let reach = hits
            .iter()
            .map(|h| match *h {
                Hit::Keyword { len, .. } => len,
                Hit::Rule { max_len, .. } => max_len,
            })
            .max()
            .unwrap_or(0);
        let mut keywords: Vec<(usize, &[u8])> = vec![];
        let mut whole: Vec<(usize, &str)> = vec![];
        for (i, p) in patterns.iter().enumerate() {
            match p {
                PrefilterExpr::Keyword(k) => keywords.push((i, k)),
                PrefilterExpr::Pattern(p) => whole.push((i, p)),
            }
        }
        #[cfg_attr(not(feature = "hyperscan"), allow(unused_mut))]
        let mut fallback: Vec<u32> = vec![];
        #[cfg(feature = "hyperscan")]
        let mut hs = None;
        #[cfg(feature = "hyperscan")]
        if kind == EngineKind::Hyperscan {
            // Hyperscan takes the keywords; the keyword-less patterns (digit and hex classes:
            // phones, cards, IPs) stay in the lazy DFA, which runs them several times faster
            // on log text than Hyperscan's NFAs do (see `engine/hyperscan.rs`). A keyword
            // Hyperscan refuses goes to Aho-Corasick.
            let (db, refused) = hyperscan::Database::build(&keywords)
                .map_err(|e| Error::new(ErrorKind::Engine(e)))?;
            hs = db;
            keywords.retain(|(i, _)| refused.contains(i));
            for &id in &refused {
                if let Hit::Keyword { ref rules, .. } = hits[id] {
                    fallback.extend(rules);
                }
            }
            fallback.sort_unstable();
            fallback.dedup();
        }
        let _ = kind;
        let keywords = match keywords.is_empty() {
            true => None,
            false => Some(Keywords {
                dfa: aho_corasick::dfa::DFA::builder()
                    .match_kind(MatchKind::Standard)
                    .ascii_case_insensitive(true)
                    .start_kind(aho_corasick::StartKind::Unanchored)
                    // With hundreds of keywords a prefilter rarely skips anything, and it
                    // would make the start state special: the loop would stop at every byte.
                    .prefilter(false)
                    .build(keywords.iter().map(|&(_, k)| k))
                    .map_err(|e| Error::rule("prefilter", format!("keywords: {e}")))?,
                ids: keywords.iter().map(|&(i, _)| i).collect(),
            }),
        };
        let patterns = match whole.is_empty() {
            true => None,
            false => {
                let regexes: Vec<&str> = whole.iter().map(|&(_, p)| p).collect();
                let dfa = hybrid::dfa::DFA::builder()
                    .syntax(syntax_config())
                    .thompson(thompson::Config::new().which_captures(WhichCaptures::None))
                    .configure(
                        hybrid::dfa::DFA::config()
                            .match_kind(regex_automata::MatchKind::All)
                            .cache_capacity(32 << 20),
                    )
                    .build_many(&regexes)
                    .map_err(|e| Error::rule("prefilter", format!("cannot compile: {e}")))?;
                Some(Patterns {
                    dfa,
                    ids: whole.iter().map(|&(i, _)| i).collect(),
                })
            }
        };
        let prefilter = Prefilter {
            hits,
            reach,
            keywords,
            patterns,
            #[cfg(feature = "hyperscan")]
            hs,
        };
        Ok((prefilter, fallback))
    }

    /// A cache for the whole-pattern lazy DFA, if there is one.
    pub(super) fn create_cache(&self) -> Option<hybrid::dfa::Cache> {
        self.patterns.as_ref().map(|p| p.dfa.create_cache())
    }

    /// Scratch space for the Hyperscan database, if there is one.
    #[cfg(feature = "hyperscan")]
    pub(super) fn create_hs_scratch(&self) -> Option<hyperscan::Scratch> {
        self.hs.as_ref().map(|db| db.scratch())
    }

    /// Appends to `events` every `(hit index, absolute end)` of a prefilter match that starts
    /// at or after `from` in the buffer `hay` (whose first byte is at `base`). Returns false if
    /// an automaton gave up, in which case the events are incomplete.
    pub(super) fn events(
        &self,
        cache: Option<&mut hybrid::dfa::Cache>,
        #[cfg(feature = "hyperscan")] hs_scratch: Option<&mut hyperscan::Scratch>,
        hay: &[u8],
        base: u64,
        from: u64,
        events: &mut Vec<(usize, u64)>,
    ) -> bool {
        let at = (from - base) as usize;
        #[cfg(feature = "hyperscan")]
        if let Some(ref db) = self.hs {
            // One byte before `from`, for the look-behind of `\b` and `\B`.
            let at = at.saturating_sub(1);
            let scratch = hs_scratch.expect("hyperscan scratch");
            let abs = base + at as u64;
            let ok = db.scan(scratch, &hay[at..], |id, e| {
                events.push((id, abs + e as u64))
            });
            if !ok {
                return false;
            }
        }
        let pass = Pass { hay, base, events };
        match (&self.keywords, &self.patterns, cache) {
            (Some(kw), None, _) => {
                kw.events(pass, at);
                true
            }
            (None, Some(p), Some(cache)) => p.events(cache, pass, at).is_some(),
            (Some(kw), Some(p), Some(cache)) => both(kw, p, cache, pass, at).is_some(),
            (None, None, _) => true,
            (_, Some(_), None) => unreachable!("a scanner has a cache for every lazy DFA"),
        }
    }
}

/// One prefilter pass: the buffer, the absolute offset of its first byte, and the events
/// found so far.
struct Pass<'a> {
    hay: &'a [u8],
    base: u64,
    events: &'a mut Vec<(usize, u64)>,
}

/// Walks the keyword DFA and the whole-pattern lazy DFA over the buffer together, from `at`.
///
/// The two walks are independent chains of table loads, so in one loop each waits on its own
/// load while the other's runs: a 174-byte record costs about what one walk costs alone.
fn both(
    kw: &Keywords,
    p: &Patterns,
    cache: &mut hybrid::dfa::Cache,
    pass: Pass<'_>,
    mut at: usize,
) -> Option<()> {
    let Pass { hay, base, events } = pass;
    let mut a = kw.start();
    let mut s = p.start(cache, hay, at)?;
    while at < hay.len() {
        if !s.is_tagged() {
            (a, s, at) = walk_both(&kw.dfa, &p.dfa, cache, a, s, hay, at);
            if at == hay.len() {
                break;
            }
        }
        // The byte at `at` takes one automaton to a special state, or `s` already is one.
        let mut pass = Pass { hay, base, events };
        a = kw.step(a, &mut pass, at);
        s = p.step(cache, s, &mut pass, at)?;
        at += 1;
    }
    p.finish(cache, s, &mut Pass { hay, base, events })
}

/// Walks both automata from `at` while neither reaches a special state (`s` untagged on
/// entry); returns the states before the byte that would, and that byte's offset (or the end
/// of `hay`). Its own function, with nothing else live, so that both states stay in
/// registers: inlined into a loop that also handles matches, the state was stored to and
/// reloaded from the stack on every byte, which made a 174-byte record about twice as slow.
#[inline(never)]
fn walk_both(
    ac: &aho_corasick::dfa::DFA,
    dfa: &hybrid::dfa::DFA,
    cache: &hybrid::dfa::Cache,
    mut a: aho_corasick::automaton::StateID,
    mut s: hybrid::LazyStateID,
    hay: &[u8],
    at: usize,
) -> (aho_corasick::automaton::StateID, hybrid::LazyStateID, usize) {
    for (i, &byte) in hay[at..].iter().enumerate() {
        let na = ac.next_state(aho_corasick::Anchored::No, a, byte);
        let ns = dfa.next_state_untagged(cache, s, byte);
        if ac.is_special(na) || ns.is_tagged() {
            return (a, s, at + i);
        }
        (a, s) = (na, ns);
    }
    (a, s, hay.len())
}

impl Keywords {
    fn start(&self) -> aho_corasick::automaton::StateID {
        self.dfa
            .start_state(aho_corasick::Anchored::No)
            .expect("the DFA is built for unanchored searches")
    }

    /// Every keyword occurrence starting at or after `at` (all of them, overlapping).
    fn events(&self, mut pass: Pass<'_>, mut at: usize) {
        let mut sid = self.start();
        while at < pass.hay.len() {
            (sid, at) = Keywords::walk(&self.dfa, sid, pass.hay, at);
            if at == pass.hay.len() {
                break;
            }
            sid = self.step(sid, &mut pass, at);
            at += 1;
        }
    }

    /// The transition on the byte at `at`, reporting the keywords that end with it.
    fn step(
        &self,
        sid: aho_corasick::automaton::StateID,
        pass: &mut Pass<'_>,
        at: usize,
    ) -> aho_corasick::automaton::StateID {
        let dfa = &self.dfa;
        let sid = dfa.next_state(aho_corasick::Anchored::No, sid, pass.hay[at]);
        // Without a prefilter only match states are special (and the dead state, which an
        // unanchored DFA never reaches).
        if dfa.is_match(sid) {
            for k in 0..dfa.match_len(sid) {
                let id = self.ids[dfa.match_pattern(sid, k).as_usize()];
                pass.events.push((id, pass.base + at as u64 + 1));
            }
        }
        sid
    }

    /// Walks from `sid` at `at` while no special state is reached; returns the state before
    /// the byte that would reach one, and that byte's offset (or the end of `hay`). Its own
    /// function for the reason given on [`walk_both`].
    #[inline(never)]
    fn walk(
        dfa: &aho_corasick::dfa::DFA,
        mut sid: aho_corasick::automaton::StateID,
        hay: &[u8],
        at: usize,
    ) -> (aho_corasick::automaton::StateID, usize) {
        for (i, &byte) in hay[at..].iter().enumerate() {
            let next = dfa.next_state(aho_corasick::Anchored::No, sid, byte);
            if dfa.is_special(next) {
                return (sid, at + i);
            }
            sid = next;
        }
        (sid, hay.len())
    }
}

impl Patterns {
    /// The start state for a pass from `at` (which looks at the byte before `at`).
    fn start(
        &self,
        cache: &mut hybrid::dfa::Cache,
        hay: &[u8],
        at: usize,
    ) -> Option<hybrid::LazyStateID> {
        let input = Input::new(hay).range(at..);
        self.dfa.start_state_forward(cache, &input).ok()
    }

    /// Every end of a match starting at or after `at` (all patterns, overlapping). `None` if
    /// the lazy DFA gave up.
    fn events(
        &self,
        cache: &mut hybrid::dfa::Cache,
        mut pass: Pass<'_>,
        mut at: usize,
    ) -> Option<()> {
        let mut sid = self.start(cache, pass.hay, at)?;
        while at < pass.hay.len() {
            if !sid.is_tagged() {
                (sid, at) = Patterns::walk(&self.dfa, cache, sid, pass.hay, at);
                if at == pass.hay.len() {
                    break;
                }
            }
            sid = self.step(cache, sid, &mut pass, at)?;
            at += 1;
        }
        self.finish(cache, sid, &mut pass)
    }

    /// The transition on the byte at `at` (computing it if need be), reporting the matches
    /// that end just before it: a lazy DFA reports a match one byte late.
    fn step(
        &self,
        cache: &mut hybrid::dfa::Cache,
        sid: hybrid::LazyStateID,
        pass: &mut Pass<'_>,
        at: usize,
    ) -> Option<hybrid::LazyStateID> {
        let sid = self.dfa.next_state(cache, sid, pass.hay[at]).ok()?;
        if sid.is_match() {
            self.report(cache, sid, pass, at);
        } else if sid.is_dead() || sid.is_quit() {
            // An unanchored all-matches DFA over bytes neither dies nor quits; give up rather
            // than miss anything if it ever did.
            return None;
        }
        Some(sid)
    }

    /// The end-of-input transition: the matches ending at the buffer's end.
    fn finish(
        &self,
        cache: &mut hybrid::dfa::Cache,
        sid: hybrid::LazyStateID,
        pass: &mut Pass<'_>,
    ) -> Option<()> {
        let sid = self.dfa.next_eoi_state(cache, sid).ok()?;
        if sid.is_match() {
            self.report(cache, sid, pass, pass.hay.len());
        }
        Some(())
    }

    fn report(
        &self,
        cache: &hybrid::dfa::Cache,
        sid: hybrid::LazyStateID,
        pass: &mut Pass<'_>,
        end: usize,
    ) {
        for k in 0..self.dfa.match_len(cache, sid) {
            let id = self.ids[self.dfa.match_pattern(cache, sid, k).as_usize()];
            pass.events.push((id, pass.base + end as u64));
        }
    }

    /// Walks from the untagged `sid` at `at` while the next state is known and untagged;
    /// returns the last such state and the offset of the byte whose transition stopped the
    /// walk (or the end of `hay`). Its own function for the reason given on [`walk_both`].
    #[inline(never)]
    fn walk(
        dfa: &hybrid::dfa::DFA,
        cache: &hybrid::dfa::Cache,
        mut sid: hybrid::LazyStateID,
        hay: &[u8],
        at: usize,
    ) -> (hybrid::LazyStateID, usize) {
        for (i, &byte) in hay[at..].iter().enumerate() {
            let next = dfa.next_state_untagged(cache, sid, byte);
            if next.is_tagged() {
                return (sid, at + i);
            }
            sid = next;
        }
        (sid, hay.len())
    }
}
