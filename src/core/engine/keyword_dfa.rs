//! The keyword DFA's transitions, copied into a table the prefilter walk reads without
//! bounds checks.
//!
//! aho-corasick's DFA checks the bounds of every transition it looks up, and its table is
//! behind fields the compiler reloads on every byte of a walk. Those were about a quarter of
//! the instructions of a combined walk. [`KeywordDfa`] renumbers the states the DFA can reach
//! from its unanchored start and copies their transitions, over its own byte classes, into
//! one flat table.
//!
//! # Invariants
//!
//! * The table starts with the class of each byte value ([`CLASSES`] entries). A state id is
//!   `CLASSES + (index << stride2)` for a state `index < states`, and a byte's class is below
//!   `1 << stride2`: so `id + class` is always inside the table, which is what makes the
//!   unchecked lookup in [`KeywordView::next_plain`] sound. [`KeywordDfa::new`] checks every entry.
//! * A match state's id carries [`MATCH`]: a walk tests that bit, with no threshold to keep
//!   in a register. The walk stops on a match state, reports its keywords (found through the
//!   original DFA's state, [`KeywordDfa::original`]), then goes on from the same state without
//!   the bit ([`KeywordDfa::unmarked`]): the walk's [`KeywordView::next_plain`] never takes a
//!   marked id; only [`KeywordView::next`] does (it clears the bit).

use std::collections::HashMap;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::Anchored;

/// The reachable part of an unanchored Aho-Corasick DFA as a flat table (see the module
/// docs). Immutable; a walk's state is a `usize` (a table index, with [`MATCH`] on a match).
#[derive(Debug)]
pub(super) struct KeywordDfa {
    /// The class of each byte (the first [`CLASSES`] entries), then the transitions:
    /// `table[id + class]` is the next state's id.
    table: Box<[u32]>,
    stride2: u32,
    start: usize,
    /// The original DFA's state for each state index.
    original: Box<[StateID]>,
}

impl KeywordDfa {
    /// Copies `dfa`'s states reachable from its unanchored start. `dfa` must be the ASCII
    /// case-insensitive DFA of `keywords`, built without a prefilter (so that only match
    /// states are special).
    pub(super) fn new(dfa: &aho_corasick::dfa::DFA, keywords: &[&[u8]]) -> KeywordDfa {
        // Byte classes: each letter or byte of a keyword (both cases of a letter together),
        // and every other byte, on which each state goes where the start state goes without
        // the byte matching anything.
        let mut classes = [0u8; 256];
        let mut representative: Vec<usize> = vec![0];
        for &b in keywords.iter().flat_map(|k| k.iter()) {
            if classes[b as usize] != 0 {
                continue;
            }
            let Ok(class) = u8::try_from(representative.len()) else {
                // Keywords using (nearly) every byte: one class per byte.
                classes = std::array::from_fn(|b| b as u8);
                representative = (0..256).collect();
                break;
            };
            representative.push(b as usize);
            classes[b.to_ascii_lowercase() as usize] = class;
            classes[b.to_ascii_uppercase() as usize] = class;
        }
        if let Some(other) = (0..256).find(|&b| classes[b] == 0) {
            representative[0] = other;
        }
        let start = dfa
            .start_state(Anchored::No)
            .expect("the DFA is built for unanchored searches");
        // Every reachable state and its transitions by class, in discovery order.
        let mut index: HashMap<StateID, usize> = HashMap::from([(start, 0)]);
        let mut states = vec![start];
        let mut next: Vec<Vec<StateID>> = vec![];
        let mut i = 0;
        while i < states.len() {
            let row: Vec<StateID> = representative
                .iter()
                .map(|&b| dfa.next_state(Anchored::No, states[i], b as u8))
                .collect();
            for &t in &row {
                index.entry(t).or_insert_with(|| {
                    states.push(t);
                    states.len() - 1
                });
            }
            next.push(row);
            i += 1;
        }
        let stride2 = representative.len().next_power_of_two().trailing_zeros();
        let len = CLASSES + (states.len() << stride2);
        assert!(
            len <= MATCH,
            "a keyword table's ids fit below the match bit"
        );
        let id = |k: usize| {
            let flag = if dfa.is_special(states[k]) { MATCH } else { 0 };
            ((CLASSES + (k << stride2)) | flag) as u32
        };
        // A row's padding past the last class is never read; it holds the start state.
        let mut table = vec![id(0); len].into_boxed_slice();
        for (b, &class) in classes.iter().enumerate() {
            table[b] = class.into();
        }
        for (k, row) in next.iter().enumerate() {
            for (class, t) in row.iter().enumerate() {
                table[CLASSES + (k << stride2) + class] = id(index[t]);
            }
        }
        let table = KeywordDfa {
            table,
            stride2,
            start: id(0) as usize,
            original: states.into(),
        };
        let plain = |t: u32| t as usize & !MATCH;
        let is_state = |t: u32| {
            (CLASSES..len).contains(&plain(t)) && (plain(t) - CLASSES) & ((1 << stride2) - 1) == 0
        };
        assert!(
            table.table[CLASSES..].iter().all(|&t| is_state(t))
                && is_state(table.start as u32)
                && table.start & MATCH == 0
                && table.table[..CLASSES].iter().all(|&c| c < 1 << stride2),
            "every id in the keyword table is a state's (the unchecked lookup relies on it)"
        );
        table
    }

