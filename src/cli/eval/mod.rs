//! Measured accuracy: scoring the redactor's findings against labeled corpora.
//!
//! A labeled corpus is a set of files, each with a [`labels`] sidecar listing the spans the
//! redactor must report. [`Report::add_file`] scores one file's findings against its labels;
//! [`thresholds`] compares the totals with committed targets. `blackbar eval` is the front end.
//!
//! # What counts
//!
//! Only *reported* findings count: those at or above the policy's confidence threshold (any
//! action but `none`). Findings below it change nothing in the output, so they are neither
//! hits nor false hits.
//!
//! * **Detected label (true positive for recall).** At category level, a label is detected
//!   when the reported findings of its category together cover *every byte* of its span (a
//!   finding may extend past it). At rule level, the same with only the findings of the
//!   label's rule id.
//! * **Partial overlap.** A label that findings overlap but do not cover entirely counts as
//!   a *miss* (part of the value would pass through), listed as `partial`. The overlapping
//!   findings are still correct findings for precision: they redacted labeled bytes.
//! * **Correct finding (true positive for precision).** At category level, a reported finding
//!   that overlaps at least one label of its own category; at rule level, one that overlaps a
//!   label of its own rule id. Anything else is a **false hit**: a finding on unlabeled bytes,
//!   or on a label of another category (at rule level: of another rule). A finding of rule A
//!   on a label of rule B in the same category is correct for the category, and both a miss
//!   for B and a false hit for A per rule.
//! * **Recall** = detected labels / labels; **precision** = correct findings / findings. Each
//!   is undefined (`None`, shown as `n/a`) when its denominator is 0. Overall figures add the
//!   categories' counts (micro-average).
//! * **Decoys.** A file whose sidecar is empty is a decoy file: every reported finding in it is
//!   a false hit and is also counted in [`Report::decoys`].
//!
//! Positions in listings are `file:line:col` with a 1-based line and a 1-based *byte* column.
//! Misses and false hits carry the value only when [`Options::show_values`] is set: a user
//! may evaluate on real data, and the report must not leak it.

pub mod labels;
pub mod thresholds;

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Serialize;

use blackbar::{Category, Finding};

use self::labels::Label;

/// Scoring options.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Put the matched or expected bytes in misses and false hits. Off by default.
    pub show_values: bool,
}

/// Counts for one rule, one category, or everything.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Labels expected.
    pub labels: u64,
    /// Labels entirely covered by findings.
    pub detected: u64,
    /// Labels overlapped but not entirely covered (counted as misses).
    pub partial: u64,
    /// Reported findings.
    pub findings: u64,
    /// Reported findings that overlap a label.
    pub correct: u64,
}

impl Counts {
    /// Detected labels over labels; `None` without labels.
    pub fn recall(&self) -> Option<f64> {
        (self.labels > 0).then(|| self.detected as f64 / self.labels as f64)
    }

    /// Correct findings over findings; `None` without findings.
    pub fn precision(&self) -> Option<f64> {
        (self.findings > 0).then(|| self.correct as f64 / self.findings as f64)
    }

    /// Findings that are false hits.
    pub fn false_hits(&self) -> u64 {
        self.findings - self.correct
    }

    fn add(&mut self, o: &Counts) {
        self.labels += o.labels;
        self.detected += o.detected;
        self.partial += o.partial;
        self.findings += o.findings;
        self.correct += o.correct;
    }
}

/// A miss or a false hit, located; the value only with [`Options::show_values`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// The corpus file's name as given.
    pub file: String,
    /// 1-based line of the span's start.
    pub line: u64,
    /// 1-based byte column of the span's start.
    pub col: u64,
    /// Byte span in the file.
    pub span: Range<u64>,
    /// The labeled rule (a miss) or the finding's rule (a false hit).
    pub rule: String,
    /// Its category.
    pub category: Category,
    /// A miss: some of the span's bytes were covered by the rule's findings, not all.
    /// A false hit: it overlaps a label of another rule or category.
    pub partial: bool,
    /// The other rules involved: for a miss, the rules whose findings overlap the label; for
    /// a false hit, the rules of the labels it overlaps.
    pub instead: Vec<String>,
    /// The hit is in a decoy file.
    pub decoy: bool,
    /// The bytes, lossily decoded, only with [`Options::show_values`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Totals over every file scored.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Files scored.
    pub files: u64,
    /// Bytes scored.
    pub bytes: u64,
    /// Counts per rule id (rules with a label or a finding).
    pub rules: BTreeMap<String, Counts>,
    /// Counts per category.
    pub categories: BTreeMap<Category, Counts>,
    /// Decoy files and the findings in them.
    pub decoys: Decoys,
    /// Labels a rule did not detect, in file order.
    pub misses: Vec<Issue>,
    /// Findings that overlap no label of their rule, in file order.
    pub false_hits: Vec<Issue>,
}

