//! Allowlists, data-driven: each case is an allowlist, an input (text or JSON lines, with or
//! without a file path) and the output it must give. Every case is also run in every chunking
//! and over 1 to 4 threads, which must give the one-shot output and findings; an allowed
//! value is never changed and the other values on its line still are.

use blackbar::json::{Format, JsonOptions, JsonRedactor, LineRedactor};
use blackbar::{Allowlist, Finding, Parallel, Policy, Redactor, StreamRedactor};

struct Case {
    name: &'static str,
    allow: &'static str,
    format: Format,
    /// The input file's path, for `paths` entries (`None`: stdin).
    path: Option<&'static str>,
    input: &'static str,
    want: &'static str,
    /// How many findings are reported as `allowed`.
    allowed: usize,
}

const fn text(
    name: &'static str,
    allow: &'static str,
    input: &'static str,
    want: &'static str,
    allowed: usize,
) -> Case {
    Case {
        name,
        allow,
        format: Format::Text,
        path: None,
        input,
        want,
        allowed,
    }
}

/// The same case in JSON lines.
const fn json(case: Case) -> Case {
    Case {
        format: Format::Json,
        ..case
    }
}

const fn at(path: &'static str, case: Case) -> Case {
    Case {
        path: Some(path),
        ..case
    }
}

