//! The connector's configuration: brokers, group, topics, timings, the record format, and
//! the librdkafka properties of a `--kafka-config` file.
//!
//! Properties are checked when they are parsed: a property that blackbar sets itself is
//! refused with the reason, and a value never appears in an error or in `Debug` (a file may
//! hold `sasl.password`). librdkafka then checks names and values when the clients are made
//! ([`super::Connector::new`]).

use std::fmt;
use std::path::Path;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind};
use crate::json::{Format, JsonOptions};

/// Where the connector reads and writes, and how.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct KafkaConfig {
    /// The bootstrap brokers, `HOST:PORT[,HOST:PORT...]`.
    pub brokers: String,
    /// The consumer group: instances with the same group split the input's partitions.
    pub group: String,
    /// The topic of raw records.
    pub input_topic: String,
    /// The topic the redacted records are written to.
    pub output_topic: String,
    /// How a record's value is read: plain text, one JSON document, or JSON when it looks
    /// like it ([`Format`]).
    pub format: Format,
    /// How JSON records are redacted.
    pub json: JsonOptions,
    /// librdkafka properties (security, SASL, TLS, tuning).
    pub properties: Properties,
    /// How often acknowledged offsets are committed (default 1 s).
    pub commit_interval: Duration,
    /// How long in-flight records may take to be acknowledged when partitions are given up
    /// or the connector stops (default 30 s).
    pub grace: Duration,
    /// How long the start-up check waits for the brokers (default 10 s).
    pub connect_timeout: Duration,
}

impl KafkaConfig {
    /// A configuration with the defaults: text records, no extra properties.
    pub fn new(brokers: &str, group: &str, input_topic: &str, output_topic: &str) -> KafkaConfig {
        KafkaConfig {
            brokers: brokers.to_string(),
            group: group.to_string(),
            input_topic: input_topic.to_string(),
            output_topic: output_topic.to_string(),
            format: Format::Text,
            json: JsonOptions::default(),
            properties: Properties::default(),
            commit_interval: Duration::from_secs(1),
            grace: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// Which client a property is for: a plain key is for both, `consumer.KEY` and
/// `producer.KEY` for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    Both,
    Consumer,
    Producer,
}

struct Property {
    scope: Scope,
    key: String,
    value: Zeroizing<String>,
}

/// librdkafka properties, from `key=value` lines ([`Properties::parse`]) or set one by one.
///
/// A key applies to both clients; `consumer.KEY=...` or `producer.KEY=...` applies to one
/// (e.g. `producer.compression.type=zstd`). Values may name environment variables,
/// `${NAME}`, so that secrets come from the environment rather than the file. `Debug` shows
/// the keys only.
#[derive(Default)]
pub struct Properties {
    entries: Vec<Property>,
}

impl Clone for Properties {
    fn clone(&self) -> Properties {
        Properties {
            entries: self
                .entries
                .iter()
                .map(|p| Property {
                    scope: p.scope,
                    key: p.key.clone(),
                    value: p.value.clone(),
                })
                .collect(),
        }
    }
}

impl fmt::Debug for Properties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|p| match p.scope {
                Scope::Both => p.key.clone(),
                Scope::Consumer => format!("consumer.{}", p.key),
                Scope::Producer => format!("producer.{}", p.key),
            }))
            .finish()
    }
}

/// Properties blackbar sets itself, with the reason a file may not.
const RESERVED: &[(&str, &str)] = &[
    ("bootstrap.servers", "the brokers are given with --brokers"),
    (
        "metadata.broker.list",
        "the brokers are given with --brokers",
    ),
    ("group.id", "the group is given with --group"),
    (
        "enable.auto.commit",
        "blackbar commits an offset only once its redacted record is acknowledged",
    ),
    (
        "enable.auto.offset.store",
        "blackbar commits an offset only once its redacted record is acknowledged",
    ),
    ("transactional.id", "transactions are not supported"),
];

impl Properties {
    /// Parses `key=value` lines; blank lines and lines starting with `#` are skipped, space
    /// around the key and the value is trimmed. `${NAME}` in a value is replaced by the
    /// environment variable `NAME` (looked up with `env`). `origin` names the file in
    /// errors.
    ///
    /// # Errors
    ///
    /// A line without `=`, an empty key, a property blackbar sets itself, or an unset
    /// variable; the error names the file and line, never the value.
    pub fn parse(
        text: &str,
        origin: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Properties, Error> {
        let mut props = Properties::default();
        for (i, line) in text.lines().enumerate() {
            let at = format!("{origin}: line {}", i + 1);
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(parse_error(&at, "expected key=value"));
            };
            let value = expand(value.trim(), &env).map_err(|e| parse_error(&at, &e))?;
            props
                .set(key.trim(), &value)
                .map_err(|e| Error::new(e.kind().clone()).at(&at))?;
        }
        Ok(props)
    }

