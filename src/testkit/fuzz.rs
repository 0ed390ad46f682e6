//! Fuzz entry points: each takes arbitrary bytes, runs one parser or stage on them and panics
//! when its invariant breaks, not only when it crashes. The cargo-fuzz targets in `fuzz/`
//! are one-line wrappers around these functions, and `tests/fuzz_seeds.rs` runs every
//! committed seed and regression input through them on the stable toolchain.
//!
//! The first byte of an input is a *seed* that picks chunk sizes or modes, so any input is a
//! complete reproduction.

use std::sync::OnceLock;

use crate::redactor::Redactor;

/// Splits `input` into pieces of 1 to 97 bytes chosen by `seed` (the same sizes as the
/// chunking targets).
pub fn pieces(seed: u8, input: &[u8]) -> Vec<&[u8]> {
    let mut out = vec![];
    let mut rest = input;
    let mut k = u32::from(seed);
    while !rest.is_empty() {
        k = k.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = (1 + (k >> 16) as usize % 97).min(rest.len());
        out.push(&rest[..n]);
        rest = &rest[n..];
    }
    out
}

fn split(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(&s, rest)| (s, rest))
}

/// The default redactor (decoders on), built once.
fn default_redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(|| {
        Redactor::builder()
            .build()
            .expect("the default catalog builds")
    })
}

/// Streams `input` through a fresh stream of `r` in `seed`'s pieces; returns the output and
/// the findings.
pub fn streamed(r: &Redactor, seed: u8, input: &[u8]) -> (Vec<u8>, Vec<crate::Finding>) {
    let mut s = r.stream();
    let mut out = vec![];
    for p in pieces(seed, input) {
        s.feed(p, &mut out);
    }
    s.finish(&mut out);
    (out, s.take_findings())
}

/// Findings in a canonical order (the same span may come out in another order when
/// streamed; the set must be the same).
pub fn sorted(mut v: Vec<crate::Finding>) -> Vec<crate::Finding> {
    v.sort_by_key(|f| (f.span.start, f.span.end, f.rule));
    v
}

/// The decoders' stage: the input followed by its own base64 and percent encodings, so the
/// decoders have something to decode. Invariant: the output and findings are the same for
/// any chunking, and equal to [`Redactor::redact`]'s.
pub fn decode_stream(data: &[u8]) {
    let Some((seed, body)) = split(data) else {
        return;
    };
    let mut input = body.to_vec();
    input.extend_from_slice(b" b64=");
    base64(body, &mut input);
    input.extend_from_slice(b"\nq=");
    for &b in body {
        match b.is_ascii_alphanumeric() {
            true => input.push(b),
            false => input.extend_from_slice(format!("%{b:02X}").as_bytes()),
        }
    }
    input.push(b'\n');
    let r = default_redactor();
    let whole = r.redact(&input);
    let (out, findings) = streamed(r, seed, &input);
    assert_eq!(out, whole.output, "chunked output differs from one-shot");
    assert_eq!(sorted(findings), sorted(whole.findings));
}

/// Standard base64 with padding.
fn base64(bytes: &[u8], out: &mut Vec<u8>) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            match i <= group.len() {
                true => out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]),
                false => out.push(b'='),
            }
        }
    }
}

/// The ordered parallel pipeline. Invariant: for any thread count (1 to 4), chunk size and
/// feeding, the output and findings are one stream's.
pub fn parallel(data: &[u8]) {
    let Some((seed, input)) = split(data) else {
        return;
    };
    let r = default_redactor();
    let (want, want_findings) = streamed(r, 0, input);
    let threads = 1 + usize::from(seed % 4);
    let chunk = 1 + usize::from(seed / 4) * 3;
    let mut p = r.parallel(threads).with_chunk_size(chunk);
    let mut out = vec![];
    for (i, piece) in pieces(seed, input).into_iter().enumerate() {
        p.feed(piece, &mut out);
        if i % 7 == 3 {
            p.flush(&mut out);
        }
    }
    p.finish(&mut out);
    assert_eq!(out, want, "parallel output differs from one stream's");
    assert_eq!(p.take_findings(), want_findings);
}