const CASES: &[Case] = &[
    text(
        "a literal value; the next one on the line still changes",
        "[[allow]]\nvalues = [\"10.0.0.1\"]\n",
        "from 10.0.0.1 to 10.0.0.2\n",
        "from 10.0.0.1 to [IP_ADDRESS]\n",
        1,
    ),
    text(
        "literals are exact",
        "[[allow]]\nvalues = [\"10.0.0.1\", \"Bob@example.com\"]\n",
        "10.0.0.10 bob@example.com\n",
        "[IP_ADDRESS] [EMAIL]\n",
        0,
    ),
    text(
        "a regex must match the whole value",
        "[[allow]]\nregexes = ['10\\.0\\.0\\.\\d', '10\\.0']\n",
        "10.0.0.7 and 10.0.1.7 and 10.0.0.77\n",
        "10.0.0.7 and [IP_ADDRESS] and [IP_ADDRESS]\n",
        1,
    ),
    text(
        "scoped to a rule",
        "[[allow]]\nrules = [\"email\"]\nregexes = ['.*@example\\.org']\n",
        "bob@example.org alice@example.com 10.0.0.1\n",
        "bob@example.org [EMAIL] [IP_ADDRESS]\n",
        1,
    ),
    text(
        "a scope leaves other rules' findings alone",
        "[[allow]]\nrules = [\"email\"]\nvalues = [\"10.0.0.1\"]\n",
        "ip 10.0.0.1\n",
        "ip [IP_ADDRESS]\n",
        0,
    ),
    text(
        "a category alone allows all of it",
        "[[allow]]\ncategories = [\"pii\"]\n",
        "bob@example.org 10.0.0.1 password=Company2020#\n",
        "bob@example.org 10.0.0.1 password=[PASSWORD]\n",
        2,
    ),
    text(
        "an allowed value explains what other rules see in it",
        "[[allow]]\nvalues = [\"Hunter2pass\"]\n",
        "db https://admin:Hunter2pass@db.example.com/x bob@example.com\n",
        "db https://admin:Hunter2pass@db.example.com/x [EMAIL]\n",
        1,
    ),
    text(
        "JSON keys mean nothing in text",
        "[[allow]]\njson_keys = [\"trace_id\"]\n",
        "trace_id=10.0.0.1\n",
        "trace_id=[IP_ADDRESS]\n",
        0,
    ),
    json(text(
        "a JSON key",
        "[[allow]]\njson_keys = [\"trace_id\"]\n",
        "{\"trace_id\":\"10.0.0.1\",\"ip\":\"10.0.0.1\",\"n\":1.50}\n",
        "{\"trace_id\":\"10.0.0.1\",\"ip\":\"[IP_ADDRESS]\",\"n\":1.50}\n",
        1,
    )),
    json(text(
        "key globs ignore ASCII case; array elements have the array's key",
        "[[allow]]\njson_keys = [\"*_ids\"]\n",
        "{\"Host_IDs\":[\"10.0.0.1\",\"10.0.0.2\"],\"o\":{\"x\":\"10.0.0.3\"}}\n",
        "{\"Host_IDs\":[\"10.0.0.1\",\"10.0.0.2\"],\"o\":{\"x\":\"[IP_ADDRESS]\"}}\n",
        2,
    )),
    json(text(
        "a key and a value together",
        "[[allow]]\njson_keys = [\"from\"]\nvalues = [\"10.0.0.1\"]\n",
        "{\"from\":\"10.0.0.1 and 10.0.0.2\",\"to\":\"10.0.0.1\"}\n",
        "{\"from\":\"10.0.0.1 and [IP_ADDRESS]\",\"to\":\"[IP_ADDRESS]\"}\n",
        1,
    )),
    json(text(
        "a value hidden for its key",
        "[[allow]]\nvalues = [\"dev-only-pass\"]\n",
        "{\"password\":\"dev-only-pass\",\"secret\":\"dev-only-pass2\"}\n",
        "{\"password\":\"dev-only-pass\",\"secret\":\"[REDACTED]\"}\n",
        1,
    )),
    json(text(
        "a hidden container allowed by its key keeps its rules",
        "[[allow]]\nrules = [\"json-sensitive-key\"]\njson_keys = [\"credentials\"]\n",
        "{\"credentials\":{\"user\":\"bob\",\"mail\":\"bob@example.com\"},\"token\":\"abc\"}\n",
        "{\"credentials\":{\"user\":\"bob\",\"mail\":\"[EMAIL]\"},\"token\":\"[REDACTED]\"}\n",
        1,
    )),
    at(
        "tests/fixtures/users.log",
        text(
            "a path",
            "[[allow]]\npaths = [\"fixtures/**\"]\ncategories = [\"pii\"]\n",
            "bob@example.com password=Company2020#\n",
            "bob@example.com password=[PASSWORD]\n",
            1,
        ),
    ),
    at(
        "logs/users.log",
        text(
            "another path",
            "[[allow]]\npaths = [\"fixtures/**\"]\ncategories = [\"pii\"]\n",
            "bob@example.com password=Company2020#\n",
            "[EMAIL] password=[PASSWORD]\n",
            0,
        ),
    ),
    text(
        "no path: paths never match",
        "[[allow]]\npaths = [\"**\"]\n",
        "bob@example.com\n",
        "[EMAIL]\n",
        0,
    ),
    text(
        "an allowed value is not decoded: the e-mail in an allowed JWT's claims stays",
        "[[allow]]\nrules = [\"jwt\"]\nvalues = [\"eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiMTIzNCIsICJlbWFpbCI6ICJhbGljZUBleGFtcGxlLmNvbSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\"]\n",
        "tok eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiMTIzNCIsICJlbWFpbCI6ICJhbGljZUBleGFtcGxlLmNvbSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c and bob@example.com\n",
        "tok eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiMTIzNCIsICJlbWFpbCI6ICJhbGljZUBleGFtcGxlLmNvbSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c and [EMAIL]\n",
        1,
    ),
    json(text(
        "the same in JSON",
        "[[allow]]\nrules = [\"jwt\"]\nvalues = [\"eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiMTIzNCIsICJlbWFpbCI6ICJhbGljZUBleGFtcGxlLmNvbSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\"]\n",
        "{\"t\":\"eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiMTIzNCIsICJlbWFpbCI6ICJhbGljZUBleGFtcGxlLmNvbSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\",\"u\":\"bob@example.com\"}\n",
        "{\"t\":\"eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiMTIzNCIsICJlbWFpbCI6ICJhbGljZUBleGFtcGxlLmNvbSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\",\"u\":\"[EMAIL]\"}\n",
        1,
    )),
    text(
        "an encoded value found by a decoder",
        "[[allow]]\nvalues = [\"dXNlcjphbGljZUBleGFtcGxlLmNvbQ==\"]\n",
        "a dXNlcjphbGljZUBleGFtcGxlLmNvbQ== b dXNlcjpib2JAZXhhbXBsZS5jb20=\n",
        "a dXNlcjphbGljZUBleGFtcGxlLmNvbQ== b [EMAIL]\n",
        1,
    ),
    text(
        "below the threshold stays `none`",
        "[[allow]]\nvalues = [\"/opt/app\"]\n",
        "sudo: PWD=/opt/app ; USER=root\n",
        "sudo: PWD=/opt/app ; USER=root\n",
        0,
    ),
];

fn redactor(case: &Case) -> Redactor {
    let mut policy = Policy::default();
    policy.add_allowlist(Allowlist::from_toml(case.allow, case.name).unwrap());
    let r = Redactor::builder().policy(policy).build().unwrap();
    match case.path {
        Some(p) => r.for_path(p),
        None => r,
    }
}

/// A stream, a JSON lines stream, or either over worker threads.
trait Pipe {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>);
    fn flush(&mut self, out: &mut Vec<u8>);
    fn finish(&mut self, out: &mut Vec<u8>);
    fn take_findings(&mut self) -> Vec<Finding>;
}

