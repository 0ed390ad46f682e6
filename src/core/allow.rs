//! Allowlists: values a user knows are not sensitive, which no catalog can know.
//!
//! ```toml
//! [[allow]]                               # in a policy file, or a file given to --allow
//! values = ["10.0.0.1", "noreply@example.com"]
//!
//! [[allow]]
//! regexes = ['192\.168\.\d{1,3}\.\d{1,3}']  # matched against the whole value
//! rules = ["ipv4"]                        # only findings of these rules...
//! categories = ["pii"]                    # ...or of these categories
//!
//! [[allow]]
//! json_keys = ["trace_id", "*_hash"]      # the JSON key (or OTLP attribute) holding the value
//!
//! [[allow]]
//! paths = ["tests/fixtures/**", "*.sample.env"]  # the input file (the pipe's FILE arguments)
//! reason = "synthetic test data"          # free text, for the people who read the file
//! ```
//!
//! # What an entry matches
//!
//! An entry matches a finding when **every condition it gives** holds; an entry must give at
//! least one of `values`, `regexes`, `json_keys`, `paths`, `rules`, `categories`:
//!
//! * **value**: the finding's value (the bytes its rule would redact) equals one of `values`
//!   (exact bytes) or is matched whole by one of `regexes` (as if written `\A(?:…)\z`);
//! * **scope**: the finding's rule is one of `rules` or its category one of `categories`
//!   (either list alone, or both: the rule is in one of them). `json-sensitive-key` names the
//!   values a JSON front end hides for their key;
//! * **JSON key**: the value is a JSON string (or an OTLP attribute) under a key matched by
//!   one of `json_keys`, globs with `*` (any run) and `?`, ASCII case-insensitive; the key is
//!   the innermost one, and an array's elements have the key that holds the array;
//! * **path**: the input is a file whose path is matched by one of `paths`: `*` and `?` stay
//!   within one path component, `**` crosses them. A glob starting with `/` is matched
//!   against the whole path; any other against its last components (`*.env` is a file name,
//!   `config/*.env` a file in a directory named `config`). Inputs without a path (stdin, the
//!   proxy, the OTLP hop, Kafka) match no `paths`.
//!
//! # Precedence
//!
//! 1. Findings below the confidence threshold are reported with action `none`; the allowlist
//!    is not consulted for them.
//! 2. Every other finding is checked against the entries; one matching entry allows it.
//! 3. An allowed finding's bytes are left as they are, whatever any other rule finds there,
//!    and it is reported with action `allowed`. In overlap resolution it ranks with
//!    blackbar's own tokens, above every rule: a finding of another rule that lies within the
//!    allowed finding's match and overlaps its value is explained by it (the same value, seen
//!    differently), and a finding that only overlaps it is redacted around it.
//! 4. The policy's actions apply to everything else.
//!
//! An allowlist is compiled against a [`RuleSet`]: an entry naming an unknown rule or
//! category, an invalid regex or glob, an unknown key, or no condition at all is an error
//! naming the entry.

use std::collections::HashSet;

use regex_automata::meta;
use serde::Deserialize;

use crate::error::{Error, ErrorKind};
use crate::finding::Category;
use crate::rules::RuleSet;

/// The rule id under which a JSON front end reports a value hidden for its key (see
/// [`crate::json::KEY_RULE_ID`]); an allowlist entry may name it in `rules`.
pub(crate) const KEY_RULE_ID: &str = "json-sensitive-key";

/// The allowlist entries of a policy, as written: parsed, not yet compiled against rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allowlist {
    entries: Vec<(Entry, String)>,
}

/// One `[[allow]]` entry, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    json_keys: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)] // documentation for the file's readers
    reason: Option<String>,
}

