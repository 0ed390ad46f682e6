//! The vocabulary every stage shares: plain types with no dependencies on the pipeline.
//!
//! * [`Category`] and [`Confidence`]: what a rule finds and how sure a match is;
//! * [`Detection`]: a confirmed, validated match of one rule, before overlap resolution;
//! * [`Finding`]: what was redacted (or reported) where, and with which [`ActionKind`].
//!
//! Findings and detections carry rule, category, confidence and positions, never the matched
//! value, so they are safe to log, report and count.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

/// The category of a rule. Overlaps are resolved in this order: canary beats secret beats pii.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Category {
    /// Personal data: emails, phone numbers, cards, national IDs...
    Pii,
    /// Credentials: API tokens, keys, passwords.
    Secret,
    /// Decoy tokens that must never appear downstream.
    Canary,
}

impl Category {
    /// All categories, lowest priority first.
    pub const ALL: [Category; 3] = [Category::Pii, Category::Secret, Category::Canary];

    /// The category's name as written in rule and policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Pii => "pii",
            Category::Secret => "secret",
            Category::Canary => "canary",
        }
    }

    /// Parses a category name.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure blackbar is that a finding is what its rule says. Validators move it: a passing
/// checksum makes a finding `Certain`, a failing one lowers it by one level, a failing gate
/// (entropy, placeholder, required context) makes it `Low`. The policy redacts findings at or
/// above its threshold (`Medium` by default) and reports the rest with action `none`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Confidence {
    /// Shape only, a failed check: not redacted by default.
    Low,
    /// Plausible.
    Medium,
    /// Very specific shape (a fixed prefix, a structure).
    High,
    /// A checksum passed.
    Certain,
}

impl Confidence {
    /// Parses a confidence name (`low`, `medium`, `high`, `certain`).
    pub fn parse(s: &str) -> Option<Confidence> {
        Some(match s {
            "low" => Confidence::Low,
            "medium" => Confidence::Medium,
            "high" => Confidence::High,
            "certain" => Confidence::Certain,
            _ => return None,
        })
    }

    /// The name as written in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
            Confidence::Certain => "certain",
        }
    }

    /// One level lower (`Low` stays `Low`).
    pub fn lowered(self) -> Confidence {
        match self {
            Confidence::Low | Confidence::Medium => Confidence::Low,
            Confidence::High => Confidence::Medium,
            Confidence::Certain => Confidence::High,
        }
    }

    /// One level higher (`Certain` stays `Certain`).
    pub fn raised(self) -> Confidence {
        match self {
            Confidence::Low => Confidence::Medium,
            Confidence::Medium => Confidence::High,
            Confidence::High | Confidence::Certain => Confidence::Certain,
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One redacted (or reported) region of the input.
///
/// Offsets are absolute byte offsets into the whole input (across all chunks of a stream).
/// `span` is what was redacted: the rule's `secret` group when it has one, else the match.
/// After overlap resolution a finding covers only the bytes it won.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// Index of the rule in its [`crate::RuleSet`].
    pub rule: usize,
    /// The rule's id.
    pub rule_id: std::sync::Arc<str>,
    /// The rule's category.
    pub category: Category,
    /// The rule's label, e.g. `EMAIL`.
    pub label: std::sync::Arc<str>,
    /// The redacted bytes, as absolute offsets.
    pub span: Range<u64>,
    /// The 1-based line on which the span starts.
    pub line: u64,
    /// How sure the match is.
    pub confidence: Confidence,
    /// What was done with it.
    pub action: ActionKind,
}

impl Finding {
    /// The number of bytes the finding covers.
    pub fn len(&self) -> u64 {
        self.span.end - self.span.start
    }

    /// Whether the span is empty (never true for a reported finding).
    pub fn is_empty(&self) -> bool {
        self.span.is_empty()
    }
}

/// The kind of action taken on a finding, as reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ActionKind {
    /// Below the policy's confidence threshold: reported, left unchanged.
    None,
    /// See [`crate::Action::Label`].
    Label,
    /// See [`crate::Action::Mask`].
    Mask,
    /// See [`crate::Action::Partial`].
    Partial,
    /// See [`crate::Action::Hash`].
    Hash,
    /// See [`crate::Action::Token`].
    Token,
    /// See [`crate::Action::Fpe`].
    Fpe,
    /// See [`crate::Action::Placeholder`].
    Placeholder,
    /// See [`crate::Action::Drop`].
    Drop,
    /// See [`crate::Action::Block`].
    Block,
    /// See [`crate::Action::Report`].
    Report,
    /// See [`crate::Action::Text`].
    Text,
    /// Matched by the policy's allowlist (see [`crate::Allowlist`]): reported, left
    /// unchanged, and it outranks every rule on its bytes.
    Allowed,
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
            ActionKind::Token => "token",
            ActionKind::Fpe => "fpe",
            ActionKind::Placeholder => "placeholder",
            ActionKind::Drop => "drop",
            ActionKind::Block => "block",
            ActionKind::Report => "report",
            ActionKind::Text => "text",
            ActionKind::Allowed => "allowed",
        }
    }

    /// Whether the policy acted on the finding: anything but `none` (below the confidence
    /// threshold) and `allowed`. `report` counts: it is the policy's choice to only report.
    pub fn acted_on(self) -> bool {
        !matches!(self, ActionKind::None | ActionKind::Allowed)
    }
}

/// A confirmed, validated match, before overlap resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Detection {
    /// Index of the rule in the rule set.
    pub rule: u32,
    /// The whole match (absolute offsets). Overlaps are resolved on claims.
    pub claim: Range<u64>,
    /// The part to redact: the `secret` group, or the whole match.
    pub span: Range<u64>,
    /// The validated confidence.
    pub confidence: Confidence,
    /// Matched by the policy's allowlist: left unchanged, outranking every rule.
    pub allowed: bool,
}