/// Rule and policy files. Invariant: loading never panics; a rule file that loads has only
/// rules with a bounded, non-zero maximum match length, builds a redactor alone, and that
/// redactor's stream gives the one-shot output on the rules' own examples.
pub fn rules_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = crate::Policy::from_toml(text, "fuzz.toml");
    let Ok(rules) = crate::rules::parse_rules(text, "fuzz.toml") else {
        return;
    };
    for rule in &rules {
        assert!(
            rule.max_len() > 0 && rule.max_len() <= crate::rules::MAX_RULE_LEN,
            "rule {} loaded with max length {}",
            rule.id(),
            rule.max_len()
        );
    }
    let Ok(r) = Redactor::builder()
        .without_default_catalog()
        .rule_source("fuzz.toml", text)
        .build()
    else {
        return;
    };
    for rule in &rules {
        for example in rule.examples() {
            let whole = r.redact(example.as_bytes());
            let (out, _) = streamed(&r, example.len() as u8, example.as_bytes());
            assert_eq!(out, whole.output);
        }
    }
}

#[cfg(feature = "proxy")]
mod proxy {
    use std::sync::OnceLock;

    use crate::json::{JsonOptions, JsonRedactor, SensitiveKeys};
    use crate::placeholder::Vault;
    use crate::proxy::{self, request, sse};
    use crate::redactor::Redactor;

    /// The proxy's request redactor and its JSON mode, as `blackbar proxy` builds them.
    fn request_side() -> &'static (Redactor, JsonRedactor) {
        static R: OnceLock<(Redactor, JsonRedactor)> = OnceLock::new();
        R.get_or_init(|| {
            let (request, _) = proxy::redactors(Redactor::builder(), &crate::Policy::default())
                .expect("the proxy's redactors build");
            let opts = JsonOptions {
                keys: SensitiveKeys::none(),
                scan_keys: false,
                max_depth: 256,
            };
            (request.clone(), JsonRedactor::new(request, opts))
        })
    }

    /// Server-sent events. Invariant: the events (raw bytes and fields) and the error are the
    /// same for any chunking; every event's raw bytes end with its blank line.
    pub fn sse(data: &[u8]) {
        let Some((seed, input)) = super::split(data) else {
            return;
        };
        let parse = |pieces: Vec<&[u8]>| {
            let mut p = sse::Parser::default();
            let mut events = vec![];
            for piece in pieces {
                p.push(piece, &mut events)?;
            }
            p.finish(&mut events).map(|()| events)
        };
        let whole = parse(vec![input]);
        let chunked = parse(super::pieces(seed, input));
        match (whole, chunked) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.len(), b.len());
                for (a, b) in a.iter().zip(&b) {
                    assert_eq!(
                        (&a.raw, &a.event, &a.data, &a.id),
                        (&b.raw, &b.event, &b.data, &b.id)
                    );
                    assert!(
                        a.raw.ends_with(b"\n\n")
                            || a.raw.ends_with(b"\r\n\r\n")
                            || a.raw.ends_with(b"\n\r\n")
                            || a.raw.ends_with(b"\r\n\n")
                    );
                }
            }
            (Err(a), Err(b)) => assert_eq!(a, b),
            (a, b) => panic!("one-shot {:?} but chunked {:?}", a.is_ok(), b.is_ok()),
        }
    }

    /// A request body. Invariant: a body the JSON mode accepts comes out as valid JSON, and
    /// restoring its placeholders (in any chunking) gives back the same JSON value.
    pub fn request_body(data: &[u8]) {
        let Some((seed, body)) = super::split(data) else {
            return;
        };
        let (_, json) = request_side();
        let mut scratch = json.scratch();
        let vault = Vault::default();
        vault.observe(body);
        let Ok(redacted) = request::redact_json(json, &mut scratch, body, vault) else {
            return;
        };
        let Ok(original) = serde_json::from_slice::<serde_json::Value>(body) else {
            // Input only the JSON mode accepts (a lone surrogate escape) is not compared.
            return;
        };
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&redacted.body) {
            panic!("the redacted body is not JSON: {e}");
        }
        let mut restorer = redacted.vault.json_restorer();
        let mut restored = vec![];
        for piece in super::pieces(seed, &redacted.body) {
            restorer.feed(piece, &mut restored);
        }
        restorer.finish(&mut restored);
        let restored: serde_json::Value =
            serde_json::from_slice(&restored).expect("the restored body is JSON");
        assert_eq!(
            restored, original,
            "placeholders did not restore the request"
        );
    }

    /// The placeholder restorer. Invariant: text redacted with placeholders and restored in
    /// any chunking is the original text, byte for byte.
    pub fn restorer(data: &[u8]) {
        let Some((seed, text)) = super::split(data) else {
            return;
        };
        let (r, _) = request_side();
        let vault = Vault::default();
        vault.observe(text);
        let mut stream = r.stream();
        stream.set_vault(vault.clone());
        let mut redacted = vec![];
        stream.feed(text, &mut redacted);
        stream.finish(&mut redacted);
        let mut restorer = vault.restorer();
        let mut restored = vec![];
        for piece in super::pieces(seed, &redacted) {
            restorer.feed(piece, &mut restored);
        }
        restorer.finish(&mut restored);
        assert_eq!(restored, text, "placeholders did not restore the text");
    }
}

