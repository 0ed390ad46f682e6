//! The filter: stdin or files in, redacted text out, findings to a report.
//!
//! Everything that can fail before output starts (flags, rules, policy, key, opening every
//! input) is checked first, so a mistake never leaves half-written output. SIGTERM and
//! SIGINT stop it after writing what is final and nothing of the held-back end (see
//! `cli/input.rs`).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use blackbar::json::{Format, JsonOptions, JsonRedactor, LineRedactor, LineStats};
use blackbar::{Finding, Parallel, StreamRedactor};
use serde_json::json;

use super::args::FilterOpts;
use super::input::{signal_name, Event, Events, READ};
use super::EXIT_FOUND;

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
    let mut events = Events::new().context("cannot listen for SIGTERM and SIGINT")?;
    let mut stopped = None;
    for input in inputs {
        let name = input.name();
        // The allowlist's `paths` apply to the file.
        let redactor = match input {
            Source::File(ref p, _) => redactor.for_path(&p.to_string_lossy()),
            Source::Stdin => redactor.clone(),
        };
        match input {
            Source::Stdin => events.read(io::stdin()),
            Source::File(_, f) => events.read(f),
        }
        let mut filter = match format {
            Format::Text => Filter::Text(redactor.parallel(threads)),
            _ => Filter::Lines(
                JsonRedactor::new(redactor, options.clone()).parallel_lines(format, threads),
            ),
        };
        sink.summary.files += 1;
        loop {
            let buf = match events.next() {
                Event::Data(buf) => buf,
                Event::Idle => {
                    // Nothing more for now (tail -f): release what is final.
                    filter.flush(&mut redacted);
                    if !opts.check {
                        out.write_all(&redacted)?;
                        out.flush()?;
                    }
                    redacted.clear();
                    sink.findings(&name, filter.take_findings(), &mut out)?;
                    continue;
                }
                Event::End => break,
                Event::Failed(e) => return Err(e).with_context(|| format!("cannot read {name}")),
                Event::Stop(signal) => {
                    stopped = Some(signal);
                    break;
                }
            };
            sink.summary.bytes += buf.len() as u64;
            filter.feed(&buf, &mut redacted);
            events.recycle(buf);
            if !opts.check {
                out.write_all(&redacted)?;
                if opts.line_buffered {
                    out.flush()?;
                }
            }
            redacted.clear();
            sink.findings(&name, filter.take_findings(), &mut out)?;
        }
        match stopped {
            // What is final goes out; the held-back end does not (see `cli/input.rs`).
            Some(_) => filter.flush(&mut redacted),
            None => filter.finish(&mut redacted),
        }
        if !opts.check {
            out.write_all(&redacted)?;
        }
        redacted.clear();
        sink.findings(&name, filter.take_findings(), &mut out)?;
        if let Filter::Lines(ref l) = filter {
            lines += *l.stats();
        }
        out.flush()?;
        if stopped.is_some() {
            break;
        }
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
        if let Some(signal) = stopped {
            line["summary"]["stopped_by"] = json!(signal_name(signal));
        }
        writeln!(r, "{line}")?;
        r.flush()?;
    }
    if let Some(signal) = stopped {
        let _ = writeln!(
            io::stderr(),
            "blackbar: stopped by {}: the output ends at the last byte that was final; the \
             held-back end of the input was not written",
            signal_name(signal)
        );
        return Ok(128 + signal);
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
