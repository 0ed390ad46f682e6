//! Rules are data. A rule file (`patterns/*.toml`, or a user's `--rules FILE`) holds
//! `[[rule]]` tables; loading turns them into [`Rule`]s and refuses any rule that cannot be
//! matched in bounded memory and linear time.
//!
//! Invariants established here, relied on by the engine and the stream:
//! * every pattern parses in the supported subset (byte-oriented, ASCII classes; look-around
//!   limited to `^ $ \A \z \b \B`), which regex-automata and Hyperscan both accept;
//! * every pattern has a bounded, non-zero maximum match length ([`Rule::max_len`]);
//! * a rule is *multi-line* only if its pattern can match a `\n` byte; single-line rules let
//!   the stream release every completed line at once;
//! * every match of a rule with keywords contains one of its keywords (ASCII
//!   case-insensitive), starting at most the rule's keyword lead bytes after the match start;
//! * a rule from a user's file keeps within the automaton budget (`rules/budget.rs`): each
//!   input byte costs its lazy DFAs a bounded number of steps;
//! * ids are unique across everything loaded; validators are known;
//! * a pattern's `{{name}}` references are expanded from the file's `[fragments]` table, so
//!   a grammar shared by several rules (the assignment grammar of `patterns/secrets.toml`) is
//!   written once; an unknown fragment is an error naming the rule.
//!
//! ```toml
//! [[rule]]
//! id = "github-pat-classic"
//! name = "GitHub personal access token"
//! category = "secret"
//! label = "GITHUB_TOKEN"
//! pattern = '''\bghp_[A-Za-z0-9]{36}\b'''
//! keywords = ["ghp_"]
//! validators = ["github-crc32"]
//! confidence = "high"
//! examples = ["token ghp_..."]
//! counterexamples = ["ghp_short"]
//! ```

mod budget;
mod catalog;
mod judge;
mod names;
mod syntax;

use std::collections::HashSet;
use std::sync::Arc;

use serde::Deserialize;

use crate::error::{Error, ErrorKind};
use crate::finding::{Category, Confidence};
use crate::validate::Validator;

use judge::BeforeShape;

pub use self::budget::{MAX_WIDTH, NFA_LIMIT};
pub use self::catalog::DEFAULT_CATALOG;
pub(crate) use self::judge::confidence;
pub use self::names::Names;

