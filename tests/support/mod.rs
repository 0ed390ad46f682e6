//! Running the real `blackbar` binary from integration tests.
//!
//! Every test gets its own temporary directory ([`Dir`]) that is also the working directory
//! of the command, and a command with a cleared environment ([`Dir::command`]), so nothing
//! from the developer's shell (a stray `BLACKBAR_KEY`, say) can change a result. Outputs are
//! compared with [`assert_text`] and [`assert_bytes`], which print both sides line by line
//! on a mismatch instead of one long debug string.

#![allow(dead_code)] // Not every test binary that includes this module uses every helper.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test, built by cargo for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_blackbar");

/// A temporary directory, removed when dropped.
pub struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    /// A fresh, empty directory.
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::Builder::new()
                .prefix("blackbar-cli-")
                .tempdir()
                .expect("create temp dir"),
        }
    }

    /// The directory's absolute path.
    pub fn root(&self) -> &Path {
        self.tmp.path()
    }

    /// The absolute path of `name` inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }

    /// Writes `contents` to `name` (creating parent directories) and returns its path.
    pub fn create(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent dir");
        }
        std::fs::write(&path, contents).expect("write test file");
        path
    }

    /// Reads `name` back.
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    /// `blackbar` run in this directory with an empty environment, except `BLACKBAR_ENGINE`:
    /// CI runs the CLI tests once per engine by setting it.
    pub fn command(&self) -> TestCommand {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(self.root()).env_clear();
        if let Some(engine) = std::env::var_os("BLACKBAR_ENGINE") {
            cmd.env("BLACKBAR_ENGINE", engine);
        }
        TestCommand {
            cmd,
            stdin: Vec::new(),
        }
    }
}

/// A `blackbar` invocation being set up.
pub struct TestCommand {
    cmd: Command,
    stdin: Vec<u8>,
}

impl TestCommand {
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut TestCommand {
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(&mut self, args: I) -> &mut TestCommand
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(&mut self, key: &str, value: impl AsRef<OsStr>) -> &mut TestCommand {
        self.cmd.env(key, value);
        self
    }

    /// Bytes written to the process's stdin (which is then closed). Empty by default, so a
    /// command never waits on the terminal.
    pub fn stdin(&mut self, bytes: impl AsRef<[u8]>) -> &mut TestCommand {
        self.stdin = bytes.as_ref().to_vec();
        self
    }

    /// The underlying command, for tests that drive the process themselves.
    pub fn raw(&mut self) -> &mut Command {
        &mut self.cmd
    }

    /// Runs to completion. Stdin is written from a thread so a process that writes a lot
    /// before reading everything cannot deadlock against us.
    pub fn run(&mut self) -> Run {
        let mut child = self
            .cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn blackbar");
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let input = std::mem::take(&mut self.stdin);
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            // The process may exit without reading everything (e.g. on a bad flag).
            let _ = stdin.write_all(&input);
        });
        let output = child.wait_with_output().expect("wait for blackbar");
        writer.join().expect("stdin writer");
        Run {
            output,
            described: format!("{:?}", self.cmd),
        }
    }
}

/// A finished run.
pub struct Run {
    pub output: Output,
    described: String,
}

impl Run {
    /// The exit code (a signal counts as a failure to report).
    pub fn code(&self) -> i32 {
        self.output
            .status
            .code()
            .unwrap_or_else(|| panic!("{}\nkilled by a signal: {:?}", self.context(), self))
    }

    pub fn stdout(&self) -> &[u8] {
        &self.output.stdout
    }

    pub fn stdout_str(&self) -> String {
        String::from_utf8(self.output.stdout.clone())
            .unwrap_or_else(|_| panic!("{}\nstdout is not UTF-8", self.context()))
    }

    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    fn context(&self) -> String {
        format!(
            "command: {}\nstatus: {}\n--- stdout ---\n{}--- stderr ---\n{}--------------",
            self.described,
            self.output.status,
            String::from_utf8_lossy(&self.output.stdout).escape_debug(),
            String::from_utf8_lossy(&self.output.stderr)
        )
    }

