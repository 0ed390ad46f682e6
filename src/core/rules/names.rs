//! The sensitive-name grammar of assignment rules: whether the name a value is assigned to
//! (`db_password`, `clientSecret`, `AZURE_STORAGE_KEY`, `<add key="ClearTextPassword" …>`)
//! says the value is a credential.
//!
//! A rule file states it once, in its `[assignment]` table; rules with `assignment = true`
//! use it. A name is split into word parts at `_`, `-`, `.`, spaces and case changes
//! (`clientSecret` → `client`, `secret`; `APIKey` → `api`, `key`), and is sensitive when
//!
//! * it is not one of `not_names` (compared ASCII case-insensitively, or exactly when the
//!   entry has an uppercase letter: `PWD` is the shell's working directory, `pwd` in a
//!   connection string is a password),
//! * none of its parts is one of `not_parts` (`token_type`, `key_id`, `max_tokens`: data
//!   about a secret, not the secret), and
//! * a part contains one of `contains` (`*password*`, `*credential*`), or is one of `parts`
//!   (`*_secret`, `*_token`), or ends with one of `endings` (`PGPASS`, `dbsecret`), or, after
//!   another part, is one of `suffix_parts` (`*_key`: a bare `key` is any map's key).
//!
//! ```toml
//! [assignment]
//! contains = ["password", "credential"]
//! parts = ["secret", "token"]
//! endings = ["pass"]
//! suffix_parts = ["key"]
//! not_names = ["PWD", "passwordless"]
//! not_parts = ["type", "id", "max"]
//! ```

use serde::Deserialize;

/// The serde form of a file's `[assignment]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NamesSpec {
    #[serde(default)]
    contains: Vec<String>,
    #[serde(default)]
    parts: Vec<String>,
    #[serde(default)]
    endings: Vec<String>,
    #[serde(default)]
    suffix_parts: Vec<String>,
    #[serde(default)]
    not_names: Vec<String>,
    #[serde(default)]
    not_parts: Vec<String>,
}

impl NamesSpec {
    pub(crate) fn compile(self) -> Result<Names, String> {
        let lower = |v: Vec<String>, what: &str| -> Result<Vec<String>, String> {
            v.into_iter()
                .map(|w| match !w.is_empty() && w.is_ascii() {
                    true => Ok(w.to_ascii_lowercase()),
                    false => Err(format!("{what} entry {w:?} must be non-empty ASCII")),
                })
                .collect()
        };
        let names = Names {
            contains: lower(self.contains, "contains")?,
            parts: lower(self.parts, "parts")?,
            endings: lower(self.endings, "endings")?,
            suffix_parts: lower(self.suffix_parts, "suffix_parts")?,
            not_parts: lower(self.not_parts, "not_parts")?,
            not_names: self.not_names,
        };
        if names.contains.is_empty() && names.parts.is_empty() && names.suffix_parts.is_empty() {
            return Err("no sensitive word: set contains, parts or suffix_parts".into());
        }
        Ok(names)
    }
}

/// A compiled sensitive-name grammar (see the module doc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    contains: Vec<String>,
    parts: Vec<String>,
    endings: Vec<String>,
    suffix_parts: Vec<String>,
    not_names: Vec<String>,
    not_parts: Vec<String>,
}

/// Bytes an identifier is made of, in the names this grammar reads.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

impl Names {
    /// Whether `name` is sensitive by this grammar.
    pub fn is_sensitive(&self, name: &[u8]) -> bool {
        let Ok(name) = std::str::from_utf8(name) else {
            return false;
        };
        let excluded =
            self.not_names
                .iter()
                .any(|n| match n.bytes().any(|b| b.is_ascii_uppercase()) {
                    true => n == name,
                    false => n.eq_ignore_ascii_case(name),
                });
        if excluded {
            return false;
        }
        let parts = split_parts(name);
        if parts.iter().any(|p| self.not_parts.contains(p)) {
            return false;
        }
        parts.iter().enumerate().any(|(i, p)| {
            self.contains.iter().any(|w| p.contains(w.as_str()))
                || self.parts.contains(p)
                || self.endings.iter().any(|w| p.ends_with(w.as_str()))
                || (i > 0 && self.suffix_parts.contains(p))
        })
    }