/// The decoy set: files whose sidecar is empty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Decoys {
    /// Decoy files scored.
    pub files: u64,
    /// Reported findings in them.
    pub findings: u64,
}

fn overlaps(a: &Range<u64>, start: u64, end: u64) -> bool {
    a.start < end && start < a.end
}

/// Whether the spans (sorted by start) cover every byte of `start..end`.
fn covers<'a>(spans: impl Iterator<Item = &'a Range<u64>>, start: u64, end: u64) -> bool {
    let mut at = start;
    for s in spans {
        if s.start > at {
            return false;
        }
        at = at.max(s.end);
        if at >= end {
            return true;
        }
    }
    false
}

impl Report {
    /// Counts of one rule id, if it had a label or a finding.
    pub fn rule(&self, id: &str) -> Option<&Counts> {
        self.rules.get(id)
    }

    /// Counts of one category (zero when nothing of it was seen).
    pub fn category(&self, c: Category) -> Counts {
        self.categories.get(&c).copied().unwrap_or_default()
    }

    /// The categories' counts added up.
    pub fn overall(&self) -> Counts {
        let mut all = Counts::default();
        for c in self.categories.values() {
            all.add(c);
        }
        all
    }

    /// Scores one file: `text` its bytes, `labels` its expected spans (any order), `findings`
    /// the redactor's findings on exactly these bytes (offsets from 0). `name` locates issues.
    pub fn add_file(
        &mut self,
        name: &str,
        text: &[u8],
        labels: &[Label],
        findings: &[Finding],
        opts: &Options,
    ) {
        self.files += 1;
        self.bytes += text.len() as u64;
        let decoy = labels.is_empty();
        let mut labels: Vec<&Label> = labels.iter().collect();
        labels.sort_by_key(|l| (l.start, l.end));
        let mut reported: Vec<&Finding> = findings.iter().filter(|f| f.action.acted_on()).collect();
        reported.sort_by_key(|f| (f.span.start, f.span.end));
        let lines = LineIndex::new(text);
        let issue = |span: Range<u64>, rule: &str, category: Category| {
            let (line, col) = lines.position(span.start);
            Issue {
                file: name.to_string(),
                line,
                col,
                value: opts.show_values.then(|| {
                    let end = (span.end as usize).min(text.len());
                    let start = (span.start as usize).min(end);
                    String::from_utf8_lossy(&text[start..end]).into_owned()
                }),
                span,
                rule: rule.to_string(),
                category,
                partial: false,
                instead: vec![],
                decoy,
            }
        };

        for l in &labels {
            let near: Vec<&Finding> = reported
                .iter()
                .copied()
                .filter(|f| overlaps(&f.span, l.start, l.end))
                .collect();
            let of_cat = near.iter().filter(|f| f.category == l.category);
            let of_rule = near.iter().filter(|f| *f.rule_id == *l.rule);
            let cat_hit = covers(of_cat.clone().map(|f| &f.span), l.start, l.end);
            let rule_hit = covers(of_rule.clone().map(|f| &f.span), l.start, l.end);
            let c = self.categories.entry(l.category).or_default();
            c.labels += 1;
            c.detected += u64::from(cat_hit);
            c.partial += u64::from(!cat_hit && of_cat.clone().next().is_some());
            let r = self.rules.entry(l.rule.clone()).or_default();
            r.labels += 1;
            r.detected += u64::from(rule_hit);
            let rule_partial = !rule_hit && of_rule.clone().next().is_some();
            r.partial += u64::from(rule_partial);
            if !rule_hit {
                let mut miss = issue(l.start..l.end, &l.rule, l.category);
                miss.partial = rule_partial;
                miss.instead = near
                    .iter()
                    .filter(|f| *f.rule_id != *l.rule)
                    .map(|f| f.rule_id.to_string())
                    .collect();
                miss.instead.sort();
                miss.instead.dedup();
                self.misses.push(miss);
            }
        }

        for f in &reported {
            let near: Vec<&&Label> = labels
                .iter()
                .filter(|l| overlaps(&f.span, l.start, l.end))
                .collect();
            let cat_ok = near.iter().any(|l| l.category == f.category);
            let rule_ok = near.iter().any(|l| *l.rule == *f.rule_id);
            let c = self.categories.entry(f.category).or_default();
            c.findings += 1;
            c.correct += u64::from(cat_ok);
            let r = self.rules.entry(f.rule_id.to_string()).or_default();
            r.findings += 1;
            r.correct += u64::from(rule_ok);
            if decoy {
                self.decoys.findings += 1;
            }
            if !rule_ok {
                let mut hit = issue(f.span.clone(), &f.rule_id, f.category);
                hit.partial = !near.is_empty();
                hit.instead = near.iter().map(|l| l.rule.clone()).collect();
                self.false_hits.push(hit);
            }
        }
        if decoy {
            self.decoys.files += 1;
        }
    }
}

