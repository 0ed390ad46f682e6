//! Settling: whether more input can still change the match that starts at an offset.
//!
//! A match start `q` is *settled* once an anchored lazy DFA of the pattern, walked from `q`
//! over the buffer, reaches its dead state before the buffer's end: every attempt from `q`
//! has ended, so the match there (or its absence) is what it will be however the input
//! continues. One walk ([`settles`]) serves two uses:
//!
//! * a multi-line rule's own DFA lets the engine decide a start before `max_len` bytes follow
//!   it, so a closed PEM block is released at once;
//! * a [`Settle`] over every rule of a rule set gives the first offset from which some match
//!   could still be in progress ([`Settle::point`]). A stream that releases eagerly (the
//!   proxy's answers, which arrive a few bytes at a time on one long line) decides every
//!   start before it and releases every byte that no match can still cover.
//!
//! A walk that cannot tell (the lazy DFA gave up, a quit byte) does not settle: holding is
//! always safe.

use std::sync::Arc;

use regex_automata::{hybrid, Anchored, Input, MatchKind};

use crate::error::Error;
use crate::rules::RuleSet;

/// Whether every anchored match attempt of `dfa` from `from` has ended inside `hay`.
pub(super) fn settles(
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

/// An anchored lazy DFA of one pattern, for [`settles`].
///
/// The cache may grow to 10 MiB: the default catalog's automaton alone needs about 8.4 MiB
/// before it holds a state. A rule set whose automaton needs more (a larger `--rules` file)
/// gets the minimum rather than an error: its walks give up sooner, which holds bytes
/// longer but never changes a match.
pub(super) fn dfa(patterns: &[&str], kind: MatchKind) -> Result<hybrid::dfa::DFA, String> {
    hybrid::dfa::DFA::builder()
        .syntax(super::syntax_config())
        .configure(
            hybrid::dfa::DFA::config()
                .match_kind(kind)
                .cache_capacity(10 << 20)
                .skip_cache_capacity_check(true),
        )
        .build_many(patterns)
        .map_err(|e| format!("cannot compile: {e}"))
}

/// Every rule of a rule set, for finding where a buffer stops being settled.
#[derive(Debug)]
pub(crate) struct Settle {
    /// Every regex rule's pattern, all matches kept: rules match independently, so no
    /// pattern may stop another's walk.
    dfa: Option<hybrid::dfa::DFA>,
    /// The literal lists (canaries): a list entry the buffer's tail begins is in progress.
    literals: Vec<Arc<Vec<Vec<u8>>>>,
}

impl Settle {
    pub(crate) fn new(rules: &RuleSet) -> Result<Settle, Error> {
        let mut patterns = vec![];
        let mut literals = vec![];
        for rule in rules.rules() {
            match rule.literals {
                Some(ref l) => literals.push(l.clone()),
                None => patterns.push(rule.pattern.as_str()),
            }
        }
        let dfa = match patterns.is_empty() {
            true => None,
            false => {
                Some(dfa(&patterns, MatchKind::All).map_err(|e| Error::rule("(every rule)", e))?)
            }
        };
        Ok(Settle { dfa, literals })
    }

    pub(crate) fn cache(&self) -> Option<hybrid::dfa::Cache> {
        self.dfa.as_ref().map(|d| d.create_cache())
    }

    /// The first offset in `hay[from..]` from which a match could start and still be in
    /// progress at the end of `hay` (`hay.len()` when there is none). Bytes before `from`
    /// are look-behind (for `\b`).
    pub(crate) fn point(
        &self,
        cache: &mut Option<hybrid::dfa::Cache>,
        hay: &[u8],
        from: usize,
    ) -> usize {
        (from..hay.len())
            .find(|&p| !self.settled(cache, hay, p))
            .unwrap_or(hay.len())
    }

    fn settled(&self, cache: &mut Option<hybrid::dfa::Cache>, hay: &[u8], p: usize) -> bool {
        let tail = &hay[p..];
        let open = self.literals.iter().any(|list| {
            list.iter()
                .any(|l| l.len() > tail.len() && l.starts_with(tail))
        });
        if open {
            return false;
        }
        match (self.dfa.as_ref(), cache.as_mut()) {
            (Some(dfa), Some(cache)) => settles(dfa, cache, hay, p),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_point_is_where_a_match_may_still_grow() {
        let rules = crate::rules::RuleSet::builder()
            .build()
            .expect("the default catalog loads");
        let s = Settle::new(&rules).unwrap();
        let mut c = s.cache();
        let text = b"Hello there, how are you today? I am fine";
        assert!(
            s.point(&mut c, text, 0) > text.len() - 6,
            "only the last word may be held"
        );
        // A token's prefix is held, and at most the separator before it (a key-name rule may
        // start there); the sentence before it is not.
        let t = b"here it is: ghp_wWPw5k4a";
        let h = s.point(&mut c, t, 0);
        assert!((t.len() - 13..=t.len() - 12).contains(&h), "{h}");
    }
}