/// One compiled, validated rule: made only by loading rule files (or a canary list), so
/// every rule has passed the checks of this module. Read it through its getters.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Unique id, e.g. `aws-access-key-id`.
    pub(crate) id: Arc<str>,
    /// Human-readable name.
    pub(crate) name: String,
    /// PII, secret or canary.
    pub(crate) category: Category,
    /// Label used by the `label` action, e.g. `EMAIL`.
    pub(crate) label: Arc<str>,
    /// The regex, in the supported subset.
    pub(crate) pattern: String,
    /// Literal anchors for the prefilter (ASCII case-insensitive). Empty: the rule is found by
    /// the keyword-less pass.
    pub(crate) keywords: Vec<String>,
    /// Checks run on the redacted span; they set the confidence, never drop a match.
    pub(crate) validators: Vec<Validator>,
    /// Words that must (`context_required`) or may appear near the match, on the same line.
    pub(crate) context: Vec<String>,
    /// When true, a match without a context word nearby is `Low` confidence.
    pub(crate) context_required: bool,
    /// How far (bytes, same line) to look for context words before and after the match.
    pub(crate) context_window: usize,
    /// Words that, right before a match (at most [`NOT_AFTER_GAP`] bytes of punctuation or
    /// space between), make it something else: the match is `Low` confidence, whatever its
    /// checksum (`AssemblyVersion("1.3.177.5")` is a version, not an address). Lowercase.
    pub(crate) not_after: Vec<String>,
    /// Shapes of the text right before a match that make it something else, as `not_after`
    /// words do: a product token and `/` (a software version), a hex dump's pair.
    pub(crate) not_after_shapes: Vec<BeforeShape>,
    /// The confidence of a match before validators run.
    pub(crate) confidence: Confidence,
    /// Bytes kept by the `partial` action: first and last.
    pub(crate) keep: (usize, usize),
    /// Text that must be caught by this rule.
    pub(crate) examples: Vec<String>,
    /// Text that must not be caught by this rule.
    pub(crate) counterexamples: Vec<String>,
    /// The file this rule came from.
    pub(crate) origin: Arc<str>,
    /// The minimum length in bytes of any match.
    pub(crate) min_len: usize,
    /// The maximum length in bytes of any match.
    pub(crate) max_len: usize,
    /// Whether a match can contain `\n`.
    pub(crate) multiline: bool,
    /// Whether the pattern asserts the input's start (see `syntax::Shape::input_start`).
    pub(crate) input_start: bool,
    /// Whether the pattern has a `secret` group marking the part to redact.
    pub(crate) has_secret_group: bool,
    /// A catch-all rule (`password = ...`, `Authorization: Bearer ...`): where its match
    /// overlaps a match of a specific rule of the same category, the specific rule wins the
    /// bytes whatever the lengths, so the value gets its precise label.
    pub(crate) generic: bool,
    /// An offset from a match's start by which one of the rule's keywords has begun, in every
    /// match (see `rules/syntax.rs`).
    pub(crate) keyword_lead: usize,
    /// For literal-set rules (canary lists): the literals, matched exactly. The pattern is
    /// then only descriptive.
    pub(crate) literals: Option<Arc<Vec<Vec<u8>>>>,
    /// Whether the rule comes from the embedded catalog, whose regexes a test compiles: the
    /// engine may then compile it on first use (see `engine::Confirm`).
    pub(crate) embedded: bool,
    /// For assignment rules (`assignment = true`): the file's sensitive-name grammar. A match
    /// whose name (the identifier the value is assigned to) is not sensitive by it is `Low`.
    pub(crate) names: Option<Arc<Names>>,
}

impl Rule {
    /// Unique id, e.g. `aws-access-key-id`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Human-readable name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// PII, secret or canary.
    pub fn category(&self) -> Category {
        self.category
    }

    /// The label of the `label` action, e.g. `EMAIL`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The regex (descriptive only for a literal list).
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The literal anchors of the prefilter (ASCII case-insensitive); empty when the rule is
    /// found by its whole pattern.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// The validators' names, as written in rule files (`luhn`, `entropy>=3.5`...).
    pub fn validator_names(&self) -> Vec<String> {
        self.validators.iter().map(|v| v.name()).collect()
    }

    /// Whether one of the validators is a checksum (a passing one makes a finding certain).
    pub fn has_checksum(&self) -> bool {
        self.validators.iter().any(|v| v.is_checksum())
    }

    /// The confidence of a match before validators and context move it.
    pub fn confidence(&self) -> Confidence {
        self.confidence
    }

    /// Characters the `partial` action keeps: first and last.
    pub fn keep(&self) -> (usize, usize) {
        self.keep
    }

    /// Text this rule must catch.
    pub fn examples(&self) -> &[String] {
        &self.examples
    }

    /// Text this rule must not catch.
    pub fn counterexamples(&self) -> &[String] {
        &self.counterexamples
    }

    /// The file the rule came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The longest match, in bytes (bounded: checked when the rule loads).
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Whether a match can contain `\n`.
    pub fn is_multiline(&self) -> bool {
        self.multiline
    }

    /// Whether this is a catch-all rule that loses overlaps to specific ones.
    pub fn is_generic(&self) -> bool {
        self.generic
    }
    /// Whether this is the catalog's `blackbar-token` rule: it wins every overlap and leaves
    /// tokens unchanged, so blackbar never re-tokenizes its own output.
    pub(crate) fn is_own_token(&self) -> bool {
        &*self.id == OWN_TOKEN_RULE && &*self.origin == OWN_TOKEN_ORIGIN
    }

