//! Committed accuracy targets, and the check of a [`Report`] against them.
//!
//! ```toml
//! [overall]
//! recall = 0.98
//! precision = 0.97
//!
//! [category.secret]           # any category: pii, secret, canary
//! recall = 0.98
//!
//! [checksummed]               # each loaded pii or secret rule with a checksum validator
//! recall = 0.995
//! precision = 0.995
//!
//! [rule.email]                # one rule
//! recall = 0.99
//!
//! [decoys]                    # files whose label sidecar is empty
//! max_findings = 0
//!
//! [known_below]               # reported loudly; fails only if it gets worse than `floor`
//! "rule.us-ssn.recall" = { floor = 0.90, reason = "bare 9-digit numbers need context" }
//! ```
//!
//! Metrics are named `overall.recall`, `category.pii.precision`, `rule.ID.recall`,
//! `decoys.findings`. A metric fails when it is under its target, and also when it cannot be
//! measured (a rule with a target but no labels, or no findings for precision): a target that
//! measures nothing must not pass silently. Every rule that has labels must be loaded (a
//! `--disable`d rule fails as `rule.ID.recall`). A failing metric listed in `[known_below]`
//! is reported with its reason instead of failing, as long as it is no worse than the entry's
//! `floor` (the figure measured when the entry was written: a minimum ratio, or for
//! `decoys.findings` a maximum count), so a known gap cannot silently widen. An entry for a
//! metric that meets its target is reported as stale. Unknown keys, and `[known_below]`
//! entries that name no checked metric, are errors.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::Report;
use anyhow::{anyhow, Error};
use blackbar::{Category, RuleSet};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Target {
    recall: Option<f64>,
    precision: Option<f64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecoyTarget {
    max_findings: u64,
}

/// Parsed targets.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    overall: Option<Target>,
    #[serde(default)]
    category: BTreeMap<String, Target>,
    checksummed: Option<Target>,
    #[serde(default)]
    rule: BTreeMap<String, Target>,
    decoys: Option<DecoyTarget>,
    #[serde(default)]
    known_below: BTreeMap<String, Known>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Known {
    /// The figure when the entry was written: the metric may not get worse than this.
    floor: f64,
    reason: String,
}

/// The outcome of one metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// At or above the target.
    Pass,
    /// Under the target, or not measurable.
    Fail,
    /// Under the target, no worse than its `[known_below]` floor, listed with a reason.
    KnownBelow,
    /// Listed in `[known_below]` but meets the target: the entry should go.
    Stale,
}

/// One checked metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    /// The metric's name, e.g. `rule.card-visa.recall`.
    pub metric: String,
    /// The measured value; `None` when it could not be measured.
    pub value: Option<f64>,
    /// The target: a minimum ratio, or for `decoys.findings` a maximum count.
    pub target: f64,
    /// The outcome.
    pub status: Status,
    /// Why: the `[known_below]` reason, or what could not be measured.
    pub note: Option<String>,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.metric == "decoys.findings";
        let show = |v: f64| {
            if count {
                format!("{v}")
            } else {
                format!("{:.2}%", v * 100.0)
            }
        };
        let tag = match self.status {
            Status::Pass => "ok",
            Status::Fail => "FAIL",
            Status::KnownBelow => "KNOWN BELOW TARGET",
            Status::Stale => "STALE known_below entry (target now met)",
        };
        let value = self.value.map_or_else(|| "n/a".to_string(), show);
        let cmp = if count { "max" } else { "target" };
        write!(
            f,
            "{tag}: {} = {value} ({cmp} {})",
            self.metric,
            show(self.target)
        )?;
        if let Some(ref note) = self.note {
            write!(f, ": {note}")?;
        }
        Ok(())
    }
}

impl Thresholds {
    /// Parses a thresholds file; `origin` names it in errors.
    ///
    /// # Errors
    ///
    /// TOML syntax, unknown keys, a ratio outside 0..=1, or an unknown category.
    pub fn from_toml(text: &str, origin: &str) -> Result<Thresholds, Error> {
        let t: Thresholds = toml::from_str(text).map_err(|e| anyhow!("{origin}: {e}"))?;
        let bad = |m: String| Err(anyhow!("{origin}: {m}"));
        for c in t.category.keys() {
            if Category::parse(c).is_none() {
                return bad(format!("unknown category '{c}' in [category.{c}]"));
            }
        }
        let mut targets: Vec<(String, &Target)> = vec![];
        targets.extend(t.overall.iter().map(|x| ("overall".to_string(), x)));
        targets.extend(t.checksummed.iter().map(|x| ("checksummed".to_string(), x)));
        targets.extend(t.category.iter().map(|(k, x)| (format!("category.{k}"), x)));
        targets.extend(t.rule.iter().map(|(k, x)| (format!("rule.{k}"), x)));
        for (name, x) in targets {
            for v in [x.recall, x.precision].into_iter().flatten() {
                if !(0.0..=1.0).contains(&v) {
                    return bad(format!("[{name}]: {v} is not a ratio between 0 and 1"));
                }
            }
        }
        Ok(t)
    }

