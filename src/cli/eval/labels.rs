//! The label sidecar format: `X.labels.jsonl` next to corpus file `X`.
//!
//! One JSON object per line, one line per expected span, in any order:
//!
//! ```text
//! {"start":120,"end":139,"rule":"card-visa","category":"pii"}
//! ```
//!
//! * `start`, `end`: byte offsets into the corpus file (`end` exclusive), exactly the bytes the
//!   rule must report (its `secret` group when it has one);
//! * `rule`: the id of the rule expected to report the span;
//! * `category`: `pii`, `secret` or `canary`.
//!
//! Unknown keys are errors, spans must lie inside the file, be non-empty and must not overlap
//! each other. An empty sidecar is valid: it marks a *decoy* file, on which every reported
//! finding is a false hit. Blank lines are ignored.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use anyhow::{anyhow, Error};
use blackbar::Category;

/// One expected span in a corpus file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// First byte of the span.
    pub start: u64,
    /// One past the last byte of the span.
    pub end: u64,
    /// The rule expected to report it.
    pub rule: String,
    /// The rule's category.
    pub category: Category,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabel {
    start: u64,
    end: u64,
    rule: String,
    category: String,
}

/// The sidecar path of a corpus file: `X` → `X.labels.jsonl`.
pub fn sidecar_path(corpus: &Path) -> PathBuf {
    let mut name = corpus.as_os_str().to_owned();
    name.push(SUFFIX);
    PathBuf::from(name)
}

/// The suffix of every label sidecar.
pub const SUFFIX: &str = ".labels.jsonl";

/// Whether `path` is a label sidecar (not a corpus file).
pub fn is_sidecar(path: &Path) -> bool {
    path.to_str().is_some_and(|p| p.ends_with(SUFFIX))
}

/// Parses a sidecar's text; `origin` names it in errors and `len` is the corpus file's size.
/// The labels come back sorted by start.
///
/// # Errors
///
/// A line that is not a label object, an unknown category, an empty span, a span past the
/// end of the file, or two overlapping spans; the message names the sidecar line.
pub fn parse(text: &str, origin: &str, len: u64) -> Result<Vec<Label>, Error> {
    let err = |line: usize, msg: String| anyhow!("{origin}: line {line}: {msg}");
    let mut labels = vec![];
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let raw: RawLabel =
            serde_json::from_str(line).map_err(|e| err(n, format!("not a label: {e}")))?;
        let category = Category::parse(&raw.category)
            .ok_or_else(|| err(n, format!("unknown category '{}'", raw.category)))?;
        if raw.start >= raw.end {
            return Err(err(n, format!("empty span {}..{}", raw.start, raw.end)));
        }
        if raw.end > len {
            return Err(err(
                n,
                format!(
                    "span {}..{} ends past the file ({len} bytes)",
                    raw.start, raw.end
                ),
            ));
        }
        labels.push(Label {
            start: raw.start,
            end: raw.end,
            rule: raw.rule,
            category,
        });
    }
    labels.sort_by_key(|l| (l.start, l.end));
    for w in labels.windows(2) {
        if w[1].start < w[0].end {
            return Err(anyhow!(
                "{origin}: labels {}..{} ({}) and {}..{} ({}) overlap",
                w[0].start,
                w[0].end,
                w[0].rule,
                w[1].start,
                w[1].end,
                w[1].rule
            ));
        }
    }
    Ok(labels)
}

/// Writes labels in the sidecar format, one per line, in the given order.
#[allow(dead_code)] // The corpus generator's: it includes this file by path.
pub fn to_jsonl(labels: &[Label]) -> String {
    let mut out = String::new();
    for l in labels {
        out.push_str(&serde_json::to_string(l).expect("a label always serializes"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let labels = vec![Label {
            start: 3,
            end: 9,
            rule: "email".into(),
            category: Category::Pii,
        }];
        let text = to_jsonl(&labels);
        assert_eq!(
            text,
            "{\"start\":3,\"end\":9,\"rule\":\"email\",\"category\":\"pii\"}\n"
        );
        assert_eq!(parse(&text, "x", 9).unwrap(), labels);
        assert!(parse(&text, "x", 8)
            .unwrap_err()
            .to_string()
            .contains("past the file"));
        let bad = "{\"start\":3,\"end\":9,\"rule\":\"e\",\"category\":\"pii\",\"value\":\"a\"}";
        assert!(parse(bad, "x", 9)
            .unwrap_err()
            .to_string()
            .starts_with("x: line 1"));
        let overlap = "{\"start\":3,\"end\":9,\"rule\":\"a\",\"category\":\"pii\"}\n\
                       {\"start\":8,\"end\":10,\"rule\":\"b\",\"category\":\"secret\"}";
        assert!(parse(overlap, "x", 10)
            .unwrap_err()
            .to_string()
            .contains("overlap"));
        assert!(parse("", "x", 0).unwrap().is_empty());
    }
}