    /// How many bytes on each side of a match its confidence looks at: the context window
    /// when the rule has context or `not_after` words, else none.
    pub fn context_reach(&self) -> usize {
        match self.context.is_empty()
            && self.not_after.is_empty()
            && self.not_after_shapes.is_empty()
            && self.names.is_none()
        {
            true => 0,
            false => self.context_window,
        }
    }

    /// Whether the rule checks the name a value is assigned to (`assignment = true`).
    pub fn is_assignment(&self) -> bool {
        self.names.is_some()
    }
}

/// The serde form of a rule file: exactly what a user writes. Unknown keys are errors.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
    /// Named pieces that rules use as `{{name}}`: regex text, or lists of words.
    #[serde(default)]
    fragments: Fragments,
    /// The sensitive-name grammar of the file's assignment rules.
    #[serde(default)]
    assignment: Option<names::NamesSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    name: String,
    category: String,
    label: String,
    pattern: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    validators: Vec<String>,
    #[serde(default)]
    context: Vec<String>,
    #[serde(default)]
    context_required: bool,
    #[serde(default)]
    context_window: Option<usize>,
    #[serde(default)]
    not_after: Vec<String>,
    #[serde(default)]
    not_after_shapes: Vec<String>,
    #[serde(default)]
    confidence: Option<String>,
    #[serde(default)]
    keep: Option<(usize, usize)>,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    counterexamples: Vec<String>,
    #[serde(default)]
    generic: bool,
    #[serde(default)]
    assignment: bool,
}

/// The id of the catalog rule that recognises blackbar's own reversible tokens
/// (`patterns/tokens.toml`, see [`crate::token`]).
pub const OWN_TOKEN_RULE: &str = "blackbar-token";
/// Where that rule comes from.
const OWN_TOKEN_ORIGIN: &str = "patterns/tokens.toml";

/// The most bytes of punctuation or space between a `not_after` word and the match: four is
/// a JSON key's `": "` (`"ean": "4002715362820"`).
pub const NOT_AFTER_GAP: usize = 4;
/// The default context window: bytes searched on each side of a match for context words.
const DEFAULT_CONTEXT_WINDOW: usize = 48;
/// The largest context window a rule may ask for; it bounds the stream's look-behind.
pub const MAX_CONTEXT_WINDOW: usize = 256;
/// The largest maximum match length a rule may have; it bounds the stream's window.
pub const MAX_RULE_LEN: usize = 16 * 1024;

