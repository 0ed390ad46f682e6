//! The [`Redactor`]: a compiled rule set, engine and policy, built once and shared.

use std::fmt;
use std::sync::Arc;

use crate::action::{Action, Ctx};
use crate::engine::{Engine, EngineKind};
use crate::error::{Error, ErrorKind};
use crate::finding::Detection;
use crate::finding::{Confidence, Finding};
use crate::key::Key;
use crate::policy::Policy;
use crate::rules::{RuleSet, RuleSetBuilder};
use crate::stream::StreamRedactor;

/// The immutable redaction pipeline: rules, engine, policy and key.
///
/// `Send + Sync` and cheap to clone (an `Arc`): build one and share it between threads,
/// streams, the CLI and services. All mutable state lives in each [`StreamRedactor`].
///
/// # Example
///
/// ```
/// use blackbar::{Policy, Redactor};
///
/// let mut policy = Policy::default();
/// policy.set_action_str("pii=mask")?;
/// let r = Redactor::builder().policy(policy).build()?;
/// assert_eq!(r.redact(b"ip 10.1.2.3 up").output, b"ip ******** up");
/// # Ok::<(), blackbar::Error>(())
/// ```
#[derive(Clone)]
pub struct Redactor {
    pub(crate) inner: Arc<Inner>,
    /// The input's path, for the allowlist's `paths` (see [`Redactor::for_path`]).
    pub(crate) path: Option<Arc<crate::allow::PathMatch>>,
}

pub(crate) struct Inner {
    pub(crate) rules: RuleSet,
    pub(crate) engine: Engine,
    /// Scratch of finished streams, warm lazy-DFA caches included, for the next stream: a
    /// fresh scanner pays for building DFA states again. Locked only when a stream starts or
    /// ends, never while it scans.
    pub(crate) scanners: std::sync::Mutex<Vec<crate::engine::Scanner>>,
    pub(crate) actions: Vec<Action>,
    pub(crate) min_confidence: Confidence,
    pub(crate) key: Option<Key>,
    pub(crate) has_drop: bool,
    /// Whether any rule's action is `placeholder` (streams then get a session vault).
    pub(crate) has_placeholder: bool,
    /// Per rule: the format-preserving shape, for rules whose action is `fpe`.
    pub(crate) shapes: Vec<Option<crate::token::fpe::Shape>>,
    /// Whether `fpe` decrypts instead of encrypting.
    pub(crate) reverse_fpe: bool,
    /// The decoders run after the rules (see [`crate::decode`]).
    pub(crate) decoders: crate::decode::Decoders,
    /// The policy's allowlist, compiled (`None` when it has no entries).
    pub(crate) allow: Option<crate::allow::Allow>,
}

impl Inner {
    /// Writes rule `rule`'s replacement for `value` to `out`.
    pub(crate) fn apply(
        &self,
        rule: usize,
        value: &[u8],
        vault: Option<&crate::placeholder::Vault>,
        out: &mut Vec<u8>,
    ) {
        let ctx = Ctx {
            key: self.key.as_ref(),
            vault,
            shape: self.shapes[rule].as_ref(),
            reverse_fpe: self.reverse_fpe,
        };
        self.actions[rule].apply(&self.rules.rules()[rule], value, &ctx, out);
    }

    /// Writes the output of a resolved segment won by `d` (whose bytes are `value`) and
    /// returns the action reported: an allowed detection's bytes unchanged, else its rule's
    /// action. The stream and the reference share it.
    pub(crate) fn write_segment(
        &self,
        d: &Detection,
        value: &[u8],
        vault: Option<&crate::placeholder::Vault>,
        out: &mut Vec<u8>,
    ) -> crate::ActionKind {
        if d.allowed {
            out.extend_from_slice(value);
            return crate::ActionKind::Allowed;
        }
        self.apply(d.rule as usize, value, vault, out);
        self.actions[d.rule as usize].kind()
    }