    /// The unanchored start state.
    pub(super) fn start(&self) -> usize {
        self.start
    }

    /// What a walk reads, for the length of one walk (see [`KeywordView`]).
    #[inline(always)]
    pub(super) fn view(&self) -> KeywordView<'_> {
        KeywordView { table: &self.table }
    }

    /// The transition on `byte` from state `s`.
    #[inline(always)]
    pub(super) fn next(&self, s: usize, byte: u8) -> usize {
        self.view().next(s, byte)
    }

    /// Whether `s` is a match state.
    #[inline(always)]
    pub(super) fn is_match(&self, s: usize) -> bool {
        self.view().is_match(s)
    }

    /// `s` without the match bit: the same state, for a walk to go on from once its match
    /// is reported.
    #[inline(always)]
    pub(super) fn unmarked(&self, s: usize) -> usize {
        s & !MATCH
    }

    /// The original DFA's state for `s` (to list its matches).
    pub(super) fn original(&self, s: usize) -> StateID {
        self.original[(self.unmarked(s) - CLASSES) >> self.stride2]
    }
}

/// The bit a match state's id carries. Not bit 31: the compiler turned a test of the top
/// bit into a sign-extending load, one cycle more on every byte's chain of loads.
pub(super) const MATCH: usize = 1 << 30;

/// The byte classes' entries at the start of a table.
const CLASSES: usize = 256;

/// The part of a [`KeywordDfa`] a walk reads, copied out of it once per walk: a loop over
/// this keeps the table's address in a register, where one over `&KeywordDfa` reloaded it on
/// every byte. Classes and transitions share the one address, so that a walk of both
/// automata in two lanes needs one register fewer (the loop spilled without it).
#[derive(Clone, Copy, Debug)]
pub(super) struct KeywordView<'a> {
    table: &'a [u32],
}

impl KeywordView<'_> {
    /// The transition on `byte` from state `s`.
    #[inline(always)]
    pub(super) fn next(self, s: usize, byte: u8) -> usize {
        self.next_plain(s & !MATCH, byte)
    }

    /// The transition on `byte` from `s`, which must not carry the match bit (the walk's
    /// lookup: no bit to clear on the chain from one state to the next).
    #[inline(always)]
    #[allow(unsafe_code)]
    pub(super) fn next_plain(self, s: usize, byte: u8) -> usize {
        debug_assert!(!self.is_match(s));
        // SAFETY: the table starts with one class per byte value, so `byte` indexes it.
        let class = unsafe { *self.table.get_unchecked(byte as usize) };
        let i = s + class as usize;
        debug_assert!(i < self.table.len());
        // SAFETY: `s` is a state id without the match bit (every id a `KeywordDfa` hands
        // out is a state's: `start`, and the table's entries, checked in `new`; `next`
        // clears the bit, and the walk stops at a marked id and goes on from it unmarked),
        // i.e. `CLASSES + (index << stride2)` with `index < states`, and a class is below
        // `1 << stride2`, so `i < CLASSES + (states << stride2) == table.len()`.
        unsafe { *self.table.get_unchecked(i) as usize }
    }

    /// Whether `s` is a match state.
    #[inline(always)]
    pub(super) fn is_match(self, s: usize) -> bool {
        s & MATCH != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_like_the_dfa_it_copies() {
        let keywords = [
            "password", "passwd", "ghp_", "token", "api_key", "key", "@", "eyJ",
        ];
        let dfa = aho_corasick::dfa::DFA::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .ascii_case_insensitive(true)
            .start_kind(aho_corasick::StartKind::Unanchored)
            .prefilter(false)
            .build(keywords)
            .unwrap();
        let table = KeywordDfa::new(&dfa, &keywords.map(str::as_bytes));
        let hay = b"x PassWord=1 ghp_GHP_ api_KEY:tok token\xff\x00 a@b eyJhbG passwdpassword";
        let (mut s, mut t) = (dfa.start_state(Anchored::No).unwrap(), table.start());
        let mut matches = 0;
        // Every byte value too, from a state deep in a keyword.
        let every: Vec<u8> = (0..=255u8)
            .flat_map(|b| [b'p', b'a', b's', b's', b])
            .collect();
        for &b in hay.iter().chain(&every) {
            s = dfa.next_state(Anchored::No, s, b);
            t = table.next(t, b);
            assert_eq!(table.original(t), s, "at byte {:?}", b as char);
            assert_eq!(table.is_match(t), dfa.is_match(s));
            matches += usize::from(table.is_match(t));
        }
        assert!(matches >= 8, "only {matches} match states");
    }
}