    /// Whether `name` holds a sensitive word at all (before exclusions): the identifier of an
    /// assignment is the last one that does.
    fn mentions(&self, name: &[u8]) -> bool {
        let lower = name.to_ascii_lowercase();
        let has = |w: &String| lower.windows(w.len()).any(|x| x == w.as_bytes());
        self.contains.iter().any(has)
            || self.parts.iter().any(has)
            || self.endings.iter().any(has)
            || self.suffix_parts.iter().any(has)
    }

    /// The name a value is assigned to: the last identifier in `key` (the bytes before the
    /// value, from the start of the identifier the match starts in) that mentions a
    /// sensitive word. `None` when no identifier does.
    pub(crate) fn name_in<'a>(&self, key: &'a [u8]) -> Option<&'a [u8]> {
        key.split(|&b| !is_name_byte(b))
            .rev()
            .find(|w| !w.is_empty() && self.mentions(w))
    }

    /// Where the identifier that holds `line[at]` starts.
    pub(crate) fn name_start(line: &[u8], at: usize) -> usize {
        let mut s = at.min(line.len());
        while s > 0 && is_name_byte(line[s - 1]) {
            s -= 1;
        }
        s
    }
}

/// Lowercase word parts of an identifier: split at `_ - .` and spaces, at a lowercase or
/// digit to uppercase change (`clientSecret`), and before the last capital of a capital run
/// followed by lowercase (`APIKey` → `api`, `key`). Trailing digits are dropped (`token2`).
fn split_parts(name: &str) -> Vec<String> {
    let b = name.as_bytes();
    let mut parts = vec![];
    let mut cur = String::new();
    for i in 0..b.len() {
        let c = b[i];
        if !c.is_ascii_alphanumeric() {
            parts.push(std::mem::take(&mut cur));
            continue;
        }
        let prev = (i > 0).then(|| b[i - 1]);
        let next = b.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
        if boundary {
            parts.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase() as char);
    }
    parts.push(cur);
    parts
        .into_iter()
        .map(|p| p.trim_end_matches(|c: char| c.is_ascii_digit()).to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grammar() -> Names {
        let spec: NamesSpec = toml::from_str(
            r#"
contains = ["password", "credential"]
parts = ["secret", "token", "pwd", "pass"]
endings = ["pass"]
suffix_parts = ["key"]
not_names = ["PWD", "passwordless"]
not_parts = ["type", "id", "max", "bypass"]
"#,
        )
        .unwrap();
        spec.compile().unwrap()
    }

    #[test]
    fn parts() {
        assert_eq!(split_parts("clientSecret"), ["client", "secret"]);
        assert_eq!(split_parts("APIKey"), ["api", "key"]);
        assert_eq!(
            split_parts("AZURE_STORAGE_KEY"),
            ["azure", "storage", "key"]
        );
        assert_eq!(split_parts("this.addPassword"), ["this", "add", "password"]);
        assert_eq!(split_parts("--db-pass2"), ["db", "pass"]);
    }

    #[test]
    fn sensitive_names() {
        let g = grammar();
        for yes in [
            "password",
            "DB_PASSWORD",
            "ClearTextPassword",
            "api_secret",
            "azure_storage_key",
            "GITHUB_TOKEN",
            "pwd",
            "Pwd",
            "mysqlpassword",
            "aws_credentials",
            "PGPASS",
        ] {
            assert!(g.is_sensitive(yes.as_bytes()), "{yes}");
        }
        for no in [
            "PWD",
            "passwordless",
            "token_type",
            "key_id",
            "max_tokens",
            "key",
            "monkey",
            "tokens",
            "author",
            "bypass",
        ] {
            assert!(!g.is_sensitive(no.as_bytes()), "{no}");
        }
    }

    #[test]
    fn the_name_is_the_last_identifier_with_a_sensitive_word() {
        let g = grammar();
        let name = |k: &str| {
            g.name_in(k.as_bytes())
                .map(|n| String::from_utf8_lossy(n).into_owned())
        };
        assert_eq!(
            name(r#"<add key="ClearTextPassword" value=""#).as_deref(),
            Some("ClearTextPassword")
        );
        assert_eq!(name("export PWD=").as_deref(), Some("PWD"));
        assert_eq!(name("value=").as_deref(), None);
        assert_eq!(Names::name_start(b"x db_password=", 8), 2);
    }
}
