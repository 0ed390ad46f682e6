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
//! unrolled; on a 200-byte record those iterators cost about twice these loops (see
//! [`Walk`]). A lazy DFA match is reported one byte late (at the byte after its end, or at the
//! end-of-input transition), as the crate documents.
//!
//! A pass of 4 KiB or more is walked in lanes (see [`Split`]): a DFA walk waits on one table
//! load per byte, and independent walks in one loop overlap their waits. Two lanes made 1 MiB
//! of clean logs 15-20% faster than one. From 8 KiB each automaton is walked alone in four
//! lanes (four chains of loads); below that both automata go together in two lanes (four
//! chains too, see [`Both`]), or in one lane for a short record (two chains). Four lanes
//! took another 7-20% off 1 MiB with either engine (session 9 in the README).
//!
//! # One lazy DFA cache for both lanes
//!
//! The two lanes walk the same states, so they share one cache: with a cache each, every hot
//! state sat in memory twice and the walk waited on the first-level cache misses of both
//! copies. Sharing, 1 MiB of clean logs had 15% fewer of those misses and took 8% less time
//! with the Rust engine, 16% less with Hyperscan (where the lazy DFA walks alone).
//!
//! regex-automata documents a lazy state id as valid only until the next call on its cache,
//! which rules out two lanes on one cache. Its implementation is more lenient: states are only
//! ever added between clears, so an id stays usable until the cache is *cleared*, and
//! [`hybrid::dfa::Cache::clear_count`] counts the clears. This module relies on that, and
//! guards the reliance:
//!
//! * every lookup is the bounds-checked `next_state_untagged`: if that reliance ever broke,
//!   the walk could give wrong events but never read out of bounds (there is no `unsafe` here);
//! * each lane notes the clear count after each of its own calls, and before it walks again
//!   a lane that missed a clear starts over from a fresh start state `reach` bytes back (see
//!   [`Lane::revalidate`]), which finds again every match that can end past where it was;
//! * the test `shared_cache_survives_clears` walks with a cache small enough to be cleared
//!   about a thousand times and compares every event with a walk whose cache is never
//!   cleared. It is what would catch a regex-automata release that broke the reliance.

use aho_corasick::automaton::Automaton;
use aho_corasick::MatchKind;
use regex_automata::hybrid;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::Input;

use super::keyword_dfa::{KeywordDfa, KeywordView};
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
    /// `dfa`'s transitions, for the walk.
    table: KeywordDfa,
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
        Prefilter::build_with(patterns, hits, kind, CACHE_CAPACITY)
    }

    /// [`Prefilter::build`] with a lazy DFA cache of `cache_capacity` bytes (tests clear a
    /// small one often).
    fn build_with(
        patterns: Vec<PrefilterExpr>,
        hits: Vec<Hit>,
        kind: EngineKind,
        cache_capacity: usize,
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
            false => Some(Keywords::new(
                aho_corasick::dfa::DFA::builder()
                    .match_kind(MatchKind::Standard)
                    .ascii_case_insensitive(true)
                    .start_kind(aho_corasick::StartKind::Unanchored)
                    // With hundreds of keywords a prefilter rarely skips anything, and it
                    // would make the start state special: the loop would stop at every byte.
                    .prefilter(false)
                    .build(keywords.iter().map(|&(_, k)| k))
                    .map_err(|e| Error::rule("prefilter", format!("keywords: {e}")))?,
                &keywords.iter().map(|&(_, k)| k).collect::<Vec<_>>(),
                keywords.iter().map(|&(i, _)| i).collect(),
            )),
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
                            .cache_capacity(cache_capacity),
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

    /// Fresh scratch space for [`Prefilter::events`].
    pub(super) fn scratch(&self) -> Scratch {
        Scratch {
            cache: self.patterns.as_ref().map(|p| p.dfa.create_cache()),
            spills: Default::default(),
            #[cfg(feature = "hyperscan")]
            hs: self.hs.as_ref().map(|db| db.scratch()),
        }
    }

    /// Appends to `events` every `(hit index, absolute end)` of a prefilter match that starts
    /// at or after `from` in the buffer `hay` (whose first byte is at `base`). Returns false if
    /// an automaton gave up, in which case the events are incomplete.
    pub(super) fn events(
        &self,
        scratch: &mut Scratch,
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
            let hs = scratch.hs.as_mut().expect("hyperscan scratch");
            let abs = base + at as u64;
            let ok = db.scan(hs, &hay[at..], |id, e| events.push((id, abs + e as u64)));
            if !ok {
                return false;
            }
        }
        let Scratch { cache, spills, .. } = scratch;
        let mut pass = Split {
            hay,
            base,
            at,
            reach: self.reach as usize,
            events,
            spills,
        };
        let done = match (&self.keywords, &self.patterns, cache) {
            (Some(kw), None, _) => pass.run(kw, &mut ()),
            (None, Some(p), Some(c)) => pass.run(p, c),
            // Four chains of loads either way; one automaton in four lanes took 1 MiB of logs
            // 8-14% faster than both in two (see [`Both`]).
            (Some(kw), Some(p), Some(c)) if pass.lanes_for::<Patterns>() == 4 => {
                pass.run(kw, &mut ()).and_then(|()| pass.run(p, c))
            }
            (Some(kw), Some(p), Some(c)) => pass.run(&Both(kw, p), c),
            (None, None, _) => Some(()),
            (_, Some(_), None) => unreachable!("a scratch has a cache for a lazy DFA"),
        };
        done.is_some()
    }
}

