//! How much of a streamed answer must still be held back for the output check.
//!
//! The [`crate::StreamRedactor`] holds a partial line as long as any rule's maximum length
//! (plus its context window) could still reach back into it: right for logs, where a line
//! ends within milliseconds, but a model's answer is one long line that arrives a few bytes
//! at a time, and holding a rule's full length would delay every token by hundreds of bytes.
//! The guard answers the sharper question: from which offset could a match of a secret or
//! canary rule still be in progress? It runs every checked rule's pattern as one anchored
//! lazy DFA from each pending offset (most attempts die within a byte or two) and checks the
//! tail against literal canary lists; text before the first live offset cannot be part of a
//! match that is not complete yet, so it can be checked and sent now.
//!
//! The check of the released text is then a one-shot redaction of it
//! ([`super::answer::TextStream`]), after moving the cut back to the start of any complete
//! match that crosses it. One difference with the full stream redactor remains: context
//! words in text already sent are not seen (only confidence can depend on them).

use std::sync::Arc;

use regex_automata::{hybrid, Anchored, Input};

use crate::error::Error;
use crate::finding::Category;
use crate::rules::RuleSet;

/// The compiled guard: immutable, shared by every stream.
#[derive(Debug)]
pub(crate) struct Guard {
    dfa: Option<hybrid::dfa::DFA>,
    literals: Vec<Arc<Vec<Vec<u8>>>>,
}

/// Per-stream scratch of the guard.
pub(crate) struct GuardCache(Option<hybrid::dfa::Cache>);

impl Guard {
    /// The guard for the secret and canary rules of `rules`.
    pub(crate) fn new(rules: &RuleSet) -> Result<Guard, Error> {
        let mut patterns = vec![];
        let mut literals = vec![];
        for rule in rules.rules() {
            if rule.category == Category::Pii {
                continue;
            }
            match rule.literals {
                Some(ref l) => literals.push(l.clone()),
                None => patterns.push(rule.pattern.as_str()),
            }
        }
        let dfa = if patterns.is_empty() {
            None
        } else {
            Some(
                hybrid::dfa::DFA::builder()
                    .syntax(crate::engine::syntax_config())
                    .configure(hybrid::dfa::DFA::config().cache_capacity(8 << 20))
                    .build_many(&patterns)
                    .map_err(|e| Error::rule("proxy-guard", format!("cannot compile: {e}")))?,
            )
        };
        Ok(Guard { dfa, literals })
    }

    /// A scratch for one stream.
    pub(crate) fn cache(&self) -> GuardCache {
        GuardCache(self.dfa.as_ref().map(|d| d.create_cache()))
    }

    /// The first offset in `hay[from..]` where a match could start and still be in progress
    /// at the end of `hay` (`hay.len()` when there is none). Bytes before `from` are context
    /// (for `\b`).
    pub(crate) fn hold_from(&self, cache: &mut GuardCache, hay: &[u8], from: usize) -> usize {
        (from..hay.len())
            .find(|&p| self.alive(cache, hay, p))
            .unwrap_or(hay.len())
    }

    fn alive(&self, cache: &mut GuardCache, hay: &[u8], p: usize) -> bool {
        let tail = &hay[p..];
        if self.literals.iter().any(|list| {
            list.iter()
                .any(|l| l.len() > tail.len() && l.starts_with(tail))
        }) {
            return true;
        }
        let (Some(dfa), Some(cache)) = (self.dfa.as_ref(), cache.0.as_mut()) else {
            return false;
        };
        let input = Input::new(hay).range(p..).anchored(Anchored::Yes);
        let Ok(mut sid) = dfa.start_state_forward(cache, &input) else {
            return true; // cannot tell: hold
        };
        for &b in tail {
            sid = match dfa.next_state(cache, sid, b) {
                Ok(s) => s,
                Err(_) => return true,
            };
            if sid.is_dead() {
                return false;
            }
            if sid.is_quit() {
                return true;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_only_a_possible_secret_or_canary_prefix() {
        let r = crate::Redactor::builder()
            .canaries("t", vec![b"CANARY-LIST-0001".to_vec()])
            .build()
            .unwrap();
        let g = Guard::new(r.rules()).unwrap();
        let mut c = g.cache();
        let text = b"Hello there, how are you today? I am fine";
        assert!(
            g.hold_from(&mut c, text, 0) > text.len() - 6,
            "only the last word may be held"
        );
        // The token's prefix is held, and at most the separator before it (a key-name rule
        // may start there); the sentence before it is not.
        let t = b"here it is: ghp_wWPw5k4a";
        let h = g.hold_from(&mut c, t, 0);
        assert!((t.len() - 13..=t.len() - 12).contains(&h), "{h}");
        let t = b"the marker CANARY-LI";
        let h = g.hold_from(&mut c, t, 0);
        assert!((t.len() - 10..=t.len() - 9).contains(&h), "{h}");
        let t = b"mail alice@exa";
        assert!(g.hold_from(&mut c, t, 0) >= 5, "pii is not held");
    }
}
