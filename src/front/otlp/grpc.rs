//! gRPC on the wire, as far as a unary OTLP export needs it: the length-prefixed message
//! (with `grpc-encoding: gzip` compression), the services' paths, and answers that carry
//! only a status.

use std::io::{Read, Write};

use http::header::{HeaderValue, CONTENT_TYPE};
use http::{HeaderMap, Response};

use super::redact::Signal;
use crate::net::ProxyBody;

/// gRPC status codes the hop answers with.
pub(crate) const INVALID_ARGUMENT: u32 = 3;
pub(crate) const DEADLINE_EXCEEDED: u32 = 4;
pub(crate) const RESOURCE_EXHAUSTED: u32 = 8;
pub(crate) const UNIMPLEMENTED: u32 = 12;
pub(crate) const UNAVAILABLE: u32 = 14;

/// The signal of an export method's path.
pub(crate) fn signal(path: &str) -> Option<Signal> {
    Some(match path {
        "/opentelemetry.proto.collector.logs.v1.LogsService/Export" => Signal::Logs,
        "/opentelemetry.proto.collector.trace.v1.TraceService/Export" => Signal::Traces,
        "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export" => Signal::Metrics,
        _ => return None,
    })
}

/// Why a gRPC request body is refused.
pub(crate) struct Refusal {
    pub code: u32,
    pub message: String,
}

fn refuse(code: u32, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

/// The one message of a unary call's body, decompressed (at most `max` bytes), and whether
/// it was compressed.
pub(crate) fn unframe(
    body: &[u8],
    encoding: Option<&str>,
    max: usize,
) -> Result<(Vec<u8>, bool), Refusal> {
    let bad = |why: &str| refuse(INVALID_ARGUMENT, format!("blackbar: {why}"));
    if body.len() < 5 {
        return Err(bad("the request is not a gRPC message"));
    }
    let len = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
    if body.len() - 5 != len {
        return Err(bad(
            "the request must hold exactly one length-prefixed gRPC message",
        ));
    }
    let message = &body[5..];
    match (body[0], encoding.unwrap_or("identity")) {
        (0, _) => Ok((message.to_vec(), false)),
        (1, "gzip") => {
            let mut out = vec![];
            flate2::read::GzDecoder::new(message)
                .take(max as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|_| bad("the message is not valid gzip"))?;
            if out.len() > max {
                return Err(refuse(
                    RESOURCE_EXHAUSTED,
                    format!("blackbar: the message is larger than {max} bytes"),
                ));
            }
            Ok((out, true))
        }
        (1, "identity") => Err(bad("a compressed message without grpc-encoding")),
        (1, other) => Err(refuse(
            UNIMPLEMENTED,
            format!("blackbar: grpc-encoding {other} is not supported (gzip is)"),
        )),
        _ => Err(bad("the message's compressed flag is neither 0 nor 1")),
    }
}

/// `message` as a gRPC body, gzip-compressed when `compress`.
pub(crate) fn frame(message: &[u8], compress: bool) -> Vec<u8> {
    let payload = if compress {
        let mut gz = flate2::write::GzEncoder::new(
            Vec::with_capacity(message.len() / 2),
            flate2::Compression::fast(),
        );
        gz.write_all(message).expect("writing to memory");
        gz.finish().expect("writing to memory")
    } else {
        message.to_vec()
    };
    let mut out = Vec::with_capacity(payload.len() + 5);
    out.push(u8::from(compress));
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(&payload);
    out
}

/// A trailers-only answer with `code` and `message`.
pub(crate) fn status(code: u32, message: &str) -> Response<ProxyBody> {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    headers.insert("grpc-status", HeaderValue::from(code));
    if let Ok(v) = HeaderValue::from_str(&percent_encode(message)) {
        headers.insert("grpc-message", v);
    }
    if code == UNIMPLEMENTED {
        headers.insert("grpc-accept-encoding", HeaderValue::from_static("gzip"));
    }
    let mut resp = Response::new(ProxyBody::Full(None));
    *resp.headers_mut() = headers;
    resp
}

/// `grpc-message`'s percent-encoding: printable ASCII except `%` stays.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if (0x20..0x7f).contains(&b) && b != b'%' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        for compress in [false, true] {
            let framed = frame(b"hello otlp", compress);
            let enc = compress.then_some("gzip");
            let (msg, was) = unframe(&framed, enc, 100).ok().unwrap();
            assert_eq!((msg.as_slice(), was), (&b"hello otlp"[..], compress));
        }
        assert!(unframe(b"\0\0\0\0\x05abc", None, 100).is_err());
        assert!(unframe(b"\x02\0\0\0\x01a", None, 100).is_err());
        let r = unframe(&frame(b"x", true), Some("zstd"), 100)
            .err()
            .unwrap();
        assert_eq!(r.code, UNIMPLEMENTED);
        assert_eq!(percent_encode("a%b\né"), "a%25b%0A%C3%A9");
    }
}
