//! Errors of the library: each one says what went wrong and where (which file, which rule).

use std::fmt;

/// An error from loading rules, policies or keys, or from building a [`crate::Redactor`].
///
/// Errors never carry a matched value or key material: only names, positions and reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    /// Where: a file name, or `file: rule id`.
    origin: Option<String>,
}

/// What kind of error occurred.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A rule file or policy file could not be parsed (TOML syntax, unknown keys, bad types).
    Parse(String),
    /// A rule is invalid: bad regex, unbounded length, unknown validator, duplicate id...
    Rule {
        /// The rule's id.
        id: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A policy is invalid (unknown action, unknown rule or category).
    Policy(String),
    /// The policy needs a key (hash action) and none was given.
    MissingKey(String),
    /// A key was given but is unusable.
    Key(String),
    /// A rule's own examples or counterexamples do not behave as declared.
    Example(String),
    /// The requested matching engine is unknown, not compiled in, or cannot run here.
    Engine(String),
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Error {
        Error { kind, origin: None }
    }

    pub(crate) fn rule(id: &str, problem: impl Into<String>) -> Error {
        Error::new(ErrorKind::Rule {
            id: id.to_string(),
            problem: problem.into(),
        })
    }

    /// Attaches where the error happened (a file name), unless already known.
    pub(crate) fn at(mut self, origin: &str) -> Error {
        if self.origin.is_none() {
            self.origin = Some(origin.to_string());
        }
        self
    }

    /// The kind of this error.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The file the error comes from, when known.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ref origin) = self.origin {
            write!(f, "{origin}: ")?;
        }
        self.kind.fmt(f)
    }
}

impl fmt::Display for ErrorKind {
    /// The error without where it happened.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ErrorKind::Parse(ref msg) => write!(f, "{msg}"),
            ErrorKind::Rule {
                ref id,
                ref problem,
            } => write!(f, "rule '{id}': {problem}"),
            ErrorKind::Policy(ref msg) => write!(f, "policy: {msg}"),
            ErrorKind::MissingKey(ref msg) => write!(f, "missing key: {msg}"),
            ErrorKind::Key(ref msg) => write!(f, "key: {msg}"),
            ErrorKind::Example(ref msg) => write!(f, "{msg}"),
            ErrorKind::Engine(ref msg) => write!(f, "engine: {msg}"),
        }
    }
}

impl std::error::Error for Error {}