/// Per-scanner mutable state of the prefilter: the lazy DFA's cache (all lanes'), the events
/// of the lanes after the first, and the Hyperscan scratch.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    /// The lazy DFA's cache, shared by all lanes (module doc).
    cache: Option<hybrid::dfa::Cache>,
    /// The events of lanes 1, 2 and 3 of a pass (see [`Split`]).
    spills: [Vec<(usize, u64)>; 3],
    #[cfg(feature = "hyperscan")]
    hs: Option<hyperscan::Scratch>,
}

/// The lazy DFA cache's capacity. On the 1 MiB log corpora the DFA settles at about 1 000
/// states (460 KB of cache) on clean logs and 1 800 (770 KB) with values, so it is not
/// cleared there.
const CACHE_CAPACITY: usize = 16 << 20;

/// A pass too short to split runs in one lane.
const SPLIT_MIN: usize = 4096;

/// One prefilter pass over `hay` from `at`, run in lanes when it is long enough.
///
/// # Lanes
///
/// A DFA walk is a chain of dependent table loads: each transition waits for the previous
/// one, so one walk uses a fraction of what the core can do. A long pass is therefore cut in
/// `N` lanes (two or four, see [`Walk::LANES`]), walked in one loop, each with its own state
/// (in one shared lazy DFA cache, see the module doc). With lane starts
/// `at = s_0 < s_1 < ... < s_{N-1}`:
///
/// * lane `k < N-1` walks `[s_k, s_{k+1} + reach)` and reports what ends there;
/// * lane `k > 0` starts from a state that looks behind at `s_k - 1`;
/// * the last lane walks `[s_{N-1}, len)` and takes the end-of-input transition.
///
/// A match starting in `[s_k, s_{k+1})` is at most `reach` bytes long, so lane `k` sees it
/// whole. Matches starting in `[s_{k+1}, s_{k+1} + reach)` and ending before
/// `s_{k+1} + reach` are reported by two lanes: duplicate events only repeat an anchor.
/// Lane `k > 0`'s events go to `spills[k-1]` and are appended in lane order after lane 0's,
/// so that each rule's anchors arrive almost in order. A lane that starts over after a cache
/// clear repeats some events too.
struct Split<'a> {
    hay: &'a [u8],
    base: u64,
    at: usize,
    reach: usize,
    events: &'a mut Vec<(usize, u64)>,
    spills: &'a mut [Vec<(usize, u64)>; 3],
}

