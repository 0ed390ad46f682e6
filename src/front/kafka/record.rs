//! One record's value, redacted: as one JSON document or as text.
//!
//! A value is one event: a log line, a JSON document (one line or pretty-printed), or a
//! larger blob. With [`Format::Json`] (or [`Format::Auto`] and a value starting with `{` or
//! `[`), the value is redacted as one document by [`JsonRedactor::redact_document`]; one
//! that is not valid JSON, or is longer than [`MAX_LINE`], is redacted as text instead, never
//! passed raw, and counted by its [`Mode`]. Text goes through the redactor's stream: a short
//! value in one round, a longer one fed in [`CHUNK`]-byte pieces, so the redaction's own
//! memory stays bounded whatever the value's size (the value and its redacted copy are the
//! only buffers that grow with it).
//!
//! Each value is redacted on its own: nothing carries over from one record to the next, so
//! the same record gives the same output on every instance and on every redelivery. The
//! `placeholder` action numbers values per record.

use crate::finding::{ActionKind, Finding};
use crate::json::{Format, JsonOptions, JsonRedactor, JsonScratch, MAX_LINE};
use crate::placeholder::Vault;
use crate::redactor::Redactor;
use crate::stream::StreamRedactor;

/// Text values longer than this are fed to the stream in pieces of this size.
pub(crate) const CHUNK: usize = 64 * 1024;

/// How a value was redacted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Mode {
    /// As one JSON document.
    Json,
    /// As text, by choice (`text` format, or `auto` and not starting like JSON).
    Text,
    /// Tried as JSON, not valid JSON (or nested too deep): as text.
    InvalidJson,
    /// Tried as JSON, longer than [`MAX_LINE`]: streamed as text.
    TooLong,
}

impl Mode {
    /// The name used in metrics.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Mode::Json => "json",
            Mode::Text => "text",
            Mode::InvalidJson => "invalid_json",
            Mode::TooLong => "too_long",
        }
    }
}

/// What redacting one value found.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub findings: Vec<Finding>,
    /// A finding's action is `drop`: the record is not written.
    pub drop: bool,
    pub mode: Mode,
}

/// Redacts record values; one per connector (it keeps the scratch of the last value).
pub(crate) struct RecordRedactor {
    json: JsonRedactor,
    format: Format,
    scratch: Option<JsonScratch>,
    text: StreamRedactor,
    placeholders: bool,
    #[cfg(feature = "testkit")]
    pub(crate) fail_on: Option<Vec<u8>>,
}

impl RecordRedactor {
    pub(crate) fn new(redactor: Redactor, format: Format, options: JsonOptions) -> RecordRedactor {
        let json = JsonRedactor::new(redactor, options);
        RecordRedactor {
            scratch: (format != Format::Text).then(|| json.scratch()),
            text: json.redactor().stream(),
            placeholders: json.redactor().inner.has_placeholder,
            format,
            json,
            #[cfg(feature = "testkit")]
            fail_on: None,
        }
    }

    /// Redacts `value`, appending the result to `out`.
    ///
    /// # Panics
    ///
    /// Never by design; the connector still runs it under `catch_unwind`, so that a bug
    /// stops the connector instead of forwarding the record.
    pub(crate) fn redact(&mut self, value: &[u8], out: &mut Vec<u8>) -> Outcome {
        #[cfg(feature = "testkit")]
        if let Some(ref needle) = self.fail_on {
            if memchr::memmem::find(value, needle).is_some() {
                panic!("blackbar: injected redaction failure");
            }
        }
        if self.placeholders {
            self.text.set_vault(Vault::default());
            if let Some(ref mut s) = self.scratch {
                s.set_vault(Vault::default());
            }
        }
        let mut mode = Mode::Text;
        if let (true, Some(scratch)) = (self.format.tries_json(value), self.scratch.as_mut()) {
            if value.len() > MAX_LINE {
                mode = Mode::TooLong;
            } else {
                match self.json.redact_document(scratch, value, out) {
                    Ok(findings) => return outcome(findings, Mode::Json),
                    Err(_) => mode = Mode::InvalidJson,
                }
            }
        }
        let redactor = self.json.redactor();
        let findings = if value.len() <= CHUNK {
            redactor.redact_with(&mut self.text, value, out)
        } else {
            self.text.reset();
            for piece in value.chunks(CHUNK) {
                self.text.feed(piece, out);
            }
            self.text.finish(out);
            self.text.take_findings()
        };
        outcome(findings, mode)
    }
}

