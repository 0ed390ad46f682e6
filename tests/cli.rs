//! The command-line contract (issue 2, section 8), tested through the real binary: real
//! processes, real pipes, a temp dir and an empty environment per test.
//!
//! The tests bring their own rules ([`RULES`]) in formats the default catalog does not know
//! (`ACCT-1234-5678`, `zqk_...`, `-----BEGIN ZQ BLOB-----`), so they hold whatever the
//! default catalog in `patterns/` contains.

mod support;

use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{assert_bytes, assert_text, Dir, TestCommand, XorShift};

/// Test rules, one per shape the CLI needs: a plain PII value, a Luhn-checked one, a secret
/// token, a secret with a `secret` group, and a multi-line block.
const RULES: &str = r#"
[[rule]]
id = "t-account"
name = "Test account number"
category = "pii"
label = "ACCOUNT"
pattern = '''\bACCT-[0-9]{4}-[0-9]{4}\b'''
keywords = ["ACCT-"]
confidence = "high"
examples = ["ACCT-1234-5678", "paid from ACCT-0000-0001 today"]
counterexamples = ["ACCT-12-34", "XACCT-1234-5678"]

[[rule]]
id = "t-member"
name = "Test member number (Luhn)"
category = "pii"
label = "MEMBER_ID"
pattern = '''\bMBR[0-9]{11}\b'''
keywords = ["MBR"]
validators = ["luhn"]
examples = ["MBR79927398713", "member MBR79927398713 joined"]
counterexamples = ["MBR1234"]

[[rule]]
id = "t-token"
name = "Test API token"
category = "secret"
label = "ZQ_TOKEN"
pattern = '''\bzqk_[a-z0-9]{20}\b'''
keywords = ["zqk_"]
confidence = "high"
examples = ["zqk_r7w2k9p4x1m8q3z6t5v0", "auth zqk_0k9x2m7q4w1z8c5v3b6n ok"]
counterexamples = ["zqk_short"]

[[rule]]
id = "t-opaque"
name = "Test opaque assignment"
category = "secret"
label = "ZQ_OPAQUE"
pattern = '''\bzq_opaque[ \t]{0,4}=[ \t]{0,4}(?P<secret>[A-Za-z0-9]{8,32})\b'''
keywords = ["zq_opaque"]
confidence = "high"
examples = ["zq_opaque=Abcdefgh1234", "x zq_opaque = Q1w2E3r4T5y6"]
counterexamples = ["zq_opaque=short"]

[[rule]]
id = "t-blob"
name = "Test multi-line blob"
category = "secret"
label = "ZQ_BLOB"
pattern = '''-----BEGIN ZQ BLOB-----\n[\s\S]{0,4000}?-----END ZQ BLOB-----'''
keywords = ["-----BEGIN ZQ BLOB"]
confidence = "high"
examples = ["-----BEGIN ZQ BLOB-----\nabc\n-----END ZQ BLOB-----", "-----BEGIN ZQ BLOB-----\n-----END ZQ BLOB-----"]
counterexamples = ["-----BEGIN ZQ BLOB-----\nno end"]
"#;

const ACCT: &str = "ACCT-1234-5678";
const ACCT2: &str = "ACCT-8765-4321";
const TOKEN: &str = "zqk_r7w2k9p4x1m8q3z6t5v0";
const TOKEN2: &str = "zqk_zzzzyyyyxxxxwwwwvvvv";
/// Passes Luhn.
const MEMBER_OK: &str = "MBR79927398713";
/// Fails Luhn: the rule's confidence drops from medium to low.
const MEMBER_BAD: &str = "MBR79927398710";
const KEY: &str = "0123456789abcdef-test-key";

/// A temp dir holding `rules.toml`.
fn setup() -> Dir {
    let dir = Dir::new();
    dir.create("rules.toml", RULES);
    dir
}

/// `blackbar --rules rules.toml` in `dir`.
fn bb(dir: &Dir) -> TestCommand {
    let mut cmd = dir.command();
    cmd.args(["--rules", "rules.toml"]);
    cmd
}