impl Split<'_> {
    /// How many lanes a pass of `W` runs in: one below `SPLIT_MIN` (or four times `reach`),
    /// [`Walk::LANES`] from twice that, two in between.
    fn lanes_for<W: Walk>(&self) -> usize {
        let min = SPLIT_MIN.max(4 * self.reach);
        match self.hay.len() - self.at {
            span if span < min => 1,
            span if span < 2 * min => 2.min(W::LANES),
            _ => W::LANES,
        }
    }

    fn run<W: Walk>(&mut self, w: &W, cache: &mut W::Cache) -> Option<()> {
        match self.lanes_for::<W>() {
            1 => {
                // One lane: its state is always the one its cache returned last.
                let pass = Pass {
                    hay: self.hay,
                    base: self.base,
                    events: self.events,
                };
                let mut lane = Lane::start(w, cache, pass, self.at, self.hay.len(), self.reach)?;
                lane.run(cache)?;
                lane.finish(cache)
            }
            2 => self.lanes::<W, 2>(w, cache),
            _ => self.lanes::<W, 4>(w, cache),
        }
    }

    /// The pass in `N` lanes (`2 <= N <= 4`).
    fn lanes<W: Walk, const N: usize>(&mut self, w: &W, cache: &mut W::Cache) -> Option<()> {
        let Split {
            hay,
            base,
            at,
            reach,
            ref mut events,
            ref mut spills,
        } = *self;
        let len = hay.len();
        let starts: [usize; N] = std::array::from_fn(|k| at + k * (len - at - reach) / N);
        spills.iter_mut().for_each(Vec::clear);
        let mut sinks = std::iter::once(&mut **events).chain(spills.iter_mut());
        let lanes: [Option<Lane<'_, '_, W>>; N] = std::array::from_fn(|k| {
            let end = starts.get(k + 1).map_or(len, |&s| s + reach);
            let events = sinks.next().expect("a spill per lane after the first");
            Lane::start(w, cache, Pass { hay, base, events }, starts[k], end, reach)
        });
        if lanes.iter().any(Option::is_none) {
            return None;
        }
        let mut lanes = lanes.map(|l| l.expect("checked above"));
        // Starting over rewinds a lane by at most `reach` bytes, and a clear needs the cache
        // filled anew in between; past this many restarts (a cache too small for the input)
        // the pass gives up, and the engine takes every start as a candidate.
        let mut restarts = (len - at) / reach.max(1) + 8;
        loop {
            for lane in &mut lanes {
                lane.ready(cache, &mut restarts)?;
            }
            if lanes.iter().any(|l| !l.is_valid(cache)) {
                // A later lane's calls cleared the cache under an earlier one: all are made
                // ready again. (Counted, so that the loop ends even if starting over ever
                // failed to make them valid.)
                restarts = restarts.checked_sub(1)?;
                continue;
            }
            let n = lanes.iter().map(|l| l.end - l.at).min().unwrap_or(0);
            if n == 0 {
                break;
            }
            let (states, i, stop) = walk_lanes::<W, N>(
                w.hot(),
                cache,
                lanes.each_ref().map(|l| l.s),
                lanes.each_ref().map(|l| &hay[l.at..l.at + n]),
            );
            for (k, lane) in lanes.iter_mut().enumerate() {
                lane.s = states[k];
                lane.at += i + usize::from(stop.is_some_and(|stop| k < stop));
            }
            // A byte that takes a lane to a special state is taken the slow way.
            if let Some(stop) = stop {
                lanes[stop].step(cache)?;
            }
        }
        // Every lane but the last stops short of the end: no end-of-input transition.
        for lane in &mut lanes {
            lane.run(cache)?;
        }
        lanes[N - 1].finish(cache)?;
        for spill in &mut spills[..N - 1] {
            events.append(spill);
        }
        Some(())
    }
}

/// One lane of a pass: what it walks with, where its events go, the automaton state before
/// the byte at `at`, where the lane began and ends, and the cache's clear count when the lane
/// last called into it.
struct Lane<'a, 'w, W: Walk> {
    w: &'w W,
    pass: Pass<'a>,
    s: W::State,
    begin: usize,
    at: usize,
    end: usize,
    reach: usize,
    clears: u64,
}

impl<'a, 'w, W: Walk> Lane<'a, 'w, W> {
    fn start(
        w: &'w W,
        cache: &mut W::Cache,
        pass: Pass<'a>,
        at: usize,
        end: usize,
        reach: usize,
    ) -> Option<Self> {
        let s = w.start(cache, pass.hay, at)?;
        Some(Lane {
            w,
            pass,
            s,
            begin: at,
            at,
            end,
            reach,
            clears: W::clears(cache),
        })
    }

    /// Whether the lane's state is still valid: the cache has not been cleared since the
    /// lane's last call into it (module doc).
    fn is_valid(&self, cache: &W::Cache) -> bool {
        self.clears == W::clears(cache)
    }