impl RuleSpec {
    fn compile(
        mut self,
        origin: &Arc<str>,
        fragments: &Fragments,
        names: Option<&Arc<Names>>,
        budget: Budget,
    ) -> Result<Rule, Error> {
        let id = std::mem::take(&mut self.id);
        let bad = |problem: String| Error::rule(&id, problem);
        self.pattern = expand_fragments(&self.pattern, fragments).map_err(&bad)?;
        for v in &mut self.validators {
            *v = expand_fragments(v, fragments).map_err(&bad)?;
        }
        self.context = expand_lists(std::mem::take(&mut self.context), fragments).map_err(&bad)?;
        let names = match (self.assignment, names) {
            (false, _) => None,
            (true, Some(n)) => Some(n.clone()),
            (true, None) => {
                return Err(bad(
                    "assignment = true needs an [assignment] table in the same file".into(),
                ))
            }
        };
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(bad("id must be non-empty and use only [A-Za-z0-9_-]".into()));
        }
        let category = Category::parse(&self.category).ok_or_else(|| {
            bad(format!(
                "unknown category '{}' (expected pii, secret or canary)",
                self.category
            ))
        })?;
        if self.label.is_empty()
            || !self
                .label
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(bad(format!(
                "label '{}' must be non-empty and use only [A-Z0-9_]",
                self.label
            )));
        }
        let confidence = match self.confidence {
            None => Confidence::Medium,
            Some(ref c) => Confidence::parse(c).ok_or_else(|| {
                bad(format!(
                    "unknown confidence '{c}' (expected low, medium, high or certain)"
                ))
            })?,
        };
        let validators = self
            .validators
            .iter()
            .map(|v| Validator::parse(v).map_err(&bad))
            .collect::<Result<Vec<_>, _>>()?;
        let shape = syntax::analyze(&self.pattern).map_err(&bad)?;
        if shape.max_len > MAX_RULE_LEN {
            return Err(bad(format!(
                "maximum match length {} exceeds the limit of {MAX_RULE_LEN} bytes",
                shape.max_len
            )));
        }
        if budget == Budget::Check {
            budget::check(&shape.hir).map_err(&bad)?;
        }
        for kw in &self.keywords {
            if kw.is_empty() {
                return Err(bad("a keyword must not be empty".into()));
            }
            if kw.len() > shape.max_len {
                return Err(bad(format!("keyword {kw:?} is longer than any match")));
            }
        }
        let context_window = self.context_window.unwrap_or(DEFAULT_CONTEXT_WINDOW);
        if context_window > MAX_CONTEXT_WINDOW {
            return Err(bad(format!(
                "context_window {context_window} exceeds {MAX_CONTEXT_WINDOW}"
            )));
        }
        if self.context_required && self.context.is_empty() {
            return Err(bad(
                "context_required is set but no context words are given".into(),
            ));
        }
        let not_after_shapes = self
            .not_after_shapes
            .iter()
            .map(|s| BeforeShape::parse(s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(&bad)?;
        let reads_the_line =
            !self.context.is_empty() || !self.not_after.is_empty() || !not_after_shapes.is_empty();
        if shape.multiline && reads_the_line {
            return Err(bad(
                "context, not_after words and not_after_shapes are only supported on single-line \
                 patterns"
                    .into(),
            ));
        }
        for w in &self.not_after {
            if w.is_empty() || !w.is_ascii() {
                return Err(bad(format!("not_after word {w:?} must be non-empty ASCII")));
            }
            if w.len() + NOT_AFTER_GAP > context_window {
                return Err(bad(format!(
                    "not_after word {w:?} and its gap of {NOT_AFTER_GAP} bytes do not fit in \
                     context_window {context_window}"
                )));
            }
        }
        if self.examples.len() < 2 {
            return Err(bad(format!(
                "needs at least 2 examples, has {}",
                self.examples.len()
            )));
        }
        if self.counterexamples.is_empty() {
            return Err(bad("needs at least 1 counterexample".into()));
        }
        let keyword_lead = syntax::keyword_lead(&shape.hir, &self.keywords, shape.max_len);
        Ok(Rule {
            id: Arc::from(id.as_str()),
            name: self.name,
            category,
            label: Arc::from(self.label.as_str()),
            pattern: self.pattern,
            keywords: self.keywords,
            validators,
            context: self
                .context
                .iter()
                .map(|w| w.to_ascii_lowercase())
                .collect(),
            context_required: self.context_required,
            context_window,
            not_after: self
                .not_after
                .iter()
                .map(|w| w.to_ascii_lowercase())
                .collect(),
            not_after_shapes,
            confidence,
            keep: self.keep.unwrap_or((0, 4)),
            examples: self.examples,
            counterexamples: self.counterexamples,
            origin: origin.clone(),
            min_len: shape.min_len,
            max_len: shape.max_len,
            multiline: shape.multiline,
            input_start: shape.input_start,
            has_secret_group: shape.has_secret_group,
            generic: self.generic,
            keyword_lead,
            literals: None,
            embedded: false,
            names,
        })
    }
}

/// A rule file's `[fragments]`: named regex text (`phone_ext = "(?:x[0-9]{1,6})?"`) or word
/// lists (`phone_words = ["phone", "tel:"]`).
type Fragments = std::collections::BTreeMap<String, Fragment>;

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Fragment {
    Text(String),
    List(Vec<String>),
}