/// `allow` as written: one table (`[allow]`) or an array of tables (`[[allow]]`).
pub(crate) fn entries(value: toml::Value, origin: &str) -> Result<Vec<Entry>, Error> {
    let parse = |v: toml::Value, n: usize| {
        v.try_into::<Entry>().map_err(|e| {
            Error::new(ErrorKind::Parse(format!(
                "allow entry {n}: {}",
                e.message()
            )))
            .at(origin)
        })
    };
    match value {
        toml::Value::Array(list) => list
            .into_iter()
            .enumerate()
            .map(|(i, v)| parse(v, i + 1))
            .collect(),
        v @ toml::Value::Table(_) => Ok(vec![parse(v, 1)?]),
        _ => Err(Error::new(ErrorKind::Parse(
            "'allow' must be a table ([allow]) or an array of tables ([[allow]])".into(),
        ))
        .at(origin)),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    allow: toml::Value,
}

impl Allowlist {
    /// Parses an allowlist file: `[[allow]]` entries (or one `[allow]` table) and nothing
    /// else. `origin` names the file in errors.
    ///
    /// # Errors
    ///
    /// TOML errors, unknown keys, a missing `allow`, an entry without conditions, an invalid
    /// regex or glob: one error naming `origin` and the entry. Rule ids and categories are
    /// checked when the policy is compiled against the rules.
    ///
    /// # Example
    ///
    /// ```
    /// use blackbar::{Allowlist, Policy, Redactor};
    /// let allow = Allowlist::from_toml("[[allow]]\nvalues = [\"10.0.0.1\"]\n", "allow.toml")?;
    /// let mut policy = Policy::default();
    /// policy.add_allowlist(allow);
    /// let r = Redactor::builder().policy(policy).build()?;
    /// let out = r.redact(b"from 10.0.0.1 to 10.0.0.2");
    /// assert_eq!(out.output, b"from 10.0.0.1 to [IP_ADDRESS]");
    /// assert_eq!(out.findings[0].action.as_str(), "allowed");
    /// # Ok::<(), blackbar::Error>(())
    /// ```
    pub fn from_toml(text: &str, origin: &str) -> Result<Allowlist, Error> {
        let spec: FileSpec = toml::from_str(text)
            .map_err(|e| Error::new(ErrorKind::Parse(e.to_string())).at(origin))?;
        Allowlist::from_entries(entries(spec.allow, origin)?, origin)
    }

    /// Checks entries parsed from `origin` (a policy's `allow` section, or an allowlist file).
    pub(crate) fn from_entries(entries: Vec<Entry>, origin: &str) -> Result<Allowlist, Error> {
        let mut list = Allowlist::default();
        for (n, entry) in entries.into_iter().enumerate() {
            let name = format!("{origin}: allow entry {}", n + 1);
            // Compile once here so that a mistake is reported when the file is read.
            compile_entry(&entry, None, &name)?;
            list.entries.push((entry, name));
        }
        Ok(list)
    }

    /// Adds the entries of `other` after this list's.
    pub fn extend(&mut self, other: Allowlist) {
        self.entries.extend(other.entries);
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Compiles the entries against `rules`.
    ///
    /// # Errors
    ///
    /// An entry naming a rule id that is not loaded or an unknown category.
    pub(crate) fn compile(&self, rules: &RuleSet) -> Result<Option<Allow>, Error> {
        if self.entries.is_empty() {
            return Ok(None);
        }
        let entries = self
            .entries
            .iter()
            .map(|(e, name)| compile_entry(e, Some(rules), name))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Allow {
            needs_keys: entries.iter().any(|e| e.keys.is_some()),
            entries,
        }))
    }
}

/// A compiled allowlist: immutable, shared by every stream of a redactor.
#[derive(Debug)]
pub(crate) struct Allow {
    entries: Vec<Compiled>,
    needs_keys: bool,
}

#[derive(Debug)]
struct Compiled {
    /// Per rule index: in scope. `None`: every rule.
    scope: Option<Vec<bool>>,
    /// Whether `json-sensitive-key` is in scope.
    key_rule: bool,
    /// `None`: no value condition.
    values: Option<HashSet<Box<[u8]>>>,
    regex: Option<meta::Regex>,
    keys: Option<meta::Regex>,
    paths: Option<meta::Regex>,
}

/// What the allowlist may look at besides the finding: where the value is.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Place<'a> {
    /// The JSON key (or OTLP attribute key) holding the value.
    pub key: Option<&'a [u8]>,
    /// The input's path, with the entries it matches (see [`Allow::path`]).
    pub path: Option<&'a PathMatch>,
}

/// An input path and, per entry, whether it is matched by the entry's `paths`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PathMatch {
    matched: Vec<bool>,
}