/// Byte offset → 1-based (line, byte column).
struct LineIndex {
    starts: Vec<u64>,
}

impl LineIndex {
    fn new(text: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i as u64 + 1));
        LineIndex { starts }
    }

    fn position(&self, offset: u64) -> (u64, u64) {
        let i = self.starts.partition_point(|&s| s <= offset) - 1;
        (i as u64 + 1, offset - self.starts[i] + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blackbar::Redactor;

    /// The module's worked example: one labelled e-mail, found and correct.
    #[test]
    fn one_labelled_value_is_found() {
        let r = Redactor::builder().build().unwrap();
        let text = b"mail bob@example.com now";
        let labels = [labels::Label {
            start: 5,
            end: 20,
            rule: "email".into(),
            category: Category::Pii,
        }];
        let mut report = Report::default();
        report.add_file(
            "t.txt",
            text,
            &labels,
            &r.redact(text).findings,
            &Options::default(),
        );
        assert_eq!(report.overall().recall(), Some(1.0));
        assert_eq!(report.rule("email").unwrap().precision(), Some(1.0));
    }

    fn label(start: u64, end: u64, rule: &str, category: Category) -> Label {
        Label {
            start,
            end,
            rule: rule.into(),
            category,
        }
    }

    fn score(text: &str, labels: &[Label]) -> Report {
        let r = Redactor::builder().build().unwrap();
        let mut report = Report::default();
        let findings = r.redact(text.as_bytes()).findings;
        report.add_file("f", text.as_bytes(), labels, &findings, &Options::default());
        report
    }

    #[test]
    fn exact_hit_miss_false_hit_and_partial() {
        // Offsets: the email is 2..17, the newline 17, the address 21..29, the `x` 30.
        let text = "a bob@example.com\nip 10.1.2.3 x";
        let report = score(
            text,
            &[
                label(2, 17, "email", Category::Pii),
                // Only part of the address is labeled: the finding covers it, and is correct.
                label(21, 25, "ipv4", Category::Pii),
                // Nothing here.
                label(30, 31, "us-ssn", Category::Pii),
            ],
        );
        let pii = report.category(Category::Pii);
        assert_eq!(
            pii,
            Counts {
                labels: 3,
                detected: 2,
                partial: 0,
                findings: 2,
                correct: 2
            }
        );
        assert_eq!(report.misses.len(), 1);
        let miss = &report.misses[0];
        assert_eq!((miss.line, miss.col, miss.rule.as_str()), (2, 13, "us-ssn"));
        assert_eq!(miss.value, None);
        assert!(report.false_hits.is_empty());
        assert_eq!(report.overall().recall(), Some(2.0 / 3.0));
    }

    #[test]
    fn wrong_rule_wrong_category_and_decoys() {
        let text = "a bob@example.com b";
        // Labeled as another pii rule: right category, wrong rule.
        let report = score(text, &[label(2, 17, "other-rule", Category::Pii)]);
        assert_eq!(report.category(Category::Pii).recall(), Some(1.0));
        assert_eq!(report.rule("other-rule").unwrap().recall(), Some(0.0));
        assert_eq!(report.rule("email").unwrap().precision(), Some(0.0));
        assert_eq!(report.misses[0].instead, vec!["email".to_string()]);
        assert!(report.false_hits[0].partial);
        // Labeled as a secret: the email finding is a false hit for pii, the label a miss.
        let report = score(text, &[label(2, 17, "x", Category::Secret)]);
        assert_eq!(report.category(Category::Pii).precision(), Some(0.0));
        assert_eq!(report.category(Category::Secret).recall(), Some(0.0));
        // A decoy file.
        let report = score(text, &[]);
        assert_eq!(
            report.decoys,
            Decoys {
                files: 1,
                findings: 1
            }
        );
        assert!(report.false_hits[0].decoy);
    }

    #[test]
    fn partial_cover_is_a_miss_and_values_only_on_request() {
        let text = "a bob@example.com b";
        // The label is wider than what the rule reports.
        let labels = [label(0, 17, "email", Category::Pii)];
        let r = Redactor::builder().build().unwrap();
        let findings = r.redact(text.as_bytes()).findings;
        let mut report = Report::default();
        let opts = Options { show_values: true };
        report.add_file("f", text.as_bytes(), &labels, &findings, &opts);
        let c = report.rule("email").unwrap();
        assert_eq!((c.detected, c.partial, c.correct), (0, 1, 1));
        assert!(report.misses[0].partial);
        assert_eq!(report.misses[0].value.as_deref(), Some("a bob@example.com"));
    }

    #[test]
    fn coverage_by_several_spans() {
        let spans = [0..3, 3..5, 4..9];
        assert!(covers(spans.iter(), 1, 9));
        assert!(!covers(spans.iter(), 1, 10));
        let gap = [0..3, 4..9];
        assert!(!covers(gap.iter(), 1, 6));
    }
}