/// Replaces every `{{name}}` in `text` (a pattern or a validator) with the text fragment of
/// that name; fragments may use fragments, up to a small depth.
fn expand_fragments(text: &str, fragments: &Fragments) -> Result<String, String> {
    let mut out = text.to_string();
    for _ in 0..4 {
        let Some(at) = out.find("{{") else {
            return Ok(out);
        };
        let end = out[at..]
            .find("}}")
            .ok_or_else(|| "unclosed '{{'".to_string())?;
        let name = &out[at + 2..at + end];
        let body = match fragments.get(name) {
            Some(Fragment::Text(t)) => t,
            Some(Fragment::List(_)) => {
                return Err(format!("fragment '{name}' is a list of words, not text"))
            }
            None => return Err(format!("unknown fragment '{name}' (not in [fragments])")),
        };
        out = out.replace(&format!("{{{{{name}}}}}"), body);
    }
    match out.contains("{{") {
        true => Err("fragments nest more than 4 deep".into()),
        false => Ok(out),
    }
}

/// Replaces every entry `"{{name}}"` of a word list with the words of the list fragment of
/// that name.
fn expand_lists(words: Vec<String>, fragments: &Fragments) -> Result<Vec<String>, String> {
    let mut out = vec![];
    for w in words {
        match w.strip_prefix("{{").and_then(|w| w.strip_suffix("}}")) {
            Some(name) => match fragments.get(name) {
                Some(Fragment::List(l)) => out.extend(l.iter().cloned()),
                Some(Fragment::Text(_)) => {
                    return Err(format!("fragment '{name}' is text, not a list of words"))
                }
                None => return Err(format!("unknown fragment '{name}' (not in [fragments])")),
            },
            None => out.push(w),
        }
    }
    Ok(out)
}

/// Whether loading checks the automaton budget (`rules/budget.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Budget {
    /// A user's file.
    Check,
    /// The embedded catalog: `tests/catalog.rs` checks it once, so loading it costs no
    /// exploration.
    Trusted,
}

/// Parses one rule file's text. `origin` names it in errors.
///
/// # Errors
///
/// A TOML error, an unknown key, or any invalid rule (including one over the automaton
/// budget, [`MAX_WIDTH`] and [`NFA_LIMIT`]), named with `origin` and the rule id.
pub fn parse_rules(text: &str, origin: &str) -> Result<Vec<Rule>, Error> {
    parse(text, origin, Budget::Check)
}

/// Whether `pattern`, as a rule's pattern, keeps within the automaton budget; the error says
/// which limit it passes. For the catalog's test, which checks every embedded rule.
///
/// # Errors
///
/// A pattern that does not parse, or that passes [`MAX_WIDTH`] or [`NFA_LIMIT`].
pub fn check_budget(pattern: &str) -> Result<(), String> {
    budget::check(&syntax::parse(pattern)?)
}

fn parse(text: &str, origin: &str, budget: Budget) -> Result<Vec<Rule>, Error> {
    let file: RuleFile =
        toml::from_str(text).map_err(|e| Error::new(ErrorKind::Parse(e.to_string())).at(origin))?;
    let names = file
        .assignment
        .map(|spec| spec.compile().map(Arc::new))
        .transpose()
        .map_err(|e| Error::new(ErrorKind::Parse(format!("[assignment]: {e}"))).at(origin))?;
    let origin: Arc<str> = Arc::from(origin);
    file.rule
        .into_iter()
        .map(|spec| {
            spec.compile(&origin, &file.fragments, names.as_ref(), budget)
                .map_err(|e| e.at(&origin))
        })
        .collect()
}

/// An ordered, validated set of rules: the default catalog, user files, minus disabled ones.
#[derive(Clone, Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// Starts building a rule set.
    pub fn builder() -> RuleSetBuilder {
        RuleSetBuilder::new()
    }

    /// The default catalog embedded in the binary.
    ///
    /// # Panics
    ///
    /// Never in a released build: a test loads the embedded catalog.
    pub fn default_catalog() -> RuleSet {
        RuleSetBuilder::new()
            .build()
            .expect("the embedded catalog is valid")
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| &*r.id == id)
    }
}