/// Parses JSON lines.
fn json_lines(text: &[u8]) -> Vec<Value> {
    String::from_utf8(text.to_vec())
        .expect("report is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The expected `hash` output: `LABEL#` and the first 10 hex digits of HMAC-SHA256.
fn hmac10(key: &str, value: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(value.as_bytes());
    mac.finalize().into_bytes()[..5]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Inputs and outputs

#[test]
fn stdin_to_stdout() {
    let dir = setup();
    let out = bb(&dir)
        .stdin(format!("start\npaid from {ACCT} by {TOKEN}\nend\n"))
        .run()
        .ok();
    assert_text("start\npaid from [ACCOUNT] by [ZQ_TOKEN]\nend\n", &out);
}

#[test]
fn input_without_trailing_newline() {
    let dir = setup();
    let out = bb(&dir).stdin(format!("last {ACCT}")).run().ok();
    assert_text("last [ACCOUNT]", &out);
}

#[test]
fn empty_input_gives_empty_output() {
    let dir = setup();
    assert_text("", &bb(&dir).run().ok());
}

#[test]
fn secret_group_redacts_only_the_group() {
    let dir = setup();
    let out = bb(&dir)
        .stdin("cfg zq_opaque = Q1w2E3r4T5y6 end\n")
        .run()
        .ok();
    assert_text("cfg zq_opaque = [ZQ_OPAQUE] end\n", &out);
}

#[test]
fn files_in_order() {
    let dir = setup();
    dir.create("b.txt", format!("b1 {ACCT}\nb2\n"));
    dir.create("a.txt", format!("a1\na2 {TOKEN}\n"));
    let out = bb(&dir).args(["b.txt", "a.txt", "b.txt"]).run().ok();
    assert_text(
        "b1 [ACCOUNT]\nb2\na1\na2 [ZQ_TOKEN]\nb1 [ACCOUNT]\nb2\n",
        &out,
    );
}

#[test]
fn file_without_trailing_newline_is_not_joined_to_the_next() {
    // Each file is its own stream: a value split across two files is two halves, not one.
    let dir = setup();
    dir.create("a.txt", "one ACCT-1234");
    dir.create("b.txt", "-5678 two\n");
    let out = bb(&dir).args(["a.txt", "b.txt"]).run().ok();
    assert_text("one ACCT-1234-5678 two\n", &out);
}

#[test]
fn dash_is_stdin() {
    let dir = setup();
    dir.create("a.txt", format!("file a {ACCT}\n"));
    dir.create("b.txt", "file b\n");
    let out = bb(&dir)
        .args(["a.txt", "-", "b.txt"])
        .stdin(format!("from stdin {TOKEN}\n"))
        .run()
        .ok();
    assert_text("file a [ACCOUNT]\nfrom stdin [ZQ_TOKEN]\nfile b\n", &out);
}

#[test]
fn directory_is_walked_sorted_skipping_git() {
    let dir = setup();
    dir.create("tree/b.log", format!("b {ACCT}\n"));
    dir.create("tree/a.log", "a\n");
    dir.create("tree/sub/c.log", format!("c {TOKEN}\n"));
    dir.create("tree/.git/config", format!("git {ACCT}\n"));
    let out = bb(&dir).arg("tree").run().ok();
    assert_text("a\nb [ACCOUNT]\nc [ZQ_TOKEN]\n", &out);

    // Findings name the file they came from.
    let out = bb(&dir).args(["--check", "tree"]).run();
    out.status(1);
    assert_text(
        "tree/b.log:1: t-account (pii, ACCOUNT) offset 2 length 14 confidence high\n\
         tree/sub/c.log:1: t-token (secret, ZQ_TOKEN) offset 2 length 24 confidence high\n",
        &out.stdout_str(),
    );
}

#[test]
fn invalid_utf8_and_nul_bytes_pass_unchanged() {
    let dir = setup();
    let mut input = b"\xff\xfe\x00head\x00 ".to_vec();
    input.extend_from_slice(ACCT.as_bytes());
    input.extend_from_slice(b" \xc3\x28\x80\x00\ttail\r\n\xf0\x9f\x92\x96 ok ");
    input.extend_from_slice(TOKEN.as_bytes());
    input.extend_from_slice(b"\x00\n\xed\xa0\x80");
    let mut expected = b"\xff\xfe\x00head\x00 [ACCOUNT] \xc3\x28\x80\x00\ttail\r\n".to_vec();
    expected.extend_from_slice(b"\xf0\x9f\x92\x96 ok [ZQ_TOKEN]\x00\n\xed\xa0\x80");
    let got = bb(&dir).stdin(&input).run().ok_bytes();
    assert_bytes(&expected, &got);

    // The same from a file.
    dir.create("bin.dat", &input);
    let got = bb(&dir).arg("bin.dat").run().ok_bytes();
    assert_bytes(&expected, &got);
}

#[test]
fn megabytes_of_noise_pass_unchanged_around_findings() {
    // Noise is every byte except ASCII word characters, so no rule can match inside it and
    // every value next to it starts and ends at a word boundary;
    // findings are sprinkled in and must be the only change. Some runs have no newline for
    // far longer than any read buffer.
    let dir = setup();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let noise: Vec<u8> = (0..=255u8)
        .filter(|&b| !b.is_ascii_alphanumeric() && b != b'_')
        .collect();
    let (mut input, mut expected) = (vec![], vec![]);
    while input.len() < 3 << 20 {
        let run = if rng.next() % 50 == 0 {
            200_000
        } else {
            1 + (rng.next() % 3000) as usize
        };
        for _ in 0..run {
            let mut b = noise[(rng.next() % noise.len() as u64) as usize];
            if b == b'\n' && run > 100_000 {
                b = b'\0';
            }
            input.push(b);
            expected.push(b);
        }
        let (value, label): (&str, &[u8]) = match rng.next() % 3 {
            0 => (ACCT, b"[ACCOUNT]"),
            1 => (TOKEN, b"[ZQ_TOKEN]"),
            _ => (MEMBER_OK, b"[MEMBER_ID]"),
        };
        input.extend_from_slice(value.as_bytes());
        expected.extend_from_slice(label);
    }
    dir.create("noise.bin", &input);
    let got = bb(&dir).arg("noise.bin").run().ok_bytes();
    assert_bytes(&expected, &got);
}

// ---------------------------------------------------------------------------------------
// --check and --report

#[test]
fn check_exits_1_and_names_findings_never_values() {
    let dir = setup();
    dir.create(
        "app.log",
        format!("ok\nuser {ACCT} paid\nkey={TOKEN}\nmember {MEMBER_BAD}\n"),
    );
    let run = bb(&dir).args(["--check", "app.log"]).run();
    run.status(1);
    assert!(run.output.stderr.is_empty(), "{run:?}");
    // The Luhn-failing member number is below the threshold: not acted on, not listed.
    assert_text(
        "app.log:2: t-account (pii, ACCOUNT) offset 8 length 14 confidence high\n\
         app.log:3: t-token (secret, ZQ_TOKEN) offset 32 length 24 confidence high\n",
        &run.stdout_str(),
    );
    for value in [ACCT, TOKEN, MEMBER_BAD] {
        assert!(!contains(run.stdout(), value), "{value} leaked: {run:?}");
    }
}

#[test]
fn check_from_stdin_names_dash() {
    let dir = setup();
    let run = bb(&dir).arg("--check").stdin(format!("x\n{ACCT}\n")).run();
    run.status(1);
    assert_text(
        "-:2: t-account (pii, ACCOUNT) offset 2 length 14 confidence high\n",
        &run.stdout_str(),
    );
}

#[test]
fn check_exits_0_without_findings_and_prints_nothing() {
    let dir = setup();
    dir.create("clean.txt", "nothing to see\nACCT-12-34\n");
    let run = bb(&dir).args(["--check", "clean.txt"]).run();
    assert_text("", &run.ok());
}

#[test]
fn check_exits_2_on_error() {
    let dir = setup();
    dir.create("a.txt", format!("{ACCT}\n"));
    let err = bb(&dir)
        .args(["--check", "a.txt", "missing.txt"])
        .run()
        .error();
    assert!(
        err.starts_with("blackbar: cannot open missing.txt: "),
        "{err}"
    );
}

#[test]
fn report_file_has_json_lines_and_summary() {
    let dir = setup();
    dir.create("one.txt", format!("hello\nfrom {ACCT}\n"));
    dir.create("two.txt", format!("{TOKEN} and {MEMBER_BAD}\n"));
    let out = bb(&dir)
        .args(["--report", "report.jsonl", "one.txt", "two.txt"])
        .run()
        .ok();
    assert_text(
        &format!("hello\nfrom [ACCOUNT]\n[ZQ_TOKEN] and {MEMBER_BAD}\n"),
        &out,
    );
    let raw = dir.read("report.jsonl");
    let lines = json_lines(&raw);
    let expected = vec![
        json!({"rule": "t-account", "category": "pii", "label": "ACCOUNT", "file": "one.txt",
               "line": 2, "offset": 11, "length": 14, "action": "label", "confidence": "high"}),
        json!({"rule": "t-token", "category": "secret", "label": "ZQ_TOKEN", "file": "two.txt",
               "line": 1, "offset": 0, "length": 24, "action": "label", "confidence": "high"}),
        // Below the threshold: reported, left alone.
        json!({"rule": "t-member", "category": "pii", "label": "MEMBER_ID", "file": "two.txt",
               "line": 1, "offset": 29, "length": 14, "action": "none", "confidence": "low"}),
        json!({"summary": {"files": 2, "bytes": 70, "findings": 3, "acted_on": 2,
               "by_rule": {"t-account": 1, "t-member": 1, "t-token": 1},
               "by_category": {"pii": 2, "secret": 1},
               "by_action": {"label": 2, "none": 1}}}),
    ];
    assert_eq!(
        lines,
        expected,
        "report:\n{}",
        String::from_utf8_lossy(&raw)
    );
    for value in [ACCT, TOKEN, MEMBER_BAD] {
        assert!(!contains(&raw, value), "{value} in the report");
    }
}

#[test]
fn report_dash_with_check_writes_only_json_to_stdout() {
    let dir = setup();
    dir.create("in.txt", format!("a {TOKEN}\nzq_opaque=Abcdefgh1234\n"));
    let run = bb(&dir).args(["--check", "--report", "-", "in.txt"]).run();
    run.status(1);
    assert!(run.output.stderr.is_empty(), "{run:?}");
    let lines = json_lines(run.stdout());
    assert_eq!(
        lines,
        vec![
            json!({"rule": "t-token", "category": "secret", "label": "ZQ_TOKEN", "file": "in.txt",
                   "line": 1, "offset": 2, "length": 24, "action": "label", "confidence": "high"}),
            // The span reported is the secret group, not the whole assignment.
            json!({"rule": "t-opaque", "category": "secret", "label": "ZQ_OPAQUE",
                   "file": "in.txt", "line": 2, "offset": 37, "length": 12, "action": "label",
                   "confidence": "high"}),
            json!({"summary": {"files": 1, "bytes": 50, "findings": 2, "acted_on": 2,
                   "by_rule": {"t-opaque": 1, "t-token": 1}, "by_category": {"secret": 2},
                   "by_action": {"label": 2}}}),
        ],
        "{run:?}"
    );
    assert!(!contains(run.stdout(), TOKEN) && !contains(run.stdout(), "Abcdefgh1234"));
}

#[test]
fn report_dash_without_check_is_an_error() {
    let dir = setup();
    let err = bb(&dir)
        .args(["--report", "-"])
        .stdin(format!("{ACCT}\n"))
        .run()
        .error();
    assert!(
        err.contains("--report -") && err.contains("--check"),
        "{err}"
    );
}

#[test]
fn report_with_check_and_no_findings_has_only_the_summary() {
    let dir = setup();
    let run = bb(&dir)
        .args(["--check", "--report", "-"])
        .stdin("clean\n")
        .run();
    let lines = json_lines(run.ok().as_bytes());
    assert_eq!(
        lines,
        vec![
            json!({"summary": {"files": 1, "bytes": 6, "findings": 0, "acted_on": 0,
                    "by_rule": {}, "by_category": {}, "by_action": {}}})
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Pipes

#[test]
fn broken_pipe_exits_quietly_with_status_0() {
    // `blackbar < big | head -c 10`
    let dir = setup();
    let line = format!("some log line with {ACCT} and {TOKEN} in it\n");
    dir.create("big.log", line.repeat(200_000));
    let big = std::fs::File::open(dir.path("big.log")).unwrap();
    let mut child = bb(&dir)
        .raw()
        .stdin(Stdio::from(big))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut head = [0u8; 10];
    stdout.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"some log l");
    drop(stdout);
    let (status, stderr) = finished(child);
    assert_eq!(status.code(), Some(0), "status {status}, stderr {stderr:?}");
    assert_eq!(stderr, "");
}

/// Waits for a child whose stderr is piped: its status and everything it wrote there.
fn finished(mut child: std::process::Child) -> (std::process::ExitStatus, String) {
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap(), stderr)
}

/// Reads a child's stdout on a thread and hands over chunks, so a test can wait for output
/// with a timeout while keeping the child's stdin open.
struct Reader {
    rx: mpsc::Receiver<Vec<u8>>,
    got: Vec<u8>,
}

impl Reader {
    fn new(mut from: impl Read + Send + 'static) -> Reader {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = from.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Reader { rx, got: vec![] }
    }

    /// Waits until everything read so far equals `expected`, or `timeout` passes.
    fn wait_for(&mut self, expected: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.got.len() < expected.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(chunk) => self.got.extend_from_slice(&chunk),
                Err(_) => break,
            }
        }
        assert_bytes(expected.as_bytes(), &self.got);
    }

    /// Everything until the child closes its stdout.
    fn rest(&mut self) -> &[u8] {
        while let Ok(chunk) = self.rx.recv() {
            self.got.extend_from_slice(&chunk);
        }
        &self.got
    }

    /// Asserts that nothing more arrives within `quiet`.
    fn expect_nothing(&mut self, quiet: Duration) {
        if let Ok(chunk) = self.rx.recv_timeout(quiet) {
            panic!(
                "unexpected output while the input is idle: {:?}",
                String::from_utf8_lossy(&chunk)
            );
        }
    }
}

const IDLE_TIMEOUT: Duration = Duration::from_secs(5);

fn spawn_idle(cmd: &mut TestCommand) -> (std::process::Child, std::process::ChildStdin, Reader) {
    let mut child = cmd
        .raw()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let reader = Reader::new(child.stdout.take().unwrap());
    (child, stdin, reader)
}

#[test]
fn idle_input_releases_each_completed_line() {
    // `tail -f app.log | blackbar`: stdin stays open, and every line must still come out.
    let dir = setup();
    let (mut child, mut stdin, mut reader) = spawn_idle(&mut bb(&dir));
    stdin
        .write_all(format!("first {ACCT} line\n").as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    reader.wait_for("first [ACCOUNT] line\n", IDLE_TIMEOUT);
    stdin
        .write_all(format!("second {TOKEN}\n").as_bytes())
        .unwrap();
    reader.wait_for("first [ACCOUNT] line\nsecond [ZQ_TOKEN]\n", IDLE_TIMEOUT);
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn idle_input_holds_an_open_multiline_block() {
    let dir = setup();
    let (mut child, mut stdin, mut reader) = spawn_idle(&mut bb(&dir));
    stdin.write_all(b"before\n").unwrap();
    reader.wait_for("before\n", IDLE_TIMEOUT);
    stdin
        .write_all(b"-----BEGIN ZQ BLOB-----\nc2VjcmV0IGJvZHk=\n")
        .unwrap();
    // The block might still end: releasing its lines now would leak its body.
    reader.expect_nothing(Duration::from_millis(500));
    // Input ends without the END line: no match, the lines come out unchanged.
    drop(stdin);
    reader.wait_for(
        "before\n-----BEGIN ZQ BLOB-----\nc2VjcmV0IGJvZHk=\n",
        IDLE_TIMEOUT,
    );
    assert!(child.wait().unwrap().success());
}

#[test]

fn idle_input_releases_a_multiline_block_once_it_ends() {
    let dir = setup();
    let (mut child, mut stdin, mut reader) = spawn_idle(&mut bb(&dir));
    stdin
        .write_all(b"before\n-----BEGIN ZQ BLOB-----\nc2VjcmV0IGJvZHk=\n")
        .unwrap();
    reader.wait_for("before\n", IDLE_TIMEOUT);
    stdin
        .write_all(b"bW9yZSBzZWNyZXQ=\n-----END ZQ BLOB-----\nafter\n")
        .unwrap();
    reader.wait_for("before\n[ZQ_BLOB]\nafter\n", IDLE_TIMEOUT);
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

/// SIGTERM or SIGINT while the input is open and its end is held back (`tail -f | blackbar`
/// stopped by its supervisor): what was final is written and reported, the held bytes (an
/// open block, which the end of input would pass unchanged; a token cut short) are not
/// written at all, and the status is 128 + the signal's number (`src/cli/input.rs` says why).
#[test]
fn a_stop_signal_writes_what_is_final_and_nothing_held_back() {
    let cases = [
        (
            "TERM",
            143,
            "-----BEGIN ZQ BLOB-----\nc2VjcmV0IGJvZHk=\n",
            "c2VjcmV0",
        ),
        ("INT", 130, "auth zqk_a1b2c3d4e5", "zqk_"),
    ];
    for (signal, code, held, raw) in cases {
        let dir = setup();
        let mut child = bb(&dir)
            .args(["--report", "report.jsonl"])
            .raw()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut reader = Reader::new(child.stdout.take().unwrap());
        stdin
            .write_all(format!("first {ACCT} line\n{held}").as_bytes())
            .unwrap();
        reader.wait_for("first [ACCOUNT] line\n", IDLE_TIMEOUT);
        reader.expect_nothing(Duration::from_millis(300));
        let kill = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let (status, stderr) = finished(child);
        assert_eq!(status.code(), Some(code), "SIG{signal}: {stderr}");
        assert_bytes(b"first [ACCOUNT] line\n", reader.rest());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&format!("stopped by SIG{signal}")),
            "{stderr}"
        );
        assert!(!stderr.contains(raw) && !stderr.contains(ACCT), "{stderr}");
        let report = json_lines(&dir.read("report.jsonl"));
        assert_eq!(report.len(), 2, "one finding and the summary: {report:?}");
        assert_eq!(report[0]["rule"], "t-account");
        assert_eq!(report[1]["summary"]["stopped_by"], format!("SIG{signal}"));
        drop(stdin);
    }
}

#[test]
fn line_buffered_output() {
    let dir = setup();
    let mut cmd = bb(&dir);
    cmd.arg("--line-buffered");
    let (mut child, mut stdin, mut reader) = spawn_idle(&mut cmd);
    stdin.write_all(format!("a {ACCT}\n").as_bytes()).unwrap();
    reader.wait_for("a [ACCOUNT]\n", IDLE_TIMEOUT);
    stdin.write_all(b"b\nc").unwrap();
    reader.wait_for("a [ACCOUNT]\nb\n", IDLE_TIMEOUT);
    drop(stdin);
    assert!(child.wait().unwrap().success());
    reader.wait_for("a [ACCOUNT]\nb\nc", IDLE_TIMEOUT);

    // And over a plain run, the same bytes as without the flag.
    let input = format!("x {TOKEN}\n").repeat(2_000);
    let plain = bb(&dir).stdin(&input).run().ok();
    let buffered = bb(&dir).arg("--line-buffered").stdin(&input).run().ok();
    assert_text(&plain, &buffered);
    assert_text(&"x [ZQ_TOKEN]\n".repeat(2_000), &buffered);
}

// ---------------------------------------------------------------------------------------
// Errors: exit 2, one line on stderr, nothing on stdout

#[test]
fn unknown_flag() {
    let dir = setup();
    let err = bb(&dir).arg("--frobnicate").run().error();
    assert_text(
        "blackbar: unknown flag --frobnicate (see blackbar --help)",
        &err,
    );
    let err = bb(&dir).arg("-z").run().error();
    assert_text("blackbar: unknown flag -z (see blackbar --help)", &err);
}

#[test]
fn flag_missing_its_value() {
    let dir = setup();
    let err = bb(&dir).arg("--policy").run().error();
    assert_text("blackbar: --policy needs a value", &err);
    let err = dir.command().arg("--rules").run().error();
    assert_text("blackbar: --rules needs a value", &err);
}

#[test]
fn bad_action() {
    let dir = setup();
    let err = bb(&dir)
        .args(["--action", "pii=shred"])
        .stdin(ACCT)
        .run()
        .error();
    assert!(
        err.starts_with("blackbar: ")
            && err.contains("--action pii=shred:")
            && err.contains("unknown action 'shred'"),
        "{err}"
    );
    let err = bb(&dir).args(["--action", "pii"]).run().error();
    assert!(err.contains("expected TARGET=ACTION"), "{err}");
    let err = bb(&dir).args(["--action", "pii=partial:x:4"]).run().error();
    assert!(err.contains("'x' is not a count"), "{err}");
    let err = bb(&dir).args(["--action", "nosuchrule=mask"]).run().error();
    assert!(err.contains("'nosuchrule'"), "{err}");
}

#[test]
fn bad_min_confidence() {
    let dir = setup();
    let err = bb(&dir).args(["--min-confidence", "huge"]).run().error();
    assert_text(
        "blackbar: --min-confidence huge: expected low, medium, high or certain",
        &err,
    );
}

#[test]
fn bad_subcommands() {
    let dir = setup();
    let err = dir.command().args(["rules", "lint"]).run().error();
    assert!(err.contains("expected 'list' or 'check'"), "{err}");
    let err = dir.command().args(["canary", "old"]).run().error();
    assert!(err.contains("expected 'new'"), "{err}");
    let err = dir.command().args(["rules", "check"]).run().error();
    assert!(err.contains("give at least one rule file"), "{err}");
}

#[test]
fn nonexistent_file() {
    let dir = setup();
    let err = bb(&dir).arg("nope.txt").run().error();
    assert!(err.starts_with("blackbar: cannot open nope.txt: "), "{err}");
}

#[test]
fn valid_file_then_missing_file_writes_nothing() {
    let dir = setup();
    dir.create("good.txt", format!("good {ACCT}\n"));
    let err = bb(&dir)
        .args(["--report", "r.jsonl", "good.txt", "missing.txt"])
        .run()
        .error();
    assert!(
        err.starts_with("blackbar: cannot open missing.txt: "),
        "{err}"
    );
    assert!(!dir.path("r.jsonl").exists(), "no report is started");
}

#[test]
fn unreadable_file() {
    let dir = setup();
    dir.create("good.txt", format!("good {ACCT}\n"));
    let path = dir.create("secret.txt", format!("x {ACCT}\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    // Mode 000 stops every user but root (CI runs as root); a path through a regular file
    // (`ENOTDIR`) cannot be opened by anyone. Whichever applies, each is one clear error
    // naming the file, after a good file, with nothing written.
    let mut unopenable = vec!["good.txt/inner"];
    if std::fs::read(&path).is_err() {
        unopenable.push("secret.txt");
    }
    for name in unopenable {
        let run = bb(&dir).args(["good.txt", name]).run();
        assert!(
            run.stdout().is_empty(),
            "nothing is written before the error"
        );
        let err = run.error();
        assert!(
            err.starts_with(&format!("blackbar: cannot open {name}: ")),
            "{err}"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn file_failing_while_read() {
    // /proc/self/mem opens fine, and reading its first page fails with EIO.
    let dir = setup();
    let err = bb(&dir).arg("/proc/self/mem").run().error();
    assert!(
        err.starts_with("blackbar: cannot read /proc/self/mem: "),
        "{err}"
    );
}

/// A CA file the proxy cannot use stops it at start-up, with one line naming the file. The
/// listen address is taken, so a proxy that did start would fail too, not hang the test.
#[cfg(feature = "proxy")]
#[test]
fn proxy_upstream_ca_that_cannot_be_used() {
    let dir = Dir::new();
    dir.create(
        "key.pem",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    );
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = taken.local_addr().unwrap().to_string();
    let start = |ca: &str| {
        dir.command()
            .args([
                "proxy",
                "--listen",
                &listen,
                "--upstream",
                "https://localhost:9",
            ])
            .args(["--upstream-ca", ca])
            .run()
            .error()
    };
    let err = start("missing.pem");
    assert!(
        err.starts_with("blackbar: --upstream-ca missing.pem: cannot read: "),
        "{err}"
    );
    assert_eq!(
        start("key.pem"),
        "blackbar: --upstream-ca key.pem: holds no certificate (expected a -----BEGIN \
         CERTIFICATE----- block)"
    );
}

#[test]
fn missing_rule_file() {
    let dir = Dir::new();
    let err = dir.command().args(["--rules", "none.toml"]).run().error();
    assert!(
        err.starts_with("blackbar: cannot read rule file none.toml: "),
        "{err}"
    );
}

/// One rule named `id` with `body` lines (pattern, examples...) filled in.
fn rule(id: &str, body: &str) -> String {
    format!("[[rule]]\nid = \"{id}\"\nname = \"x\"\ncategory = \"pii\"\nlabel = \"X\"\n{body}\n")
}

const GOOD_BODY: &str =
    "pattern = 'qq[0-9]{3}'\nexamples = [\"qq123\", \"a qq456\"]\ncounterexamples = [\"qq1\"]";

/// Loads `text` as `bad.toml` and returns the error line.
fn rule_file_error(text: &str) -> String {
    let dir = Dir::new();
    dir.create("bad.toml", text);
    dir.command()
        .args(["--rules", "bad.toml"])
        .stdin("x\n")
        .run()
        .error()
}

#[test]
fn rule_file_toml_error() {
    let err = rule_file_error("[[rule]\nid = 1\n");
    assert!(
        err.starts_with("blackbar: bad.toml: ") && err.contains("line 1"),
        "{err}"
    );
}

#[test]
fn rule_file_unknown_key() {
    let err = rule_file_error(&rule("k", &format!("{GOOD_BODY}\ncolour = \"red\"")));
    assert!(
        err.starts_with("blackbar: bad.toml: ") && err.contains("colour"),
        "{err}"
    );
}

#[test]
fn rule_with_unbounded_pattern() {
    let body = "pattern = 'a+'\nexamples = [\"a\", \"aa\"]\ncounterexamples = [\"b\"]";
    let err = rule_file_error(&rule("plus", body));
    assert!(
        err.starts_with("blackbar: bad.toml: rule 'plus': unbounded maximum match length"),
        "{err}"
    );
}

#[test]
fn rule_with_bad_regex() {
    let body = "pattern = 'qq(['\nexamples = [\"a\", \"aa\"]\ncounterexamples = [\"b\"]";
    let err = rule_file_error(&rule("paren", body));
    assert!(
        err.starts_with("blackbar: bad.toml: rule 'paren': "),
        "{err}"
    );
}

#[test]
fn rule_with_unknown_validator() {
    let err = rule_file_error(&rule(
        "val",
        &format!("{GOOD_BODY}\nvalidators = [\"crc64\"]"),
    ));
    assert!(
        err.starts_with("blackbar: bad.toml: rule 'val': unknown validator 'crc64'"),
        "{err}"
    );
}

#[test]
fn rule_with_duplicate_id() {
    let text = format!("{}{}", rule("twice", GOOD_BODY), rule("twice", GOOD_BODY));
    let err = rule_file_error(&text);
    assert_text("blackbar: bad.toml: rule 'twice': duplicate id", &err);
}

#[test]
fn rule_id_clashing_across_files() {
    let dir = Dir::new();
    dir.create("one.toml", rule("same", GOOD_BODY));
    dir.create("two.toml", rule("same", GOOD_BODY));
    let err = dir
        .command()
        .args(["--rules", "one.toml", "--rules", "two.toml"])
        .run()
        .error();
    assert_text("blackbar: two.toml: rule 'same': duplicate id", &err);
}

#[test]
fn rule_with_too_few_examples() {
    let body = "pattern = 'qq[0-9]{3}'\nexamples = [\"qq123\"]\ncounterexamples = [\"qq1\"]";
    let err = rule_file_error(&rule("few", body));
    assert_text(
        "blackbar: bad.toml: rule 'few': needs at least 2 examples, has 1",
        &err,
    );
}

#[test]
fn rule_without_counterexamples() {
    let body = "pattern = 'qq[0-9]{3}'\nexamples = [\"qq123\", \"qq456\"]";
    let err = rule_file_error(&rule("noce", body));
    assert_text(
        "blackbar: bad.toml: rule 'noce': needs at least 1 counterexample",
        &err,
    );
}

/// Loads `text` as `policy.toml` (with the test rules) and returns the error line.
fn policy_error(text: &str) -> String {
    let dir = setup();
    dir.create("policy.toml", text);
    bb(&dir)
        .args(["--policy", "policy.toml"])
        .stdin(format!("{ACCT}\n"))
        .run()
        .error()
}

#[test]
fn policy_toml_error() {
    let err = policy_error("min_confidence = \n");
    assert!(err.starts_with("blackbar: policy.toml: "), "{err}");
}

#[test]
fn policy_unknown_key() {
    let err = policy_error("min_confidense = \"low\"\n");
    assert!(
        err.starts_with("blackbar: policy.toml: ") && err.contains("min_confidense"),
        "{err}"
    );
}

#[test]
fn policy_bad_values() {
    let err = policy_error("min_confidence = \"sure\"\n");
    assert_text(
        "blackbar: policy.toml: policy: unknown min_confidence 'sure'",
        &err,
    );
    let err = policy_error("[actions]\npii = \"burn\"\n");
    assert!(
        err.starts_with("blackbar: policy.toml: ") && err.contains("pii: unknown action 'burn'"),
        "{err}"
    );
}

#[test]

fn policy_unknown_target_names_the_file() {
    let err = policy_error("[actions]\nt-acount = \"mask\"\n");
    assert!(
        err.starts_with("blackbar: policy.toml: ") && err.contains("'t-acount'"),
        "{err}"
    );
}

#[test]
fn missing_policy_file() {
    let dir = setup();
    let err = bb(&dir).args(["--policy", "none.toml"]).run().error();
    assert!(
        err.starts_with("blackbar: cannot read policy file none.toml: "),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------
// hash and keys

#[test]
fn hash_without_key_is_an_error() {
    let dir = setup();
    let err = bb(&dir)
        .args(["--action", "secret=hash"])
        .stdin(format!("{TOKEN}\n"))
        .run()
        .error();
    assert!(
        err.contains("key") && err.contains("--key-file") && err.contains("BLACKBAR_KEY"),
        "{err}"
    );
}

#[test]
fn hash_with_key_file() {
    let dir = setup();
    dir.create("key", format!("{KEY}\n"));
    let input = format!("a {TOKEN}\nb {TOKEN2}\nc {TOKEN} {ACCT}\n");
    let run = || {
        bb(&dir)
            .args(["--action", "secret=hash", "--key-file", "key"])
            .stdin(&input)
            .run()
            .ok()
    };
    let out = run();
    let (h1, h2) = (hmac10(KEY, TOKEN), hmac10(KEY, TOKEN2));
    assert_ne!(h1, h2);
    assert_text(
        &format!("a ZQ_TOKEN#{h1}\nb ZQ_TOKEN#{h2}\nc ZQ_TOKEN#{h1} [ACCOUNT]\n"),
        &out,
    );
    // Deterministic across runs, and the key never shows.
    assert_text(&out, &run());
    assert!(!out.contains(KEY));
}

#[test]
fn hash_of_a_secret_group_hashes_only_the_group() {
    let dir = setup();
    dir.create("key", KEY);
    let out = bb(&dir)
        .args(["--action", "t-opaque=hash", "--key-file", "key"])
        .stdin("zq_opaque=Abcdefgh1234\n")
        .run()
        .ok();
    assert_text(
        &format!("zq_opaque=ZQ_OPAQUE#{}\n", hmac10(KEY, "Abcdefgh1234")),
        &out,
    );
}

#[test]
fn hash_with_env_key_matches_key_file() {
    let dir = setup();
    dir.create("key", format!("{KEY}\n"));
    let input = format!("{TOKEN}\n");
    let from_env = bb(&dir)
        .args(["--action", "secret=hash"])
        .env("BLACKBAR_KEY", KEY)
        .stdin(&input)
        .run()
        .ok();
    assert_text(&format!("ZQ_TOKEN#{}\n", hmac10(KEY, TOKEN)), &from_env);
    let from_file = bb(&dir)
        .args(["--action", "secret=hash", "--key-file", "key"])
        .stdin(&input)
        .run()
        .ok();
    assert_text(&from_env, &from_file);
}

#[test]
fn different_key_different_digest() {
    let dir = setup();
    let other = "another-key-of-enough-length";
    let run = |key: &str| {
        bb(&dir)
            .args(["--action", "secret=hash"])
            .env("BLACKBAR_KEY", key)
            .stdin(format!("{TOKEN}\n"))
            .run()
            .ok()
    };
    let (a, b) = (run(KEY), run(other));
    assert_ne!(a, b);
    assert_text(&format!("ZQ_TOKEN#{}\n", hmac10(other, TOKEN)), &b);
}

#[test]
fn short_key_is_refused_without_showing_it() {
    let dir = setup();
    let short = "tiny-key-42";
    dir.create("key", short);
    let err = bb(&dir)
        .args(["--action", "secret=hash", "--key-file", "key"])
        .run()
        .error();
    assert!(err.contains("key") && err.contains("too short"), "{err}");
    assert!(!err.contains(short), "{err}");
    let err = bb(&dir)
        .args(["--action", "secret=hash"])
        .env("BLACKBAR_KEY", short)
        .run()
        .error();
    assert!(
        err.contains("BLACKBAR_KEY") && !err.contains(short),
        "{err}"
    );
}

#[test]
fn missing_key_file() {
    let dir = setup();
    let err = bb(&dir)
        .args(["--action", "secret=hash", "--key-file", "nokey"])
        .run()
        .error();
    assert!(err.starts_with("blackbar: nokey: "), "{err}");
}

// ---------------------------------------------------------------------------------------
// Actions, policies, disabling, confidence

fn with_action(action: &str, input: &str) -> String {
    let dir = setup();
    bb(&dir).args(["--action", action]).stdin(input).run().ok()
}

#[test]
fn action_mask() {
    let out = with_action("pii=mask", &format!("id {ACCT} {TOKEN}\n"));
    assert_text("id ************** [ZQ_TOKEN]\n", &out);
}

#[test]
fn action_mask_keep_separators() {
    let out = with_action("pii=mask:keep-separators", &format!("id {ACCT}\n"));
    assert_text("id ****-****-****\n", &out);
}

#[test]
fn action_partial() {
    let out = with_action("pii=partial:0:4", &format!("id {ACCT}\n"));
    assert_text("id ****-****-5678\n", &out);
    let out = with_action("t-token=partial:4:2", &format!("{TOKEN}\n"));
    assert_text("zqk_******************v0\n", &out);
}

#[test]
fn action_drop_removes_whole_lines() {
    let input = format!("keep 1\ndrop {ACCT} this\nkeep 2 {TOKEN}\n{ACCT2}\nkeep 3");
    let out = with_action("pii=drop", &input);
    assert_text("keep 1\nkeep 2 [ZQ_TOKEN]\nkeep 3", &out);
}

#[test]
fn action_report_leaves_text_and_reports() {
    let dir = setup();
    let input = format!("id {ACCT}\n{TOKEN}\n");
    let out = bb(&dir)
        .args(["--action", "pii=report", "--report", "r.jsonl"])
        .stdin(&input)
        .run()
        .ok();
    assert_text(&format!("id {ACCT}\n[ZQ_TOKEN]\n"), &out);
    let lines = json_lines(&dir.read("r.jsonl"));
    assert_eq!(lines[0]["rule"], "t-account");
    assert_eq!(lines[0]["action"], "report");
    assert_eq!(lines[1]["action"], "label");
    assert_eq!(
        lines[2]["summary"]["by_action"],
        json!({"report": 1, "label": 1})
    );
}

#[test]
fn policy_file_actions_and_min_confidence() {
    let dir = setup();
    dir.create(
        "policy.toml",
        "min_confidence = \"low\"\n[actions]\npii = \"mask\"\nsecret = \"partial:4:0\"\nt-member = \"label\"\n",
    );
    let out = bb(&dir)
        .args(["--policy", "policy.toml"])
        .stdin(format!("{ACCT} {MEMBER_BAD} {MEMBER_OK} {TOKEN}\n"))
        .run()
        .ok();
    // t-member is pii, but its own entry wins over the category; low confidence now counts.
    assert_text(
        "************** [MEMBER_ID] [MEMBER_ID] zqk_********************\n",
        &out,
    );
}

#[test]
fn action_flags_override_the_policy_file() {
    let dir = setup();
    dir.create("policy.toml", "[actions]\npii = \"mask\"\n");
    let out = bb(&dir)
        .args(["--policy", "policy.toml", "--action", "pii=drop"])
        .stdin(format!("a\n{ACCT}\nb\n"))
        .run()
        .ok();
    assert_text("a\nb\n", &out);
    // A rule id flag beats a later category flag.
    let out = bb(&dir)
        .args(["--action", "t-account=mask", "--action", "pii=drop"])
        .stdin(format!("a {ACCT}\n{MEMBER_OK}\nb\n"))
        .run()
        .ok();
    assert_text("a **************\nb\n", &out);
}

#[test]
fn disable_rule_by_id() {
    let dir = setup();
    let out = bb(&dir)
        .args(["--disable", "t-account"])
        .stdin(format!("{ACCT} {MEMBER_OK} {TOKEN}\n"))
        .run()
        .ok();
    assert_text(&format!("{ACCT} [MEMBER_ID] [ZQ_TOKEN]\n"), &out);
}

#[test]
fn disable_category() {
    let dir = setup();
    let out = bb(&dir)
        .args(["--disable", "pii"])
        .stdin(format!("{ACCT} {MEMBER_OK} {TOKEN}\n"))
        .run()
        .ok();
    assert_text(&format!("{ACCT} {MEMBER_OK} [ZQ_TOKEN]\n"), &out);
    let out = bb(&dir)
        .args(["--disable", "secret"])
        .stdin(format!("{ACCT} {TOKEN}\n"))
        .run()
        .ok();
    assert_text(&format!("[ACCOUNT] {TOKEN}\n"), &out);
}

#[test]
fn disable_unknown_name_is_an_error() {
    let dir = setup();
    let err = bb(&dir).args(["--disable", "t-acount"]).run().error();
    assert!(err.contains("cannot disable 't-acount'"), "{err}");
}

#[test]
fn min_confidence_low_redacts_a_luhn_failure() {
    let input = format!("{MEMBER_OK} {MEMBER_BAD}\n");
    let dir = setup();
    let out = bb(&dir).stdin(&input).run().ok();
    assert_text(&format!("[MEMBER_ID] {MEMBER_BAD}\n"), &out);
    let out = bb(&dir)
        .args(["--min-confidence", "low"])
        .stdin(&input)
        .run()
        .ok();
    assert_text("[MEMBER_ID] [MEMBER_ID]\n", &out);
    // And `certain` only acts on checksum-verified values.
    let out = bb(&dir)
        .args(["--min-confidence", "certain"])
        .stdin(format!("{ACCT} {MEMBER_OK} {MEMBER_BAD}\n"))
        .run()
        .ok();
    assert_text(&format!("{ACCT} [MEMBER_ID] {MEMBER_BAD}\n"), &out);
}

// ---------------------------------------------------------------------------------------
// Canaries

#[test]
fn canary_list_of_twenty_thousand() {
    let dir = setup();
    let mut rng = XorShift(42);
    let list: Vec<String> = (0..20_000)
        .map(|_| format!("cnry-{:016x}", rng.next()))
        .collect();
    let mut file = String::from("# canaries planted in the staging database\n");
    for c in &list {
        file.push_str(c);
        file.push('\n');
    }
    dir.create("canaries.txt", file);
    let (hit, other) = (&list[12_345], &list[7]);
    let out = bb(&dir)
        .args(["--canaries", "canaries.txt", "--report", "r.jsonl"])
        .stdin(format!(
            "row 1 {hit} here\nrow 2 cnry-0000000000000000\nrow 3 {other},{hit}\n"
        ))
        .run()
        .ok();
    assert_text(
        "row 1 [CANARY] here\nrow 2 cnry-0000000000000000\nrow 3 [CANARY],[CANARY]\n",
        &out,
    );
    let raw = dir.read("r.jsonl");
    let lines = json_lines(&raw);
    assert_eq!(
        lines[0],
        json!({"rule": "canary-list", "category": "canary", "label": "CANARY", "file": "-",
               "line": 1, "offset": 6, "length": 21, "action": "label",
               "confidence": "certain"})
    );
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[3]["summary"]["by_category"], json!({"canary": 3}));
    assert!(!contains(&raw, hit) && !contains(&raw, other));
}

#[test]
fn canary_beats_an_overlapping_secret() {
    let dir = setup();
    dir.create("canaries.txt", format!("{TOKEN}\n"));
    let out = bb(&dir)
        .args(["--canaries", "canaries.txt"])
        .stdin(format!("{TOKEN} {TOKEN2}\n"))
        .run()
        .ok();
    assert_text("[CANARY] [ZQ_TOKEN]\n", &out);
}

#[test]
fn bad_canary_list() {
    let dir = setup();
    dir.create("short.txt", "cnry-0000000001\nabc\n");
    let err = bb(&dir).args(["--canaries", "short.txt"]).run().error();
    assert!(
        err.starts_with("blackbar: short.txt: ") && err.contains("line 2"),
        "{err}"
    );
    let err = bb(&dir).args(["--canaries", "none.txt"]).run().error();
    assert!(
        err.starts_with("blackbar: cannot read canary list none.txt: "),
        "{err}"
    );
}

fn is_base62(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[test]
fn canary_new() {
    let dir = Dir::new();
    let a = dir.command().args(["canary", "new"]).run().ok();
    let b = dir.command().args(["canary", "new"]).run().ok();
    for out in [&a, &b] {
        let token = out.strip_suffix('\n').expect("one line");
        let body = token.strip_prefix("bbcan_").expect("bbcan_ prefix");
        assert_eq!(body.len(), 30, "{token}");
        assert!(is_base62(body), "{token}");
    }
    assert_ne!(a, b, "each canary is fresh");
}

#[test]
fn canary_new_with_label() {
    let dir = Dir::new();
    let out = dir
        .command()
        .args(["canary", "new", "--label", "billing-db"])
        .run()
        .ok();
    let (token, label) = out
        .strip_suffix('\n')
        .and_then(|l| l.split_once(' '))
        .expect("TOKEN LABEL");
    assert_eq!(label, "billing-db");
    assert!(token.starts_with("bbcan_") && token.len() == 36, "{token}");
}

#[test]
fn generated_canary_is_recognised_without_a_list() {
    let dir = Dir::new();
    let out = dir.command().args(["canary", "new"]).run().ok();
    let token = out.trim_end();
    let run = dir
        .command()
        .args(["--report", "r.jsonl"])
        .stdin(format!("leaked {token} here\n"))
        .run();
    assert_text("leaked [CANARY] here\n", &run.ok());
    let lines = json_lines(&dir.read("r.jsonl"));
    assert_eq!(lines[0]["category"], "canary");
    assert_eq!(lines[0]["confidence"], "certain");
    // A corrupted one fails the checksum: it is not certain any more.
    let mut broken = token.to_string();
    let last = broken.pop().unwrap();
    broken.push(if last == 'a' { 'b' } else { 'a' });
    let run = dir
        .command()
        .args(["--check", "--report", "-"])
        .stdin(format!("{broken}\n"))
        .run();
    let lines = json_lines(run.stdout());
    assert!(
        lines.iter().all(|l| l["confidence"] != "certain"),
        "{run:?}"
    );
}

// ---------------------------------------------------------------------------------------
// rules check / rules list

#[test]
fn rules_check_good_file() {
    let dir = setup();
    let out = dir
        .command()
        .args(["rules", "check", "rules.toml"])
        .run()
        .ok();
    assert_text(
        "5 rules, 16 examples and counterexamples, 0 failures\n",
        &out,
    );
}

#[test]
fn rules_check_failing_example() {
    let dir = Dir::new();
    let text = format!(
        "{}{}",
        rule("fine", GOOD_BODY),
        rule(
            "wrong",
            "pattern = 'zz[0-9]{3}'\nexamples = [\"zz123\", \"zz-999\"]\ncounterexamples = [\"zz1\"]"
        )
    );
    dir.create("mine.toml", text);
    let run = dir.command().args(["rules", "check", "mine.toml"]).run();
    run.status(1);
    assert!(run.output.stderr.is_empty(), "{run:?}");
    let out = run.stdout_str();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("mine.toml: rule 'wrong': ") && lines[0].contains("zz-999"),
        "{out}"
    );
    assert_eq!(
        lines[1],
        "2 rules, 6 examples and counterexamples, 1 failures"
    );
}

#[test]
fn rules_check_matching_counterexample() {
    let dir = Dir::new();
    let body =
        "pattern = 'zz[0-9]{1,3}'\nexamples = [\"zz123\", \"zz9\"]\ncounterexamples = [\"zz1\"]";
    dir.create("mine.toml", rule("loose", body));
    let run = dir.command().args(["rules", "check", "mine.toml"]).run();
    run.status(1);
    let out = run.stdout_str();
    assert!(
        out.starts_with("mine.toml: rule 'loose': ") && out.lines().next().unwrap().contains("zz1"),
        "{out}"
    );
}

#[test]
fn rules_check_load_error() {
    let dir = Dir::new();
    let body = "pattern = 'a+'\nexamples = [\"a\", \"aa\"]\ncounterexamples = [\"b\"]";
    dir.create("mine.toml", rule("plus", body));
    let err = dir
        .command()
        .args(["rules", "check", "mine.toml"])
        .run()
        .error();
    assert!(
        err.starts_with("blackbar: mine.toml: rule 'plus': "),
        "{err}"
    );
}

#[test]
fn rules_list_json() {
    let dir = setup();
    let out = dir
        .command()
        .args(["rules", "list", "--json", "--rules", "rules.toml"])
        .run()
        .ok();
    let lines = json_lines(out.as_bytes());
    for l in &lines {
        for key in [
            "id",
            "category",
            "label",
            "validators",
            "keywords",
            "examples",
        ] {
            assert!(l.get(key).is_some(), "{key} missing in {l}");
        }
    }
    let mine: Vec<&Value> = lines
        .iter()
        .filter(|l| l["origin"] == "rules.toml")
        .collect();
    let ids: Vec<&str> = mine.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["t-account", "t-member", "t-token", "t-opaque", "t-blob"]
    );
    let member = mine[1];
    assert_eq!(member["category"], "pii");
    assert_eq!(member["label"], "MEMBER_ID");
    assert_eq!(member["validators"], json!(["luhn"]));
    assert_eq!(member["keywords"], json!(["MBR"]));
    assert_eq!(member["examples"], 2);
    assert_eq!(member["counterexamples"], 1);
    assert_eq!(member["max_len"], 14);
    assert_eq!(member["multiline"], false);
    assert_eq!(mine[4]["multiline"], true);
}

#[test]
fn rules_list_markdown() {
    let dir = setup();
    let out = dir
        .command()
        .args(["rules", "list", "--markdown", "--rules", "rules.toml"])
        .run()
        .ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "| id | category | label | validators | keywords | examples |",
            "| --- | --- | --- | --- | --- | --- |"
        ]
    );
    assert!(lines
        .iter()
        .all(|l| l.starts_with("| ") && l.ends_with(" |")));
    let row = |id: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("| `{id}` |")))
            .copied()
            .unwrap_or_else(|| panic!("no row for {id}:\n{out}"))
    };
    assert_eq!(
        row("t-member"),
        "| `t-member` | pii | `MEMBER_ID` | luhn | `MBR` | 2 |"
    );
    assert_eq!(
        row("t-blob"),
        "| `t-blob` | secret | `ZQ_BLOB` |  | `-----BEGIN ZQ BLOB` | 2 |"
    );
}

#[test]
fn rules_list_table_honours_disable() {
    let dir = setup();
    let out = dir
        .command()
        .args([
            "rules",
            "list",
            "--rules",
            "rules.toml",
            "--disable",
            "pii",
            "--disable",
            "secret",
            "--disable",
            "canary",
        ])
        .run()
        .ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("ID "), "{out}");
    assert!(lines[1].starts_with("0 rules (engine: "), "{out}");
}

// ---------------------------------------------------------------------------------------
// --help and --version

#[test]
fn version_names_the_engines() {
    let dir = Dir::new();
    for flag in ["--version", "-V"] {
        let out = dir.command().arg(flag).run().ok();
        let mut lines = out.lines();
        assert_eq!(
            lines.next(),
            Some(format!("blackbar {}", env!("CARGO_PKG_VERSION")).as_str())
        );
        let engines = lines.next().unwrap_or_default();
        assert!(
            engines.starts_with("engines: ") && engines.contains("rust (regex-automata)"),
            "{out}"
        );
        // `auto` is the fastest engine built in.
        let auto = if cfg!(feature = "hyperscan") {
            "(auto: hyperscan)"
        } else {
            "(auto: rust)"
        };
        assert_eq!(
            engines.contains("hyperscan ("),
            cfg!(feature = "hyperscan"),
            "{out}"
        );
        assert!(engines.ends_with(auto), "{out}");
    }
}

#[test]
fn help_lists_usage_and_examples() {
    let dir = Dir::new();
    let long = dir.command().arg("--help").run().ok();
    let short = dir.command().arg("-h").run().ok();
    assert_text(&long, &short);
    for needle in [
        "USAGE:",
        "OPTIONS:",
        "EXAMPLES:",
        "tail -F /var/log/app.log | blackbar",
        "blackbar --check --report - src/ config/",
        "blackbar rules check my-rules.toml",
        "EXIT STATUS:",
    ] {
        assert!(long.contains(needle), "--help lacks {needle:?}:\n{long}");
    }
    for flag in [
        "--check",
        "--report",
        "--rules",
        "--disable",
        "--canaries",
        "--policy",
        "--action",
        "--min-confidence",
        "--key-file",
        "--line-buffered",
    ] {
        assert!(long.contains(flag), "--help lacks {flag}");
    }
}

#[test]
fn help_wins_over_other_flags_and_reads_no_input() {
    let dir = Dir::new();
    let out = dir
        .command()
        .args(["--rules", "none.toml", "--help"])
        .run()
        .ok();
    assert!(out.starts_with("blackbar: find and redact"), "{out}");
}

// ---------------------------------------------------------------------------------------
// Tokens, detokenize, fpe, placeholders and key rings (issue 5)

/// A log with an email, a card, a phone and the test token, for the token tests.
const TOKEN_LOG: &str = "\
login alice@example.com from ACCT-1234-5678
pay 4111 1111 1111 1111 call (415) 555-0132
auth zqk_r7w2k9p4x1m8q3z6t5v0 by bob@example.com
";

fn token_words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("tok_"))
        .collect()
}

