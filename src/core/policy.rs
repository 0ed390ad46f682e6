//! Policies join detection and redaction: which [`Action`] each category and rule gets, and
//! the confidence a finding needs to be acted on.
//!
//! ```toml
//! min_confidence = "medium"      # low | medium | high | certain
//! [actions]
//! pii = "label"                  # a category...
//! secret = "hash"
//! credit-card = "partial:0:4"    # ...or a rule id, which wins over its category
//! email = "text:<{label}>"       # a replacement template ({label}, {category}, {rule})
//!
//! [[allow]]                      # values left as they are (see crate::Allowlist)
//! values = ["10.0.0.1"]
//! ```
//!
//! The serde form is compiled against a [`RuleSet`] into one action per rule; names that
//! match no rule or category, unknown actions and unknown keys are errors. The `allow`
//! entries ([`Allowlist`]) outrank every action: an allowed finding is left unchanged.
//!
//! The threshold has a default per front end unless the policy sets it: `medium` for logs
//! (the pipe, the tracing layer), where a false positive costs a changed line, and `low` for
//! the proxy's requests, where every placeholder is restored in the answer and a false
//! positive costs nothing (see [`Policy::min_confidence_or`]).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::action::Action;
use crate::allow::{Allow, Allowlist};
use crate::error::{Error, ErrorKind};
use crate::finding::{Category, Confidence};
use crate::rules::RuleSet;

/// What to do with findings, per category and per rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// `None` until set: each front end then uses its own default.
    min_confidence: Option<Confidence>,
    /// `(target, action, where it was set)` in the order given; a later entry overrides an
    /// earlier one.
    actions: Vec<(String, Action, String)>,
    /// The allowlist entries, from the policy file and `--allow` files, in order.
    allow: Allowlist,
}