    /// Makes the lane's state valid again after another lane's call cleared the cache: it
    /// starts over `reach` bytes back (not before where it began). A match that ends past
    /// `at` starts at most `reach` bytes before it, so the lane finds it again; what ended
    /// before `at` was reported already. `restarts` is the pass's budget (see [`Split`]).
    fn revalidate(&mut self, cache: &mut W::Cache, restarts: &mut usize) -> Option<()> {
        if self.is_valid(cache) {
            return Some(());
        }
        *restarts = restarts.checked_sub(1)?;
        self.at = self.at.saturating_sub(self.reach).max(self.begin);
        self.s = self.w.start(cache, self.pass.hay, self.at)?;
        // The start state is the cache's latest answer, valid even if computing it cleared.
        self.clears = W::clears(cache);
        Some(())
    }

    /// Takes bytes the slow way until the state may enter a fast walk (or the lane ends).
    fn ready(&mut self, cache: &mut W::Cache, restarts: &mut usize) -> Option<()> {
        self.revalidate(cache, restarts)?;
        while self.at < self.end && !self.w.ready(self.s) {
            self.step(cache)?;
        }
        Some(())
    }

    /// Takes one byte the slow way. The lane's state must be valid.
    fn step(&mut self, cache: &mut W::Cache) -> Option<()> {
        debug_assert!(self.is_valid(cache));
        self.s = self.w.step(cache, self.s, &mut self.pass, self.at)?;
        self.clears = W::clears(cache);
        self.at += 1;
        Some(())
    }

    /// Walks the lane to its end alone.
    fn run(&mut self, cache: &mut W::Cache) -> Option<()> {
        // Alone from here, so only this lane's own calls touch the cache: a budget of one
        // restart (for a clear by the other lane before) is all it can need.
        let mut restarts = 1;
        loop {
            self.ready(cache, &mut restarts)?;
            if self.at == self.end {
                return Some(());
            }
            let (s, i) = walk1::<W>(
                self.w.hot(),
                cache,
                self.s,
                &self.pass.hay[self.at..self.end],
            );
            self.s = s;
            self.at += i;
            if self.at == self.end {
                return Some(());
            }
            self.step(cache)?;
        }
    }

    /// The end-of-input transition (for a lane that ends where the buffer does). The lane's
    /// state must be valid.
    fn finish(&mut self, cache: &mut W::Cache) -> Option<()> {
        debug_assert!(self.is_valid(cache));
        self.w.finish(cache, self.s, &mut self.pass)
    }
}

/// Where a lane's events go: the buffer, the absolute offset of its first byte, and the
/// events found so far.
struct Pass<'a> {
    hay: &'a [u8],
    base: u64,
    events: &'a mut Vec<(usize, u64)>,
}

/// What a lane walks: the keyword DFA, the whole-pattern lazy DFA, or both together.
///
/// Both together are still two independent chains of table loads, so in one loop each waits
/// on its own load while the other's runs: a 174-byte record costs about what one walk costs
/// alone.
trait Walk {
    /// How many lanes a long pass is cut in: 4 for one automaton, 2 when a lane walks two (four
    /// chains of loads already; eight spilled to the stack).
    const LANES: usize;

    type State: Copy;
    /// The mutable part of a walk (the lazy DFA's cache), shared by a pass's lanes.
    type Cache;

    /// How many times `cache` has been cleared: a lane's state is valid while this has not
    /// moved since the lane's last call (module doc).
    fn clears(cache: &Self::Cache) -> u64;

    /// The state for a pass from `at` (which may look at the byte before `at`).
    fn start(&self, cache: &mut Self::Cache, hay: &[u8], at: usize) -> Option<Self::State>;

    /// Whether `s` may be passed to [`Walk::fast`].
    fn ready(&self, s: Self::State) -> bool;

    /// What [`Walk::fast`] reads besides a lane's cache, gathered once per walk so that the
    /// loop keeps it in registers (table addresses) instead of reloading it
    /// through `self` on every byte.
    type Hot<'h>: Copy
    where
        Self: 'h;

    /// This walker's [`Walk::Hot`] part.
    fn hot(&self) -> Self::Hot<'_>;

    /// The transition on `byte` from a ready state, if it is known and leads to another ready
    /// state that reports nothing.
    fn fast<'h>(
        hot: Self::Hot<'h>,
        cache: &Self::Cache,
        s: Self::State,
        byte: u8,
    ) -> Option<Self::State>
    where
        Self: 'h;

    /// The transition on the byte at `at` (computing it if need be), reporting what it finds.
    /// `None` if an automaton gave up.
    fn step(
        &self,
        cache: &mut Self::Cache,
        s: Self::State,
        pass: &mut Pass<'_>,
        at: usize,
    ) -> Option<Self::State>;

    /// The end-of-input transition, reporting what ends at the buffer's end.
    fn finish(&self, cache: &mut Self::Cache, s: Self::State, pass: &mut Pass<'_>) -> Option<()>;
}

