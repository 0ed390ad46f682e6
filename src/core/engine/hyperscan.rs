//! The Hyperscan prefilter (cargo feature `hyperscan`): the rules' keywords in one Hyperscan
//! database.
//!
//! Hyperscan only changes how candidates are found. It reports the same events as the lazy
//! DFA's overlapping search, `(prefilter pattern, end offset)`, and the engine turns them into
//! anchors the same way; the anchored regex-automata confirm and the validators are shared, so
//! the two engines can differ only if one of them misses an end offset, which the differential
//! tests look for.
//!
//! # What goes into Hyperscan
//!
//! Every keyword (ASCII case-insensitive literal) of every rule. The keyword-less patterns
//! (phone numbers, cards, IBANs, IPs, MACs: runs of digit and hex classes with bounded repeats
//! and `\b`) stay in the lazy DFA. Hyperscan compiles them, but runs them as NFAs that cannot
//! skip anything in log text, where digits are everywhere: measured on `corpora/logs-clean.log`,
//! the 20 keyword-less catalog patterns ran at 80-90 MB/s together in one Hyperscan database
//! (350-1500 MB/s each alone), against about 420 MB/s in the lazy DFA's overlapping search; the
//! keywords alone ran at 1.2-2.4 GB/s in Hyperscan against about 500 MB/s in the lazy DFA.
//!
//! # Block mode, not stream mode
//!
//! The database is compiled in **block mode**. The engine already carries its own state across
//! the pieces of a stream: each pass rescans at most `reach` bytes (the longest prefilter match)
//! before the previous end, so a block scan of the new bytes plus that overlap sees every match
//! that ends in them. Stream mode would keep a second copy of that state per scanner, cost
//! stream-state memory per stream and a slower scan, and buy nothing the rescan does not give.
//!
//! # Semantics
//!
//! Keywords are byte literals (non-alphanumerics as `\xHH`) with the `CASELESS` flag (ASCII
//! case folding, as the Rust engine's `(?i:...)` in byte mode), with no start-of-match tracking:
//! a literal's start is its end minus its length. A block scan treats the start of its range as
//! the start of the input; literals have no look-behind, but the caller still starts one byte
//! early so that the scan could hold patterns with `\b` or `\B`.
//!
//! A keyword Hyperscan refuses is left out of the database and reported by
//! [`Database::build`]; the engine searches it with the Aho-Corasick keyword DFA instead, so a
//! rule is never dropped (and `rules list` says so).

use hyperscan::prelude::*;
use hyperscan::{BlockDatabase, Matching, PatternFlags};

/// A compiled Hyperscan block database. Pattern ids are the engine's prefilter hit indexes.
pub(crate) struct Database {
    db: BlockDatabase,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("hyperscan::Database")
            .finish_non_exhaustive()
    }
}

/// Per-scanner Hyperscan scratch space.
pub(crate) struct Scratch(hyperscan::Scratch);

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("hyperscan::Scratch")
    }
}

/// The version of the Hyperscan library linked in, e.g. `5.4.0 2023-01-25`.
pub(crate) fn version() -> String {
    hyperscan::version_str().to_string_lossy().into_owned()
}

impl Database {
    /// Compiles `(pattern id, keyword)` pairs into one database. Returns the database, or
    /// `None` if nothing could be compiled, and the ids Hyperscan refused.
    ///
    /// # Errors
    ///
    /// A failure not attributable to one keyword (e.g. a CPU Hyperscan does not support).
    pub(crate) fn build(
        keywords: &[(usize, &[u8])],
    ) -> Result<(Option<Database>, Vec<usize>), String> {
        let mut refused = vec![];
        loop {
            let patterns: Patterns = keywords
                .iter()
                .filter(|(id, _)| !refused.contains(id))
                .map(|&(id, kw)| Pattern {
                    expression: literal(kw),
                    flags: PatternFlags::CASELESS,
                    id: Some(id),
                    ext: Default::default(),
                    som: None,
                })
                .collect();
            if patterns.is_empty() {
                return Ok((None, refused));
            }
            match patterns.build::<hyperscan::BlockMode>() {
                Ok(db) => return Ok((Some(Database { db }), refused)),
                Err(e) => match refused_expression(&e, &patterns) {
                    Some(id) => refused.push(id),
                    None => return Err(format!("hyperscan cannot compile the prefilter: {e}")),
                },
            }
        }
    }

    /// Fresh scratch space for one scanner.
    pub(crate) fn scratch(&self) -> Scratch {
        Scratch(
            self.db
                .alloc_scratch()
                .expect("hyperscan scratch allocation (out of memory)"),
        )
    }

    /// Reports `(pattern id, end offset in hay)` for every prefilter match ending in `hay`.
    /// Returns false if Hyperscan failed; the caller must then treat everything as a candidate.
    pub(crate) fn scan(
        &self,
        scratch: &mut Scratch,
        hay: &[u8],
        mut on_match: impl FnMut(usize, usize),
    ) -> bool {
        // Hyperscan takes a u32 length; the engine's buffers are far smaller, but a longer
        // one is scanned in overlapping blocks rather than truncated.
        const BLOCK: usize = 1 << 30;
        let mut at = 0;
        loop {
            let end = (at + BLOCK).min(hay.len());
            let ok = self
                .db
                .scan(&hay[at..end], &scratch.0, |id, _, to, _| {
                    on_match(id as usize, at + to as usize);
                    Matching::Continue
                })
                .is_ok();
            if !ok {
                return false;
            }
            if end == hay.len() {
                return true;
            }
            at = end - (1 << 20);
        }
    }
}

/// A literal in Hyperscan's syntax: alphanumerics as they are, everything else as `\xHH`.
fn literal(kw: &[u8]) -> String {
    let mut s = String::with_capacity(kw.len() * 4);
    for &b in kw {
        if b.is_ascii_alphanumeric() {
            s.push(b as char);
        } else {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    s
}

/// The id of the pattern a compile error names, if it names one.
fn refused_expression(e: &hyperscan::Error, patterns: &Patterns) -> Option<usize> {
    match e {
        hyperscan::Error::Hyperscan(hyperscan::HsError::CompileError(c)) => c
            .expression()
            .and_then(|k| patterns.0.get(k))
            .and_then(|p| p.id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_caseless_literals() {
        let (db, refused) =
            Database::build(&[(3, b"a.b"), (7, b"xoxb-"), (9, b"\x00(")]).expect("compiles");
        assert!(refused.is_empty());
        let db = db.expect("database");
        let mut sc = db.scratch();
        let mut hits = vec![];
        assert!(db.scan(&mut sc, b"A.B aXb XOXB-1 \x00(", |id, e| hits.push((id, e))));
        assert_eq!(hits, vec![(3, 3), (7, 13), (9, 17)]);
    }

    #[test]
    fn nothing_to_compile_is_no_database() {
        let (db, refused) = Database::build(&[]).expect("ok");
        assert!(db.is_none() && refused.is_empty());
    }
}
