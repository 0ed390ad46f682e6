//! What a rule's pattern may be, decided on its syntax tree.
//!
//! Patterns are parsed byte-oriented (`unicode(false)`, `utf8(false)`): classes are ASCII,
//! `.` is any byte but `\n`, and matches may contain invalid UTF-8. This is the subset that
//! regex-automata and Hyperscan agree on.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind, Look};
use regex_syntax::ParserBuilder;

/// Facts about a pattern that the engine and the stream rely on.
#[derive(Debug)]
pub(crate) struct Shape {
    pub(crate) min_len: usize,
    pub(crate) max_len: usize,
    pub(crate) multiline: bool,
    pub(crate) has_secret_group: bool,
    /// Whether the pattern asserts the start of the input (`^` without `(?m)`, `\A`): its
    /// matches depend on where an input begins, so an input may not be cut into chunks.
    pub(crate) input_start: bool,
    /// The syntax tree.
    pub(crate) hir: Hir,
}

/// Parses a pattern the way the engine compiles it.
pub(crate) fn parse(pattern: &str) -> Result<Hir, String> {
    ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| format!("bad regex: {}", e.to_string().replace('\n', " ")))
}

/// Checks a pattern against the supported subset and computes its [`Shape`].
pub(crate) fn analyze(pattern: &str) -> Result<Shape, String> {
    let hir = parse(pattern)?;
    let mut shape = Shape {
        min_len: 0,
        max_len: 0,
        multiline: false,
        has_secret_group: false,
        input_start: false,
        hir: Hir::empty(),
    };
    walk(&hir, &mut shape)?;
    let props = hir.properties();
    shape.min_len = props.minimum_len().unwrap_or(0);
    if shape.min_len == 0 {
        return Err("pattern can match the empty string".into());
    }
    shape.max_len = props.maximum_len().ok_or_else(|| {
        "unbounded maximum match length: use a bounded repetition such as {1,64} instead of * or +"
            .to_string()
    })?;
    shape.hir = hir;
    Ok(shape)
}

fn walk(hir: &Hir, shape: &mut Shape) -> Result<(), String> {
    match hir.kind() {
        HirKind::Empty => {}
        HirKind::Literal(lit) => shape.multiline |= lit.0.contains(&b'\n'),
        HirKind::Class(Class::Bytes(c)) => {
            shape.multiline |= c
                .ranges()
                .iter()
                .any(|r| r.start() <= b'\n' && b'\n' <= r.end())
        }
        HirKind::Class(Class::Unicode(c)) => {
            shape.multiline |= c
                .ranges()
                .iter()
                .any(|r| r.start() <= '\n' && '\n' <= r.end())
        }
        HirKind::Look(look) => match look {
            Look::Start => shape.input_start = true,
            Look::End | Look::StartLF | Look::EndLF | Look::WordAscii | Look::WordAsciiNegate => {}
            other => {
                return Err(format!(
                    "assertion {other:?} is outside the supported subset (^ $ \\A \\z \\b \\B)"
                ))
            }
        },
        HirKind::Repetition(rep) => walk(&rep.sub, shape)?,
        HirKind::Capture(cap) => {
            match cap.name.as_deref() {
                Some("secret") if shape.has_secret_group => {
                    return Err("more than one group named 'secret'".into())
                }
                Some("secret") => shape.has_secret_group = true,
                Some(other) => {
                    return Err(format!(
                        "named group '{other}' is not supported (only 'secret' is; use (?:...) otherwise)"
                    ))
                }
                None => {}
            }
            walk(&cap.sub, shape)?
        }
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            for sub in subs {
                walk(sub, shape)?;
            }
        }
    }
    Ok(())
}