    /// Checks `report` (made with the rules in `rules`) against the targets, in a stable
    /// order: overall, categories, checksummed rules, named rules, labeled rules that are not
    /// loaded, decoys.
    ///
    /// # Errors
    ///
    /// A `[known_below]` entry that names no checked metric.
    pub fn check(&self, report: &Report, rules: &RuleSet) -> Result<Vec<Verdict>, Error> {
        let mut out = vec![];
        let mut ratio = |metric: String, value: Option<f64>, target: Option<f64>, why: &str| {
            if let Some(target) = target {
                let pass = value.is_some_and(|v| v >= target);
                out.push(Verdict {
                    metric,
                    value,
                    target,
                    status: if pass { Status::Pass } else { Status::Fail },
                    note: value.is_none().then(|| why.to_string()),
                });
            }
        };
        if let Some(ref t) = self.overall {
            let c = report.overall();
            ratio("overall.recall".into(), c.recall(), t.recall, "no labels");
            ratio(
                "overall.precision".into(),
                c.precision(),
                t.precision,
                "no findings",
            );
        }
        for (name, t) in &self.category {
            let c = report.category(Category::parse(name).expect("checked when parsed"));
            ratio(
                format!("category.{name}.recall"),
                c.recall(),
                t.recall,
                "no labels",
            );
            let p = c.precision();
            ratio(
                format!("category.{name}.precision"),
                p,
                t.precision,
                "no findings",
            );
        }
        let mut per_rule: BTreeMap<&str, Target> = BTreeMap::new();
        if let Some(ref t) = self.checksummed {
            for r in rules.rules() {
                let checksummed = r.has_checksum();
                if checksummed && r.category() != Category::Canary {
                    per_rule.insert(r.id(), t.clone());
                }
            }
        }
        for (id, t) in &self.rule {
            let e = per_rule.entry(id).or_default();
            e.recall = t.recall.or(e.recall);
            e.precision = t.precision.or(e.precision);
        }
        for (id, t) in &per_rule {
            let c = report.rule(id).copied().unwrap_or_default();
            let why_r = if rules.get(id).is_none() {
                "rule not loaded"
            } else {
                "no labels for this rule in the corpus"
            };
            let why_p = if c.labels == 0 { why_r } else { "no findings" };
            ratio(format!("rule.{id}.recall"), c.recall(), t.recall, why_r);
            ratio(
                format!("rule.{id}.precision"),
                c.precision(),
                t.precision,
                why_p,
            );
        }
        // A labeled rule that is not loaded (disabled, or renamed) measures nothing.
        // Both of its metrics fail, so a `[known_below]` entry for either still names one.
        for (id, c) in &report.rules {
            if c.labels > 0 && rules.get(id).is_none() && !per_rule.contains_key(id.as_str()) {
                for (metric, value) in [("recall", c.recall()), ("precision", None)] {
                    out.push(Verdict {
                        metric: format!("rule.{id}.{metric}"),
                        value,
                        target: 1.0,
                        status: Status::Fail,
                        note: Some(format!("{} labels, but the rule is not loaded", c.labels)),
                    });
                }
            }
        }
        if let Some(ref d) = self.decoys {
            let n = report.decoys.findings;
            out.push(Verdict {
                metric: "decoys.findings".into(),
                value: Some(n as f64),
                target: d.max_findings as f64,
                status: if n <= d.max_findings {
                    Status::Pass
                } else {
                    Status::Fail
                },
                note: (report.decoys.files == 0).then(|| "no decoy files".to_string()),
            });
            if report.decoys.files == 0 {
                out.last_mut().expect("just pushed").status = Status::Fail;
            }
        }
        for (metric, known) in &self.known_below {
            let Some(v) = out.iter_mut().find(|v| v.metric == *metric) else {
                return Err(anyhow!(
                    "[known_below] names '{metric}', which is not a checked metric"
                ));
            };
            let held = v.value.is_some_and(|x| {
                if metric == "decoys.findings" {
                    x <= known.floor
                } else {
                    x >= known.floor
                }
            });
            let reason = if held {
                known.reason.clone()
            } else {
                format!(
                    "worse than the known figure {}: {}",
                    known.floor, known.reason
                )
            };
            v.status = match v.status {
                Status::Fail if held => Status::KnownBelow,
                Status::Fail => Status::Fail,
                _ => Status::Stale,
            };
            v.note = Some(match v.note.take() {
                Some(n) => format!("{n}; {reason}"),
                None => reason,
            });
        }
        Ok(out)
    }
}