#[cfg(feature = "proxy")]
pub use self::proxy::{request_body, restorer, sse};

/// An OTLP export request (the first byte's low bits pick logs or traces, protobuf or
/// JSON). Invariant: a request the hop accepts comes out as a request it accepts again, and
/// redacting that again changes nothing that is not already a label.
#[cfg(feature = "otlp")]
pub fn otlp(data: &[u8]) {
    use crate::otlp::{Encoding, OtlpRedactor, Signal};
    static R: OnceLock<OtlpRedactor> = OnceLock::new();
    let Some((seed, body)) = split(data) else {
        return;
    };
    let r = R.get_or_init(|| OtlpRedactor::new(default_redactor().clone(), Default::default()));
    let signal = match seed & 1 {
        0 => Signal::Logs,
        _ => Signal::Traces,
    };
    let encoding = match seed & 2 {
        0 => Encoding::Protobuf,
        _ => Encoding::Json,
    };
    let mut scratch = r.scratch();
    let mut out = vec![];
    if r.redact(&mut scratch, signal, encoding, body, &mut out)
        .is_err()
    {
        assert!(out.is_empty(), "a refused request left output");
        return;
    }
    let mut again = vec![];
    if let Err(e) = r.redact(&mut scratch, signal, encoding, &out, &mut again) {
        panic!("the hop's own output is refused: {e:?}");
    }
}

/// A Kafka record's value through the connector's record path (`kafka/record.rs`): the key,
/// the headers and the timestamp are copied unchanged by design, so the value is what is
/// fuzzed. The first byte picks the format (text, JSON, auto) and the policy (the default, or
/// placeholders, numbered per record). Invariants:
///
/// * deterministic and independent: the same value gives the same output, mode and findings
///   after another record went through;
/// * a value serde_json accepts, redacted as a JSON document, comes out as JSON;
/// * as text with the default policy, the output is the one-shot redaction of the value;
/// * a planted key (in a JSON array around the value, or on a line of its own) never comes out
///   raw, whatever the value around it.
pub fn kafka_record(data: &[u8]) {
    use crate::json::{Format, JsonOptions};
    use crate::kafka::record::{Mode, RecordRedactor};
    use crate::{Action, Policy};
    const PLANTED: &str = "AKIAQ3EGRZ4XWMJ7VN2K";
    static PLACEHOLDERS: OnceLock<Redactor> = OnceLock::new();
    let Some((seed, value)) = split(data) else {
        return;
    };
    let format = match seed % 3 {
        0 => Format::Text,
        1 => Format::Json,
        _ => Format::Auto,
    };
    let placeholders = seed & 4 != 0;
    let r = match placeholders {
        false => default_redactor(),
        true => PLACEHOLDERS.get_or_init(|| {
            let mut policy = Policy::default();
            policy
                .set_action("pii", Action::Placeholder)
                .set_action("secret", Action::Placeholder);
            Redactor::builder()
                .policy(policy)
                .build()
                .expect("the default catalog builds")
        }),
    };
    let mut records = RecordRedactor::new(r.clone(), format, JsonOptions::default());
    let mut redact = |value: &[u8]| {
        let mut out = vec![];
        let o = records.redact(value, &mut out);
        (out, o)
    };
    let (first, o1) = redact(value);
    redact(b"{\"other\": \"bob@example.com 4111 1111 1111 1111\"}");
    let (again, o2) = redact(value);
    assert_eq!(first, again, "the same record gave another output");
    assert_eq!((o1.mode, o1.drop), (o2.mode, o2.drop));
    assert_eq!(o1.findings.len(), o2.findings.len());
    let is_json = serde_json::from_slice::<serde_json::Value>(value).is_ok();
    if is_json && o1.mode == Mode::Json {
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&first) {
            panic!("valid JSON in, not JSON out: {e}");
        }
    }
    if o1.mode == Mode::Text && !placeholders {
        assert_eq!(first, r.redact(value).output, "not the one-shot redaction");
    }
    if memchr::memmem::find(value, PLANTED.as_bytes()).is_none() {
        let mut planted = b"[".to_vec();
        planted.extend_from_slice(value);
        planted.extend_from_slice(format!(",\n\"key {PLANTED}\"\n]").as_bytes());
        let (out, _) = redact(&planted);
        assert!(
            memchr::memmem::find(&out, PLANTED.as_bytes()).is_none(),
            "the planted key came out raw"
        );
    }
}
