//! `blackbar rules list` and `blackbar rules check`.

use std::io::{self, Write};
use std::path::PathBuf;

use blackbar::Rule;
use serde_json::json;

use super::args::{ListFormat, RedactorOpts};
use super::EXIT_FOUND;

fn validators(r: &Rule) -> String {
    r.validator_names().join(", ")
}

pub(crate) fn list(opts: &RedactorOpts, format: ListFormat) -> anyhow::Result<i32> {
    let redactor = opts.build(&[])?;
    let mut out = io::stdout().lock();
    let rules = redactor.rules().rules();
    let engine_of = |i: usize| redactor.engine_of(i);
    match format {
        ListFormat::Json => {
            for (i, r) in rules.iter().enumerate() {
                let line = json!({
                    "id": r.id(), "name": r.name(), "category": r.category(), "label": r.label(),
                    "validators": r.validator_names(),
                    "keywords": r.keywords(), "examples": r.examples().len(),
                    "counterexamples": r.counterexamples().len(), "max_len": r.max_len(),
                    "multiline": r.is_multiline(), "confidence": r.confidence(), "origin": r.origin(),
                    "engine": engine_of(i).name(),
                });
                writeln!(out, "{line}")?;
            }
        }
        ListFormat::Markdown => {
            writeln!(
                out,
                "| id | category | label | validators | keywords | examples |"
            )?;
            writeln!(out, "| --- | --- | --- | --- | --- | --- |")?;
            for r in rules {
                let kw = r
                    .keywords()
                    .iter()
                    .map(|k| format!("`{}`", k.replace('|', "\\|")))
                    .collect::<Vec<_>>();
                writeln!(
                    out,
                    "| `{}` | {} | `{}` | {} | {} | {} |",
                    r.id(),
                    r.category(),
                    r.label(),
                    validators(r),
                    kw.join(" "),
                    r.examples().len()
                )?;
            }
        }
        ListFormat::Table => {
            writeln!(
                out,
                "{:<34} {:<7} {:<22} {:<28} {:<26} {:>3}",
                "ID", "CAT", "LABEL", "VALIDATORS", "KEYWORDS", "EX"
            )?;
            for (i, r) in rules.iter().enumerate() {
                let mut kw = r.keywords().join(" ");
                if kw.len() > 26 {
                    kw.truncate(23);
                    kw.push_str("...");
                }
                writeln!(
                    out,
                    "{:<34} {:<7} {:<22} {:<28} {:<26} {:>3}",
                    r.id(),
                    r.category().as_str(),
                    r.label(),
                    validators(r),
                    kw,
                    r.examples().len()
                )?;
                if engine_of(i) != redactor.engine_kind() {
                    writeln!(
                        out,
                        "    ^ Hyperscan refused this rule's pattern: the Rust engine searches it"
                    )?;
                }
            }
            writeln!(
                out,
                "{} rules (engine: {})",
                rules.len(),
                redactor.engine_kind().name()
            )?;
        }
    }
    out.flush()?;
    Ok(0)
}

pub(crate) fn check(opts: &RedactorOpts, files: &[PathBuf]) -> anyhow::Result<i32> {
    // The files load next to the default catalog, so a clashing id is caught too.
    let redactor = opts.build(files)?;
    let origins: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let ids: Vec<String> = redactor
        .rules()
        .rules()
        .iter()
        .filter(|r| origins.iter().any(|o| **o == *r.origin()))
        .map(|r| r.id().to_string())
        .collect();
    let examples: usize = ids
        .iter()
        .filter_map(|id| redactor.rules().get(id))
        .map(|r| r.examples().len() + r.counterexamples().len())
        .sum();
    let failures = if ids.is_empty() {
        vec![]
    } else {
        redactor.check_examples(&ids)
    };
    let mut out = io::stdout().lock();
    for f in &failures {
        writeln!(out, "{}: rule '{}': {}", f.origin, f.rule, f.problem)?;
    }
    writeln!(
        out,
        "{} rules, {} examples and counterexamples, {} failures",
        ids.len(),
        examples,
        failures.len()
    )?;
    out.flush()?;
    Ok(if failures.is_empty() { 0 } else { EXIT_FOUND })
}