/// Builds a [`RuleSet`]: the default catalog (unless turned off), user rule files, and the
/// rules or categories to disable.
#[derive(Clone, Debug)]
pub struct RuleSetBuilder {
    default_catalog: bool,
    sources: Vec<(String, String)>,
    extra: Vec<Rule>,
    disabled: Vec<String>,
}

impl Default for RuleSetBuilder {
    fn default() -> Self {
        RuleSetBuilder::new()
    }
}

impl RuleSetBuilder {
    /// A builder with the default catalog and nothing else.
    pub fn new() -> RuleSetBuilder {
        RuleSetBuilder {
            default_catalog: true,
            sources: vec![],
            extra: vec![],
            disabled: vec![],
        }
    }

    /// Whether to include the embedded default catalog (on by default).
    pub fn default_catalog(&mut self, yes: bool) -> &mut RuleSetBuilder {
        self.default_catalog = yes;
        self
    }

    /// Adds a rule file's text; `origin` names it in errors.
    pub fn source(&mut self, origin: &str, text: &str) -> &mut RuleSetBuilder {
        self.sources.push((origin.to_string(), text.to_string()));
        self
    }

    /// Adds already-compiled rules (e.g. the canary literal rule).
    pub(crate) fn rules(&mut self, rules: Vec<Rule>) -> &mut RuleSetBuilder {
        self.extra.extend(rules);
        self
    }

    /// Disables a rule by id, or a whole category (`pii`, `secret`, `canary`).
    pub fn disable(&mut self, id_or_category: &str) -> &mut RuleSetBuilder {
        self.disabled.push(id_or_category.to_string());
        self
    }

    /// Loads, validates and orders everything.
    ///
    /// # Errors
    ///
    /// Any invalid rule or file; a duplicate id; a `disable` naming no rule or category.
    pub fn build(&self) -> Result<RuleSet, Error> {
        let mut rules = vec![];
        if self.default_catalog {
            for (name, text) in DEFAULT_CATALOG {
                let mut parsed = parse(text, &format!("patterns/{name}"), Budget::Trusted)?;
                parsed.iter_mut().for_each(|r| r.embedded = true);
                rules.extend(parsed);
            }
        }
        for (origin, text) in &self.sources {
            rules.extend(parse_rules(text, origin)?);
        }
        rules.extend(self.extra.iter().cloned());
        let mut seen = HashSet::new();
        for r in &rules {
            if !seen.insert(r.id.clone()) {
                return Err(Error::rule(&r.id, "duplicate id").at(&r.origin));
            }
        }
        for d in &self.disabled {
            if Category::parse(d).is_none() && !seen.contains(d.as_str()) {
                return Err(Error::new(ErrorKind::Policy(format!(
                    "cannot disable '{d}': no rule or category has that name"
                ))));
            }
        }
        rules.retain(|r| {
            !self
                .disabled
                .iter()
                .any(|d| d == &*r.id || d == r.category.as_str())
        });
        Ok(RuleSet { rules })
    }
}

/// A rule matching a canary list as one literal set (exact, case-sensitive).
pub(crate) fn canary_list_rule(literals: Vec<Vec<u8>>, origin: &str) -> Rule {
    let max_len = literals.iter().map(Vec::len).max().unwrap_or(1);
    let min_len = literals.iter().map(Vec::len).min().unwrap_or(1);
    Rule {
        id: Arc::from("canary-list"),
        name: "Canary from a canary list".into(),
        category: Category::Canary,
        label: Arc::from("CANARY"),
        pattern: format!("<{} literals>", literals.len()),
        keywords: vec![],
        validators: vec![],
        context: vec![],
        context_required: false,
        context_window: 0,
        not_after: vec![],
        not_after_shapes: vec![],
        confidence: Confidence::Certain,
        keep: (0, 0),
        examples: vec![],
        counterexamples: vec![],
        origin: Arc::from(origin),
        min_len,
        max_len,
        multiline: literals.iter().any(|l| l.contains(&b'\n')),
        input_start: false,
        has_secret_group: false,
        generic: false,
        keyword_lead: 0,
        literals: Some(Arc::new(literals)),
        embedded: false,
        names: None,
    }
}
