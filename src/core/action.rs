//! Actions: what happens to a finding's bytes. Detection (rules) and redaction (actions) are
//! orthogonal; the [`crate::Policy`] joins them per category and per rule.
//!
//! | action | output for `alice@example.com` |
//! | --- | --- |
//! | `label` | `[EMAIL]` |
//! | `mask` | `*****************` (one `*` per character) |
//! | `mask:keep-separators` | `*****@*******.***` |
//! | `partial` / `partial:F:L` | keep the first F and last L characters (rule default; cards keep the last 4) |
//! | `hash` | `EMAIL#1b2c3d4e5f`: keyed HMAC-SHA256, same value and key give the same digest |
//! | `token` | `tok_EMAIL_k3f9a1c2b_…`: reversible, deterministic AES-SIV (see [`crate::token`]) |
//! | `fpe` | `4111 1187 3245 0916` for a card: digits encrypted with FF1, format kept (see [`crate::token::fpe`]) |
//! | `placeholder` | `[EMAIL_1]`: numbered per session, restorable (see [`crate::placeholder`]) |
//! | `drop` | the whole output line is removed |
//! | `block` | `[EMAIL]`, and the finding is reported as `block`: the proxy refuses the request |
//! | `report` | unchanged: detect only |
//! | `text:TEMPLATE` | the template with `{label}`, `{category}`, `{rule}` filled in: `text:<{label}>` gives `<EMAIL>`, `text:[REDACTED:{category}]` gives `[REDACTED:pii]`, `text:***` gives `***` |
//!
//! A template's other characters are literal; `{{` and `}}` write a brace. A placeholder
//! other than those three, an unclosed `{`, a lone `}` or a control character (a newline
//! would change the line structure) is an error when the policy loads, naming it.
//!
//! `hash`, `token` and `fpe` need a key ([`crate::Key`]). `token` writes the rule's `[LABEL]`
//! for a value longer than [`crate::token::MAX_VALUE_LEN`]; `fpe` writes it for a value that is
//! not digits and separators or has too few digits. Neither ever leaves a value in clear.
//!
//! `block` is meant for the LLM proxy ([`crate::proxy`], feature `proxy`): a request with a
//! `block` finding is refused with a provider-shaped error. Everywhere else (the CLI, JSON
//! lines, the tracing front end) there is no request to refuse, so `block` behaves like the
//! nearest safe action, `label`, and its findings are reported with action `block` so that
//! `--check` and reports still show what a proxy would have refused.

use std::fmt;

use crate::finding::ActionKind;
use crate::key::Key;
use crate::placeholder::Vault;
use crate::rules::Rule;
use crate::token::fpe::Shape;

/// How a finding is redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Replace with `[LABEL]`.
    Label,
    /// Replace every character with `*`; optionally keep ASCII punctuation and spaces.
    Mask {
        /// Keep separators (`-`, ` `, `.`, `@`...) so the shape stays readable.
        keep_separators: bool,
    },
    /// Keep the first and last characters, mask the middle. `None`: the rule's `keep`.
    Partial {
        /// Characters kept at the start.
        first: Option<usize>,
        /// Characters kept at the end.
        last: Option<usize>,
    },
    /// `LABEL#` and the first 10 hex digits of HMAC-SHA256 under the key.
    Hash,
    /// A reversible token, `tok_LABEL_KEYID_…` (deterministic AES-SIV under the key).
    Token,
    /// Format-preserving encryption of the value's digits (FF1 under the key).
    Fpe,
    /// A numbered placeholder, `[LABEL_N]`, from the stream's session vault.
    Placeholder,
    /// Remove the whole output line.
    Drop,
    /// Refuse the whole request (proxy); elsewhere written as `[LABEL]`.
    Block,
    /// Leave the text unchanged; only report.
    Report,
    /// Replace with a template's text (`text:[REDACTED:{category}]`).
    Text(Template),
}

/// A replacement template: literal text and `{label}`, `{category}`, `{rule}` placeholders.
///
/// # Example
///
/// ```
/// use blackbar::Action;
/// assert!(Action::parse("text:[REDACTED:{category}]").is_ok());
/// let e = Action::parse("text:<{lable}> {id}").unwrap_err();
/// assert!(e.contains("{lable}") && e.contains("{id}"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// As written, after `text:`.
    source: String,
    pieces: Vec<Piece>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Label,
    Category,
    Rule,
}

