//! The automaton budget: what one byte of input may cost a rule, checked when a user's rule
//! loads.
//!
//! Every rule runs in lazy DFAs (the prefilter's, the confirming regex's). A lazy DFA state is
//! a set of NFA states, built the first time the input reaches it, at a cost proportional to
//! the set's size; states are cached, and the cache is cleared when full. A bounded maximum
//! length alone does not keep that cost small: `(?:(?:a{1,30}){1,30}){1,15}b` matches at most
//! 13,501 bytes, but after a run of `a` its state holds thousands of NFA states, and each new
//! byte of such a run builds a new state. On 1.3 MB of `a` it took about 20 minutes.
//!
//! So a rule loaded from a user's file must pass two limits:
//!
//! * its Thompson NFA must fit in [`NFA_LIMIT`] bytes;
//! * its *width*, the largest set of NFA states its subset construction reaches, must be at
//!   most [`MAX_WIDTH`]. The construction is explored from both the anchored start (the
//!   confirming searches from a candidate start) and the unanchored one (the prefilter's walk
//!   and unanchored searches), widest state first, up to [`EXPLORE_STATES`] states or
//!   [`EXPLORE_STEPS`] steps, so the check costs a bounded time at load. Look-around
//!   assertions are taken as always true, so a set can only be over-counted.
//!
//! With the width bounded, building a lazy DFA state costs at most `MAX_WIDTH` steps, and a
//! walk builds at most one state per input byte: the time per byte is bounded by a constant
//! of the rule set, whatever the input. That bound is what makes a cache-clearing fallback
//! unnecessary: a lazy DFA that gave up would hand the search to the PikeVM, which pays the
//! whole NFA on every byte.
//!
//! The default catalog is within both limits (`tests/catalog.rs` checks it; its widest rule
//! reaches 206 NFA states, its largest NFA takes about 640 KB), so it loads without the
//! exploration.

use std::collections::{BinaryHeap, HashSet};

use regex_automata::nfa::thompson::{self, State, WhichCaptures, NFA};
use regex_automata::util::primitives::StateID;
use regex_syntax::hir::Hir;

/// The largest Thompson NFA a rule may compile to, in bytes.
pub const NFA_LIMIT: usize = 4 << 20;

/// The most NFA states one lazy DFA state of a rule may hold.
pub const MAX_WIDTH: usize = 1024;

/// How many subset states the check explores, at most.
const EXPLORE_STATES: usize = 2048;

/// How many NFA steps the check takes, at most (a few tenths of a second in an optimised
/// build).
const EXPLORE_STEPS: usize = 10_000_000;

/// Checks a rule's pattern against both limits; the error says which limit and why.
pub(crate) fn check(hir: &Hir) -> Result<(), String> {
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .which_captures(WhichCaptures::None)
                .nfa_size_limit(Some(NFA_LIMIT)),
        )
        .build_from_hir(hir)
        .map_err(|e| {
            format!(
                "its automaton is too large ({e}; the limit is {} MiB): use smaller \
                 repetition counts",
                NFA_LIMIT >> 20
            )
        })?;
    for anchored in [true, false] {
        let w = width(&nfa, anchored);
        if w > MAX_WIDTH {
            return Err(format!(
                "its automaton reaches a state of over {w} NFA states (the limit is \
                 {MAX_WIDTH}), so each input byte could cost that many steps: nested or \
                 overlapping repetitions of variable length (such as (?:a{{1,30}}){{1,30}}) \
                 multiply; bound the inner parts to one length, or give the rule keywords and \
                 fewer repetitions"
            ));
        }
    }
    Ok(())
}

