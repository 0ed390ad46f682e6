//! The labeled corpora for `blackbar eval`: seeded, synthetic, byte-for-byte reproducible.
//!
//! [`generate`] returns every corpus file with its labels; `corpora/labeled.rs` (the cargo
//! example `genlabeled`) writes them, and `tests/eval.rs` checks the committed copy under
//! `corpora/eval/` is identical. Three parts:
//!
//! * `pii/`: PII values (from `corpora/values/pii.rs`) in prose, chat prompts (JSON lines of
//!   LLM-style user messages) and log lines, in 14 locales ([`pii_text`]);
//! * `secrets/`: secret values (from `corpora/values/secrets.rs`) in INI, TOML, `.env`, JSON,
//!   YAML, Python, JavaScript, TypeScript, Go, Java, Rust, shell, URLs and logs
//!   ([`secret_files`]), and infrastructure files whose secrets need context after the value
//!   (Kubernetes Secret manifests, device API URLs: [`infra`]);
//! * `decoys/`: look-alikes that must not be touched, each file labeled with no span
//!   ([`decoys`]).
//!
//! Carriers, templates and decoys are written here; the planted values come from
//! `corpora/values/`. The output depends only on the seed.

#[allow(dead_code, unused_imports)] // `main`, the CLI and most kinds are the example's.
#[path = "../gen.rs"]
mod gencorpus;
// The shared plant interface spells its type out in full.
#[allow(clippy::type_complexity)]
#[path = "../values/mod.rs"]
pub mod values;

/// The sidecar format, shared with `blackbar eval` (the command's own module, by path).
#[path = "../../src/cli/eval/labels.rs"]
#[allow(dead_code)] // `parse` is the command's.
pub mod labels;

mod decoys;
mod infra;
mod pii_text;
mod secret_files;

use blackbar::Category;
use labels::Label;

pub use self::gencorpus::Rng;
use self::values::Plant;

/// The seed of the committed corpora.
pub const SEED: u64 = 1;

/// How many times each PII plant is planted (spread over locales and carriers).
pub const PII_REPEATS: usize = 15;

/// How many carrier files (of 14) each secret plant goes into. With every catalog rule
/// planted (260+ secret formats) the committed corpora stay near half a megabyte.
pub const SECRET_REPEATS: usize = 8;

/// One corpus file and its expected spans.
pub struct CorpusFile {
    /// Path relative to the corpus directory, e.g. `pii/prose-de.txt`.
    pub name: String,
    /// The exact bytes.
    pub bytes: Vec<u8>,
    /// Expected spans, in order; empty for a decoy file.
    pub labels: Vec<Label>,
}

/// Every corpus file, in a fixed order.
pub fn generate(seed: u64) -> Vec<CorpusFile> {
    let mut rng = Rng::new(seed);
    let mut files = vec![];
    files.extend(pii_text::files(&mut rng, &values::pii()));
    files.extend(secret_files::files(&mut rng, &values::secrets()));
    files.extend(decoys::files(&mut rng));
    files.extend(infra::files(&mut rng));
    files
}

/// A value made by a plant, ready to be written.
pub struct Planted {
    /// The rule that must report it.
    pub rule: &'static str,
    /// Its category.
    pub category: Category,
    /// Text that must come right before the value.
    pub lead: String,
    /// The value: exactly the span to label.
    pub value: String,
}

impl Planted {
    /// Makes a fresh value from `plant`, seeded from `rng`.
    pub fn new(plant: &Plant, rng: &mut Rng) -> Planted {
        let (lead, value) = (plant.make)(rng.next());
        Planted {
            rule: plant.rule,
            category: plant.category,
            lead,
            value,
        }
    }

    /// `lead` + `value`.
    pub fn text(&self) -> String {
        format!("{}{}", self.lead, self.value)
    }

    /// Whether `lead` + `value` is free of every byte in `bad`.
    pub fn avoids(&self, bad: &[char]) -> bool {
        !self.text().contains(bad)
    }
}

/// Text being written, with the labels of the values in it.
#[derive(Default)]
pub struct Doc {
    /// The text so far.
    pub text: String,
    /// Labels so far, in order.
    pub labels: Vec<Label>,
}

impl Doc {
    /// Appends plain text.
    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Appends `lead` + `value`, labeling the value.
    pub fn plant(&mut self, p: &Planted) {
        self.text.push_str(&p.lead);
        let start = self.text.len() as u64;
        self.text.push_str(&p.value);
        self.labels.push(Label {
            start,
            end: self.text.len() as u64,
            rule: p.rule.to_string(),
            category: p.category,
        });
    }

    /// Appends `template` with its one `{}` replaced by the planted lead and value.
    pub fn fill(&mut self, template: &str, p: &Planted) {
        let (before, after) = template
            .split_once("{}")
            .unwrap_or_else(|| panic!("template without a slot: {template}"));
        self.push(before);
        self.plant(p);
        self.push(after);
    }

    /// The finished file.
    pub fn finish(self, name: impl Into<String>) -> CorpusFile {
        CorpusFile {
            name: name.into(),
            bytes: self.text.into_bytes(),
            labels: self.labels,
        }
    }
}

/// Shuffles `xs` in place (Fisher-Yates).
pub fn shuffle<T>(rng: &mut Rng, xs: &mut [T]) {
    for i in (1..xs.len()).rev() {
        xs.swap(i, rng.below(i as u64 + 1) as usize);
    }
}

/// `s` as the body of a JSON string (quotes, backslashes and control characters escaped).
pub fn json_escape(s: &str) -> String {
    let quoted = serde_json::to_string(s).expect("a string serializes");
    quoted[1..quoted.len() - 1].to_string()
}
