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
//! | `drop` | the whole output line is removed |
//! | `report` | unchanged: detect only |

use std::fmt;

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::key::Key;
use crate::rules::Rule;

/// How a finding is redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Remove the whole output line.
    Drop,
    /// Leave the text unchanged; only report.
    Report,
}

/// The kind of action taken on a finding, as reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionKind {
    /// Below the policy's confidence threshold: reported, left unchanged.
    None,
    /// See [`Action::Label`].
    Label,
    /// See [`Action::Mask`].
    Mask,
    /// See [`Action::Partial`].
    Partial,
    /// See [`Action::Hash`].
    Hash,
    /// See [`Action::Drop`].
    Drop,
    /// See [`Action::Report`].
    Report,
}

impl ActionKind {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::None => "none",
            ActionKind::Label => "label",
            ActionKind::Mask => "mask",
            ActionKind::Partial => "partial",
            ActionKind::Hash => "hash",
            ActionKind::Drop => "drop",
            ActionKind::Report => "report",
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
            Action::Drop => f.write_str("drop"),
            Action::Report => f.write_str("report"),
        }
    }
}

impl Action {
    /// Parses an action as written in policies and `--action` flags: `label`, `mask`,
    /// `mask:keep-separators`, `partial`, `partial:FIRST:LAST`, `hash`, `drop`, `report`.
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
            ("drop", []) => Action::Drop,
            ("report", []) => Action::Report,
            _ => {
                return Err(format!(
                    "unknown action '{s}' (expected label, mask, mask:keep-separators, partial, \
                     partial:FIRST:LAST, hash, drop or report)"
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
            Action::Drop => ActionKind::Drop,
            Action::Report => ActionKind::Report,
        }
    }

    /// Whether this action needs a key.
    pub fn needs_key(&self) -> bool {
        matches!(self, Action::Hash)
    }

    /// Writes the replacement for `value` (found by `rule`) to `out`. `Drop` writes nothing;
    /// the stream removes the line.
    pub(crate) fn apply(&self, rule: &Rule, value: &[u8], key: Option<&Key>, out: &mut Vec<u8>) {
        match *self {
            Action::Label => {
                out.push(b'[');
                out.extend_from_slice(rule.label.as_bytes());
                out.push(b']');
            }
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
                out.extend_from_slice(rule.label.as_bytes());
                out.push(b'#');
                let key = key.expect("a hash policy is refused at build time without a key");
                let mut mac = Hmac::<Sha256>::new_from_slice(key.bytes()).expect("any key length");
                mac.update(value);
                let digest = mac.finalize().into_bytes();
                for b in &digest[..5] {
                    out.extend_from_slice(format!("{b:02x}").as_bytes());
                }
            }
            Action::Drop => {}
            Action::Report => out.extend_from_slice(value),
        }
    }
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