#[test]
fn token_round_trip_and_second_pass_is_unchanged() {
    let dir = setup();
    dir.create("key", format!("{KEY}\n"));
    let redact = |input: &str, actions: &[&str]| {
        let mut cmd = bb(&dir);
        for a in actions {
            cmd.args(["--action", a]);
        }
        cmd.args(["--key-file", "key"]).stdin(input).run().ok()
    };
    let once = redact(TOKEN_LOG, &["pii=token", "secret=token"]);
    assert_eq!(token_words(&once).len(), 6, "{once}");
    for raw in ["alice", "ACCT-", "4111", "555-0132", "zqk_", "bob@"] {
        assert!(!once.contains(raw), "{raw} in {once}");
    }
    // Deterministic, and idempotent under any policy: tokens are never re-redacted.
    assert_text(&once, &redact(TOKEN_LOG, &["pii=token", "secret=token"]));
    assert_text(&once, &redact(&once, &["pii=token", "secret=token"]));
    assert_text(&once, &redact(&once, &["pii=mask", "secret=hash"]));
    assert_text(&once, &bb(&dir).stdin(&once).run().ok());
    // Restore everything, then one line, with the key file or the variable.
    let all = dir
        .command()
        .args(["detokenize", "--key-file", "key"])
        .stdin(&once)
        .run()
        .ok();
    assert_text(TOKEN_LOG, &all);
    let line3 = once.lines().nth(2).unwrap();
    let one = dir
        .command()
        .arg("detokenize")
        .env("BLACKBAR_KEY", KEY)
        .stdin(format!("{line3}\n"))
        .run()
        .ok();
    assert_text("auth zqk_r7w2k9p4x1m8q3z6t5v0 by bob@example.com\n", &one);
}

