//! Requests: redaction of every string value with a fresh placeholder vault (bodies are
//! read and decoded by the HTTP front ends' shared code, `crate::net`).

use crate::finding::ActionKind;
use crate::finding::Finding;
use crate::json::{JsonRedactor, JsonScratch};
use crate::placeholder::Vault;
use crate::redactor::Redactor;

/// A redacted request body and what it needs for the answer.
pub(crate) struct Redacted {
    pub body: Vec<u8>,
    pub vault: Vault,
    pub findings: Vec<Finding>,
}

impl Redacted {
    /// The findings whose action is `block`.
    pub(crate) fn blocking(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.action == ActionKind::Block)
    }
}

/// Redacts every string value of a JSON body with `vault` (fresh, or a conversation's).
/// `Err` when it is not JSON.
pub(crate) fn redact_json(
    json: &JsonRedactor,
    scratch: &mut JsonScratch,
    body: &[u8],
    vault: Vault,
) -> Result<Redacted, crate::json::Invalid> {
    scratch.set_vault(vault.clone());
    let mut out = Vec::with_capacity(body.len() + body.len() / 8);
    let findings = json.redact_document(scratch, body, &mut out)?;
    Ok(Redacted {
        body: out,
        vault,
        findings,
    })
}

/// Redacts a body as text (paths other than the known APIs, when forwarded).
pub(crate) fn redact_text(redactor: &Redactor, body: &[u8]) -> Redacted {
    let vault = Vault::default();
    let mut stream = redactor.stream();
    stream.set_vault(vault.clone());
    let mut out = Vec::with_capacity(body.len());
    stream.feed(body, &mut out);
    stream.finish(&mut out);
    Redacted {
        body: out,
        vault,
        findings: stream.take_findings(),
    }
}