macro_rules! pipe {
    ($($t:ty),*) => {$(
        impl Pipe for $t {
            fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
                <$t>::feed(self, input, out)
            }
            fn flush(&mut self, out: &mut Vec<u8>) {
                <$t>::flush(self, out)
            }
            fn finish(&mut self, out: &mut Vec<u8>) {
                <$t>::finish(self, out)
            }
            fn take_findings(&mut self) -> Vec<Finding> {
                <$t>::take_findings(self)
            }
        }
    )*};
}
pipe!(
    StreamRedactor,
    LineRedactor,
    Parallel<StreamRedactor>,
    Parallel<LineRedactor>
);

/// Feeds `input` in pieces of `sizes` (cycled), flushing after every third.
fn feed<C: Pipe>(c: &mut C, input: &[u8], sizes: &[usize]) -> (Vec<u8>, Vec<Finding>) {
    let mut out = vec![];
    let mut rest = input;
    let mut k = 0;
    while !rest.is_empty() {
        let n = sizes[k % sizes.len()].clamp(1, rest.len());
        c.feed(&rest[..n], &mut out);
        if k % 3 == 2 {
            c.flush(&mut out);
        }
        rest = &rest[n..];
        k += 1;
    }
    c.finish(&mut out);
    (out, c.take_findings())
}

fn run(case: &Case, r: &Redactor, sizes: &[usize], threads: usize) -> (Vec<u8>, Vec<Finding>) {
    let input = case.input.as_bytes();
    match case.format {
        Format::Text if threads == 0 => feed(&mut r.stream(), input, sizes),
        Format::Text => feed(&mut r.parallel(threads), input, sizes),
        _ => {
            let json = JsonRedactor::new(r.clone(), JsonOptions::default());
            if threads == 0 {
                feed(&mut LineRedactor::new(json, case.format), input, sizes)
            } else {
                feed(&mut json.parallel_lines(case.format, threads), input, sizes)
            }
        }
    }
}

fn key(f: &Finding) -> (u64, u64, String, &'static str) {
    (
        f.span.start,
        f.span.end,
        f.rule_id.to_string(),
        f.action.as_str(),
    )
}

#[test]
fn allowlist_cases() {
    for case in CASES {
        let r = redactor(case);
        let (out, findings) = run(case, &r, &[usize::MAX], 0);
        let name = case.name;
        assert_eq!(
            String::from_utf8_lossy(&out),
            case.want,
            "{name}: output (findings {:?})",
            findings.iter().map(key).collect::<Vec<_>>()
        );
        let allowed = findings
            .iter()
            .filter(|f| f.action.as_str() == "allowed")
            .count();
        assert_eq!(allowed, case.allowed, "{name}: allowed findings");
        for f in findings.iter().filter(|f| f.action.as_str() == "allowed") {
            assert!(!f.action.acted_on(), "{name}: allowed is not acted on");
        }
        let want: Vec<_> = findings.iter().map(key).collect();
        for sizes in [
            &[1usize][..],
            &[2],
            &[3],
            &[7],
            &[64],
            &[4096],
            &[5, 1, 13, 2],
        ] {
            for threads in 0..=4 {
                let (o, f) = run(case, &r, sizes, threads);
                assert_eq!(
                    String::from_utf8_lossy(&o),
                    case.want,
                    "{name}: output in pieces of {sizes:?} on {threads} threads"
                );
                let got: Vec<_> = f.iter().map(key).collect();
                assert_eq!(got, want, "{name}: findings in pieces of {sizes:?}");
            }
        }
    }
}

/// The same allowlist from a policy file's `[[allow]]` section, a single `[allow]` table, and
/// an `--allow` file give the same redactor.
#[test]
fn policy_sections_and_files_agree() {
    let input = b"from 10.0.0.1 to 10.0.0.2 bob@example.org";
    let want = b"from 10.0.0.1 to [IP_ADDRESS] [EMAIL]".to_vec();
    let from_policy = |text: &str| {
        let p = Policy::from_toml(text, "policy.toml").unwrap();
        Redactor::builder().policy(p).build().unwrap()
    };
    let mut p = Policy::default();
    p.add_allowlist(Allowlist::from_toml("[allow]\nvalues = [\"10.0.0.1\"]\n", "a.toml").unwrap());
    let from_file = Redactor::builder().policy(p).build().unwrap();
    for r in [
        from_policy("[[allow]]\nvalues = [\"10.0.0.1\"]\n"),
        from_policy("[allow]\nvalues = [\"10.0.0.1\"]\n"),
        from_policy("min_confidence = \"medium\"\n[actions]\npii = \"label\"\n[[allow]]\nvalues = [\"10.0.0.1\"]\n"),
        from_file,
    ] {
        assert_eq!(r.redact(input).output, want);
    }
}