/// An offset from a match's start by which one of `keywords` has begun, in every match.
///
/// The pattern is read after folding ASCII case-insensitive letters (so that `(?i)` does not
/// multiply literals), two ways, and the smaller bound wins:
///
/// * **Prefix literals.** Every match starts with one of the pattern's prefix literals. When
///   each contains a keyword (ASCII case-insensitively), the lead is the largest offset of the
///   first keyword in a literal: 0 when every match starts with a keyword, 7 for
///   `(?:client_|app_)?secret`.
/// * **Structure** ([`structural_lead`]): a concatenation whose part `i` always holds a
///   keyword at most `L` bytes into it has one at most `L` + the longest the parts before it
///   can be: 66 for `[ \t]--?(?:[a-z0-9]{1,20}-){0,3}(?:pass|token)`, whose prefix literals end
///   at the class and so contain no keyword.
///
/// Otherwise it is the conservative `max_len - shortest keyword`.
pub(crate) fn keyword_lead(hir: &Hir, keywords: &[String], max_len: usize) -> usize {
    let shortest = keywords.iter().map(|k| k.len()).min().unwrap_or(0);
    let conservative = max_len.saturating_sub(shortest);
    let folded = fold_case(hir);
    let seq = Extractor::new()
        .kind(ExtractKind::Prefix)
        .limit_literal_len(64)
        .limit_total(256)
        .extract(&folded);
    let by_prefix = seq.literals().and_then(|lits| {
        let leads: Option<Vec<usize>> = lits
            .iter()
            .map(|l| first_keyword(l.as_bytes(), keywords))
            .collect();
        leads.and_then(|leads| leads.into_iter().max())
    });
    let by_structure = structural_lead(&folded, keywords);
    [by_prefix, by_structure]
        .into_iter()
        .flatten()
        .min()
        .map_or(conservative, |lead| lead.min(conservative))
}

/// Where the first of `keywords` begins in `lit` (ASCII case-insensitively).
fn first_keyword(lit: &[u8], keywords: &[String]) -> Option<usize> {
    keywords
        .iter()
        .filter_map(|k| {
            lit.windows(k.len())
                .position(|w| w.eq_ignore_ascii_case(k.as_bytes()))
        })
        .min()
}

/// `Some(L)` when every match of `hir` holds one of `keywords` beginning at most `L` bytes
/// after the match's start, read off the tree: a literal by where a keyword begins in it; a
/// concatenation by its first part that always holds one, plus the longest the parts
/// before it can be; an alternation by its worst branch (each must hold one); a repetition
/// of at least one by its first iteration. `None` when no such bound is found (a keyword
/// across two parts is not looked for: `None` is always safe).
fn structural_lead(hir: &Hir, keywords: &[String]) -> Option<usize> {
    match hir.kind() {
        HirKind::Literal(lit) => first_keyword(&lit.0, keywords),
        HirKind::Capture(cap) => structural_lead(&cap.sub, keywords),
        HirKind::Repetition(rep) if rep.min >= 1 => structural_lead(&rep.sub, keywords),
        HirKind::Concat(subs) => {
            let mut before = 0usize;
            for sub in subs {
                if let Some(lead) = structural_lead(sub, keywords) {
                    return before.checked_add(lead);
                }
                before = before.checked_add(sub.properties().maximum_len()?)?;
            }
            None
        }
        HirKind::Alternation(subs) => subs
            .iter()
            .map(|sub| structural_lead(sub, keywords))
            .collect::<Option<Vec<usize>>>()?
            .into_iter()
            .max(),
        _ => None,
    }
}