impl Default for Policy {
    /// Label everything at the front end's default threshold ([`Confidence::Medium`] for
    /// logs).
    fn default() -> Policy {
        Policy {
            min_confidence: None,
            actions: vec![],
            allow: Allowlist::default(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicySpec {
    #[serde(default)]
    min_confidence: Option<String>,
    #[serde(default)]
    actions: BTreeMap<String, String>,
    #[serde(default)]
    allow: Option<toml::Value>,
}

impl Policy {
    /// Parses a policy file.
    ///
    /// # Errors
    ///
    /// TOML errors, unknown keys, unknown actions or confidence levels, template placeholders
    /// or allowlist mistakes, named with `origin`.
    pub fn from_toml(text: &str, origin: &str) -> Result<Policy, Error> {
        let spec: PolicySpec = toml::from_str(text)
            .map_err(|e| Error::new(ErrorKind::Parse(e.to_string())).at(origin))?;
        let mut policy = Policy::default();
        if let Some(c) = spec.min_confidence {
            policy.min_confidence = Some(Confidence::parse(&c).ok_or_else(|| {
                Error::new(ErrorKind::Policy(format!("unknown min_confidence '{c}'"))).at(origin)
            })?);
        }
        for (target, action) in spec.actions {
            let action = Action::parse(&action)
                .map_err(|e| Error::new(ErrorKind::Policy(format!("{target}: {e}"))).at(origin))?;
            policy.actions.push((target, action, origin.to_string()));
        }
        if let Some(allow) = spec.allow {
            policy.allow = Allowlist::from_entries(crate::allow::entries(allow, origin)?, origin)?;
        }
        Ok(policy)
    }

    /// Adds allowlist entries (from an `--allow` file) after the policy's own.
    pub fn add_allowlist(&mut self, list: Allowlist) -> &mut Policy {
        self.allow.extend(list);
        self
    }

    /// The allowlist entries.
    pub fn allowlist(&self) -> &Allowlist {
        &self.allow
    }

    /// The allowlist compiled against `rules` (`None` when it is empty).
    ///
    /// # Errors
    ///
    /// An entry naming a rule that is not loaded.
    pub(crate) fn compile_allow(&self, rules: &RuleSet) -> Result<Option<Allow>, Error> {
        self.allow.compile(rules)
    }

    /// Sets the action for a category (`pii`, `secret`, `canary`) or a rule id.
    pub fn set_action(&mut self, target: &str, action: Action) -> &mut Policy {
        self.actions
            .push((target.to_string(), action, "policy".to_string()));
        self
    }

    /// Parses and applies a `TARGET=ACTION` assignment, such as `secret=hash`.
    ///
    /// # Errors
    ///
    /// A malformed assignment or an unknown action.
    pub fn set_action_str(&mut self, assignment: &str) -> Result<&mut Policy, Error> {
        let (target, action) = assignment.split_once('=').ok_or_else(|| {
            Error::new(ErrorKind::Policy(format!(
                "'{assignment}': expected TARGET=ACTION, e.g. secret=hash"
            )))
        })?;
        let action = Action::parse(action)
            .map_err(|e| Error::new(ErrorKind::Policy(format!("'{assignment}': {e}"))))?;
        self.actions
            .push((target.to_string(), action, format!("action {assignment}")));
        Ok(self)
    }

    /// Sets the action for `target` unless an entry already names it: a default that every
    /// entry of the policy (earlier or later) overrides. The proxy uses it for its defaults
    /// (PII and secrets become placeholders) under a user's policy file.
    pub fn set_default_action(&mut self, target: &str, action: Action) -> &mut Policy {
        self.actions
            .insert(0, (target.to_string(), action, "default".to_string()));
        self
    }

    /// Sets the confidence a finding needs to be acted on.
    pub fn set_min_confidence(&mut self, c: Confidence) -> &mut Policy {
        self.min_confidence = Some(c);
        self
    }

    /// The confidence a finding needs to be acted on: the one set, else
    /// [`Confidence::Medium`], the default for logs.
    pub fn min_confidence(&self) -> Confidence {
        self.min_confidence_or(Confidence::Medium)
    }

    /// The confidence set by this policy, else `default`: a front end's own default.
    ///
    /// # Example
    ///
    /// ```
    /// use blackbar::{Confidence, Policy};
    /// let mut p = Policy::default();
    /// assert_eq!(p.min_confidence_or(Confidence::Low), Confidence::Low);
    /// p.set_min_confidence(Confidence::High);
    /// assert_eq!(p.min_confidence_or(Confidence::Low), Confidence::High);
    /// ```
    pub fn min_confidence_or(&self, default: Confidence) -> Confidence {
        self.min_confidence.unwrap_or(default)
    }

    /// The action last set for exactly `target` (a rule id or category), if any.
    pub(crate) fn explicit(&self, target: &str) -> Option<&Action> {
        self.actions
            .iter()
            .rev()
            .find(|(t, _, _)| t == target)
            .map(|(_, a, _)| a)
    }

    /// One action per rule of `rules`: the last entry naming the rule, else the last naming
    /// its category, else `label`.
    ///
    /// # Errors
    ///
    /// An entry naming neither a rule nor a category.
    pub fn compile(&self, rules: &RuleSet) -> Result<Vec<Action>, Error> {
        for (target, _, origin) in &self.actions {
            if Category::parse(target).is_none() && rules.get(target).is_none() {
                return Err(Error::new(ErrorKind::Policy(format!(
                    "'{target}' is neither a category (pii, secret, canary) nor a loaded rule id"
                )))
                .at(origin));
            }
        }
        Ok(rules
            .rules()
            .iter()
            .map(|rule| {
                let by = |t: &str| {
                    self.actions
                        .iter()
                        .rev()
                        .find(|(x, _, _)| x == t)
                        .map(|(_, a, _)| a.clone())
                };
                by(&rule.id)
                    .or_else(|| by(rule.category.as_str()))
                    .unwrap_or(Action::Label)
            })
            .collect())
    }
}