#[test]
fn detokenize_with_the_wrong_key_stops_before_the_token() {
    let dir = setup();
    dir.create("key", KEY);
    dir.create("other", "another-key-of-enough-length\n");
    let once = bb(&dir)
        .args(["--action", "pii=token", "--key-file", "key"])
        .stdin(TOKEN_LOG)
        .run()
        .ok();
    dir.create("red.log", &once);
    let run = dir
        .command()
        .args(["detokenize", "--key-file", "other", "red.log"])
        .run();
    run.status(2);
    assert_eq!(
        run.stdout_str(),
        "login ",
        "only what precedes the failing token"
    );
    let err = run.stderr_str();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("blackbar: red.log: line 1, byte 6: token tok_EMAIL_k"),
        "{err}"
    );
    assert!(err.contains("not in the key ring"), "{err}");
    for secret in ["alice", KEY, "another-key"] {
        assert!(!err.contains(secret), "{err}");
    }
}

#[test]
fn detokenize_detects_tampering_and_keep_going_leaves_tokens() {
    let dir = setup();
    dir.create("key", KEY);
    let once = bb(&dir)
        .args(["--action", "pii=token", "--key-file", "key"])
        .stdin(TOKEN_LOG)
        .run()
        .ok();
    // Flip one payload character of the second email token (line 3).
    let victim = token_words(&once)
        .into_iter()
        .filter(|t| t.starts_with("tok_EMAIL_"))
        .nth(1)
        .unwrap()
        .to_string();
    // The last payload character: the one before the terminator `_`.
    let last = victim.chars().nth_back(1).unwrap();
    let flipped = format!(
        "{}{}_",
        &victim[..victim.len() - 2],
        if last == 'a' { 'b' } else { 'a' }
    );
    let tampered = once.replace(&victim, &flipped);
    let run = dir
        .command()
        .args(["detokenize", "--key-file", "key"])
        .stdin(&tampered)
        .run();
    run.status(2);
    let err = run.stderr_str();
    assert!(
        err.contains("line 3") && err.contains("does not authenticate"),
        "{err}"
    );
    assert!(!run.stdout_str().contains("bob@"));
    assert!(run.stdout_str().ends_with("by "), "{}", run.stdout_str());
    let run = dir
        .command()
        .args(["detokenize", "--keep-going", "--key-file", "key"])
        .stdin(&tampered)
        .run();
    run.status(1);
    assert_text(
        &TOKEN_LOG
            .replace("bob@example.com", &flipped)
            .replace(TOKEN, "[ZQ_TOKEN]"),
        &run.stdout_str(),
    );
    assert_eq!(run.stderr_str().lines().count(), 1);
}