/// Walks one lane over `hay` while [`Walk::fast`] goes; returns the last state and the number
/// of bytes taken. Its own function, with nothing else live, so that the state stays in
/// registers: inlined into a loop that also handles matches, the state was stored to and
/// reloaded from the stack on every byte, which made a 174-byte record about twice as slow.
///
/// Bytes go in pairs: one loop test per two bytes, and the compiler then keeps the lazy DFA's
/// table address in a register instead of reloading it per byte (with [`Walk::Hot`], the
/// combined walk went from 20 to 13.5 instructions a byte).
#[inline(never)]
fn walk1<'h, W: Walk + 'h>(
    hot: W::Hot<'h>,
    cache: &W::Cache,
    mut s: W::State,
    hay: &[u8],
) -> (W::State, usize) {
    let mut pairs = hay.chunks_exact(2);
    let mut i = 0;
    for pair in &mut pairs {
        let Some(t) = W::fast(hot, cache, s, pair[0]) else {
            return (s, i);
        };
        let Some(u) = W::fast(hot, cache, t, pair[1]) else {
            return (t, i + 1);
        };
        s = u;
        i += 2;
    }
    if let [last] = pairs.remainder() {
        let Some(t) = W::fast(hot, cache, s, *last) else {
            return (s, i);
        };
        return (t, i + 1);
    }
    (s, i)
}

/// Walks `N` lanes in one loop while [`Walk::fast`] goes for all of them, a byte of each per
/// round; returns their last states, the round `i` in which a lane stopped and which lane
/// that was (lanes before it took `i + 1` bytes, the others `i`), or the slices' length and
/// `None` if none stopped. The slices must have one length. See [`walk1`] for why it is its
/// own function.
///
/// Lane `k`'s byte is committed before lane `k + 1`'s is looked at, so that lane `k`'s
/// previous state is dead by then: four chains use most registers, and keeping every lane's
/// previous state for a common exit spilled more of the loop to the stack. With this and the
/// keyword table's single address ([`KeywordView`]), a round of the combined walk in two lanes
/// went from 40 to 34 instructions (1 MiB of clean logs: 26.4M to 24.3M instructions in all).
#[inline(never)]
#[allow(clippy::needless_range_loop)] // one index into every lane's bytes
fn walk_lanes<'h, W: Walk + 'h, const N: usize>(
    hot: W::Hot<'h>,
    cache: &W::Cache,
    mut states: [W::State; N],
    hays: [&[u8]; N],
) -> ([W::State; N], usize, Option<usize>) {
    let n = hays[0].len();
    let hays = hays.map(|h| &h[..n]);
    for i in 0..n {
        for k in 0..N {
            let Some(t) = W::fast(hot, cache, states[k], hays[k][i]) else {
                return (states, i, Some(k));
            };
            states[k] = t;
        }
    }
    (states, n, None)
}

impl Keywords {
    fn new(dfa: aho_corasick::dfa::DFA, keywords: &[&[u8]], ids: Vec<usize>) -> Keywords {
        Keywords {
            table: KeywordDfa::new(&dfa, keywords),
            dfa,
            ids,
        }
    }
}

impl Walk for Keywords {
    const LANES: usize = 4;
    type State = usize;
    type Cache = ();

    fn clears(_: &()) -> u64 {
        0
    }

    fn start(&self, _: &mut (), _: &[u8], _: usize) -> Option<Self::State> {
        Some(self.table.start())
    }

    /// Always: [`Walk::step`] hands out a match state without its bit, once reported.
    #[inline(always)]
    fn ready(&self, _: Self::State) -> bool {
        true
    }

    type Hot<'h> = KeywordView<'h>;

