//! Answers: the output check (secrets and canaries the model produced) and placeholder
//! restoration, for one piece of model text at a time ([`TextStream`], streamed) or for every
//! string of a JSON answer ([`transform_value`], non-streamed).
//!
//! The check runs **before** restoration, on the text the model wrote: a restored value is
//! the user's own and is never flagged, while a secret or canary the model produced by itself
//! is (secrets are labelled, a canary stops the answer). Structural fields (ids, model names,
//! roles, opaque signatures: [`STRUCTURAL`]) are neither checked nor restored. Fields whose
//! string is JSON text ([`JSON_TEXT`]: tool-call arguments) get values JSON-escaped.

use std::sync::Arc;

use serde_json::Value;

use crate::finding::{Category, Finding};
use crate::placeholder::{Restorer, Vault};
use crate::redactor::Redactor;
use crate::stream::StreamRedactor;

/// String fields that are structure or opaque data, not model text.
pub(crate) const STRUCTURAL: &[&str] = &[
    "id",
    "object",
    "model",
    "type",
    "role",
    "status",
    "finish_reason",
    "stop_reason",
    "call_id",
    "tool_call_id",
    "tool_use_id",
    "item_id",
    "system_fingerprint",
    "service_tier",
    "signature",
    "encrypted_content",
    "data",
    "embedding",
    "previous_response_id",
];

/// String fields holding JSON text (tool-call arguments, whole or in pieces).
pub(crate) const JSON_TEXT: &[&str] = &["arguments", "partial_json"];

/// A canary in an answer: the answer must stop. Carries the rule, never the value.
#[derive(Clone, Debug)]
pub(crate) struct CanaryHit {
    pub rule: Arc<str>,
}

/// What every answer of one request is processed with.
#[derive(Clone)]
pub(crate) struct AnswerCtx {
    /// The output check: a redactor that releases eagerly (see [`super::redactors`]).
    pub check: Redactor,
    /// The request's placeholders.
    pub vault: Vault,
}

fn canary(found: &[Finding]) -> Option<CanaryHit> {
    found
        .iter()
        .find(|f| f.category == Category::Canary && f.action.acted_on())
        .map(|f| CanaryHit {
            rule: f.rule_id.clone(),
        })
}

/// One stream of model text (a choice's content, one tool call's arguments, one content
/// block): checked by a stream of the check redactor, which releases every byte no match can
/// still cover (the engine's settle walk), then restored. Only a possible secret, canary or
/// PII value in progress, a possible placeholder ([`Restorer`]) and an incomplete UTF-8
/// character are held.
pub(crate) struct TextStream {
    ctx: AnswerCtx,
    json_text: bool,
    stream: StreamRedactor,
    /// The check's output, on its way to the restorer.
    checked: Vec<u8>,
    restorer: Restorer,
    carry: Vec<u8>,
    finished: bool,
}

impl TextStream {
    pub(crate) fn new(ctx: &AnswerCtx, json_text: bool) -> TextStream {
        TextStream {
            ctx: ctx.clone(),
            json_text,
            stream: ctx.check.stream(),
            checked: vec![],
            restorer: if json_text {
                ctx.vault.json_restorer()
            } else {
                ctx.vault.restorer()
            },
            carry: vec![],
            finished: false,
        }
    }

    /// Takes the next piece; returns the text that is final now.
    pub(crate) fn push(
        &mut self,
        text: &str,
        findings: &mut Vec<Finding>,
    ) -> Result<String, CanaryHit> {
        if self.finished {
            // A provider sent more after the end: a piece of its own.
            return transform_text(&self.ctx, text, self.json_text, findings)
                .map(|o| o.unwrap_or_else(|| text.to_string()));
        }
        self.checked.clear();
        self.stream.feed(text.as_bytes(), &mut self.checked);
        self.release(false, findings)
    }

