//! Requests: body decoding (gzip, deflate, br) within the size limit, and redaction of every
//! string value with a fresh placeholder vault.

use std::io::Read;

use crate::finding::ActionKind;
use crate::finding::Finding;
use crate::json::{JsonRedactor, JsonScratch};
use crate::placeholder::Vault;
use crate::redactor::Redactor;

/// Why a body is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Larger than the limit (before or after decoding): 413.
    TooLarge,
    /// An encoding the proxy does not know, or a body that does not decode: 400.
    Encoding(String),
}

/// Decodes `body` per its `Content-Encoding` (`gzip`, `x-gzip`, `deflate`, `br`, `identity`,
/// or a comma-separated chain of them), refusing output past `max` bytes.
pub(crate) fn decode(
    encoding: Option<&str>,
    body: Vec<u8>,
    max: usize,
) -> Result<Vec<u8>, BodyError> {
    let Some(encoding) = encoding else {
        return Ok(body);
    };
    let mut data = body;
    // Encodings are listed in the order they were applied: undo them last first.
    for enc in encoding.split(',').map(str::trim).rev() {
        let enc = enc.to_ascii_lowercase();
        let reader: Box<dyn Read + '_> = match enc.as_str() {
            "" | "identity" => continue,
            "gzip" | "x-gzip" => Box::new(flate2::read::MultiGzDecoder::new(&data[..])),
            "deflate" => {
                // RFC 9110 deflate is zlib-wrapped; some clients send raw deflate.
                if data.len() >= 2 && (u16::from(data[0]) << 8 | u16::from(data[1])) % 31 == 0 {
                    Box::new(flate2::read::ZlibDecoder::new(&data[..]))
                } else {
                    Box::new(flate2::read::DeflateDecoder::new(&data[..]))
                }
            }
            "br" => Box::new(brotli::Decompressor::new(&data[..], 64 * 1024)),
            other => {
                return Err(BodyError::Encoding(format!(
                    "unsupported Content-Encoding '{other}'"
                )))
            }
        };
        let mut out = Vec::with_capacity(data.len() * 4);
        reader
            .take(max as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|_| BodyError::Encoding(format!("the body is not valid {enc}")))?;
        if out.len() > max {
            return Err(BodyError::TooLarge);
        }
        data = out;
    }
    Ok(data)
}

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

/// A message naming what was found (rules and categories, never values).
pub(crate) fn block_message<'f>(found: impl Iterator<Item = &'f Finding>) -> String {
    let mut names: Vec<String> = found
        .map(|f| format!("{} '{}' ({})", f.category, f.rule_id, f.label))
        .collect();
    names.sort();
    names.dedup();
    format!(
        "blackbar: request blocked by policy: it contains {}. Remove it and try again.",
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn decodes_gzip_deflate_br_and_enforces_the_limit() {
        let text = br#"{"a":"hello hello hello hello"}"#.to_vec();
        let mut gz = flate2::write::GzEncoder::new(vec![], flate2::Compression::default());
        gz.write_all(&text).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(decode(Some("gzip"), gz.clone(), 1000).unwrap(), text);
        assert_eq!(decode(Some("gzip"), gz, 10), Err(BodyError::TooLarge));
        let mut z = flate2::write::ZlibEncoder::new(vec![], flate2::Compression::default());
        z.write_all(&text).unwrap();
        assert_eq!(
            decode(Some("deflate"), z.finish().unwrap(), 1000).unwrap(),
            text
        );
        let mut br = vec![];
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
            w.write_all(&text).unwrap();
        }
        assert_eq!(decode(Some("br"), br, 1000).unwrap(), text);
        assert!(matches!(
            decode(Some("zstd"), text.clone(), 1000),
            Err(BodyError::Encoding(_))
        ));
        assert!(matches!(
            decode(Some("gzip"), text, 1000),
            Err(BodyError::Encoding(_))
        ));
    }
}
