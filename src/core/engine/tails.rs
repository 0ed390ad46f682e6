//! Keyword tails: for each rule, how many bytes at the end of a buffer may be the beginning
//! of one of its keywords, which the next bytes could complete.
//!
//! A stream cannot decide a keyword rule's match starts up to the end of its buffer: a
//! keyword may be cut by the buffer's end, and once complete it anchors starts up to `lead`
//! bytes before it. The engine holds those bytes back, and no more: the tail of rule `r` is
//! the length of the longest suffix of the buffer that is a proper prefix (ASCII
//! case-insensitive) of one of `r`'s keywords.
//!
//! # Cost
//!
//! One lookup per suffix length up to the longest proper prefix of any keyword, whatever the
//! number of rules, in place of a comparison per keyword and length per rule (which, with
//! about 600 keywords, was 7% of a search round).

use std::collections::HashMap;

/// The proper prefixes of every rule's keywords, compiled. Immutable; the per-search state
/// lives in a [`TailScratch`].
#[derive(Debug, Default)]
pub(super) struct Tails {
    /// Each proper prefix, lowercased and reversed, with the rules whose keywords it begins.
    rules_by_prefix: HashMap<Vec<u8>, Vec<u32>>,
    /// The longest proper prefix.
    longest: usize,
}

/// The tails found by the last [`Tails::find`], per rule.
#[derive(Debug, Default)]
pub(super) struct TailScratch {
    /// By rule index; 0 for rules not in `set`.
    len: Vec<u32>,
    /// The rules whose `len` is not 0.
    set: Vec<u32>,
    /// The buffer's suffix, lowercased and reversed.
    key: Vec<u8>,
}

impl Tails {
    /// Compiles the keywords of each rule (`(rule index, keywords)`).
    pub(super) fn new<'a>(rules: impl IntoIterator<Item = (u32, &'a [String])>) -> Tails {
        let mut tails = Tails::default();
        for (rule, keywords) in rules {
            for k in keywords {
                let k = k.as_bytes();
                for j in 1..k.len() {
                    let key: Vec<u8> = k[..j].iter().rev().map(u8::to_ascii_lowercase).collect();
                    let rules = tails.rules_by_prefix.entry(key).or_default();
                    if !rules.contains(&rule) {
                        rules.push(rule);
                    }
                    tails.longest = tails.longest.max(j);
                }
            }
        }
        tails
    }

    /// Scratch space for `rules` rules.
    pub(super) fn scratch(&self, rules: usize) -> TailScratch {
        TailScratch {
            len: vec![0; rules],
            set: vec![],
            key: Vec::with_capacity(self.longest),
        }
    }

    /// Finds every rule's tail at the end of `hay`.
    pub(super) fn find(&self, sc: &mut TailScratch, hay: &[u8]) {
        for &r in &sc.set {
            sc.len[r as usize] = 0;
        }
        sc.set.clear();
        sc.key.clear();
        for &byte in hay.iter().rev().take(self.longest) {
            sc.key.push(byte.to_ascii_lowercase());
            let Some(rules) = self.rules_by_prefix.get(&sc.key) else {
                continue;
            };
            // Suffixes are looked up shortest first: a later one is longer.
            for &r in rules {
                if sc.len[r as usize] == 0 {
                    sc.set.push(r);
                }
                sc.len[r as usize] = sc.key.len() as u32;
            }
        }
    }
}

impl TailScratch {
    /// Rule `rule`'s tail at the end of the buffer given to the last [`Tails::find`].
    pub(super) fn get(&self, rule: usize) -> u64 {
        self.len[rule] as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: the longest suffix of `hay` that is a proper prefix of a keyword.
    fn naive(keywords: &[String], hay: &[u8]) -> u64 {
        keywords
            .iter()
            .flat_map(|k| (1..k.len()).map(move |j| &k.as_bytes()[..j]))
            .filter(|p| p.len() <= hay.len() && hay[hay.len() - p.len()..].eq_ignore_ascii_case(p))
            .map(|p| p.len() as u64)
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn tails_are_the_longest_keyword_prefixes_ending_the_buffer() {
        let rules: Vec<Vec<String>> = [
            vec!["password", "passwd"],
            vec!["ghp_"],
            vec!["token", "api_key", "key"],
            vec!["pass"],
            vec!["x"],
        ]
        .iter()
        .map(|ks| ks.iter().map(|k| k.to_string()).collect())
        .collect();
        let tails = Tails::new(rules.iter().enumerate().map(|(i, k)| (i as u32, &k[..])));
        let mut sc = tails.scratch(rules.len());
        #[rustfmt::skip]
        let ends = [
            "", "p", "P", "pa", "the PASSW", "passwo", "passwor", "password", "xgh", "gHp",
            "ghp_", "api_k", "api_ke", "tok", "k", "ke", "key", "x", "a p", "\u{e9}pass",
            "passw\x00",
        ];
        // Each end after each of the others, so that a stale tail from the buffer before
        // would show.
        for before in ends {
            for end in ends {
                tails.find(&mut sc, before.as_bytes());
                tails.find(&mut sc, end.as_bytes());
                for (r, keywords) in rules.iter().enumerate() {
                    assert_eq!(
                        sc.get(r),
                        naive(keywords, end.as_bytes()),
                        "rule {r} {keywords:?} at the end of {end:?} (after {before:?})"
                    );
                }
            }
        }
    }
}
