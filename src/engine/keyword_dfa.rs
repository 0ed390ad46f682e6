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
//! * A state id is `index << stride2` for a state `index < states`, and a byte's class is
//!   below `1 << stride2`: so `id + class` is always inside the table, which is what makes the
//!   unchecked lookup in [`KeywordView::next`] sound. [`KeywordDfa::new`] checks every entry.
//! * The match states come first: a state is a match state exactly when its id is below
//!   `first_plain`. The walk stops on them and reports their keywords, found through the
//!   original DFA's state ([`KeywordDfa::original`]).

use std::collections::HashMap;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::Anchored;

/// The reachable part of an unanchored Aho-Corasick DFA as a flat table (see the module
/// docs). Immutable; a walk's state is a `u32`.
#[derive(Debug)]
pub(super) struct KeywordDfa {
    /// `trans[id + class]`: the next state's id.
    trans: Box<[u32]>,
    /// The class of each byte.
    classes: [u8; 256],
    stride2: u32,
    /// Ids below this are match states.
    first_plain: u32,
    start: u32,
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
        // Match states first.
        let mut order: Vec<usize> = (0..states.len()).collect();
        order.sort_by_key(|&k| !dfa.is_special(states[k]));
        let mut id = vec![0u32; states.len()];
        for (new, &old) in order.iter().enumerate() {
            id[old] = (new as u32) << stride2;
        }
        let matches = order
            .iter()
            .take_while(|&&k| dfa.is_special(states[k]))
            .count();
        let mut trans = vec![0u32; states.len() << stride2].into_boxed_slice();
        for &old in &order {
            for (class, t) in next[old].iter().enumerate() {
                trans[id[old] as usize + class] = id[index[t]];
            }
        }
        let table = KeywordDfa {
            trans,
            classes,
            stride2,
            first_plain: (matches as u32) << stride2,
            start: id[0],
            original: order.iter().map(|&k| states[k]).collect(),
        };
        let last = ((states.len() - 1) as u32) << stride2;
        assert!(
            table
                .trans
                .iter()
                .all(|&t| t <= last && t & ((1 << stride2) - 1) == 0)
                && table.classes.iter().all(|&c| u32::from(c) < 1 << stride2),
            "every id in the keyword table is a state's (the unchecked lookup relies on it)"
        );
        table
    }

    /// The unanchored start state.
    pub(super) fn start(&self) -> u32 {
        self.start
    }

    /// What a walk reads, for the length of one walk (see [`KeywordView`]).
    #[inline(always)]
    pub(super) fn view(&self) -> KeywordView<'_> {
        KeywordView {
            trans: &self.trans,
            classes: &self.classes,
            first_plain: self.first_plain,
        }
    }

    /// The transition on `byte` from state `s`.
    #[inline(always)]
    pub(super) fn next(&self, s: u32, byte: u8) -> u32 {
        self.view().next(s, byte)
    }

    /// Whether `s` is a match state.
    #[inline(always)]
    pub(super) fn is_match(&self, s: u32) -> bool {
        self.view().is_match(s)
    }

    /// The original DFA's state for `s` (to list its matches).
    pub(super) fn original(&self, s: u32) -> StateID {
        self.original[(s >> self.stride2) as usize]
    }
}

/// The parts of a [`KeywordDfa`] a walk reads, copied out of it once per walk: a loop over
/// this keeps the table's address and `first_plain` in registers, where one over
/// `&KeywordDfa` reloaded both on every byte.
#[derive(Clone, Copy, Debug)]
pub(super) struct KeywordView<'a> {
    trans: &'a [u32],
    classes: &'a [u8; 256],
    first_plain: u32,
}

impl KeywordView<'_> {
    /// The transition on `byte` from state `s`.
    #[inline(always)]
    pub(super) fn next(self, s: u32, byte: u8) -> u32 {
        let i = s as usize + self.classes[byte as usize] as usize;
        debug_assert!(i < self.trans.len());
        // SAFETY: `s` is a state id (every id a `KeywordDfa` hands out is one: `start`, and
        // the table's entries, checked in `new`), i.e. `index << stride2` with
        // `index < states`, and a class is below `1 << stride2`, so
        // `i < states << stride2 == trans.len()`.
        unsafe { *self.trans.get_unchecked(i) }
    }

    /// Whether `s` is a match state.
    #[inline(always)]
    pub(super) fn is_match(self, s: u32) -> bool {
        s < self.first_plain
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