/// `hir` with every class of one ASCII letter in both cases (what `(?i)` makes of a letter)
/// replaced by the lowercase letter, and every one-byte class by that byte.
fn fold_case(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Class(Class::Bytes(c)) => {
            let r = c.ranges();
            let one = |i: usize| (r[i].start() == r[i].end()).then(|| r[i].start());
            match (r.len(), one(0), r.get(1).and_then(|_| one(1))) {
                (1, Some(b), _) => Hir::literal([b]),
                (2, Some(upper), Some(lower))
                    if upper.is_ascii_uppercase() && lower == upper.to_ascii_lowercase() =>
                {
                    Hir::literal([lower])
                }
                _ => hir.clone(),
            }
        }
        HirKind::Repetition(rep) => Hir::repetition(regex_syntax::hir::Repetition {
            sub: Box::new(fold_case(&rep.sub)),
            ..rep.clone()
        }),
        HirKind::Capture(cap) => Hir::capture(regex_syntax::hir::Capture {
            sub: Box::new(fold_case(&cap.sub)),
            ..cap.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(fold_case).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(fold_case).collect()),
        _ => hir.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_multiline() {
        let s = analyze(r"\bab[0-9]{2,5}\b").unwrap();
        assert_eq!(s.max_len, 7);
        assert!(!s.multiline);
        assert!(analyze(r"-----BEGIN[\s\S]{1,100}").unwrap().multiline);
        assert!(analyze(r"a\sb").unwrap().multiline, "\\s includes \\n");
        assert!(!analyze(r"a[ \t]b").unwrap().multiline);
    }

    #[test]
    fn refusals_name_the_problem() {
        assert!(analyze(r"a+").unwrap_err().contains("unbounded"));
        assert!(analyze(r"a*").unwrap_err().contains("empty string"));
        assert!(analyze(r"(a").unwrap_err().contains("bad regex"));
        assert!(analyze(r"\b{start}a")
            .unwrap_err()
            .contains("supported subset"));
        assert!(analyze(r"(?P<user>a)").unwrap_err().contains("named group"));
        assert!(analyze(r"(?P<secret>a)").unwrap().has_secret_group);
    }

    fn lead(pattern: &str, keywords: &[String], max_len: usize) -> usize {
        keyword_lead(&parse(pattern).unwrap(), keywords, max_len)
    }

    #[test]
    fn lead_is_zero_for_prefix_keywords() {
        let kws = vec!["ghp_".to_string()];
        assert_eq!(lead(r"\bghp_[A-Za-z0-9]{36}", &kws, 40), 0);
        // The `@` comes after at most 10 letters (the structure; the conservative bound
        // would be 21 - 1).
        let kws = vec!["@".to_string()];
        assert_eq!(lead(r"[a-z]{1,10}@[a-z]{1,10}", &kws, 21), 10);
    }

    #[test]
    fn lead_is_where_the_first_keyword_can_start() {
        let kws = vec!["secret".to_string()];
        let p = r"(?i)\b(?:client[_-]?|app[_-]?)?secret[=:][a-z0-9]{8,40}";
        // "client_secret": 7 bytes before the keyword, in either case.
        assert_eq!(lead(p, &kws, 54), 7);
        let kws = vec!["key".to_string(), "token".to_string()];
        let p = r"(?i)(?:api[_-]?key|access[_-]?token|token)=[a-z0-9]{8,40}";
        assert_eq!(lead(p, &kws, 53), 7);
        // A branch without a keyword in its prefix: the conservative lead.
        let p = r"(?i)(?:api[_-]?key|pass)=[a-z0-9]{8,40}";
        assert_eq!(lead(p, &kws, 48), 45);
        // A keyword that only the repeated part can hold: conservative too.
        let p = r"id=[a-z]{1,40}";
        assert_eq!(lead(p, &kws, 43), 40);
    }

    #[test]
    fn lead_is_read_off_the_structure_when_prefixes_end_at_a_class() {
        let kws = vec!["pass".to_string(), "token".to_string(), "key".to_string()];
        // 1 (blank) + 2 (dashes) + 3 × 21 (words with a dash) before the keyword.
        let p = r"(?i)[ \t]--?(?:[a-z0-9]{1,20}-){0,3}(?:pass(?:word)?|token)[= ][a-z0-9]{8,400}";
        assert_eq!(lead(p, &kws, 488), 66);
        // `api-?key`: the keyword is 3 or 4 bytes into the branch, so 4 more.
        let p = r"(?i)[ \t]--?(?:token|api-?key)=[a-z0-9]{8,400}";
        assert_eq!(lead(p, &kws, 413), 3 + 4);
        // A branch without a keyword: no structural bound.
        let p = r"(?i)[ \t]--?(?:token|user)=[a-z0-9]{8,400}";
        assert_eq!(lead(p, &kws, 409), 409 - 3);
        // An optional keyword part is not a bound; the required one after it is.
        let p = r"[a-z]{0,5}(?:token)?=key[a-z0-9]{8,40}";
        assert_eq!(lead(p, &kws, 54), 5 + 5 + 1);
    }
}
