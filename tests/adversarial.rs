//! Inputs built to hurt: each runs with its time bounded (generously: these catch a
//! super-linear blow-up, not a regression of a few percent) and checks the output, so a slow
//! path that gives a wrong answer fails too. The worst case of each is printed
//! (`cargo test --release --test adversarial -- --nocapture`). A 1 GiB line in bounded memory
//! is `tests/memory.rs`; an SSE stream of one-byte events is `tests/proxy.rs`
//! (`x-fake-split: every`).

use std::time::{Duration, Instant};

use blackbar::json::{Format, JsonOptions, JsonRedactor, LineRedactor};
use blackbar::{Redactor, StreamRedactor};

/// A debug build is ten to forty times slower than release; the bounds hold for both.
const BOUND: Duration = Duration::from_secs(if cfg!(debug_assertions) { 120 } else { 20 });

fn timed<T>(what: &str, bytes: usize, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    let took = t.elapsed();
    println!(
        "{what}: {bytes} bytes in {:.3} s ({:.1} MB/s)",
        took.as_secs_f64(),
        bytes as f64 / 1e6 / took.as_secs_f64()
    );
    assert!(took < BOUND, "{what} took {took:?}");
    out
}

fn stream_all(r: &Redactor, input: &[u8], piece: usize) -> (Vec<u8>, StreamRedactor) {
    let mut s = r.stream();
    let mut out = Vec::with_capacity(input.len());
    for p in input.chunks(piece) {
        s.feed(p, &mut out);
    }
    s.finish(&mut out);
    (out, s)
}

/// A user rule file with one rule, `slow`.
fn rule(pattern: &str, keywords: &str, examples: [&str; 2], counter: [&str; 2]) -> String {
    format!(
        "[[rule]]\nid = \"slow\"\nname = \"slow\"\ncategory = \"secret\"\nlabel = \"SLOW\"\n\
         pattern = '''{pattern}'''\nkeywords = [{keywords}]\n\
         examples = {examples:?}\ncounterexamples = {counter:?}\n"
    )
}

#[test]
fn user_rules_built_to_be_slow_are_refused_or_linear() {
    // Unbounded repetition, nested or not, is refused when the file loads.
    for pattern in ["(a+)+b", "(?:a*)*b", "x(?:[a-z]+,)*y", "(a|aa)+$"] {
        let err = Redactor::builder()
            .without_default_catalog()
            .rule_source("slow.toml", &rule(pattern, "", ["ab", "aab"], ["b", "c"]))
            .build()
            .expect_err(pattern);
        assert!(err.to_string().contains("slow"), "{pattern}: {err}");
    }
}

/// Bounded but huge automata. A rule whose lazy DFA states grow wide (nested repetitions of
/// variable length; a long keyword-less run, where every start is live) is refused at load
/// for the automaton budget, with the rule and the limit named: before the budget,
/// `(?:(?:a{1,30}){1,30}){1,15}b` loaded and took about 20 minutes on 1.3 MB of `a`. A huge
/// class, a giant alternation and a small ambiguous repetition are within it, and run in
/// linear time on input built to make them work.
#[test]
fn user_rules_with_huge_bounded_automata_are_refused_or_fast() {
    let load = |case: &str| {
        Redactor::builder()
            .without_default_catalog()
            .rule_source("slow.toml", case)
            .build()
    };
    let limit = format!("the limit is {}", blackbar::rules::MAX_WIDTH);
    for pattern in ["(?:(?:a{1,30}){1,30}){1,15}b", "[a-zA-Z0-9]{1,4000}Z"] {
        let case = rule(pattern, "", ["ab", "aab"], ["b", "c"]);
        let err = load(&case).expect_err(pattern).to_string();
        println!("refused: {err}");
        assert!(err.contains("slow.toml") && err.contains("'slow'"), "{err}");
        assert!(err.contains(&limit), "{err}");
    }
    let giant = (0..5000)
        .map(|i| format!("w{i:05}x"))
        .collect::<Vec<_>>()
        .join("|");
    // (what, rule file, findings per repetition of the word part)
    let cases = [
        (
            "an alternation of 5,000 words",
            rule(
                &format!("(?:{giant})"),
                "",
                ["w00001x", "w04999x"],
                ["w5000x", "wx"],
            ),
            1,
        ),
        (
            "(?:a|aa){1,100}c, keyword a",
            rule("(?:a|aa){1,100}c", "\"a\"", ["ac", "aac"], ["c", "bc"]),
            0,
        ),
        (
            "a=[a-zA-Z0-9]{1,4000}Z, keyword a=",
            rule(
                "a=[a-zA-Z0-9]{1,4000}Z",
                "\"a=\"",
                ["a=bcZ", "a=x1Z"],
                ["a=Z", "abc"],
            ),
            0,
        ),
    ];
    // A debug build is ten to forty times slower: a smaller input keeps it to seconds.
    let (run, words) = match cfg!(debug_assertions) {
        true => (1 << 17, 1 << 12),
        false => (1 << 20, 1 << 15),
    };
    let hay = "a".repeat(run) + &"w01234x ".repeat(words);
    for (what, case, per_word) in &cases {
        let r = load(case).unwrap_or_else(|e| panic!("{what}: {e}"));
        let (out, mut s) = timed(what, hay.len(), || {
            stream_all(&r, hay.as_bytes(), 64 * 1024)
        });
        assert_eq!(s.take_findings().len(), per_word * words, "{what}");
        assert!(out.starts_with(&hay.as_bytes()[..run]), "{what}");
    }
}

