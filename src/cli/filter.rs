//! The filter: stdin or files in, redacted text out, findings to a report.
//!
//! Everything that can fail before output starts (flags, rules, policy, key, opening every
//! input) is checked first, so a mistake never leaves half-written output.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::time::Duration;

use anyhow::Context;
use blackbar::json::{Format, JsonOptions, JsonRedactor, LineRedactor, LineStats};
use blackbar::{Finding, Parallel, StreamRedactor};
use serde_json::json;

use super::args::FilterOpts;
use super::EXIT_FOUND;

const READ: usize = 64 * 1024;
/// How long an input must stay silent after a short read before what is final is released:
/// `tail -f` gets each line out within this (plus the redaction), while a fast producer whose
/// reads come back short now and then does not make every worker drain at each one.
const IDLE: Duration = Duration::from_millis(2);
/// Buffers read ahead of the redaction.
const READ_AHEAD: usize = 4;

enum Source {
    Stdin,
    File(PathBuf, File),
}

impl Source {
    fn name(&self) -> String {
        match self {
            Source::Stdin => "-".into(),
            Source::File(p, _) => p.display().to_string(),
        }
    }

    /// Reads the input on its own thread, so that reading overlaps redaction: buffers of up
    /// to [`READ`] bytes, an empty one at the end, or the error that stopped it.
    fn spawn_reader(self) -> Receiver<io::Result<Vec<u8>>> {
        let (tx, rx) = sync_channel(READ_AHEAD);
        std::thread::spawn(move || {
            let mut stdin;
            let mut file;
            let r: &mut dyn Read = match self {
                Source::Stdin => {
                    stdin = io::stdin().lock();
                    &mut stdin
                }
                Source::File(_, f) => {
                    file = f;
                    &mut file
                }
            };
            loop {
                let mut buf = vec![0u8; READ];
                let got = read(r, &mut buf).map(|n| {
                    buf.truncate(n);
                    buf
                });
                let end = !matches!(got, Ok(ref b) if !b.is_empty());
                if tx.send(got).is_err() || end {
                    return; // the filter stopped, or the input ended
                }
            }
        });
        rx
    }
}

/// Opens every input up front; directories are walked (sorted, `.git` skipped).
fn open_inputs(paths: &[PathBuf]) -> anyhow::Result<Vec<Source>> {
    if paths.is_empty() {
        return Ok(vec![Source::Stdin]);
    }
    let mut files = vec![];
    for p in paths {
        if p.as_os_str() == "-" {
            files.push(Source::Stdin);
        } else if p.is_dir() {
            let mut found = vec![];
            walk(p, &mut found)
                .with_context(|| format!("cannot read directory {}", p.display()))?;
            found.sort();
            for f in found {
                let file =
                    File::open(&f).with_context(|| format!("cannot open {}", f.display()))?;
                files.push(Source::File(f, file));
            }
        } else {
            let file = File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
            files.push(Source::File(p.clone(), file));
        }
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let ty = entry.file_type()?;
        let path = entry.path();
        if ty.is_dir() {
            if entry.file_name() != ".git" {
                walk(&path, out)?;
            }
        } else if ty.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// Counts for the summary line of a report.
#[derive(Default)]
struct Summary {
    findings: u64,
    acted: u64,
    by_rule: BTreeMap<String, u64>,
    by_category: BTreeMap<String, u64>,
    by_action: BTreeMap<String, u64>,
    bytes: u64,
    files: u64,
}

struct Sink {
    report: Option<Box<dyn Write>>,
    check_lines: bool,
    summary: Summary,
}

impl Sink {
    fn findings(
        &mut self,
        file: &str,
        findings: Vec<Finding>,
        stdout: &mut dyn Write,
    ) -> io::Result<()> {
        for f in findings {
            self.summary.findings += 1;
            if f.action.acted_on() {
                self.summary.acted += 1;
            }
            count(&mut self.summary.by_rule, &f.rule_id);
            count(&mut self.summary.by_category, f.category.as_str());
            count(&mut self.summary.by_action, f.action.as_str());
            if let Some(ref mut r) = self.report {
                let line = json!({
                    "rule": &*f.rule_id, "category": f.category, "label": &*f.label,
                    "file": file, "line": f.line, "offset": f.span.start, "length": f.len(),
                    "action": f.action, "confidence": f.confidence,
                });
                writeln!(r, "{line}")?;
            }
            if self.check_lines && f.action.acted_on() {
                writeln!(
                    stdout,
                    "{file}:{}: {} ({}, {}) offset {} length {} confidence {}",
                    f.line,
                    f.rule_id,
                    f.category,
                    f.label,
                    f.span.start,
                    f.len(),
                    f.confidence
                )?;
            }
        }
        Ok(())
    }
}

/// Adds one to `key`'s count, allocating the key only the first time.
fn count(counts: &mut BTreeMap<String, u64>, key: &str) {
    match counts.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            counts.insert(key.to_string(), 1);
        }
    }
}