    /// Ends the stream; returns whatever was held.
    pub(crate) fn finish(&mut self, findings: &mut Vec<Finding>) -> Result<String, CanaryHit> {
        if self.finished {
            return Ok(String::new());
        }
        self.finished = true;
        self.checked.clear();
        self.stream.finish(&mut self.checked);
        self.release(true, findings)
    }

    /// Stops at a canary; otherwise restores the checked text and returns what is complete
    /// UTF-8. A canary's bytes are never in the checked text: it is labelled.
    fn release(&mut self, end: bool, findings: &mut Vec<Finding>) -> Result<String, CanaryHit> {
        let found = self.stream.take_findings();
        let hit = canary(&found);
        findings.extend(found);
        if let Some(hit) = hit {
            return Err(hit);
        }
        let mut out = std::mem::take(&mut self.carry);
        self.restorer.feed(&self.checked, &mut out);
        if end {
            self.restorer.finish(&mut out);
        }
        let keep = if end { out.len() } else { complete_utf8(&out) };
        self.carry = out.split_off(keep);
        Ok(match String::from_utf8(out) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }
}

/// The length of the longest prefix of `b` that does not end inside a UTF-8 character.
fn complete_utf8(b: &[u8]) -> usize {
    for back in 1..=b.len().min(3) {
        let i = b.len() - back;
        let lead = b[i];
        if lead & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back
        }
        let need = match lead {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if back < need { i } else { b.len() };
    }
    b.len()
}

/// Checks and restores one whole string; `None` when it is unchanged.
pub(crate) fn transform_text(
    ctx: &AnswerCtx,
    text: &str,
    json_text: bool,
    findings: &mut Vec<Finding>,
) -> Result<Option<String>, CanaryHit> {
    let checked = ctx.check.redact(text.as_bytes());
    if let Some(hit) = canary(&checked.findings) {
        findings.extend(checked.findings);
        return Err(hit);
    }
    findings.extend(checked.findings);
    if memchr::memchr(b'[', &checked.output).is_none() && checked.output == text.as_bytes() {
        return Ok(None);
    }
    let mut r = if json_text {
        ctx.vault.json_restorer()
    } else {
        ctx.vault.restorer()
    };
    let mut out = Vec::with_capacity(checked.output.len());
    r.feed(&checked.output, &mut out);
    r.finish(&mut out);
    if out == text.as_bytes() {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&out).into_owned()))
}

/// Checks and restores every string of a JSON answer in place, except structural fields.
/// Returns whether anything changed.
pub(crate) fn transform_value(
    ctx: &AnswerCtx,
    v: &mut Value,
    findings: &mut Vec<Finding>,
) -> Result<bool, CanaryHit> {
    walk(ctx, v, None, findings)
}

fn walk(
    ctx: &AnswerCtx,
    v: &mut Value,
    key: Option<&str>,
    findings: &mut Vec<Finding>,
) -> Result<bool, CanaryHit> {
    match v {
        Value::String(s) => {
            if key.is_some_and(|k| STRUCTURAL.contains(&k)) {
                return Ok(false);
            }
            let json_text = key.is_some_and(|k| JSON_TEXT.contains(&k));
            match transform_text(ctx, s, json_text, findings)? {
                Some(new) => {
                    *s = new;
                    Ok(true)
                }
                None => Ok(false),
            }
        }
        Value::Array(items) => {
            let mut changed = false;
            for item in items {
                changed |= walk(ctx, item, key, findings)?;
            }
            Ok(changed)
        }
        Value::Object(map) => {
            let mut changed = false;
            for (k, item) in map.iter_mut() {
                changed |= walk(ctx, item, Some(k), findings)?;
            }
            Ok(changed)
        }
        _ => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_boundaries() {
        let s = "aé€😀".as_bytes();
        for n in 0..=s.len() {
            let cut = complete_utf8(&s[..n]);
            assert!(std::str::from_utf8(&s[..cut]).is_ok(), "{n}");
            assert!(n - cut < 4);
        }
        assert_eq!(complete_utf8(s), s.len());
    }
}