#[test]
fn a_million_findings_on_one_line() {
    let r = Redactor::builder().build().unwrap();
    let line = "10.1.2.3 ".repeat(1_000_000);
    let (out, mut s) = timed("a million IPv4 on one line", line.len(), || {
        stream_all(&r, line.as_bytes(), 1 << 16)
    });
    assert_eq!(s.take_findings().len(), 1_000_000);
    let want = "[IP_ADDRESS] ".repeat(1_000_000);
    assert!(
        out == want.as_bytes(),
        "output starts {:?}",
        String::from_utf8_lossy(&out[..out.len().min(80)])
    );
}

#[test]
fn binary_input_is_chunking_invariant_and_only_findings_change() {
    let r = Redactor::builder().build().unwrap();
    // The test binary itself: machine code, tables, strings.
    let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    let input = &exe[..exe.len().min(8 << 20)];
    let whole = timed("8 MiB of an executable", input.len(), || r.redact(input));
    for piece in [1 << 16, 4093] {
        let (out, _) = stream_all(&r, input, piece);
        assert_eq!(out, whole.output, "pieces of {piece}");
    }
    // Bytes outside findings are unchanged and in order.
    let mut at = 0;
    let mut from = 0;
    for f in &whole.findings {
        let (s, e) = (f.span.start as usize, f.span.end as usize);
        if s < at {
            continue;
        }
        let gap = &input[at..s];
        let found = whole.output[from..]
            .windows(gap.len().max(1))
            .position(|w| gap.is_empty() || w == gap)
            .expect("the bytes between findings are in the output, in order");
        from += found + gap.len();
        at = e;
    }
    assert!(whole.output.ends_with(&input[at..]));
}

#[test]
fn deeply_nested_json_is_redacted_as_text_never_passed_raw() {
    let r = Redactor::builder().build().unwrap();
    let json = JsonRedactor::new(r, JsonOptions::default());
    let depth = 100_000;
    let mut line = "[".repeat(depth);
    line.push_str("\"alice@example.com\"");
    line.push_str(&"]".repeat(depth));
    line.push('\n');
    let out = timed("JSON nested 100,000 deep", line.len(), || {
        let mut lines = LineRedactor::new(json.clone(), Format::Json);
        let mut out = vec![];
        lines.feed(line.as_bytes(), &mut out);
        lines.finish(&mut out);
        assert_eq!(lines.stats().invalid, 1, "counted as not JSON");
        out
    });
    let out = String::from_utf8(out).unwrap();
    assert!(!out.contains("alice@example.com"), "raw value passed");
    assert!(out.contains("[EMAIL]"));
    assert_eq!(
        out.len(),
        line.len() - "alice@example.com".len() + "[EMAIL]".len()
    );
}

#[test]
fn overlong_utf8_and_lone_surrogates() {
    let r = Redactor::builder().build().unwrap();
    // Overlong encodings (`C0 AF` is `/`, `E0 80 AF` too) and a lone surrogate encoded in
    // UTF-8 (`ED A0 80`): not UTF-8, passed byte for byte; the value beside them is found.
    let mut text = b"path \xC0\xAF\xE0\x80\xAFetc user=bob@example.com \xED\xA0\x80 end\n".to_vec();
    text.extend_from_slice(b"\xF8\x88\x80\x80\x80 carol@example.com\n");
    let out = r.redact(&text).output;
    let want = b"path \xC0\xAF\xE0\x80\xAFetc user=[EMAIL] \xED\xA0\x80 end\n\xF8\x88\x80\x80\x80 [EMAIL]\n";
    assert_eq!(out, want.to_vec());
    // A lone surrogate in a JSON escape: the string is redacted, the escape kept as written.
    let json = JsonRedactor::new(r, JsonOptions::default());
    for line in [
        r#"{"msg":"\ud800 dave@example.com"}"#,
        r#"{"msg":"dave@example.com \udfff"}"#,
        r#"{"msg":"\ud83d\ude00 dave@example.com \ud83d"}"#,
    ] {
        let mut lines = LineRedactor::new(json.clone(), Format::Json);
        let mut out = vec![];
        lines.feed(line.as_bytes(), &mut out);
        lines.feed(b"\n", &mut out);
        lines.finish(&mut out);
        let out = String::from_utf8_lossy(&out);
        assert!(!out.contains("dave@example.com"), "{line} -> {out}");
        assert!(out.contains("[EMAIL]"), "{line} -> {out}");
    }
}