/// The widest subset state found exploring `nfa`'s subset construction from its anchored or
/// unanchored start, widest first, within the exploration limits; stops early past
/// [`MAX_WIDTH`].
pub(crate) fn width(nfa: &NFA, anchored: bool) -> usize {
    let start = match anchored {
        true => nfa.start_anchored(),
        false => nfa.start_unanchored(),
    };
    let mut closure = Closure::new(nfa);
    let first = closure.of(std::iter::once(start));
    let bytes: Vec<u8> = nfa
        .byte_classes()
        .representatives(0..=255)
        .filter_map(|u| u.as_u8())
        .collect();
    let mut widest = first.len();
    let mut known: HashSet<Vec<StateID>> = HashSet::new();
    let mut queue = BinaryHeap::new();
    known.insert(first.clone());
    queue.push((first.len(), first));
    let (mut explored, mut steps) = (0, 0);
    let mut next = vec![];
    while let Some((_, set)) = queue.pop() {
        explored += 1;
        if explored > EXPLORE_STATES || steps > EXPLORE_STEPS || widest > MAX_WIDTH {
            break;
        }
        for &b in &bytes {
            next.clear();
            for &id in &set {
                let to = match nfa.state(id) {
                    State::ByteRange { trans } => trans.matches_byte(b).then_some(trans.next),
                    State::Sparse(s) => s.matches_byte(b),
                    State::Dense(d) => d.matches_byte(b),
                    _ => None,
                };
                next.extend(to);
            }
            if !anchored {
                next.push(start);
            }
            let to = closure.of(next.iter().copied());
            steps += set.len() + to.len();
            widest = widest.max(to.len());
            if !to.is_empty() && !known.contains(&to) {
                known.insert(to.clone());
                queue.push((to.len(), to));
            }
        }
    }
    widest
}

/// Epsilon closures over one NFA: the byte-consuming and match states reachable through
/// unions, captures and look-arounds (taken as true).
struct Closure<'a> {
    nfa: &'a NFA,
    seen: Vec<bool>,
    touched: Vec<StateID>,
    stack: Vec<StateID>,
}

impl<'a> Closure<'a> {
    fn new(nfa: &'a NFA) -> Closure<'a> {
        Closure {
            nfa,
            seen: vec![false; nfa.states().len()],
            touched: vec![],
            stack: vec![],
        }
    }

    /// The closure of `seeds`, sorted: the identity of a subset state.
    fn of(&mut self, seeds: impl Iterator<Item = StateID>) -> Vec<StateID> {
        let mut out = vec![];
        self.stack.extend(seeds);
        while let Some(id) = self.stack.pop() {
            if std::mem::replace(&mut self.seen[id.as_usize()], true) {
                continue;
            }
            self.touched.push(id);
            match self.nfa.state(id) {
                State::ByteRange { .. }
                | State::Sparse(_)
                | State::Dense(_)
                | State::Match { .. } => out.push(id),
                State::Look { next, .. } | State::Capture { next, .. } => self.stack.push(*next),
                State::Union { alternates } => self.stack.extend(alternates.iter()),
                State::BinaryUnion { alt1, alt2 } => self.stack.extend([*alt1, *alt2]),
                State::Fail => {}
            }
        }
        for id in self.touched.drain(..) {
            self.seen[id.as_usize()] = false;
        }
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(pattern: &str) -> Result<(), String> {
        check(&super::super::syntax::parse(pattern).unwrap())
    }

    #[test]
    fn nested_variable_repetitions_are_refused() {
        let err = checked("(?:(?:a{1,30}){1,30}){1,15}b").unwrap_err();
        assert!(err.contains(&format!("the limit is {MAX_WIDTH}")), "{err}");
        // Behind a prefix too: the widest states are explored first.
        assert!(checked("xyz(?:pass|word)[0-9]{3}(?:(?:a{1,30}){1,30}){1,15}b").is_err());
        // A long keyword-less run: every start is live in the unanchored walk.
        assert!(checked("[a-zA-Z0-9]{1,4000}Z").is_err());
    }

    #[test]
    fn ordinary_shapes_pass() {
        for p in [
            r"\bghp_[A-Za-z0-9]{36}\b",
            r"(?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,24}",
            r"(?:a|aa){1,100}c",
            r"-----BEGIN[ A-Z]{1,40}-----[\s\S]{1,10000}-----END",
            r"client-key-data: [A-Za-z0-9+/]{100,8000}",
        ] {
            checked(p).unwrap_or_else(|e| panic!("{p}: {e}"));
        }
    }

    #[test]
    fn a_huge_nfa_is_refused_by_size() {
        // Every other byte value, 4000 times: a small maximum length, a 4.6 MB NFA.
        let class: String = (0..128).map(|i| format!(r"\x{:02x}", 2 * i)).collect();
        let err = checked(&format!("k[{class}]{{1,4000}}")).unwrap_err();
        assert!(err.contains("too large"), "{err}");
    }
}
