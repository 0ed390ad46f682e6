//! The stream's guarantees, one test each: bytes outside findings pass unchanged (invalid
//! UTF-8 and NUL included), memory stays bounded whatever the line length, a completed line
//! is released at once unless an open multi-line match could still cover it.

use blackbar::Redactor;

const ENGINE_RULES: &str = include_str!("data/engine-rules.toml");

fn redactor() -> Redactor {
    Redactor::builder()
        .without_default_catalog()
        .rule_source("engine-rules.toml", ENGINE_RULES)
        .build()
        .unwrap()
}

#[test]
fn bytes_outside_findings_pass_unchanged() {
    let r = redactor();
    let mut input = vec![0xFF, 0x00, 0xC3, b' '];
    input.extend_from_slice(b"mail bob@example.com ");
    input.extend_from_slice(&[0xE2, 0x82, 0x00, 0x80, b'\n', 0xF0]);
    let mut want = vec![0xFF, 0x00, 0xC3, b' '];
    want.extend_from_slice(b"mail [EMAIL] ");
    want.extend_from_slice(&[0xE2, 0x82, 0x00, 0x80, b'\n', 0xF0]);
    assert_eq!(r.redact(&input).output, want);
    // Every possible byte value, alone and around a finding.
    let all: Vec<u8> = (0..=255u8).collect();
    assert_eq!(r.redact(&all).output, all);
}

#[test]
fn completed_line_is_released_without_more_input() {
    let r = redactor();
    let mut s = r.stream();
    let mut out = vec![];
    s.feed(b"first line with carol@example.org\n", &mut out);
    assert_eq!(out, b"first line with [EMAIL]\n");
    s.feed(b"partial line", &mut out);
    s.flush(&mut out);
    // A partial line is held only as far as a match could still cover it: here all of it
    // could still be the start of an email or a card number.
    s.feed(b"\n", &mut out);
    assert_eq!(out, b"first line with [EMAIL]\npartial line\n");
}

#[test]
fn open_multiline_block_is_held_until_it_closes() {
    let r = redactor();
    let mut s = r.stream();
    let mut out = vec![];
    s.feed(
        b"before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n",
        &mut out,
    );
    assert_eq!(out, b"before\n", "the open block must not be released");
    s.feed(b"-----END RSA PRIVATE KEY-----\nafter\n", &mut out);
    s.finish(&mut out);
    assert_eq!(out, b"before\n[PRIVATE_KEY]\nafter\n");
}

/// 1 GiB with no newline runs in bounded memory. In-process here, with the window size as
/// the measure; `tests/cli.rs` checks the process RSS on the real binary.
#[test]
fn window_is_bounded_without_newlines() {
    let r = redactor();
    let mut s = r.stream();
    let mut out = Vec::with_capacity(1 << 20);
    let chunk: Vec<u8> = b"abcdefgh-ijkl mnop.qrst_uvwx 0123 4567 89:"
        .iter()
        .copied()
        .cycle()
        .take(1 << 16)
        .collect();
    let mut max_window = 0;
    for _ in 0..256 {
        s.feed(&chunk, &mut out);
        max_window = max_window.max(s.window_len());
        out.clear();
    }
    s.finish(&mut out);
    let bound = 2 * 64 * 1024 + 4 * r.rules().rules().iter().map(|r| r.max_len()).max().unwrap();
    assert!(
        max_window <= bound,
        "window grew to {max_window} bytes (bound {bound})"
    );
}

#[test]
fn a_reset_stream_behaves_like_a_new_one() {
    let r = redactor();
    let mut scratch = r.stream();
    let inputs: [&[u8]; 4] = [
        b"mail bob@example.com",
        b"-----BEGIN RSA PRIVATE KEY-----\nunfinished",
        b"ip 10.0.0.1\n",
        b"",
    ];
    for input in inputs {
        let mut out = vec![];
        let findings = r.redact_with(&mut scratch, input, &mut out);
        let want = r.redact(input);
        assert_eq!(out, want.output);
        assert_eq!(findings, want.findings);
    }
}

/// A span may start well after its match (a key name before a value): a cluster held back for
/// such a span must not release the bytes before it that are still undecided. Root cause of
/// the regression: the hold point was the held span's start even when the frontier was
/// earlier, so `CLIENT_SECRET=` was released before the generic rule could decide it.
#[test]
fn a_held_span_never_releases_undecided_bytes_before_it() {
    let input = b"SPOTIFY_CLIENT_SECRET=adf580e055352ad988a594bf88a65377//npm.pkg.example.com/:_auth=zYmCZu2k8lmpGHASvkhMtvXOb5o+/ppA4qf6tfbQ==";
    for eager in [false, true] {
        let r = Redactor::builder().release_eagerly(eager).build().unwrap();
        let want = r.redact(input).output;
        assert_eq!(want, b"SPOTIFY_CLIENT_SECRET=[SPOTIFY_SECRET]");
        let mut s = r.stream();
        let mut out = vec![];
        for b in input.chunks(1) {
            s.feed(b, &mut out);
        }
        s.finish(&mut out);
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&want),
            "eager {eager}"
        );
    }
}
