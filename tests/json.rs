//! JSON lines mode (issue 4): golden files for real log shapes, chunking independence, and
//! round-trip properties on generated JSON.
//!
//! Golden files live in `tests/data/json/NAME.in.jsonl` and `NAME.out.jsonl`; after a
//! deliberate change, regenerate the outputs with `BLACKBAR_BLESS=1 cargo test --test json`
//! and review the diff.

use blackbar::json::{Format, JsonOptions, JsonRedactor, LineRedactor, SensitiveKeys};
use blackbar::Decoders;
use blackbar::Redactor;
use proptest::prelude::*;

/// The default redactor, compiled once: it is immutable and cheap to clone.
fn redactor() -> Redactor {
    static R: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();
    R.get_or_init(|| Redactor::builder().build().expect("default catalog"))
        .clone()
}

fn json() -> JsonRedactor {
    JsonRedactor::new(redactor(), JsonOptions::default())
}

/// Runs `input` through a line redactor in chunks of `chunk` bytes.
fn run(j: &JsonRedactor, format: Format, input: &[u8], chunk: usize) -> (Vec<u8>, LineRedactor) {
    let mut l = LineRedactor::new(j.clone(), format);
    let mut out = vec![];
    for c in input.chunks(chunk.max(1)) {
        l.feed(c, &mut out);
    }
    l.finish(&mut out);
    (out, l)
}

#[test]
fn golden_files() {
    let dir = format!("{}/tests/data/json", env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("BLACKBAR_BLESS").is_some();
    let j = json();
    for name in ["journald", "docker", "kubernetes", "bunyan", "cloudtrail"] {
        let input = std::fs::read(format!("{dir}/{name}.in.jsonl")).expect("golden input");
        let (out, _) = run(&j, Format::Json, &input, input.len());
        for chunk in [1, 2, 7, 64, 4096] {
            let (again, _) = run(&j, Format::Json, &input, chunk);
            assert!(again == out, "{name}: chunks of {chunk} change the output");
        }
        let path = format!("{dir}/{name}.out.jsonl");
        if bless {
            std::fs::write(&path, &out).expect("write golden output");
            continue;
        }
        let expected = std::fs::read(&path).expect("golden output (BLACKBAR_BLESS=1 writes it)");
        assert!(
            expected == out,
            "{name}: output differs from {path}\n--- expected\n{}\n--- got\n{}",
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(&out)
        );
        // Every line that was valid JSON is still valid JSON.
        for (a, b) in input.split(|&c| c == b'\n').zip(out.split(|&c| c == b'\n')) {
            if serde_json::from_slice::<serde_json::Value>(a).is_ok() {
                serde_json::from_slice::<serde_json::Value>(b)
                    .unwrap_or_else(|e| panic!("{name}: invalid JSON out ({e}): {b:?}"));
            }
        }
    }
}

#[test]
fn invalid_lines_are_redacted_as_text_and_counted() {
    let j = json();
    let input =
        b"{\"a\":\"bob@example.com\"\nnot json bob@example.com\n\x00\xff{\"binary\"\n\n[1,2]\n";
    let (out, l) = run(&j, Format::Json, input, 3);
    assert_eq!(
        out,
        b"{\"a\":\"[EMAIL]\"\nnot json [EMAIL]\n\x00\xff{\"binary\"\n\n[1,2]\n"
    );
    let st = l.stats();
    assert_eq!((st.json, st.invalid, st.text, st.too_long), (1, 3, 1, 0));
}

#[test]
fn too_deep_goes_to_text() {
    let j = JsonRedactor::new(redactor(), JsonOptions::default().max_depth(4));
    let (out, l) = run(
        &j,
        Format::Json,
        b"[[[[[\"bob@example.com\"]]]]]\n[[\"x\"]]\n",
        4096,
    );
    assert_eq!(out, b"[[[[[\"[EMAIL]\"]]]]]\n[[\"x\"]]\n");
    assert_eq!((l.stats().invalid, l.stats().json), (1, 1));
}

#[test]
fn long_lines_stream_as_text_in_bounded_memory() {
    let j = json();
    let mut line = b"{\"m\":\"".to_vec();
    line.extend(std::iter::repeat(b'x').take(5000));
    line.extend_from_slice(b" bob@example.com\"}\n{\"ok\":\"carol@example.com\"}\n");
    let expected = {
        let s = String::from_utf8(line.clone()).unwrap();
        s.replace("bob@example.com", "[EMAIL]")
            .replace("\"carol@example.com\"", "\"[EMAIL]\"")
    };
    for chunk in [1, 100, 4096, 100_000] {
        let mut l = LineRedactor::new(j.clone(), Format::Json).with_max_line(1024);
        let mut out = vec![];
        for c in line.chunks(chunk) {
            l.feed(c, &mut out);
        }
        l.finish(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), expected, "chunk {chunk}");
        assert_eq!((l.stats().too_long, l.stats().json), (1, 1));
    }
}

