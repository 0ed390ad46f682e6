//! `blackbar detokenize`: restores the values behind tokens (and, with `--fpe`, behind
//! format-preserving ciphertexts), for whoever holds the key.
//!
//! Fail closed: by default the first token that does not restore (wrong key, unknown key id,
//! altered token) stops the run with status 2 and one `blackbar: FILE: line L, byte B: ...`
//! line; the output then holds everything before that token and nothing of it. With
//! `--keep-going`, such tokens are left as they are, each reported on stderr, and the run ends
//! with status 1. A wrong value is never written: tokens are authenticated (AES-SIV).

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;

use super::args::value_str;
use anyhow::{anyhow, bail, Context};
use blackbar::token::{DetokenizeError, Detokenizer};
use blackbar::{Key, Policy, Redactor};

use super::{EXIT_ERROR, EXIT_FOUND};

const READ: usize = 64 * 1024;

#[derive(Debug, Default)]
pub(crate) struct Opts {
    key_file: Option<PathBuf>,
    keep_going: bool,
    fpe: Vec<String>,
    rules: Vec<PathBuf>,
    disable: Vec<String>,
    paths: Vec<PathBuf>,
}

pub(crate) fn parse(args: Vec<OsString>) -> anyhow::Result<Opts> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut opts = Opts::default();
    while let Some(arg) = parser.next()? {
        match arg {
            lexopt::Arg::Long("key-file") => {
                opts.key_file = Some(value_str(&mut parser, "--key-file")?.into())
            }
            lexopt::Arg::Long("keep-going") => opts.keep_going = true,
            lexopt::Arg::Long("fpe") => opts.fpe.push(value_str(&mut parser, "--fpe")?),
            lexopt::Arg::Long("rules") => {
                opts.rules.push(value_str(&mut parser, "--rules")?.into())
            }
            lexopt::Arg::Long("disable") => opts.disable.push(value_str(&mut parser, "--disable")?),
            lexopt::Arg::Value(v) => opts.paths.push(v.into()),
            lexopt::Arg::Long(f) => bail!("detokenize: unknown flag --{f} (see blackbar --help)"),
            lexopt::Arg::Short(c) => bail!("detokenize: unknown flag -{c} (see blackbar --help)"),
        }
    }
    Ok(opts)
}

/// The redactor that reverses `fpe` for the `--fpe` targets and leaves everything else.
fn fpe_reverser(opts: &Opts, key: &Key) -> anyhow::Result<Option<Redactor>> {
    if opts.fpe.is_empty() {
        return Ok(None);
    }
    let mut b = Redactor::builder();
    for path in &opts.rules {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read rule file {}", path.display()))?;
        b = b.rule_source(&path.display().to_string(), &text);
    }
    for d in &opts.disable {
        b = b.disable(d);
    }
    let mut policy = Policy::default();
    for cat in ["pii", "secret", "canary"] {
        policy.set_action_str(&format!("{cat}=report"))?;
    }
    for target in &opts.fpe {
        policy
            .set_action_str(&format!("{target}=fpe"))
            .map_err(|e| anyhow!("--fpe {target}: {e}"))?;
    }
    Ok(Some(
        b.policy(policy)
            .key(key.clone())
            .reverse_fpe(true)
            .build()?,
    ))
}

pub(crate) fn run(opts: &Opts) -> anyhow::Result<i32> {
    let key = match opts.key_file {
        Some(ref p) => Key::from_file(p)?,
        None => Key::from_env()?.ok_or_else(|| {
            anyhow!(
                "detokenize needs the key: use --key-file FILE or set {}",
                blackbar::key::KEY_ENV
            )
        })?,
    };
    let reverser = fpe_reverser(opts, &key)?;
    // Open every input before writing anything.
    let mut inputs: Vec<(String, Box<dyn Read>)> = vec![];
    if opts.paths.is_empty() {
        inputs.push(("-".into(), Box::new(io::stdin())));
    }
    for p in &opts.paths {
        if p.as_os_str() == "-" {
            inputs.push(("-".into(), Box::new(io::stdin())));
        } else {
            let f = File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
            inputs.push((p.display().to_string(), Box::new(f)));
        }
    }
    let mut out = BufWriter::with_capacity(READ, io::stdout().lock());
    let mut buf = vec![0u8; READ];
    let mut staged = Vec::with_capacity(2 * READ);
    let mut restored = Vec::with_capacity(2 * READ);
    let mut failures = 0u64;
    for (name, mut input) in inputs {
        let mut fpe = reverser.as_ref().map(Redactor::stream);
        let mut tokens = Detokenizer::new(key.clone()).keep_going(opts.keep_going);
        let mut report = |errors: Vec<DetokenizeError>| {
            for e in errors {
                failures += 1;
                let _ = writeln!(io::stderr(), "blackbar: {name}: {e} (left in place)");
            }
        };
        loop {
            let n = loop {
                match input.read(&mut buf) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            }
            .with_context(|| format!("cannot read {name}"))?;
            let chunk: &[u8] = match fpe {
                Some(ref mut s) if n == 0 => {
                    s.finish(&mut staged);
                    &staged
                }
                Some(ref mut s) => {
                    s.feed(&buf[..n], &mut staged);
                    &staged
                }
                None => &buf[..n],
            };
            let result = tokens.feed(chunk, &mut restored).and_then(|()| {
                if n == 0 {
                    tokens.finish(&mut restored)
                } else {
                    Ok(())
                }
            });
            report(tokens.take_errors());
            out.write_all(&restored)?;
            restored.clear();
            staged.clear();
            if let Err(e) = result {
                out.flush()?;
                let _ = writeln!(io::stderr(), "blackbar: {name}: {e}");
                return Ok(EXIT_ERROR);
            }
            if n == 0 {
                break;
            }
        }
        out.flush()?;
    }
    Ok(if failures > 0 { EXIT_FOUND } else { 0 })
}