/// Which finding is being judged: a rule of the rule set, or the JSON front end's key rule.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target {
    /// A rule index and its category.
    Rule(usize),
    /// A value hidden for its JSON key (category `secret`).
    Key,
}

impl Allow {
    /// Whether some entry looks at JSON keys (so front ends must say which key a value has).
    pub(crate) fn needs_keys(&self) -> bool {
        self.needs_keys
    }

    /// Which entries' `paths` match `path` (entries without `paths` are not marked).
    pub(crate) fn path(&self, path: &str) -> PathMatch {
        let path = path.strip_prefix("./").unwrap_or(path);
        PathMatch {
            matched: self
                .entries
                .iter()
                .map(|e| e.paths.as_ref().is_some_and(|p| p.is_match(path)))
                .collect(),
        }
    }

    /// Whether a finding of `target` with `value` at `place` is allowed.
    pub(crate) fn allows(&self, target: Target, value: &[u8], place: Place<'_>) -> bool {
        self.entries.iter().enumerate().any(|(i, e)| {
            let in_scope = match target {
                Target::Rule(r) => e.scope.as_ref().map_or(true, |s| s[r]),
                Target::Key => e.scope.is_none() || e.key_rule,
            };
            in_scope
                && (e.values.is_none() && e.regex.is_none()
                    || e.values.as_ref().is_some_and(|v| v.contains(value))
                    || e.regex.as_ref().is_some_and(|r| r.is_match(value)))
                && e.keys
                    .as_ref()
                    .map_or(true, |k| place.key.is_some_and(|key| k.is_match(key)))
                && (e.paths.is_none() || place.path.is_some_and(|p| p.matched[i]))
        })
    }
}

