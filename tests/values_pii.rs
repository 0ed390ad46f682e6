//! The PII planted-value generators (`corpora/values/pii.rs`) make values that the default
//! catalog reports exactly: for every entry and 50 seeds, `lead + value` alone and inside
//! other text gives an acted-on detection of that rule at exactly the value's span, and the
//! redacted text is the text with the value, and nothing else, replaced by that rule's label.
//! Another rule may match the same digits (a national id's digits are a possible phone
//! number); resolution then labels the value by the plant's rule. And every PII rule of the
//! default catalog has a generator.

#[path = "../corpora/values/pii.rs"]
mod pii;

use std::collections::HashSet;

use blackbar::{Category, Confidence, Redactor};

const SEEDS: u64 = 50;

/// The rule ids of acted-on detections whose span overlaps `value`, with their spans.
fn acted_on(
    r: &Redactor,
    text: &str,
    value: std::ops::Range<usize>,
) -> Vec<(String, usize, usize)> {
    r.detect(text.as_bytes())
        .into_iter()
        .filter(|d| d.confidence >= Confidence::Medium)
        .filter(|d| (d.span.start as usize) < value.end && value.start < d.span.end as usize)
        .map(|d| {
            (
                r.rules().rules()[d.rule as usize].id().to_string(),
                d.span.start as usize,
                d.span.end as usize,
            )
        })
        .collect()
}

#[test]
fn every_plant_is_reported_and_labelled_by_its_rule() {
    let r = Redactor::builder().build().expect("default catalog");
    let mut failures = vec![];
    for &(id, generate) in pii::PLANTS {
        for seed in 0..SEEDS {
            let (lead, value) = generate(seed);
            for (before, after) in [("", ""), ("x ", " y")] {
                let text = format!("{before}{lead}{value}{after}");
                let start = before.len() + lead.len();
                let span = start..start + value.len();
                let found = acted_on(&r, &text, span.clone());
                if !found.contains(&(id.to_string(), span.start, span.end)) {
                    failures.push(format!("{id} seed {seed}: {text:?}: {found:?}"));
                    continue;
                }
                let label = r
                    .rules()
                    .rules()
                    .iter()
                    .find(|x| x.id() == id)
                    .expect("rule");
                let want = format!("{before}{lead}[{}]{after}", label.label());
                let got = r.redact(text.as_bytes()).output;
                if got != want.as_bytes() {
                    let got = String::from_utf8_lossy(&got);
                    failures.push(format!(
                        "{id} seed {seed}: {text:?} -> {got:?}, want {want:?}"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn plants_vary_with_the_seed() {
    for &(id, generate) in pii::PLANTS {
        let values: HashSet<String> = (0..SEEDS).map(|s| generate(s).1).collect();
        // Names come from small lists; everything else is random digits or bytes.
        let floor = if id.starts_with("person-name") {
            10
        } else {
            40
        };
        assert!(
            values.len() >= floor,
            "{id}: only {} distinct values in {SEEDS} seeds",
            values.len()
        );
        assert_eq!(generate(7), generate(7), "{id} is not deterministic");
    }
}

#[test]
fn every_pii_rule_has_a_plant() {
    let r = Redactor::builder().build().expect("default catalog");
    let planted: HashSet<&str> = pii::PLANTS.iter().map(|(id, _)| *id).collect();
    assert_eq!(planted.len(), pii::PLANTS.len(), "duplicate PLANTS entry");
    let pii_rules: HashSet<&str> = r
        .rules()
        .rules()
        .iter()
        .filter(|x| x.category() == Category::Pii)
        .map(|x| x.id())
        .collect();
    // No deliberate exceptions: every PII rule has a generator.
    let missing: Vec<&&str> = pii_rules.difference(&planted).collect();
    let unknown: Vec<&&str> = planted.difference(&pii_rules).collect();
    assert!(missing.is_empty(), "PII rules without a plant: {missing:?}");
    assert!(unknown.is_empty(), "plants for no PII rule: {unknown:?}");
}