impl Template {
    /// Parses a template.
    ///
    /// # Errors
    ///
    /// A message naming every unknown placeholder, or an unclosed `{`, a lone `}` or a
    /// control character.
    pub fn parse(source: &str) -> Result<Template, String> {
        let mut pieces = vec![];
        let mut lit = String::new();
        let mut unknown: Vec<String> = vec![];
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => name.push(c),
                            None => {
                                return Err(format!(
                                "template '{source}': '{{' without '}}' (write '{{{{' for a brace)"
                            ))
                            }
                        }
                    }
                    let piece = match name.as_str() {
                        "label" => Piece::Label,
                        "category" => Piece::Category,
                        "rule" => Piece::Rule,
                        _ => {
                            unknown.push(format!("{{{name}}}"));
                            continue;
                        }
                    };
                    if !lit.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut lit)));
                    }
                    pieces.push(piece);
                }
                '}' => {
                    return Err(format!(
                        "template '{source}': '}}' without '{{' (write '}}}}' for a brace)"
                    ))
                }
                c if c.is_control() => {
                    return Err(format!(
                        "template {source:?}: control characters are not allowed"
                    ))
                }
                c => lit.push(c),
            }
        }
        if !unknown.is_empty() {
            return Err(format!(
                "template '{source}': unknown placeholder{} {} (expected {{label}}, {{category}} or {{rule}})",
                if unknown.len() > 1 { "s" } else { "" },
                unknown.join(", ")
            ));
        }
        if !lit.is_empty() {
            pieces.push(Piece::Literal(lit));
        }
        Ok(Template {
            source: source.to_string(),
            pieces,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    fn write(&self, rule: &Rule, out: &mut Vec<u8>) {
        for p in &self.pieces {
            let s: &str = match p {
                Piece::Literal(s) => s,
                Piece::Label => &rule.label,
                Piece::Category => rule.category.as_str(),
                Piece::Rule => &rule.id,
            };
            out.extend_from_slice(s.as_bytes());
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Action::Label => f.write_str("label"),
            Action::Mask {
                keep_separators: false,
            } => f.write_str("mask"),
            Action::Mask {
                keep_separators: true,
            } => f.write_str("mask:keep-separators"),
            Action::Partial {
                first: None,
                last: None,
            } => f.write_str("partial"),
            Action::Partial { first, last } => {
                write!(f, "partial:{}:{}", first.unwrap_or(0), last.unwrap_or(0))
            }
            Action::Hash => f.write_str("hash"),
            Action::Token => f.write_str("token"),
            Action::Fpe => f.write_str("fpe"),
            Action::Placeholder => f.write_str("placeholder"),
            Action::Drop => f.write_str("drop"),
            Action::Block => f.write_str("block"),
            Action::Report => f.write_str("report"),
            Action::Text(ref t) => write!(f, "text:{}", t.source),
        }
    }
}

impl Action {
    /// Parses an action as written in policies and `--action` flags: `label`, `mask`,
    /// `mask:keep-separators`, `partial`, `partial:FIRST:LAST`, `hash`, `token`, `fpe`,
    /// `placeholder`, `drop`, `block`, `report`, `text:TEMPLATE`.
    ///
    /// # Errors
    ///
    /// A message naming the unknown action or the malformed argument.
    ///
    /// # Example
    ///
    /// ```
    /// use blackbar::Action;
    /// assert_eq!(Action::parse("partial:0:4")?, Action::Partial { first: Some(0), last: Some(4) });
    /// # Ok::<(), String>(())
    /// ```
    pub fn parse(s: &str) -> Result<Action, String> {
        if let Some(template) = s.strip_prefix("text:") {
            return Template::parse(template).map(Action::Text);
        }
        let mut parts = s.split(':');
        let name = parts.next().unwrap_or_default();
        let args: Vec<&str> = parts.collect();
        let action = match (name, args.as_slice()) {
            ("label", []) => Action::Label,
            ("mask", []) => Action::Mask {
                keep_separators: false,
            },
            ("mask", ["keep-separators"]) => Action::Mask {
                keep_separators: true,
            },
            ("partial", []) => Action::Partial {
                first: None,
                last: None,
            },
            ("partial", [a, b]) => {
                let n = |x: &str| {
                    x.parse::<usize>()
                        .map_err(|_| format!("action '{s}': '{x}' is not a count"))
                };
                Action::Partial {
                    first: Some(n(a)?),
                    last: Some(n(b)?),
                }
            }
            ("hash", []) => Action::Hash,
            ("token", []) => Action::Token,
            ("fpe", []) => Action::Fpe,
            ("placeholder", []) => Action::Placeholder,
            ("drop", []) => Action::Drop,
            ("block", []) => Action::Block,
            ("report", []) => Action::Report,
            _ => {
                return Err(format!(
                    "unknown action '{s}' (expected label, mask, mask:keep-separators, partial, \
                     partial:FIRST:LAST, hash, token, fpe, placeholder, drop, block, report or \
                     text:TEMPLATE)"
                ))
            }
        };
        Ok(action)
    }

    /// The kind reported for findings redacted with this action.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Label => ActionKind::Label,
            Action::Mask { .. } => ActionKind::Mask,
            Action::Partial { .. } => ActionKind::Partial,
            Action::Hash => ActionKind::Hash,
            Action::Token => ActionKind::Token,
            Action::Fpe => ActionKind::Fpe,
            Action::Placeholder => ActionKind::Placeholder,
            Action::Drop => ActionKind::Drop,
            Action::Block => ActionKind::Block,
            Action::Report => ActionKind::Report,
            Action::Text(_) => ActionKind::Text,
        }
    }

    /// Whether this action needs a key.
    pub fn needs_key(&self) -> bool {
        matches!(self, Action::Hash | Action::Token | Action::Fpe)
    }

    /// Writes the replacement for `value` (found by `rule`) to `out`. `Drop` writes nothing;
    /// the stream removes the line.
    pub(crate) fn apply(&self, rule: &Rule, value: &[u8], ctx: &Ctx<'_>, out: &mut Vec<u8>) {
        let label = |out: &mut Vec<u8>| {
            out.push(b'[');
            out.extend_from_slice(rule.label.as_bytes());
            out.push(b']');
        };
        match *self {
            Action::Label | Action::Block => label(out),
            Action::Mask { keep_separators } => {
                for ch in chars(value) {
                    let keep = keep_separators && ch.len() == 1 && is_separator(ch[0]);
                    out.extend_from_slice(if keep { ch } else { b"*" });
                }
            }
            Action::Partial { first, last } => {
                let first = first.unwrap_or(rule.keep.0);
                let last = last.unwrap_or(rule.keep.1);
                let cs: Vec<&[u8]> = chars(value).collect();
                // Never reveal more than half of a value, whatever the policy asks.
                let budget = cs.len() / 2;
                let first = first.min(budget);
                let last = last.min(budget - first);
                for (i, ch) in cs.iter().enumerate() {
                    let keep =
                        i < first || i >= cs.len() - last || (ch.len() == 1 && is_separator(ch[0]));
                    out.extend_from_slice(if keep { ch } else { b"*" });
                }
            }
            Action::Hash => {
                let key = ctx
                    .key
                    .expect("a keyed policy is refused at build time without a key");
                crate::key::hash_into(key.current(), &rule.label, value, out);
            }
            Action::Token => {
                let key = ctx
                    .key
                    .expect("a keyed policy is refused at build time without a key");
                if !crate::token::encrypt_into(key, &rule.label, value, out) {
                    label(out);
                }
            }
            Action::Fpe => {
                let key = ctx
                    .key
                    .expect("a keyed policy is refused at build time without a key");
                let shape = ctx.shape.expect("every fpe rule has a shape");
                let done = crate::token::fpe::apply(
                    key.current(),
                    &rule.label,
                    shape,
                    value,
                    ctx.reverse_fpe,
                    out,
                );
                if !done {
                    if ctx.reverse_fpe {
                        // Not something fpe made: leave it as it is.
                        out.extend_from_slice(value);
                    } else {
                        label(out);
                    }
                }
            }
            Action::Placeholder => match ctx.vault {
                Some(vault) => vault.write(&rule.label, value, out),
                None => label(out),
            },
            Action::Drop => {}
            Action::Report => out.extend_from_slice(value),
            Action::Text(ref t) => t.write(rule, out),
        }
    }
}