/// Compiles one entry; with `rules`, its scope too.
fn compile_entry(e: &Entry, rules: Option<&RuleSet>, name: &str) -> Result<Compiled, Error> {
    let err = |msg: String| Error::new(ErrorKind::Policy(msg)).at(name);
    if e.values.is_empty()
        && e.regexes.is_empty()
        && e.rules.is_empty()
        && e.categories.is_empty()
        && e.json_keys.is_empty()
        && e.paths.is_empty()
    {
        return Err(err(
            "no condition: give values, regexes, rules, categories, json_keys or paths (an \
             entry without any would allow every finding)"
                .into(),
        ));
    }
    for c in &e.categories {
        if Category::parse(c).is_none() {
            return Err(err(format!(
                "unknown category '{c}' (expected pii, secret or canary)"
            )));
        }
    }
    let mut key_rule = false;
    let scope = match rules {
        Some(rules) if !e.rules.is_empty() || !e.categories.is_empty() => {
            let mut scope = vec![false; rules.len()];
            for id in &e.rules {
                if id == KEY_RULE_ID {
                    key_rule = true;
                    continue;
                }
                let Some(at) = rules.rules().iter().position(|r| &*r.id == id) else {
                    return Err(err(format!("'{id}' is not a loaded rule id")));
                };
                scope[at] = true;
            }
            for (i, rule) in rules.rules().iter().enumerate() {
                if e.categories.iter().any(|c| c == rule.category.as_str()) {
                    scope[i] = true;
                }
            }
            key_rule |= e.categories.iter().any(|c| c == "secret");
            Some(scope)
        }
        _ => None,
    };
    let regex = match e.regexes.as_slice() {
        [] => None,
        list => {
            for r in list {
                regex_syntax::Parser::new()
                    .parse(r)
                    .map_err(|x| err(format!("regex '{r}': {x}")))?;
            }
            let whole: Vec<String> = list.iter().map(|r| format!(r"\A(?:{r})\z")).collect();
            Some(meta::Regex::new_many(&whole).map_err(|x| err(format!("regexes: {x}")))?)
        }
    };
    let keys = globs(&e.json_keys, GlobKind::Key).map_err(|x| err(format!("json_keys: {x}")))?;
    let paths = globs(&e.paths, GlobKind::Path).map_err(|x| err(format!("paths: {x}")))?;
    Ok(Compiled {
        scope,
        key_rule,
        values: (!e.values.is_empty())
            .then(|| e.values.iter().map(|v| v.as_bytes().into()).collect()),
        regex,
        keys,
        paths,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum GlobKind {
    /// A JSON key: `*` is any run, ASCII case-insensitive, matched whole.
    Key,
    /// A path: `*` and `?` within a component, `**` across; matched against the last
    /// components unless the glob starts with `/`.
    Path,
}

/// One regex for a list of globs (`None` for an empty list).
fn globs(list: &[String], kind: GlobKind) -> Result<Option<meta::Regex>, String> {
    if list.is_empty() {
        return Ok(None);
    }
    let mut alts = vec![];
    for g in list {
        if g.is_empty() {
            return Err("an empty glob".into());
        }
        alts.push(glob_regex(g, kind));
    }
    let pattern = match kind {
        GlobKind::Key => format!(r"(?i)\A(?:{})\z", alts.join("|")),
        GlobKind::Path => format!(r"\A(?:{})\z", alts.join("|")),
    };
    meta::Regex::new(&pattern)
        .map(Some)
        .map_err(|e| e.to_string())
}

fn glob_regex(glob: &str, kind: GlobKind) -> String {
    let mut re = String::new();
    let (rest, anchored) = match kind {
        GlobKind::Path => match glob.strip_prefix('/') {
            Some(r) => {
                re.push('/');
                (r, true)
            }
            None => (glob, false),
        },
        GlobKind::Key => (glob, true),
    };
    if !anchored {
        // Any leading directories.
        re.push_str("(?:.*/)?");
    }
    let (any, one) = match kind {
        GlobKind::Key => (".*", "."),
        GlobKind::Path => ("[^/]*", "[^/]"),
    };
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if kind == GlobKind::Path && chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                    re.push_str("(?:.*/)?");
                } else {
                    re.push_str(".*");
                }
            }
            '*' => re.push_str(any),
            '?' => re.push_str(one),
            c => re.push_str(&regex_syntax::escape(&c.to_string())),
        }
    }
    re
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(globs_: &[&str], kind: GlobKind) -> meta::Regex {
        let list: Vec<String> = globs_.iter().map(|s| s.to_string()).collect();
        globs(&list, kind).unwrap().unwrap()
    }

    #[test]
    fn path_globs() {
        // (glob, path, matches)
        let cases = [
            ("*.env", "app.env", true),
            ("*.env", "config/app.env", true),
            ("*.env", "config/app.env.bak", false),
            ("config/*.env", "srv/config/app.env", true),
            ("config/*.env", "config/sub/app.env", false),
            ("config/**/*.env", "config/sub/deep/app.env", true),
            ("config/**/*.env", "config/app.env", true),
            ("tests/fixtures/**", "tests/fixtures/a/b.txt", true),
            ("tests/fixtures/**", "src/tests/fixtures/a.txt", true),
            ("/tests/fixtures/**", "src/tests/fixtures/a.txt", false),
            ("/tests/fixtures/**", "/tests/fixtures/a.txt", true),
            ("a?c.log", "abc.log", true),
            ("a?c.log", "a/c.log", false),
            ("a.b", "axb", false),
        ];
        for (glob, path, want) in cases {
            let m = matcher(&[glob], GlobKind::Path);
            assert_eq!(m.is_match(path), want, "{glob} on {path}");
        }
    }

    #[test]
    fn key_globs() {
        let m = matcher(&["trace_id", "*_hash"], GlobKind::Key);
        for (key, want) in [
            ("trace_id", true),
            ("Trace_ID", true),
            ("file_hash", true),
            ("trace_ids", false),
            ("hash", false),
        ] {
            assert_eq!(m.is_match(key), want, "{key}");
        }
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            ("[[allow]]\nreason = \"x\"\n", "no condition"),
            ("[[allow]]\nvalue = [\"x\"]\n", "unknown field"),
            ("[[allow]]\nregexes = [\"(\"]\n", "regex '('"),
            (
                "[[allow]]\ncategories = [\"pci\"]\n",
                "unknown category 'pci'",
            ),
            (
                "[[allow]]\nvalues = [\"a\"]\n[[allow]]\npaths = [\"\"]\n",
                "allow entry 2",
            ),
            ("allow = 3\n", "allow"),
            ("[other]\nx = 1\n", "unknown field"),
        ];
        for (text, want) in cases {
            let e = Allowlist::from_toml(text, "a.toml")
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{text:?}: {e}");
            assert!(e.starts_with("a.toml"), "{e}");
        }
    }
}