fn outcome(findings: Vec<Finding>, mode: Mode) -> Outcome {
    Outcome {
        drop: findings.iter().any(|f| f.action == ActionKind::Drop),
        findings,
        mode,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, Policy};

    fn records(format: Format) -> RecordRedactor {
        let r = Redactor::builder().build().unwrap();
        RecordRedactor::new(r, format, JsonOptions::default())
    }

    fn redact(r: &mut RecordRedactor, value: &[u8]) -> (String, Outcome) {
        let mut out = vec![];
        let o = r.redact(value, &mut out);
        (String::from_utf8(out).unwrap(), o)
    }

    #[test]
    fn json_documents_text_and_fallbacks() {
        let mut r = records(Format::Auto);
        let doc = b"{\n  \"to\": \"bob@example.com\",\n  \"n\": 1.50,\n  \"password\": 7\n}";
        let (out, o) = redact(&mut r, doc);
        assert_eq!(
            out,
            "{\n  \"to\": \"[EMAIL]\",\n  \"n\": 1.50,\n  \"password\": \"[REDACTED]\"\n}"
        );
        assert_eq!((o.mode, o.findings.len(), o.drop), (Mode::Json, 2, false));
        let (out, o) = redact(&mut r, b"{\"to\": \"bob@example.com\"");
        assert_eq!(out, "{\"to\": \"[EMAIL]\"");
        assert_eq!(o.mode, Mode::InvalidJson);
        let (out, o) = redact(&mut r, b"plain bob@example.com");
        assert_eq!((out.as_str(), o.mode), ("plain [EMAIL]", Mode::Text));
        let mut text = records(Format::Text);
        let (out, o) = redact(&mut text, b"{\"password\": \"hunter22\"}");
        assert_eq!(o.mode, Mode::Text);
        assert!(!out.contains("[REDACTED]"), "{out}");
    }

    #[test]
    fn large_values_stream_with_the_one_shot_output() {
        let mut line = Vec::new();
        let mut i = 0;
        while line.len() < 5 * CHUNK + 123 {
            line.extend_from_slice(
                format!("k{i}=user{i}@example.com card 4111 1111 1111 1111 ").as_bytes(),
            );
            i += 1;
        }
        let r = Redactor::builder().build().unwrap();
        let whole = r.redact(&line);
        let mut rec = records(Format::Text);
        let mut out = vec![];
        let o = rec.redact(&line, &mut out);
        assert_eq!(out, whole.output);
        assert_eq!(o.findings.len(), whole.findings.len());
        // Tried as JSON and too long: streamed as text, still redacted.
        let mut json = records(Format::Json);
        let mut big = b"[\"".to_vec();
        big.extend_from_slice(&line);
        big.resize(MAX_LINE + 10, b' ');
        out.clear();
        let o = json.redact(&big, &mut out);
        assert_eq!(o.mode, Mode::TooLong);
        assert!(!out.windows(16).any(|w| w == b"user1@example.co"));
    }

    #[test]
    fn drop_and_per_record_placeholders() {
        let mut policy = Policy::default();
        policy
            .set_action("secret", Action::Drop)
            .set_action("pii", Action::Placeholder);
        let r = Redactor::builder().policy(policy).build().unwrap();
        let mut rec = RecordRedactor::new(r, Format::Auto, JsonOptions::default());
        let (_, o) = redact(&mut rec, b"key AKIAQ3EGRZ4XWMJ7VN2K");
        assert!(o.drop);
        let (_, o) = redact(&mut rec, b"{\"k\":\"AKIAQ3EGRZ4XWMJ7VN2K\"}");
        assert!(o.drop);
        // Every record numbers its own values: a redelivered record reads the same.
        for _ in 0..2 {
            let (out, _) = redact(&mut rec, b"a@example.com b@example.com");
            assert_eq!(out, "[EMAIL_1] [EMAIL_2]");
            let (out, _) = redact(&mut rec, b"{\"m\":\"b@example.com\"}");
            assert_eq!(out, "{\"m\":\"[EMAIL_1]\"}");
        }
    }
}