    #[inline(always)]
    fn hot(&self) -> KeywordView<'_> {
        self.table.view()
    }

    #[inline(always)]
    fn fast<'h>(table: KeywordView<'h>, _: &(), s: Self::State, byte: u8) -> Option<Self::State>
    where
        Self: 'h,
    {
        let next = table.next_plain(s, byte);
        (!table.is_match(next)).then_some(next)
    }

    fn step(
        &self,
        _: &mut (),
        s: Self::State,
        pass: &mut Pass<'_>,
        at: usize,
    ) -> Option<Self::State> {
        let s = self.table.next(s, pass.hay[at]);
        if self.table.is_match(s) {
            let (dfa, original) = (&self.dfa, self.table.original(s));
            for k in 0..dfa.match_len(original) {
                let id = self.ids[dfa.match_pattern(original, k).as_usize()];
                pass.events.push((id, pass.base + at as u64 + 1));
            }
        }
        // Reported: the walk goes on from the same state, unmarked, in the fast loop (which
        // takes no match state); leaving a match state the slow way would cost a second slow
        // step for every keyword hit.
        Some(self.table.unmarked(s))
    }

    fn finish(&self, _: &mut (), _: Self::State, _: &mut Pass<'_>) -> Option<()> {
        // A keyword ends with a byte, never at the end of input.
        Some(())
    }
}

impl Walk for Patterns {
    const LANES: usize = 4;
    type State = hybrid::LazyStateID;
    type Cache = hybrid::dfa::Cache;

    fn clears(cache: &Self::Cache) -> u64 {
        cache.clear_count() as u64
    }

    fn start(&self, cache: &mut Self::Cache, hay: &[u8], at: usize) -> Option<Self::State> {
        let input = Input::new(hay).range(at..);
        self.dfa.start_state_forward(cache, &input).ok()
    }

    /// A lazy DFA match is reported one byte late (at the byte after its end, or at the
    /// end-of-input transition): a tagged state (unknown, match, dead, quit, start) is always
    /// left the slow way.
    #[inline(always)]
    fn ready(&self, s: Self::State) -> bool {
        !s.is_tagged()
    }

    type Hot<'h> = &'h Patterns;

    #[inline(always)]
    fn hot(&self) -> &Patterns {
        self
    }

    #[inline(always)]
    fn fast<'h>(
        p: &'h Patterns,
        cache: &Self::Cache,
        s: Self::State,
        byte: u8,
    ) -> Option<Self::State>
    where
        Self: 'h,
    {
        let next = p.next_untagged(cache, s, byte);
        (!next.is_tagged()).then_some(next)
    }

    fn step(
        &self,
        cache: &mut Self::Cache,
        s: Self::State,
        pass: &mut Pass<'_>,
        at: usize,
    ) -> Option<Self::State> {
        let s = self.dfa.next_state(cache, s, pass.hay[at]).ok()?;
        if s.is_match() {
            self.report(cache, s, pass, at);
        } else if s.is_dead() || s.is_quit() {
            // An unanchored all-matches DFA over bytes neither dies nor quits; give up rather
            // than miss anything if it ever did.
            return None;
        }
        Some(s)
    }

    fn finish(&self, cache: &mut Self::Cache, s: Self::State, pass: &mut Pass<'_>) -> Option<()> {
        let s = self.dfa.next_eoi_state(cache, s).ok()?;
        if s.is_match() {
            self.report(cache, s, pass, pass.hay.len());
        }
        Some(())
    }
}

impl Patterns {
    /// The transition from a ready state. Bounds-checked: two lanes share the cache, which
    /// the crate's unchecked lookup does not allow (module doc). The check is off the chain
    /// of loads the walk waits on.
    #[inline(always)]
    fn next_untagged(
        &self,
        cache: &hybrid::dfa::Cache,
        s: hybrid::LazyStateID,
        byte: u8,
    ) -> hybrid::LazyStateID {
        debug_assert!(!s.is_tagged());
        self.dfa.next_state_untagged(cache, s, byte)
    }

    fn report(
        &self,
        cache: &hybrid::dfa::Cache,
        s: hybrid::LazyStateID,
        pass: &mut Pass<'_>,
        end: usize,
    ) {
        for k in 0..self.dfa.match_len(cache, s) {
            let id = self.ids[self.dfa.match_pattern(cache, s, k).as_usize()];
            pass.events.push((id, pass.base + end as u64));
        }
    }
}

/// The keyword DFA and the whole-pattern lazy DFA walked together: two chains of loads, four
/// in two lanes. With the crates' checked lookups the four-chain loop was bound by its
/// instruction count and gained nothing from lanes; with unchecked ones (about 19 -> 13
/// instructions a byte) lanes took 1 MiB of clean logs from 3.2 to 2.7 ms (min of 30 runs,
/// A/B in one process).
///
/// For passes too short for four lanes only: from there each automaton alone in four lanes is
/// faster (two passes over the buffer, 1 MiB of clean logs 1.83 against 2.00 ms, with values
/// 2.64 against 3.06; minimums of 24 alternating runs), and a short record still walks both
/// chains in one loop, where one automaton alone would leave the other's wait idle.
struct Both<'a>(&'a Keywords, &'a Patterns);