/// Mistakes are load errors naming the file and the entry.
#[test]
fn mistakes_name_the_entry() {
    let cases = [
        (
            "[[allow]]\nreason = \"nothing\"\n",
            "allow entry 1: policy: no condition",
        ),
        (
            "[[allow]]\nvalues = [\"a\"]\n[[allow]]\nvalue = [\"b\"]\n",
            "allow entry 2: unknown field `value`",
        ),
        ("[[allow]]\nregexes = ['(']\n", "regex '('"),
        (
            "[[allow]]\ncategories = [\"pci\"]\n",
            "unknown category 'pci'",
        ),
        ("[[allow]]\npaths = [\"\"]\n", "paths: an empty glob"),
    ];
    for (text, want) in cases {
        let e = Policy::from_toml(text, "p.toml").unwrap_err().to_string();
        assert!(e.starts_with("p.toml: "), "{e}");
        assert!(e.contains(want), "{text:?}: {e}");
    }
    let p = Policy::from_toml("[[allow]]\nrules = [\"no-such-rule\"]\n", "p.toml").unwrap();
    let e = Redactor::builder()
        .policy(p)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("p.toml: allow entry 1") && e.contains("'no-such-rule' is not a loaded rule id"),
        "{e}"
    );
}

/// The OTLP hop shares the core: values, scopes and attribute keys (`json_keys`) work in
/// OTLP/JSON and OTLP/protobuf alike.
#[cfg(feature = "otlp")]
#[test]
fn otlp_attributes_and_bodies() {
    use blackbar::otlp::{Encoding, OtlpRedactor, Signal};
    let mut policy = Policy::default();
    policy.add_allowlist(
        Allowlist::from_toml(
            "[[allow]]\njson_keys = [\"peer.*\"]\n[[allow]]\nvalues = [\"bob@example.com\"]\n",
            "otlp",
        )
        .unwrap(),
    );
    let r = OtlpRedactor::new(
        Redactor::builder().policy(policy).build().unwrap(),
        Default::default(),
    );
    let mut scratch = r.scratch();
    let json = br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"bob@example.com to carol@example.com"},"attributes":[{"key":"peer.ip","value":{"stringValue":"10.0.0.1"}},{"key":"ip","value":{"stringValue":"10.0.0.1"}},{"key":"Peer.list","value":{"arrayValue":{"values":[{"stringValue":"10.0.0.2"}]}}}]}]}]}]}"#;
    let mut out = vec![];
    let found = r
        .redact(&mut scratch, Signal::Logs, Encoding::Json, json, &mut out)
        .unwrap();
    let want = String::from_utf8_lossy(json)
        .replace("carol@example.com", "[EMAIL]")
        .replace(
            r#""ip","value":{"stringValue":"10.0.0.1"}"#,
            r#""ip","value":{"stringValue":"[IP_ADDRESS]"}"#,
        );
    assert_eq!(String::from_utf8_lossy(&out), want);
    let allowed = |f: &[Finding]| f.iter().filter(|f| f.action.as_str() == "allowed").count();
    assert_eq!(allowed(&found.findings), 3);

    // The same record in protobuf: LogsRequest.resource_logs(1).scope_logs(2).log_records(2),
    // LogRecord.body(5) and attributes(6), KeyValue.key(1) and value(2),
    // AnyValue.string_value(1).
    fn field(n: u64, parts: &[&[u8]]) -> Vec<u8> {
        let body: Vec<u8> = parts.concat();
        let mut out = vec![(n << 3 | 2) as u8, body.len() as u8];
        out.extend(body);
        out
    }
    let string = |s: &str| field(1, &[s.as_bytes()]);
    let attr = |k: &str, v: &str| field(6, &[&field(1, &[k.as_bytes()]), &field(2, &[&string(v)])]);
    let record = field(
        2,
        &[
            &field(5, &[&string("bob@example.com to carol@example.com")]),
            &attr("peer.ip", "10.0.0.1"),
            &attr("ip", "10.0.0.1"),
        ],
    );
    let body = field(1, &[&field(2, &[&record])]);
    let mut out = vec![];
    let found = r
        .redact(
            &mut scratch,
            Signal::Logs,
            Encoding::Protobuf,
            &body,
            &mut out,
        )
        .unwrap();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("bob@example.com to [EMAIL]"), "{text:?}");
    assert!(text.contains("peer.ip\x12\x0a\x0a\x0810.0.0.1"), "{text:?}");
    assert!(text.contains("ip\x12\x0e\x0a\x0c[IP_ADDRESS]"), "{text:?}");
    assert_eq!(allowed(&found.findings), 2);
}