#[test]
fn auto_mode_keeps_text_runs_whole() {
    // A PEM block dumped over plain lines between JSON lines is still one match.
    let j = json();
    let input = "{\"a\":1}\n-----BEGIN RSA PRIVATE KEY-----\n\
                 MIIEowIBAAKCAQEAx1qZ8sHfJ3kd92Lk0c9s3R7vQ1aB2cD3eF4gH5iJ6kL7mN8oP9qR0sT1uV2wX3yZ4\n\
                 -----END RSA PRIVATE KEY-----\n{\"b\":\"dave@example.com\"}\n";
    let (out, l) = run(&j, Format::Auto, input.as_bytes(), 5);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\"a\":1}\n[PRIVATE_KEY]\n{\"b\":\"[EMAIL]\"}\n"
    );
    assert_eq!(
        (l.stats().json, l.stats().text, l.stats().invalid),
        (2, 3, 0)
    );
}

#[test]
fn escaped_secrets_are_found() {
    let j = json();
    let mut s = j.scratch();
    let cases: &[(&str, &str)] = &[
        (r#"{"m":"alice\u0040example.com"}"#, r#"{"m":"[EMAIL]"}"#),
        (
            r#"{"u":"https:\/\/bob:Xk9mP2vL7qW3@db.example.com\/x"}"#,
            // What text mode gives for the unescaped URL: the host is part of the URL
            // credential's match, not a second value.
            r#"{"u":"https://bob:[URL_PASSWORD]@db.example.com/x"}"#,
        ),
        (
            r#"{"k":"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx1qZ8sHfJ3kd92Lk0c9s3R7vQ1aB2cD3eF4gH5iJ6kL7mN8oP9qR0sT1uV2wX3yZ4\n-----END RSA PRIVATE KEY-----\n"}"#,
            r#"{"k":"[PRIVATE_KEY]\n"}"#,
        ),
        (
            r#"{"m":"\u0041KIAQ3EGRZ4XWMJ7VN2K"}"#,
            r#"{"m":"[AWS_ACCESS_KEY_ID]"}"#,
        ),
    ];
    for (input, expected) in cases {
        let mut out = vec![];
        let found = j
            .redact_document(&mut s, input.as_bytes(), &mut out)
            .expect("valid");
        assert_eq!(String::from_utf8(out).unwrap(), *expected, "{input}");
        assert!(!found.is_empty());
    }
}

#[test]
fn keys_are_scanned_only_when_asked() {
    let doc = br#"{"bob@example.com":"x"}"#;
    let mut out = vec![];
    let j = json();
    j.redact_document(&mut j.scratch(), doc, &mut out).unwrap();
    assert_eq!(out, doc);
    let j = JsonRedactor::new(redactor(), JsonOptions::default().scan_keys(true));
    out.clear();
    j.redact_document(&mut j.scratch(), doc, &mut out).unwrap();
    assert_eq!(out, br#"{"[EMAIL]":"x"}"#);
}

#[test]
fn canary_under_a_sensitive_key_is_reported_as_canary() {
    let r = Redactor::builder()
        .canaries("list", vec![b"decoy-password-771".to_vec()])
        .build()
        .unwrap();
    let j = JsonRedactor::new(r, JsonOptions::default());
    let mut out = vec![];
    let found = j
        .redact_document(
            &mut j.scratch(),
            br#"{"password":"decoy-password-771"}"#,
            &mut out,
        )
        .unwrap();
    assert_eq!(out, br#"{"password":"[REDACTED]"}"#);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].category, blackbar::Category::Canary);
}

#[test]
fn decoders_in_json_strings() {
    let j = json();
    let mut out = vec![];
    // base64("user=frank@example.com") and a percent-encoded email.
    let doc = br#"{"b":"dXNlcj1mcmFua0BleGFtcGxlLmNvbQ==","q":"/x?to=gina%40example.com&y=1","h":"0123456789abcdef0123"}"#;
    j.redact_document(&mut j.scratch(), doc, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        r#"{"b":"[EMAIL]","q":"/x?to=[EMAIL]&y=1","h":"0123456789abcdef0123"}"#
    );
    let off = JsonRedactor::new(
        Redactor::builder()
            .decoders(Decoders::none())
            .build()
            .unwrap(),
        JsonOptions::default(),
    );
    let mut out = vec![];
    off.redact_document(&mut off.scratch(), doc, &mut out)
        .unwrap();
    assert_eq!(out, doc);
}

// ---------------------------------------------------------------------------------------
// Round-trip properties.

/// A JSON value with object keys in order.
#[derive(Clone, Debug, PartialEq)]
enum J {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

const WORDS: &[&str] = &[
    "alpha",
    "beta",
    "order",
    "done",
    "cart",
    "ok",
    "caf\u{e9}",
    "\u{65e5}\u{672c}",
    "a/b",
    "say \"hi\"",
    "back\\slash",
    "line\nbreak",
    "tab\there",
    "x",
    "",
];
const SECRETS: &[&str] = &[
    "alice@example.com",
    "bob.smith@example.org",
    "AKIAQ3EGRZ4XWMJ7VN2K",
    "AKIAIOSFODNN7EXAMPL2",
];
const KEYS: &[&str] = &[
    "msg",
    "level",
    "user",
    "n",
    "data",
    "items",
    "max_tokens",
    "id",
];
const SENSITIVE: &[&str] = &["password", "apiKey", "X-Auth-Token", "set-cookie"];

fn text(with_secrets: bool) -> impl Strategy<Value = String> {
    // An index past the list means no secret.
    let secret = if with_secrets {
        0..SECRETS.len() + 3
    } else {
        SECRETS.len()..SECRETS.len() + 1
    };
    (
        proptest::collection::vec(0..WORDS.len(), 0..4),
        proptest::option::of(secret),
        any::<usize>(),
    )
        .prop_map(|(words, secret, at)| {
            let mut parts: Vec<&str> = words.iter().map(|&w| WORDS[w]).collect();
            if let Some(s) = secret.filter(|&s| s < SECRETS.len()) {
                parts.insert(at % (parts.len() + 1), SECRETS[s]);
            }
            parts.join(" ")
        })
}

fn value(with_secrets: bool) -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        prop_oneof![
            Just("0"),
            Just("-0"),
            Just("1.50"),
            Just("1e3"),
            Just("-2.5E-3"),
            Just("4096"),
            Just("12345678901234567890"),
        ]
        .prop_map(|n| J::Num(n.to_string())),
        text(with_secrets).prop_map(J::Str),
    ];
    let keys: Vec<&str> = if with_secrets {
        KEYS.iter().chain(SENSITIVE).copied().collect()
    } else {
        KEYS.to_vec()
    };
    leaf.prop_recursive(6, 48, 5, move |inner| {
        let keys = keys.clone();
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(J::Arr),
            proptest::collection::vec((proptest::sample::select(keys), inner), 0..5)
                .prop_map(|kv| J::Obj(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// Serialises with random escapes (`\u00XX` for any character, `\/`) and spacing, driven by
/// `noise`.
fn write(v: &J, noise: &mut impl Iterator<Item = u8>, out: &mut String) {
    let ws = |out: &mut String, n: u8| {
        if n % 5 == 0 {
            out.push(' ');
        }
    };
    match v {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(s) => out.push_str(s),
        J::Str(s) => write_str(s, noise, out),
        J::Arr(xs) => {
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let k = noise.next().unwrap_or(0);
                ws(out, k);
                write(x, noise, out);
            }
            out.push(']');
        }
        J::Obj(kv) => {
            out.push('{');
            for (i, (k, x)) in kv.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let m = noise.next().unwrap_or(0);
                ws(out, m);
                write_str(k, noise, out);
                out.push(':');
                write(x, noise, out);
            }
            out.push('}');
        }
    }
}

fn write_str(s: &str, noise: &mut impl Iterator<Item = u8>, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        let n = noise.next().unwrap_or(0);
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str(if n % 2 == 0 { "\\n" } else { "\\u000a" }),
            '\t' => out.push_str("\\t"),
            '/' if n % 2 == 0 => out.push_str("\\/"),
            c if n % 7 == 0 && (c as u32) < 0x10000 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Parses with `serde_json` into [`J`], keeping key order.
fn parse(bytes: &[u8]) -> J {
    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = J;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_unit<E>(self) -> Result<J, E> {
            Ok(J::Null)
        }
        fn visit_bool<E>(self, b: bool) -> Result<J, E> {
            Ok(J::Bool(b))
        }
        fn visit_i64<E>(self, n: i64) -> Result<J, E> {
            Ok(J::Num(format!("{}", n as f64)))
        }
        fn visit_u64<E>(self, n: u64) -> Result<J, E> {
            Ok(J::Num(format!("{}", n as f64)))
        }
        fn visit_f64<E>(self, n: f64) -> Result<J, E> {
            Ok(J::Num(format!("{n}")))
        }
        fn visit_str<E>(self, s: &str) -> Result<J, E> {
            Ok(J::Str(s.to_string()))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<J, A::Error> {
            let mut v = vec![];
            while let Some(x) = a.next_element_seed(Seed)? {
                v.push(x);
            }
            Ok(J::Arr(v))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<J, A::Error> {
            let mut v = vec![];
            while let Some(k) = a.next_key::<String>()? {
                v.push((k, a.next_value_seed(Seed)?));
            }
            Ok(J::Obj(v))
        }
    }
    struct Seed;
    impl<'de> serde::de::DeserializeSeed<'de> for Seed {
        type Value = J;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<J, D::Error> {
            d.deserialize_any(V)
        }
    }
    struct W(J);
    impl<'de> Deserialize<'de> for W {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<W, D::Error> {
            d.deserialize_any(V).map(W)
        }
    }
    serde_json::from_slice::<W>(bytes)
        .unwrap_or_else(|e| {
            panic!(
                "output is not JSON ({e}): {}",
                String::from_utf8_lossy(bytes)
            )
        })
        .0
}

/// `out` equals `input` except for strings that held a secret (now gone) and values under
/// sensitive keys (now `"[REDACTED]"`).
fn check(input: &J, out: &J, keys: &SensitiveKeys) {
    match (input, out) {
        (J::Str(a), J::Str(b)) if a != b => {
            assert!(
                SECRETS.iter().any(|s| a.contains(s)),
                "a string without a secret changed: {a:?} -> {b:?}"
            );
            assert!(!SECRETS.iter().any(|s| b.contains(s)), "secret left: {b:?}");
        }
        (J::Str(a), J::Str(_)) => {
            assert!(!SECRETS.iter().any(|s| a.contains(s)), "secret left: {a:?}");
        }
        (J::Arr(a), J::Arr(b)) => {
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(b) {
                check(x, y, keys);
            }
        }
        (J::Obj(a), J::Obj(b)) => {
            assert_eq!(a.len(), b.len());
            for ((ka, x), (kb, y)) in a.iter().zip(b) {
                assert_eq!(ka, kb, "keys and their order are kept");
                if keys.matches(ka.as_bytes()) {
                    assert_eq!(y, &J::Str("[REDACTED]".into()), "value under {ka:?}");
                } else {
                    check(x, y, keys);
                }
            }
        }
        (a, b) => assert_eq!(a, b),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn round_trip_with_secrets(v in value(true), noise in proptest::collection::vec(any::<u8>(), 64)) {
        let mut doc = String::new();
        write(&v, &mut noise.iter().copied().cycle(), &mut doc);
        let j = json();
        let mut out = vec![];
        j.redact_document(&mut j.scratch(), doc.as_bytes(), &mut out).expect("valid JSON");
        check(&parse(doc.as_bytes()), &parse(&out), &SensitiveKeys::default());
        // The line front end gives the same, in any chunking.
        let line = format!("{doc}\n");
        let (lines, _) = run(&j, Format::Json, line.as_bytes(), 1 + noise[0] as usize % 17);
        prop_assert_eq!(&lines[..lines.len() - 1], &out[..]);
    }

    #[test]
    fn without_secrets_output_is_byte_identical(v in value(false), noise in proptest::collection::vec(any::<u8>(), 64)) {
        let mut doc = String::new();
        write(&v, &mut noise.iter().copied().cycle(), &mut doc);
        let j = json();
        let mut out = vec![];
        let found = j.redact_document(&mut j.scratch(), doc.as_bytes(), &mut out).expect("valid JSON");
        prop_assert_eq!(String::from_utf8(out).unwrap(), doc);
        prop_assert!(found.is_empty());
    }

    #[test]
    fn batched_lines_equal_one_document_at_a_time(vs in proptest::collection::vec(value(true), 1..8)) {
        let j = json();
        let mut input = String::new();
        let mut expected = vec![];
        let mut s = j.scratch();
        for v in &vs {
            let mut doc = String::new();
            write(v, &mut std::iter::repeat(1u8), &mut doc);
            j.redact_document(&mut s, doc.as_bytes(), &mut expected).unwrap();
            expected.push(b'\n');
            input.push_str(&doc);
            input.push('\n');
        }
        let (out, _) = run(&j, Format::Json, input.as_bytes(), input.len());
        prop_assert_eq!(String::from_utf8(out).unwrap(), String::from_utf8(expected).unwrap());
    }
}