    /// Reads and parses a file, with variables from the process environment.
    ///
    /// # Errors
    ///
    /// An unreadable file, or what [`Properties::parse`] refuses.
    pub fn read(path: &Path) -> Result<Properties, Error> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| parse_error(&origin, &format!("cannot read: {e}")))?;
        let text = Zeroizing::new(text);
        Properties::parse(&text, &origin, |name| std::env::var(name).ok())
    }

    /// Sets a property (`KEY`, `consumer.KEY` or `producer.KEY`); a later value wins.
    ///
    /// # Errors
    ///
    /// An empty key, or a property blackbar sets itself.
    pub fn set(&mut self, key: &str, value: &str) -> Result<&mut Properties, Error> {
        let (scope, bare) = if let Some(k) = key.strip_prefix("consumer.") {
            (Scope::Consumer, k)
        } else if let Some(k) = key.strip_prefix("producer.") {
            (Scope::Producer, k)
        } else {
            (Scope::Both, key)
        };
        if bare.is_empty() || bare.contains(char::is_whitespace) {
            return Err(parse_error(
                "kafka properties",
                &format!("'{key}' is not a property name"),
            ));
        }
        if let Some((_, why)) = RESERVED.iter().find(|(k, _)| *k == bare) {
            return Err(parse_error(
                "kafka properties",
                &format!("{bare} is set by blackbar: {why}"),
            ));
        }
        self.entries.push(Property {
            scope,
            key: bare.to_string(),
            value: Zeroizing::new(value.to_string()),
        });
        Ok(self)
    }

    /// Adds every property of `other` after ours (so its values win).
    pub fn extend(&mut self, other: Properties) {
        self.entries.extend(other.entries);
    }

    /// The value `key` has for the client `scope` (the last one set), if any.
    pub(crate) fn get(&self, scope: Scope, key: &str) -> Option<&str> {
        self.for_client(scope)
            .filter(|(k, _)| *k == key)
            .last()
            .map(|(_, v)| v)
    }

    /// The properties for one client, in the order set.
    pub(crate) fn for_client(&self, scope: Scope) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .filter(move |p| p.scope == Scope::Both || p.scope == scope)
            .map(|p| (p.key.as_str(), p.value.as_str()))
    }
}

fn parse_error(origin: &str, msg: &str) -> Error {
    Error::new(ErrorKind::Parse(msg.to_string())).at(origin)
}

/// Replaces each `${NAME}` with the variable's value.
fn expand(value: &str, env: &impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| "an unclosed ${ (write ${NAME})".to_string())?;
        let name = &after[..end];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("'${{{name}}}' is not a variable name"));
        }
        let v = env(name).ok_or_else(|| format!("the environment variable {name} is not set"))?;
        out.push_str(&v);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "KAFKA_PASSWORD").then(|| "s3cr3t-pw".to_string())
    }

    #[test]
    fn lines_scopes_and_variables() {
        let text = "# TLS and SASL\n\
                    security.protocol = SASL_SSL\n\
                    sasl.password=${KAFKA_PASSWORD}\n\
                    \n\
                    producer.compression.type=zstd\n\
                    consumer.fetch.max.bytes=1000\n\
                    fetch.max.bytes=2000\n";
        let p = Properties::parse(text, "k.properties", env).unwrap();
        assert_eq!(
            p.get(Scope::Consumer, "security.protocol"),
            Some("SASL_SSL")
        );
        assert_eq!(p.get(Scope::Producer, "sasl.password"), Some("s3cr3t-pw"));
        assert_eq!(p.get(Scope::Producer, "compression.type"), Some("zstd"));
        assert_eq!(p.get(Scope::Consumer, "compression.type"), None);
        assert_eq!(p.get(Scope::Consumer, "fetch.max.bytes"), Some("2000"));
        let debug = format!("{p:?}");
        assert!(
            debug.contains("sasl.password") && !debug.contains("s3cr3t"),
            "{debug}"
        );
        assert!(debug.contains("producer.compression.type"), "{debug}");
    }

    #[test]
    fn errors_name_the_line_never_the_value() {
        let cases = [
            ("a.b\n", "k: line 1: expected key=value"),
            (
                "x=1\ngroup.id=mine\n",
                "k: line 2: group.id is set by blackbar",
            ),
            (
                "consumer.enable.auto.commit=true",
                "enable.auto.commit is set by blackbar",
            ),
            (
                "sasl.password=pre-${MISSING}",
                "k: line 1: the environment variable MISSING is not set",
            ),
            ("sasl.password=${KAFKA_PASSWORD", "an unclosed ${"),
            ("=v", "'' is not a property name"),
        ];
        for (text, want) in cases {
            let e = Properties::parse(text, "k", env).unwrap_err().to_string();
            assert!(e.contains(want), "{text:?}: {e}");
            assert!(!e.contains("pre-") && !e.contains("mine"), "{e}");
        }
    }
}