/// Whether every verdict passes (known-below and stale entries do not fail).
pub fn passed(verdicts: &[Verdict]) -> bool {
    verdicts.iter().all(|v| v.status != Status::Fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::eval::{labels::Label, Options};
    use blackbar::Redactor;

    fn report(text: &str, labels: &[Label], r: &Redactor) -> Report {
        let mut report = Report::default();
        let f = r.redact(text.as_bytes()).findings;
        report.add_file("f", text.as_bytes(), labels, &f, &Options::default());
        report.add_file("decoy", b"nothing here", &[], &[], &Options::default());
        report
    }

    #[test]
    fn targets_known_below_and_disabled_rules() {
        let text = "card 4111 1111 1111 1111 mail bob@example.com";
        let labels = [
            Label {
                start: 5,
                end: 24,
                rule: "card-visa".into(),
                category: Category::Pii,
            },
            Label {
                start: 30,
                end: 45,
                rule: "email".into(),
                category: Category::Pii,
            },
        ];
        let toml = "[overall]\nrecall = 0.98\n[checksummed]\nrecall = 0.995\n\
                    [decoys]\nmax_findings = 0\n";
        let t = Thresholds::from_toml(toml, "t.toml").unwrap();
        let r = Redactor::builder().build().unwrap();
        let v = t.check(&report(text, &labels, &r), r.rules()).unwrap();
        let get = |v: &[Verdict], m: &str| v.iter().find(|x| x.metric == m).cloned().unwrap();
        assert_eq!(get(&v, "overall.recall").status, Status::Pass);
        assert_eq!(get(&v, "rule.card-visa.recall").status, Status::Pass);
        // Checksummed rules with no labels fail as not measured.
        let amex = get(&v, "rule.card-amex.recall");
        assert_eq!((amex.status, amex.value), (Status::Fail, None));
        assert!(!passed(&v));

        let r = Redactor::builder().disable("card-visa").build().unwrap();
        let v = t.check(&report(text, &labels, &r), r.rules()).unwrap();
        let visa = get(&v, "rule.card-visa.recall");
        assert_eq!(visa.status, Status::Fail);
        assert!(visa.note.unwrap().contains("not loaded"));
        assert_eq!(get(&v, "rule.card-visa.precision").status, Status::Fail);
        assert_eq!(get(&v, "overall.recall").status, Status::Fail);

        let known = |floor: f64| {
            let file = format!(
                "{toml}[known_below]\n\"overall.recall\" = {{ floor = {floor}, reason = \"tracked\" }}\n"
            );
            let t = Thresholds::from_toml(&file, "t.toml").unwrap();
            let v = t.check(&report(text, &labels, &r), r.rules()).unwrap();
            get(&v, "overall.recall")
        };
        let overall = known(0.5);
        assert_eq!(overall.status, Status::KnownBelow);
        assert_eq!(overall.note.as_deref(), Some("tracked"));
        assert!(overall
            .to_string()
            .starts_with("KNOWN BELOW TARGET: overall.recall = 50.00%"));
        // Worse than the recorded figure: fails again.
        let overall = known(0.6);
        assert_eq!(overall.status, Status::Fail);
        assert!(overall
            .note
            .unwrap()
            .starts_with("worse than the known figure 0.6"));

        let typo =
            format!("{toml}[known_below]\n\"overall.recal\" = {{ floor = 0.1, reason = \"x\" }}\n");
        let t = Thresholds::from_toml(&typo, "t.toml").unwrap();
        assert!(t.check(&report(text, &labels, &r), r.rules()).is_err());
        assert!(Thresholds::from_toml("[overall]\nrecal = 1.0\n", "t").is_err());
        assert!(Thresholds::from_toml("[overall]\nrecall = 98\n", "t").is_err());
        assert!(Thresholds::from_toml("[category.pi]\nrecall = 0.9\n", "t").is_err());
    }
}