pub(crate) fn run(opts: &FilterOpts) -> anyhow::Result<i32> {
    let decoders = opts.scan.decoders()?;
    let (builder, policy) = opts.redactor.builder(&[])?;
    let redactor = builder.policy(policy).decoders(decoders).build()?;
    let inputs = open_inputs(&opts.paths)?;
    let to_stdout = opts.report.as_deref() == Some(Path::new("-"));
    let report: Option<Box<dyn Write>> = match opts.report {
        Some(ref p) if to_stdout => {
            let _ = p;
            Some(Box::new(io::stdout()))
        }
        Some(ref p) => Some(Box::new(BufWriter::new(
            File::create(p).with_context(|| format!("cannot create report {}", p.display()))?,
        ))),
        None => None,
    };
    let mut sink = Sink {
        report,
        check_lines: opts.check && !to_stdout,
        summary: Summary::default(),
    };
    let mut out = BufWriter::with_capacity(READ, io::stdout().lock());
    let mut redacted = Vec::with_capacity(2 * READ);
    let format = opts.format.unwrap_or(Format::Text);
    let mut lines = LineStats::default();
    let options = JsonOptions::default()
        .keys(opts.scan.keys())
        .scan_keys(opts.json_scan_keys);
    let threads = opts.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    for input in inputs {
        let name = input.name();
        // The allowlist's `paths` apply to the file.
        let redactor = match input {
            Source::File(ref p, _) => redactor.for_path(&p.to_string_lossy()),
            Source::Stdin => redactor.clone(),
        };
        let mut filter = match format {
            Format::Text => Filter::Text(redactor.parallel(threads)),
            _ => Filter::Lines(
                JsonRedactor::new(redactor, options.clone()).parallel_lines(format, threads),
            ),
        };
        sink.summary.files += 1;
        let reads = input.spawn_reader();
        let mut short = false;
        loop {
            let got = match short {
                // After a short read: is the input idle, or only slow to fill a buffer?
                true => match reads.recv_timeout(IDLE) {
                    Ok(got) => Some(got),
                    Err(RecvTimeoutError::Timeout) => {
                        // Idle (tail -f): release what is final.
                        filter.flush(&mut redacted);
                        if !opts.check {
                            out.write_all(&redacted)?;
                            out.flush()?;
                        }
                        redacted.clear();
                        sink.findings(&name, filter.take_findings(), &mut out)?;
                        reads.recv().ok()
                    }
                    Err(RecvTimeoutError::Disconnected) => None,
                },
                false => reads.recv().ok(),
            };
            let bytes = got
                .expect("the reader sends the end before it stops")
                .with_context(|| format!("cannot read {name}"))?;
            if bytes.is_empty() {
                break;
            }
            sink.summary.bytes += bytes.len() as u64;
            filter.feed(&bytes, &mut redacted);
            short = bytes.len() < READ;
            if !opts.check {
                out.write_all(&redacted)?;
                if opts.line_buffered {
                    out.flush()?;
                }
            }
            redacted.clear();
            sink.findings(&name, filter.take_findings(), &mut out)?;
        }
        filter.finish(&mut redacted);
        if !opts.check {
            out.write_all(&redacted)?;
        }
        redacted.clear();
        sink.findings(&name, filter.take_findings(), &mut out)?;
        if let Filter::Lines(ref l) = filter {
            lines += *l.stats();
        }
        out.flush()?;
    }
    out.flush()?;
    let s = &sink.summary;
    if let Some(ref mut r) = sink.report {
        let mut line = json!({"summary": {
            "files": s.files, "bytes": s.bytes, "findings": s.findings, "acted_on": s.acted,
            "by_rule": s.by_rule, "by_category": s.by_category, "by_action": s.by_action,
        }});
        if format != Format::Text {
            // How lines were handled: invalid JSON and over-long lines went to text mode.
            line["summary"]["lines"] = json!({
                "json": lines.json, "text": lines.text,
                "invalid_json": lines.invalid, "too_long": lines.too_long,
            });
        }
        writeln!(r, "{line}")?;
        r.flush()?;
    }
    Ok(if opts.check && s.acted > 0 {
        EXIT_FOUND
    } else {
        0
    })
}

/// One input's redaction, over the worker threads: text, or JSON lines.
enum Filter {
    Text(Parallel<StreamRedactor>),
    Lines(Parallel<LineRedactor>),
}

impl Filter {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        match self {
            Filter::Text(p) => p.feed(input, out),
            Filter::Lines(p) => p.feed(input, out),
        }
    }

    fn flush(&mut self, out: &mut Vec<u8>) {
        match self {
            Filter::Text(p) => p.flush(out),
            Filter::Lines(p) => p.flush(out),
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        match self {
            Filter::Text(p) => p.finish(out),
            Filter::Lines(p) => p.finish(out),
        }
    }

    fn take_findings(&mut self) -> Vec<Finding> {
        match self {
            Filter::Text(p) => p.take_findings(),
            Filter::Lines(p) => p.take_findings(),
        }
    }
}

fn read(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}