    /// Asserts exit status `code` and returns the run for further checks.
    pub fn status(&self, code: i32) -> &Run {
        assert_eq!(self.code(), code, "wrong exit status\n{}", self.context());
        self
    }

    /// Asserts success with nothing on stderr; returns stdout as text.
    pub fn ok(&self) -> String {
        self.status(0);
        assert!(
            self.output.stderr.is_empty(),
            "unexpected stderr\n{}",
            self.context()
        );
        self.stdout_str()
    }

    /// Asserts success with nothing on stderr; returns stdout as bytes.
    pub fn ok_bytes(&self) -> Vec<u8> {
        self.status(0);
        assert!(
            self.output.stderr.is_empty(),
            "unexpected stderr\n{}",
            self.context()
        );
        self.output.stdout.clone()
    }

    /// Asserts the error contract: exit 2, nothing on stdout, exactly one line on stderr
    /// starting with `blackbar: `. Returns that line without its newline.
    pub fn error(&self) -> String {
        self.status(2);
        assert!(
            self.output.stdout.is_empty(),
            "an error must leave stdout empty\n{}",
            self.context()
        );
        let err = self.stderr_str();
        assert!(
            err.starts_with("blackbar: ") && err.ends_with('\n') && err.lines().count() == 1,
            "stderr must be exactly one line 'blackbar: ...'\n{}",
            self.context()
        );
        err.trim_end_matches('\n').to_string()
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.context())
    }
}

/// Asserts that `got` equals `expected`, showing both line by line (with `-`/`+` markers on
/// the lines that differ) when they do not.
#[track_caller]
pub fn assert_text(expected: &str, got: &str) {
    if expected == got {
        return;
    }
    panic!("output differs\n{}", diff(expected, got, true));
}

/// [`assert_text`] for bytes, with non-printable bytes escaped. Long outputs are shown only
/// around the first difference.
#[track_caller]
pub fn assert_bytes(expected: &[u8], got: &[u8]) {
    if expected == got {
        return;
    }
    const CONTEXT: usize = 160;
    let at = expected
        .iter()
        .zip(got)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(got.len()));
    let from = at.saturating_sub(CONTEXT);
    let show = |b: &[u8]| {
        let window = &b[from.min(b.len())..(at + CONTEXT).min(b.len())];
        window.escape_ascii().to_string().replace("\\n", "\\n\n")
    };
    panic!(
        "output differs at byte {at} (expected {} bytes, got {}); showing from byte {from}\n{}",
        expected.len(),
        got.len(),
        diff(&show(expected), &show(got), false)
    );
}

/// A line-by-line comparison. With `quote`, differing lines are shown quoted so invisible
/// differences (trailing spaces, `\r`) show; without, they are shown as they are (for text
/// that is already escaped).
fn diff(expected: &str, got: &str, quote: bool) -> String {
    let show = |l: &str| {
        if quote {
            format!("{l:?}")
        } else {
            l.trim_end_matches('\n').to_string()
        }
    };
    let e: Vec<&str> = expected.split_inclusive('\n').collect();
    let g: Vec<&str> = got.split_inclusive('\n').collect();
    let mut out = String::from("(' ' same, '-' expected, '+' got)\n");
    for i in 0..e.len().max(g.len()) {
        match (e.get(i), g.get(i)) {
            (Some(a), Some(b)) if a == b => {
                let _ = writeln!(out, "  {}", a.trim_end_matches('\n'));
            }
            (a, b) => {
                if let Some(a) = a {
                    let _ = writeln!(out, "- {}", show(a));
                }
                if let Some(b) = b {
                    let _ = writeln!(out, "+ {}", show(b));
                }
            }
        }
    }
    out
}

/// A small deterministic generator (xorshift64), so failures reproduce.
pub struct XorShift(pub u64);

impl XorShift {
    /// The next value; never 0 for a non-zero seed.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