impl Walk for Both<'_> {
    const LANES: usize = 2;
    type State = (usize, hybrid::LazyStateID);
    type Cache = hybrid::dfa::Cache;

    fn clears(cache: &Self::Cache) -> u64 {
        Patterns::clears(cache)
    }

    fn start(&self, cache: &mut Self::Cache, hay: &[u8], at: usize) -> Option<Self::State> {
        Some((
            self.0.start(&mut (), hay, at)?,
            self.1.start(cache, hay, at)?,
        ))
    }

    #[inline(always)]
    fn ready(&self, s: Self::State) -> bool {
        self.1.ready(s.1)
    }

    type Hot<'h>
        = (KeywordView<'h>, &'h Patterns)
    where
        Self: 'h;

    #[inline(always)]
    fn hot(&self) -> Self::Hot<'_> {
        (self.0.table.view(), self.1)
    }

    #[inline(always)]
    fn fast<'h>(
        (table, p): Self::Hot<'h>,
        cache: &Self::Cache,
        s: Self::State,
        byte: u8,
    ) -> Option<Self::State>
    where
        Self: 'h,
    {
        // Both transitions before either test, so that neither load waits on the other's
        // branch.
        let a = table.next_plain(s.0, byte);
        let n = p.next_untagged(cache, s.1, byte);
        (!table.is_match(a) && !n.is_tagged()).then_some((a, n))
    }

    fn step(
        &self,
        cache: &mut Self::Cache,
        s: Self::State,
        pass: &mut Pass<'_>,
        at: usize,
    ) -> Option<Self::State> {
        Some((
            self.0.step(&mut (), s.0, pass, at)?,
            self.1.step(cache, s.1, pass, at)?,
        ))
    }

    fn finish(&self, cache: &mut Self::Cache, s: Self::State, pass: &mut Pass<'_>) -> Option<()> {
        self.1.finish(cache, s.1, pass)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keyword-less patterns of the shapes the catalog has (digit runs with separators, `\b`),
    /// enough of them that a pass over digit-heavy text builds many states.
    const PATTERNS: &[&str] = &[
        r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b",
        r"\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b",
        r"\b4[0-9]{3}(?:[0-9]{12}|(?: [0-9]{4}){3}|(?:-[0-9]{4}){3})\b",
        r"\B\+[1-9][0-9]{7,14}\b",
        r"\b0[1-9](?:(?: [0-9]{2}){4}|(?:\.[0-9]{2}){4}|[0-9]{8})\b",
        r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){3,7}\b",
    ];

    /// Keywords for the prefilters that have some (pieces of [`text`] and their joins).
    const KEYWORDS: &[&[u8]] = &[b"ab", b"x4", b"2 0", b"q"];

    fn prefilter(cache_capacity: usize) -> Prefilter {
        build(cache_capacity, &[])
    }

    /// [`PATTERNS`] and `keywords`, with the Rust engine (keywords in the keyword DFA).
    fn build(cache_capacity: usize, keywords: &[&[u8]]) -> Prefilter {
        let mut exprs: Vec<PrefilterExpr> = PATTERNS
            .iter()
            .map(|p| PrefilterExpr::Pattern(p.to_string()))
            .collect();
        let mut hits: Vec<Hit> = (0..PATTERNS.len() as u32)
            .map(|rule| Hit::Rule {
                rule,
                max_len: 64,
                min_len: 1,
            })
            .collect();
        for (i, k) in keywords.iter().enumerate() {
            exprs.push(PrefilterExpr::Keyword(k.to_vec()));
            hits.push(Hit::Keyword {
                len: k.len() as u64,
                rules: vec![(PATTERNS.len() + i) as u32],
            });
        }
        let (p, _) = Prefilter::build_with(exprs, hits, EngineKind::Rust, cache_capacity)
            .expect("patterns compile");
        p
    }

    /// Digit-heavy text in which the patterns above match now and then.
    fn text(seed: u64, len: usize) -> Vec<u8> {
        const PIECES: &[&[u8]] = &[
            b"123-45-6789",
            b"10.0.0.1",
            b"4111 1111 1111 1111",
            b"+4915112345678",
            b"01 23 45 67 89",
            b"DE89 3704 0044 0532 0130 00",
            b" ",
            b" ",
            b"-",
            b".",
            b"0",
            b"7",
            b"42",
            b"x",
            b"ab",
            b"\n",
            b"+",
            b"Q",
        ];
        let mut rng = crate::xorshift::Xorshift(seed | 1);
        let mut out = vec![];
        while out.len() < len {
            out.extend_from_slice(PIECES[(rng.next() % PIECES.len() as u64) as usize]);
        }
        out.truncate(len);
        out
    }

    fn events(p: &Prefilter, sc: &mut Scratch, hay: &[u8], from: u64) -> Vec<(usize, u64)> {
        let mut ev = vec![];
        assert!(p.events(sc, hay, 0, from, &mut ev), "the pass gave up");
        ev.sort_unstable();
        ev.dedup();
        ev
    }

    /// Every event of a pass from `from`, found by walking each automaton in one lane: what
    /// the lanes must add up to.
    fn one_lane(p: &Prefilter, sc: &mut Scratch, hay: &[u8], from: u64) -> Vec<(usize, u64)> {
        let (at, reach, mut ev) = (from as usize, p.reach as usize, vec![]);
        if let Some(ref kw) = p.keywords {
            let pass = Pass {
                hay,
                base: 0,
                events: &mut ev,
            };
            let mut lane = Lane::start(kw, &mut (), pass, at, hay.len(), reach).unwrap();
            lane.run(&mut ()).unwrap();
            lane.finish(&mut ()).unwrap();
        }
        if let Some(ref patterns) = p.patterns {
            let cache = sc.cache.as_mut().unwrap();
            let pass = Pass {
                hay,
                base: 0,
                events: &mut ev,
            };
            let mut lane = Lane::start(patterns, cache, pass, at, hay.len(), reach).unwrap();
            lane.run(cache).unwrap();
            lane.finish(cache).unwrap();
        }
        ev.sort_unstable();
        ev.dedup();
        ev
    }

    /// Passes in four lanes, two lanes (both automata together) and one report exactly the
    /// events of one lane per automaton, with matches across every lane boundary: the lanes
    /// overlap by `reach` and every lane's events are kept.
    #[test]
    fn lanes_add_up_to_one_lane() {
        for keywords in [&[][..], KEYWORDS] {
            let p = build(CACHE_CAPACITY, keywords);
            let (mut multi, mut single) = (p.scratch(), p.scratch());
            for seed in 1..=40 {
                let hay = text(seed, 16 << 10);
                let len = hay.len() as u64;
                for from in [0, 3, 777, len - 8192, len - 6000, len - 4096, len - 900] {
                    let want = one_lane(&p, &mut single, &hay, from);
                    let keyword_hits = want.iter().any(|&(id, _)| id >= PATTERNS.len());
                    assert_eq!(keyword_hits, !keywords.is_empty());
                    let got = events(&p, &mut multi, &hay, from);
                    assert_eq!(got, want, "seed {seed}, pass from {from}");
                }
            }
        }
    }

    /// Lanes sharing a cache that is cleared about a thousand times in all report exactly what
    /// a cache that is never cleared does (see the module doc): the lanes notice each other's
    /// clears and start over. The passes run in four lanes, two (the last 6 000 bytes) and one
    /// (the last 1 000).
    #[test]
    fn shared_cache_survives_clears() {
        let (small, large) = (prefilter(28 << 10), prefilter(CACHE_CAPACITY));
        let (mut ss, mut sl) = (small.scratch(), large.scratch());
        let mut clears = 0;
        for seed in 1..=12 {
            let hay = text(seed, 48 << 10);
            let len = hay.len() as u64;
            for from in [0, 1, 4095, 20_000, len - 6000, len - 1000] {
                let before = ss.cache.as_ref().unwrap().clear_count();
                let got = events(&small, &mut ss, &hay, from);
                clears += ss.cache.as_ref().unwrap().clear_count() - before;
                let want = events(&large, &mut sl, &hay, from);
                assert!(!want.is_empty());
                assert_eq!(got, want, "seed {seed}, pass from {from}");
            }
            assert_eq!(sl.cache.as_ref().unwrap().clear_count(), 0);
        }
        assert!(
            clears > 200,
            "the small cache was cleared only {clears} times"
        );
    }
}