    /// Marks the detections the allowlist allows. `value_of` gives a detection's value;
    /// `key_of` the JSON key holding it, if the front end said.
    pub(crate) fn mark_allowed<'k>(
        &self,
        path: Option<&crate::allow::PathMatch>,
        dets: &mut [Detection],
        value_of: impl Fn(&Detection) -> Option<&'k [u8]>,
        key_of: impl Fn(&Detection) -> Option<&'k [u8]>,
    ) {
        let Some(ref allow) = self.allow else { return };
        for d in dets.iter_mut() {
            if d.confidence < self.min_confidence {
                continue;
            }
            let Some(value) = value_of(d) else { continue };
            let place = crate::allow::Place {
                key: key_of(d),
                path,
            };
            d.allowed = allow.allows(crate::allow::Target::Rule(d.rule as usize), value, place);
        }
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("rules", &self.inner.rules.len())
            .field("min_confidence", &self.inner.min_confidence)
            .field("key", &self.inner.key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The result of redacting a whole input at once.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Redacted {
    /// The redacted bytes.
    pub output: Vec<u8>,
    /// Every finding, in input order, including those below the confidence threshold
    /// (reported with action `none`).
    pub findings: Vec<Finding>,
}

/// A rule's example or counterexample that does not behave as the rule declares.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExampleFailure {
    /// The rule's id.
    pub rule: String,
    /// The file the rule came from.
    pub origin: String,
    /// What went wrong (never echoes anything but the rule's own example text).
    pub problem: String,
}

impl Redactor {
    /// Starts building a redactor with the default catalog and policy.
    pub fn builder() -> RedactorBuilder {
        RedactorBuilder::default()
    }

    /// The same redactor for the input at `path` (a file name as given, or found in a
    /// directory): the allowlist's `paths` entries apply to it. Cheap: the rules, engine and
    /// policy are shared.
    ///
    /// # Example
    ///
    /// ```
    /// use blackbar::{Allowlist, Policy, Redactor};
    /// let mut policy = Policy::default();
    /// policy.add_allowlist(Allowlist::from_toml("[[allow]]\npaths = [\"fixtures/**\"]\n", "a.toml")?);
    /// let r = Redactor::builder().policy(policy).build()?;
    /// assert_eq!(r.for_path("tests/fixtures/x.log").redact(b"ip 10.0.0.1").output, b"ip 10.0.0.1");
    /// assert_eq!(r.for_path("logs/x.log").redact(b"ip 10.0.0.1").output, b"ip [IP_ADDRESS]");
    /// # Ok::<(), blackbar::Error>(())
    /// ```
    pub fn for_path(&self, path: &str) -> Redactor {
        let path = self.inner.allow.as_ref().map(|a| Arc::new(a.path(path)));
        Redactor {
            inner: self.inner.clone(),
            path,
        }
    }

    /// Redacts a whole input at once. Equivalent to streaming it through
    /// [`Redactor::stream`] in any chunking.
    pub fn redact(&self, input: &[u8]) -> Redacted {
        let mut stream = self.stream();
        let mut output = Vec::with_capacity(input.len());
        stream.feed(input, &mut output);
        stream.finish(&mut output);
        let findings = stream.take_findings();
        Redacted { output, findings }
    }

    /// Redacts a whole input using `scratch` (a stream of this redactor, reset first), so
    /// that many small inputs do not each pay for a new stream's caches. Appends the output to
    /// `out` and returns the findings.
    ///
    /// # Example
    ///
    /// ```
    /// let r = blackbar::Redactor::builder().build()?;
    /// let mut scratch = r.stream();
    /// let mut out = vec![];
    /// for record in [&b"a bob@example.com"[..], b"b 10.0.0.1"] {
    ///     out.clear();
    ///     r.redact_with(&mut scratch, record, &mut out);
    /// }
    /// assert_eq!(out, b"b [IP_ADDRESS]");
    /// # Ok::<(), blackbar::Error>(())
    /// ```
    pub fn redact_with(
        &self,
        scratch: &mut StreamRedactor,
        input: &[u8],
        out: &mut Vec<u8>,
    ) -> Vec<crate::Finding> {
        scratch.reset();
        scratch.feed_last(input, out);
        scratch.take_findings()
    }

    /// A new stream sharing this redactor.
    pub fn stream(&self) -> StreamRedactor {
        StreamRedactor::new(self.clone())
    }

    /// An ordered parallel redaction of one input over `threads` worker threads: the same
    /// output and findings as [`Redactor::stream`] for any thread count (see
    /// [`Parallel`](crate::Parallel)). A placeholder policy runs one worker: its numbers
    /// follow first appearance over the whole input.
    ///
    /// # Example
    ///
    /// ```
    /// let r = blackbar::Redactor::builder().build()?;
    /// let mut p = r.parallel(2);
    /// let mut out = vec![];
    /// p.feed(b"mail bob@example.com\nip 10.0.0.1\n", &mut out);
    /// p.finish(&mut out);
    /// assert_eq!(out, b"mail [EMAIL]\nip [IP_ADDRESS]\n");
    /// assert_eq!(p.take_findings().len(), 2);
    /// # Ok::<(), blackbar::Error>(())
    /// ```
    pub fn parallel(&self, threads: usize) -> crate::Parallel<StreamRedactor> {
        let threads = if self.inner.has_placeholder {
            1
        } else {
            threads
        };
        let r = self.clone();
        crate::parallel::Parallel::new(threads, self.cuts(), move || r.stream())
    }

    /// Where line ends may end a chunk of a parallel redaction.
    pub(crate) fn cuts(&self) -> crate::parallel::Cuts {
        use crate::parallel::Cuts;
        let rules = self.inner.rules.rules();
        if rules.iter().any(|r| r.input_start) {
            return Cuts::Nowhere;
        }
        let multi: Vec<&crate::rules::Rule> = rules.iter().filter(|r| r.multiline).collect();
        if multi.is_empty() {
            return Cuts::Anywhere;
        }
        // A multi-line match that crosses a line end starts before it, within its longest
        // match; with its keyword at its start (lead 0), the keyword is there too.
        if multi
            .iter()
            .any(|r| r.keywords.is_empty() || r.keyword_lead > 0)
        {
            return Cuts::Nowhere;
        }
        let keywords = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(multi.iter().flat_map(|r| r.keywords.iter()))
            .expect("keywords are short literals");
        Cuts::Unless {
            keywords,
            reach: multi.iter().map(|r| r.max_len).max().unwrap_or(0),
        }
    }

    /// The prefilter engine this redactor runs.
    pub fn engine_kind(&self) -> EngineKind {
        self.inner.engine.kind()
    }

    /// The engine that finds the candidates of rule `rule` (an index into
    /// [`Redactor::rules`]): Hyperscan may refuse a rule's pattern, which the Rust engine then
    /// searches instead (never dropped).
    pub fn engine_of(&self, rule: usize) -> EngineKind {
        match self.inner.engine.is_fallback(rule) {
            true => EngineKind::Rust,
            false => self.inner.engine.kind(),
        }
    }

    /// The loaded rules.
    pub fn rules(&self) -> &RuleSet {
        &self.inner.rules
    }

    /// The action each rule gets, by rule index.
    pub fn actions(&self) -> &[Action] {
        &self.inner.actions
    }

    /// Every match of every rule in `input`, validated but before overlap resolution and
    /// actions. This is what rule examples are checked against.
    ///
    /// Borrows a finished stream's scanner when one is pooled, so that many small calls do
    /// not each pay for new regex caches.
    pub fn detect(&self, input: &[u8]) -> Vec<Detection> {
        // A stream only for its pooled scanner: repeated calls reuse the caches.
        let mut stream = StreamRedactor::plain(self.clone());
        let mut out = vec![];
        self.inner.engine.scan(
            stream.scanner_mut(),
            &self.inner.rules,
            input,
            0,
            0,
            true,
            &mut out,
        );
        out.sort_by_key(|d| (d.claim.start, d.rule));
        out
    }

    /// Runs every rule's examples and counterexamples through the real engine: an example
    /// must give its rule a detection at or above the policy threshold, a counterexample
    /// must not. A rule whose own confidence is below the threshold (a shape reported in
    /// logs and acted on by the proxy) is checked at its own confidence instead. Rules listed
    /// in `only` (all when empty) are checked.
    pub fn check_examples(&self, only: &[String]) -> Vec<ExampleFailure> {
        let mut failures = vec![];
        for (i, rule) in self.inner.rules.rules().iter().enumerate() {
            if !only.is_empty() && !only.contains(&rule.id.to_string()) {
                continue;
            }
            let threshold = self.inner.min_confidence.min(rule.confidence);
            let hit = |text: &str| {
                self.detect(text.as_bytes())
                    .iter()
                    .any(|d| d.rule as usize == i && d.confidence >= threshold)
            };
            let mut fail = |problem: String| {
                failures.push(ExampleFailure {
                    rule: rule.id.to_string(),
                    origin: rule.origin.to_string(),
                    problem,
                })
            };
            for ex in &rule.examples {
                if !hit(ex) {
                    fail(format!("example not caught: {ex:?}"));
                }
            }
            for ex in &rule.counterexamples {
                if hit(ex) {
                    fail(format!("counterexample caught: {ex:?}"));
                }
            }
        }
        failures
    }
}

/// Builds a [`Redactor`] from rule sources, a policy, a key and canary lists.
#[derive(Clone, Debug, Default)]
pub struct RedactorBuilder {
    rules: RuleSetBuilder,
    policy: Policy,
    key: Option<Key>,
    canaries: Vec<(String, Vec<Vec<u8>>)>,
    reverse_fpe: bool,
    engine: Option<EngineKind>,
    decoders: crate::decode::Decoders,
    eager: bool,
}

impl RedactorBuilder {
    /// Adds a user rule file's text; `origin` names it in errors.
    pub fn rule_source(mut self, origin: &str, text: &str) -> RedactorBuilder {
        self.rules.source(origin, text);
        self
    }

    /// Leaves out the embedded default catalog.
    pub fn without_default_catalog(mut self) -> RedactorBuilder {
        self.rules.default_catalog(false);
        self
    }

    /// Disables a rule id or a category.
    pub fn disable(mut self, id_or_category: &str) -> RedactorBuilder {
        self.rules.disable(id_or_category);
        self
    }

    /// Sets the policy.
    pub fn policy(mut self, policy: Policy) -> RedactorBuilder {
        self.policy = policy;
        self
    }

    /// Sets the key ring for the `hash`, `token` and `fpe` actions.
    pub fn key(mut self, key: Key) -> RedactorBuilder {
        self.key = Some(key);
        self
    }

    /// Makes every `fpe` action decrypt instead of encrypt (with the newest key), to reverse
    /// format-preserving encryption: the redactor then restores the values its rules find.
    pub fn reverse_fpe(mut self, yes: bool) -> RedactorBuilder {
        self.reverse_fpe = yes;
        self
    }

    /// Chooses the prefilter engine. By default, the fastest one compiled in
    /// ([`EngineKind::auto`]), or the Rust engine if Hyperscan cannot run on this machine; an
    /// engine chosen here is used or the build fails. The results are the same either way.
    pub fn engine(mut self, kind: EngineKind) -> RedactorBuilder {
        self.engine = Some(kind);
        self
    }

    /// Sets the decoders that run after the rules: base64 and percent-encoded runs that
    /// decode to text holding a finding are redacted too. On by
    /// default ([`Decoders::default`](crate::decode::Decoders::default));
    /// [`Decoders::none`](crate::decode::Decoders::none) turns them off.
    ///
    /// # Example
    ///
    /// ```
    /// use blackbar::{Decoders, Redactor};
    /// let on = Redactor::builder().build()?;
    /// assert_eq!(on.redact(b"q=bob%40example.com").output, b"q=[EMAIL]");
    /// let off = Redactor::builder().decoders(Decoders::none()).build()?;
    /// assert_eq!(off.redact(b"q=bob%40example.com").output, b"q=bob%40example.com");
    /// # Ok::<(), blackbar::Error>(())
    /// ```
    pub fn decoders(mut self, decoders: crate::decode::Decoders) -> RedactorBuilder {
        self.decoders = decoders;
        self
    }

    /// Makes streams release eagerly: every byte that no match can still cover is written at
    /// once, instead of a partial line being held for the rules' longest match. For
    /// interactive streams that arrive a few bytes at a time on one long line (a model's
    /// streamed answer); the output is the same for any chunking either way. Costs an
    /// anchored walk of one automaton of every rule from each new offset, and about 50 ms of
    /// start-up to compile it.
    pub fn release_eagerly(mut self, yes: bool) -> RedactorBuilder {
        self.eager = yes;
        self
    }

    /// Adds a list of literal canaries (see [`crate::canary::parse_list`]).
    pub fn canaries(mut self, origin: &str, list: Vec<Vec<u8>>) -> RedactorBuilder {
        self.canaries.push((origin.to_string(), list));
        self
    }

    /// Loads and compiles everything.
    ///
    /// # Errors
    ///
    /// Invalid rules or policy, or a policy that needs a key when none was given: every
    /// problem surfaces here, at start-up, not at the first match.
    pub fn build(mut self) -> Result<Redactor, Error> {
        if !self.canaries.is_empty() {
            let origin = self
                .canaries
                .iter()
                .map(|(o, _)| o.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let all: Vec<Vec<u8>> = self.canaries.drain(..).flat_map(|(_, l)| l).collect();
            self.rules
                .rules(vec![crate::rules::canary_list_rule(all, &origin)]);
        }
        let rules = self.rules.build()?;
        let mut actions = self.policy.compile(&rules)?;
        for (i, rule) in rules.rules().iter().enumerate() {
            if !rule.is_own_token() {
                continue;
            }
            // blackbar's own tokens are left as they are (so a second pass changes nothing)
            // unless the policy names the rule itself, e.g. to label tokens for a recipient
            // who must not even hold ciphertexts. They are never re-encrypted.
            match self.policy.explicit(&rule.id) {
                None => actions[i] = Action::Report,
                Some(Action::Token | Action::Fpe) => {
                    return Err(Error::new(ErrorKind::Policy(format!(
                        "'{}': blackbar never re-encrypts its own tokens",
                        rule.id
                    ))))
                }
                Some(_) => {}
            }
        }
        if let Some((i, a)) = actions.iter().enumerate().find(|(_, a)| a.needs_key()) {
            if self.key.is_none() {
                let verb = match a {
                    Action::Hash => "hashes",
                    Action::Token => "tokenizes",
                    _ => "format-preserves",
                };
                return Err(Error::new(ErrorKind::MissingKey(format!(
                    "the policy {verb} '{}' but no key was given",
                    rules.rules()[i].id,
                ))));
            }
        }
        let shapes = rules
            .rules()
            .iter()
            .zip(&actions)
            .map(|(rule, a)| {
                (*a == Action::Fpe).then(|| {
                    let standalone = !rule.has_secret_group && rule.literals.is_none();
                    crate::token::fpe::shape(
                        standalone.then_some(rule.pattern.as_str()),
                        rule.validators.contains(&crate::validate::Validator::Luhn),
                    )
                })
            })
            .collect();
        let mut engine = match self.engine {
            Some(kind) => Engine::with_kind(&rules, kind)?,
            None => Engine::new(&rules)?,
        };
        if self.eager {
            engine = engine.release_eagerly(&rules)?;
        }
        let has_drop = actions.contains(&Action::Drop);
        let has_placeholder = actions.contains(&Action::Placeholder);
        let allow = self.policy.compile_allow(&rules)?;
        Ok(Redactor {
            path: None,
            inner: Arc::new(Inner {
                allow,
                rules,
                engine,
                actions,
                min_confidence: self.policy.min_confidence(),
                key: self.key,
                has_drop,
                scanners: std::sync::Mutex::new(vec![]),
                has_placeholder,
                shapes,
                reverse_fpe: self.reverse_fpe,
                decoders: self.decoders,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default catalog must let the parallel pipeline cut at line ends: one rule anchored
    /// at the input's start (`^` without `(?m)`) makes every input one chunk, and one core does
    /// all the work.
    #[test]
    fn default_catalog_can_be_cut_at_line_ends() {
        let r = Redactor::builder().build().unwrap();
        let anchored: Vec<&str> = r
            .rules()
            .rules()
            .iter()
            .filter(|r| r.input_start)
            .map(|r| r.id())
            .collect();
        assert!(
            anchored.is_empty(),
            "anchored at the input's start: {anchored:?}"
        );
        assert!(!matches!(r.cuts(), crate::parallel::Cuts::Nowhere));
    }
}
