//! The ordered parallel pipeline gives the stream's output and findings, in the same order,
//! for any thread count, chunk size and feeding (idle flushes included).

use std::sync::OnceLock;

use blackbar::json::{Format, JsonOptions, JsonRedactor};
use blackbar::{Chunked, Finding, Parallel, Redactor};
use proptest::prelude::*;

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(|| Redactor::builder().build().unwrap())
}

/// Lines of every kind: values, clean text, a PEM block over several lines, JSON, a long
/// line, text that decodes (base64, percent).
const PIECES: &[&str] = &[
    "2024-05-01 login alice@example.com from 10.1.2.3\n",
    "nothing to see here, just a line\n",
    "card 4111 1111 1111 1111 and key AKIAQ3EGRZ4XWMJ7VN2K\n",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx1qZ8sHfJ3kd92Lk0c9s3R7vQ1aB2cD3eF4gH5iJ6kL7mN8oP9qR0sT1uV2wX3yZ4\n-----END RSA PRIVATE KEY-----\n",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n",
    "{\"msg\":\"mail bob@example.com\",\"n\":1.50,\"password\":\"hunter22\"}\n",
    "q=carol%40example.org&x=dXNlcj1mcmFua0BleGFtcGxlLmNvbQ== ok\n",
    "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",
    "\n",
    "x",
    "+1 415 555 0132 ",
];

fn input(picks: &[usize]) -> Vec<u8> {
    picks
        .iter()
        .flat_map(|&i| PIECES[i % PIECES.len()].bytes())
        .collect()
}

/// Feeds `input` in pieces of `sizes` (cycled), flushing after some, and returns the output
/// and findings.
fn run<C: Chunked>(mut p: Parallel<C>, input: &[u8], sizes: &[usize]) -> (Vec<u8>, Vec<Finding>) {
    let mut out = vec![];
    let mut rest = input;
    let mut k = 0;
    while !rest.is_empty() {
        let n = sizes[k % sizes.len()].clamp(1, rest.len());
        p.feed(&rest[..n], &mut out);
        if n % 3 == 0 {
            p.flush(&mut out);
        }
        rest = &rest[n..];
        k += 1;
    }
    p.finish(&mut out);
    (out, p.take_findings())
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 32 } else { 128 }))]

    #[test]
    fn text_is_the_streams_for_any_threads_and_chunks(
        picks in proptest::collection::vec(0usize..100, 0..80),
        sizes in proptest::collection::vec(1usize..500, 1..6),
        chunk in 1usize..400,
        threads in 1usize..5,
    ) {
        let input = input(&picks);
        let r = redactor();
        let want = r.redact(&input);
        let (out, findings) = run(r.parallel(threads).with_chunk_size(chunk), &input, &sizes);
        prop_assert_eq!(show(&out), show(&want.output));
        prop_assert_eq!(findings, want.findings, "findings differ from the stream's");
    }

    #[test]
    fn json_lines_are_the_same_for_any_threads_and_chunks(
        picks in proptest::collection::vec(0usize..100, 0..60),
        sizes in proptest::collection::vec(1usize..500, 1..6),
        chunk in 1usize..400,
        threads in 1usize..5,
    ) {
        let input = input(&picks);
        let j = JsonRedactor::new(redactor().clone(), JsonOptions::default());
        let one = run(j.parallel_lines(Format::Auto, 1).with_chunk_size(usize::MAX), &input, &[1 << 20]);
        let p = j.parallel_lines(Format::Auto, threads).with_chunk_size(chunk);
        let (out, findings) = run(p, &input, &sizes);
        prop_assert_eq!(show(&out), show(&one.0));
        let key = |f: &Finding| (f.span.start, f.span.end, f.rule, f.line);
        prop_assert_eq!(
            findings.iter().map(key).collect::<Vec<_>>(),
            one.1.iter().map(key).collect::<Vec<_>>()
        );
    }
}

/// A cut never falls inside a PEM block: the chunk goes on to a line end the block does not
/// cover.
#[test]
fn a_pem_block_is_never_cut() {
    let pem = PIECES[3];
    let input = format!("a\n{pem}b\n{pem}c\n");
    let r = redactor();
    for chunk in 1..input.len() {
        let (out, _) = run(r.parallel(2).with_chunk_size(chunk), input.as_bytes(), &[7]);
        assert_eq!(
            show(&out),
            "a\n[PRIVATE_KEY]\nb\n[PRIVATE_KEY]\nc\n",
            "chunk {chunk}"
        );
    }
}

/// Placeholders are numbered by first appearance over the whole input: one worker.
#[test]
fn placeholders_keep_their_numbers() {
    let mut p = blackbar::Policy::default();
    p.set_action_str("pii=placeholder").unwrap();
    let r = Redactor::builder().policy(p).build().unwrap();
    let input = b"a@x.io\nb@x.io\na@x.io\n".repeat(50);
    let want = r.redact(&input).output;
    let (out, _) = run(r.parallel(4).with_chunk_size(10), &input, &[13]);
    assert_eq!(show(&out), show(&want));
}