/// What an action may need beyond the rule and the value.
#[derive(Clone, Copy, Default)]
pub(crate) struct Ctx<'a> {
    /// The key ring, for `hash`, `token` and `fpe`.
    pub key: Option<&'a Key>,
    /// The session vault, for `placeholder` (without one, the label is written).
    pub vault: Option<&'a Vault>,
    /// The rule's format-preserving shape, for `fpe`.
    pub shape: Option<&'a Shape>,
    /// Whether `fpe` decrypts (for `blackbar detokenize --fpe`).
    pub reverse_fpe: bool,
}

fn is_separator(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'-' | b'.' | b'@' | b':' | b'/' | b'_' | b'+' | b'(' | b')'
    )
}

/// Splits bytes into UTF-8 characters; each invalid byte is a character of its own.
fn chars(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = value;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let n = match rest[0] {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        let n = if n <= rest.len() && std::str::from_utf8(&rest[..n]).is_ok() {
            n
        } else {
            1
        };
        let (ch, tail) = rest.split_at(n);
        rest = tail;
        Some(ch)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Templates as written, and what they give for the email rule (label `EMAIL`,
    /// category `pii`, id `email`) or the error they are refused with.
    #[test]
    fn templates() {
        let rules = crate::rules::RuleSet::default_catalog();
        let email = rules.get("email").expect("the catalog has email");
        let ok = [
            ("<{label}>", "<EMAIL>"),
            ("[REDACTED:{category}]", "[REDACTED:pii]"),
            ("{rule}", "email"),
            ("***", "***"),
            ("", ""),
            ("{{{label}}}", "{EMAIL}"),
            ("{label}-{label}", "EMAIL-EMAIL"),
            ("é {category}", "é pii"),
        ];
        for (template, want) in ok {
            let action = Action::parse(&format!("text:{template}")).expect(template);
            assert_eq!(action.to_string(), format!("text:{template}"));
            assert_eq!(action.kind(), ActionKind::Text);
            let mut out = vec![];
            action.apply(email, b"bob@example.com", &Ctx::default(), &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{template}");
        }
        let refused = [
            ("<{lable}>", "unknown placeholder {lable} "),
            ("{id} {value}", "unknown placeholders {id}, {value} "),
            ("[{label]", "'{' without '}'"),
            ("a}b", "'}' without '{'"),
            ("line\nbreak", "control characters"),
        ];
        for (template, want) in refused {
            let e = Action::parse(&format!("text:{template}")).unwrap_err();
            assert!(e.contains(want), "{template:?}: {e}");
        }
    }
}