#[test]
fn token_and_fpe_without_a_key_are_errors() {
    let dir = setup();
    for action in ["pii=token", "pii=fpe"] {
        let err = bb(&dir).args(["--action", action]).run().error();
        assert!(
            err.contains("--key-file") && err.contains("BLACKBAR_KEY"),
            "{err}"
        );
    }
    let err = dir.command().arg("detokenize").run().error();
    assert!(
        err.contains("--key-file") && err.contains("BLACKBAR_KEY"),
        "{err}"
    );
}

#[test]
fn key_new_list_rotate_and_pseudonyms() {
    let dir = setup();
    let line = dir.command().args(["key", "new"]).run().ok();
    assert!(
        line.starts_with("bbkey1:") && line.len() == 7 + 43 + 1,
        "{line}"
    );
    assert_ne!(line, dir.command().args(["key", "new"]).run().ok());
    let first = dir
        .command()
        .args(["key", "new", "--out", "keys"])
        .run()
        .ok();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path("keys"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let id1 = first.split_whitespace().next().unwrap().to_string();
    // Tokens made before the rotation still restore after it.
    let old = bb(&dir)
        .args(["--action", "pii=token", "--key-file", "keys"])
        .stdin(format!("{ACCT}\n"))
        .run()
        .ok();
    let second = dir
        .command()
        .args(["key", "new", "--out", "keys"])
        .run()
        .ok();
    let id2 = second.split_whitespace().next().unwrap().to_string();
    assert!(second.contains("2 keys"), "{second}");
    let list = dir
        .command()
        .args(["key", "list", "--key-file", "keys"])
        .run()
        .ok();
    assert_text(&format!("{id1}\n{id2} current\n"), &list);
    let new = bb(&dir)
        .args(["--action", "pii=token", "--key-file", "keys"])
        .stdin(format!("{ACCT}\n"))
        .run()
        .ok();
    assert!(old.contains(&id1) && new.contains(&id2), "{old}{new}");
    let both = dir
        .command()
        .args(["detokenize", "--key-file", "keys"])
        .stdin(format!("{old}{new}"))
        .run()
        .ok();
    assert_text(&format!("{ACCT}\n{ACCT}\n"), &both);
    // Pseudonyms under every key, newest first: the first is what hash writes now.
    let hashed = bb(&dir)
        .args(["--action", "pii=hash", "--key-file", "keys"])
        .stdin(format!("{ACCT}\n"))
        .run()
        .ok();
    let p = dir
        .command()
        .args([
            "key",
            "pseudonyms",
            "--label",
            "ACCOUNT",
            "--key-file",
            "keys",
        ])
        .stdin(format!("{ACCT}\n"))
        .run()
        .ok();
    let names: Vec<&str> = p.split_whitespace().collect();
    assert_eq!(names.len(), 2, "{p}");
    assert_eq!(format!("{}\n", names[0]), hashed);
    assert!(!p.contains(ACCT));
    // A world-readable key file is refused for appending.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        dir.create("open", "");
        std::fs::set_permissions(dir.path("open"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = dir
            .command()
            .args(["key", "new", "--out", "open"])
            .run()
            .error();
        assert!(err.contains("readable by group or others"), "{err}");
    }
}

#[test]
fn plain_key_file_still_works_for_tokens() {
    let dir = setup();
    dir.create("key", format!("{KEY}\n"));
    let out = bb(&dir)
        .args(["--action", "t-account=token", "--key-file", "key"])
        .stdin(format!("{ACCT}\n"))
        .run()
        .ok();
    assert!(out.starts_with("tok_ACCOUNT_k"), "{out}");
    let back = dir
        .command()
        .args(["detokenize", "--key-file", "key"])
        .stdin(&out)
        .run()
        .ok();
    assert_text(&format!("{ACCT}\n"), &back);
}

#[test]
fn fpe_through_the_binary_and_reversed_with_detokenize() {
    let dir = setup();
    dir.create("key", KEY);
    let input = "pay 4111 1111 1111 1111 call (415) 555-0132 now\n";
    let enc = bb(&dir)
        .args(["--action", "pii=fpe", "--key-file", "key"])
        .stdin(input)
        .run()
        .ok();
    assert_eq!(enc.len(), input.len());
    assert_ne!(enc, input);
    assert_eq!(&enc[..10], "pay 4111 1");
    let back = dir
        .command()
        .args([
            "detokenize",
            "--rules",
            "rules.toml",
            "--fpe",
            "pii",
            "--key-file",
            "key",
        ])
        .stdin(&enc)
        .run()
        .ok();
    assert_text(input, &back);
}

#[test]
fn placeholder_action_numbers_values_per_run() {
    let dir = setup();
    let out = bb(&dir)
        .args(["--action", "pii=placeholder"])
        .stdin(format!("{ACCT} [ACCOUNT_2] {ACCT2} {ACCT}\n"))
        .run()
        .ok();
    assert_text("[ACCOUNT_1] [ACCOUNT_2] [ACCOUNT_3] [ACCOUNT_1]\n", &out);
}

// ---------------------------------------------------------------------------------------
// JSON lines (issue 4): --format, --json-keys, --decode.

#[test]
fn json_format_redacts_only_string_values() {
    let dir = setup();
    let input = format!(
        "{{\"msg\":\"paid from {ACCT}\",\"amount\":1.50,\"ok\":true,\"n\":null}}\n\
         {{\"esc\":\"auth \\u007a{}\",\"password\":{{\"a\":[1,2]}},\"max_tokens\":10}}\n\
         not json {ACCT}\n\
         {{\"truncated\":\"{ACCT}\n",
        &TOKEN[1..]
    );
    let out = bb(&dir)
        .args(["--format", "json", "--report", "r.jsonl"])
        .stdin(&input)
        .run()
        .ok();
    assert_text(
        "{\"msg\":\"paid from [ACCOUNT]\",\"amount\":1.50,\"ok\":true,\"n\":null}\n\
         {\"esc\":\"auth [ZQ_TOKEN]\",\"password\":\"[REDACTED]\",\"max_tokens\":10}\n\
         not json [ACCOUNT]\n\
         {\"truncated\":\"[ACCOUNT]\n",
        &out,
    );
    let report = json_lines(&dir.read("r.jsonl"));
    let summary = &report.last().unwrap()["summary"];
    assert_eq!(
        summary["lines"],
        json!({"json": 2, "text": 0, "invalid_json": 2, "too_long": 0})
    );
    assert_eq!(summary["by_rule"]["json-sensitive-key"], 1);
    assert_eq!(summary["by_rule"]["t-account"], 3);
    // Findings carry lines and offsets in the input, never values.
    let first = &report[0];
    assert_eq!(
        (first["line"].as_u64(), first["offset"].as_u64()),
        (Some(1), Some(18))
    );
    assert!(!String::from_utf8_lossy(&dir.read("r.jsonl")).contains(ACCT));
}

#[test]
fn auto_format_mixes_json_and_text_lines() {
    let dir = setup();
    let input = format!("  {{\"a\":\"{ACCT}\"}}\nplain {ACCT}\n[\"{ACCT2}\"]\n");
    let out = bb(&dir).args(["--format", "auto"]).stdin(&input).run().ok();
    assert_text(
        "  {\"a\":\"[ACCOUNT]\"}\nplain [ACCOUNT]\n[\"[ACCOUNT]\"]\n",
        &out,
    );
    // Text mode (the default) is unchanged: the JSON line is just text.
    let out = bb(&dir).stdin(&input).run().ok();
    assert_text(
        "  {\"a\":\"[ACCOUNT]\"}\nplain [ACCOUNT]\n[\"[ACCOUNT]\"]\n",
        &out,
    );
}

#[test]
fn json_keys_are_configurable() {
    let dir = setup();
    let input = "{\"password\":\"x\",\"session_id\":42}\n";
    let out = bb(&dir)
        .args(["--format", "json", "--json-keys", "none"])
        .stdin(input)
        .run()
        .ok();
    assert_text(input, &out);
    let out = bb(&dir)
        .args(["--format", "json", "--json-keys", "default,sessionId"])
        .stdin(input)
        .run()
        .ok();
    assert_text(
        "{\"password\":\"[REDACTED]\",\"session_id\":\"[REDACTED]\"}\n",
        &out,
    );
}

#[test]
fn decoders_in_text_and_json_mode() {
    let dir = setup();
    // base64("acct ACCT-1234-5678") and a percent-encoded token.
    let b64 = "YWNjdCBBQ0NULTEyMzQtNTY3OA==";
    let input = format!("body={b64} q=x%20{TOKEN}%26y\n");
    let out = bb(&dir).stdin(&input).run().ok();
    assert_text("body=[ACCOUNT] q=x%20[ZQ_TOKEN]%26y\n", &out);
    // Without decoders neither is found: `%20zqk_` has no word boundary before the token.
    let out = bb(&dir).args(["--decode", "none"]).stdin(&input).run().ok();
    assert_text(&input, &out);
    let out = bb(&dir)
        .args(["--format", "json"])
        .stdin(format!("{{\"b\":\"{b64}\"}}\n"))
        .run()
        .ok();
    assert_text("{\"b\":\"[ACCOUNT]\"}\n", &out);
    let out = bb(&dir)
        .args(["--decode", "base64", "--decode-depth", "0"])
        .stdin(&input)
        .run()
        .ok();
    assert_text(&input, &out);
    let out = bb(&dir)
        .args(["--decode", "percent"])
        .stdin(&input)
        .run()
        .ok();
    assert_text(&format!("body={b64} q=x%20[ZQ_TOKEN]%26y\n"), &out);
}

#[test]
fn json_flag_errors() {
    let dir = setup();
    let err = bb(&dir).args(["--format", "yaml"]).run().error();
    assert_text("blackbar: --format yaml: expected text, json or auto", &err);
    let err = bb(&dir).args(["--decode", "rot13"]).run().error();
    assert!(err.contains("unknown decoder 'rot13'"), "{err}");
    let err = bb(&dir).args(["--decode-depth", "many"]).run().error();
    assert!(err.contains("--decode-depth many"), "{err}");
}

/// A full disk: the write error is one line with status 2, and it carries no value.
#[cfg(target_os = "linux")]
#[test]
fn full_disk_is_an_error_without_values() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blackbar"))
        .stdin(std::fs::File::open("corpora/sample.log").unwrap())
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("blackbar: ") && err.contains("No space left"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains('@'), "{err}");
}

// ---------------------------------------------------------------------------------------
// Allowlists and replacement templates (issue 20)

#[test]
fn allow_file_leaves_values_and_reports_them_as_allowed() {
    let dir = setup();
    dir.create(
        "allow.toml",
        format!(
            "[[allow]]\nvalues = [\"{ACCT}\"]\n\n[[allow]]\npaths = [\"fixtures/*.txt\"]\nrules = [\"t-token\"]\n"
        ),
    );
    dir.create("fixtures/a.txt", format!("{ACCT} {ACCT2} {TOKEN}\n"));
    dir.create("logs/a.txt", format!("{ACCT} {ACCT2} {TOKEN}\n"));
    let out = bb(&dir)
        .args(["--allow", "allow.toml", "--report", "r.jsonl"])
        .args(["fixtures/a.txt", "logs/a.txt"])
        .run()
        .ok();
    assert_text(
        &format!("{ACCT} [ACCOUNT] {TOKEN}\n{ACCT} [ACCOUNT] [ZQ_TOKEN]\n"),
        &out,
    );
    let lines = json_lines(&dir.read("r.jsonl"));
    let actions: Vec<(&str, &str)> = lines[..6]
        .iter()
        .map(|l| (l["file"].as_str().unwrap(), l["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("fixtures/a.txt", "allowed"),
            ("fixtures/a.txt", "label"),
            ("fixtures/a.txt", "allowed"),
            ("logs/a.txt", "allowed"),
            ("logs/a.txt", "label"),
            ("logs/a.txt", "label"),
        ]
    );
    assert_eq!(lines[6]["summary"]["acted_on"], 3);
    assert_eq!(lines[6]["summary"]["by_action"]["allowed"], 3);
    // --check: allowed values alone are not findings.
    dir.create("only.txt", format!("{ACCT}\n"));
    bb(&dir)
        .args(["--allow", "allow.toml", "--check", "only.txt"])
        .run()
        .status(0);
}

#[test]
fn bad_allow_file_is_one_clear_error() {
    let dir = setup();
    let err = bb(&dir)
        .args(["--allow", "missing.toml"])
        .stdin(ACCT)
        .run()
        .error();
    assert!(
        err.starts_with("blackbar: cannot read allowlist missing.toml: "),
        "{err}"
    );
    let cases = [
        (
            "[[allow]]\nvalue = [\"x\"]\n",
            "blackbar: bad.toml: allow entry 1: unknown field `value`",
        ),
        (
            "[[allow]]\nvalues = [\"x\"]\n[[allow]]\nreason = \"why\"\n",
            "blackbar: bad.toml: allow entry 2: policy: no condition",
        ),
        (
            "[[allow]]\nregexes = ['[a-']\n",
            "blackbar: bad.toml: allow entry 1: policy: regex '[a-'",
        ),
        (
            "[[allow]]\nrules = [\"t-nope\"]\n",
            "blackbar: bad.toml: allow entry 1: policy: 't-nope' is not a loaded rule id",
        ),
        ("allow = [1,\n", "blackbar: bad.toml: "),
    ];
    for (text, want) in cases {
        dir.create("bad.toml", text);
        let err = bb(&dir)
            .args(["--allow", "bad.toml"])
            .stdin(ACCT)
            .run()
            .error();
        assert!(err.starts_with(want), "{text:?}: {err}");
    }
}

#[test]
fn policy_file_allow_section_and_templates() {
    let dir = setup();
    dir.create(
        "policy.toml",
        format!(
            "[actions]\npii = \"text:<{{label}}>\"\nt-token = \"text:[REDACTED:{{category}}:{{rule}}]\"\n\n[[allow]]\nvalues = [\"{ACCT}\"]\n"
        ),
    );
    let out = bb(&dir)
        .args(["--policy", "policy.toml"])
        .stdin(format!("{ACCT} {ACCT2} {TOKEN}\n"))
        .run()
        .ok();
    assert_text(
        &format!("{ACCT} <ACCOUNT> [REDACTED:secret:t-token]\n"),
        &out,
    );
    let out = bb(&dir)
        .args([
            "--action",
            "pii=text:***",
            "--action",
            "secret=text:{{{rule}}}",
        ])
        .stdin(format!("{ACCT} {TOKEN}\n"))
        .run()
        .ok();
    assert_text("*** {t-token}\n", &out);
    let err = bb(&dir)
        .args(["--action", "pii=text:<{lable}> {id}"])
        .stdin(ACCT)
        .run()
        .error();
    assert!(err.contains("unknown placeholders {lable}, {id}"), "{err}");
    dir.create("p2.toml", "[actions]\npii = \"text:[{category]\"\n");
    let err = bb(&dir)
        .args(["--policy", "p2.toml"])
        .stdin(ACCT)
        .run()
        .error();
    assert!(
        err.starts_with("blackbar: p2.toml: ") && err.contains("'{' without '}'"),
        "{err}"
    );
}
