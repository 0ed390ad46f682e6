//! Requests and answers on the wire: hop-by-hop headers, and request bodies read within a
//! size limit and decoded (gzip, deflate, br), the same for every HTTP front end.

use std::io::Read;

use http::header::{self, HeaderMap};

use crate::finding::Finding;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

/// Headers that describe one connection or one encoding, not the message: never forwarded.
const HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "content-encoding",
    "accept-encoding",
];

/// Copies the end-to-end headers of `from` to `to`.
pub(crate) fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (name, value) in from {
        if !HOP.contains(&name.as_str()) {
            to.append(name.clone(), value.clone());
        }
    }
}

/// The message of a request refused by a `block` action: what was found (rules and
/// categories, never values). `what` names the request, `then` ends the sentence.
pub(crate) fn block_message<'f>(
    found: impl Iterator<Item = &'f Finding>,
    what: &str,
    then: &str,
) -> String {
    let mut names: Vec<String> = found
        .map(|f| format!("{} '{}' ({})", f.category, f.rule_id, f.label))
        .collect();
    names.sort();
    names.dedup();
    format!(
        "blackbar: {what} blocked by policy: it contains {}{then}",
        names.join(", ")
    )
}

/// Reads a request body of at most `max` bytes and decodes it per its `Content-Encoding`
/// (to at most `max` bytes too).
pub(crate) async fn read_body(
    headers: &HeaderMap,
    body: Incoming,
    max: usize,
) -> Result<Vec<u8>, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(BodyError::TooLarge);
    }
    let raw = match Limited::new(body, max).collect().await {
        Ok(c) => c.to_bytes().to_vec(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return Err(BodyError::TooLarge),
        Err(_) => return Err(BodyError::Unreadable),
    };
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("unknown"));
    decode(encoding, raw, max)
}

/// Why a body is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Larger than the limit (before or after decoding): 413.
    TooLarge,
    /// An encoding we do not know, or a body that does not decode: 400.
    Encoding(String),
    /// The body could not be read (the client went away mid-body): 400.
    Unreadable,
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
