//! `blackbar key new|list|pseudonyms`: making keys, rotating them, and looking values up.
//!
//! * `key new` prints a fresh `bbkey1:` line; `--out FILE` appends it to FILE instead (created
//!   with mode 0600; an existing file must not be readable by group or others), so rotating is
//!   `blackbar key new --out keys`: the new key, last, makes new tokens and digests, the older
//!   ones still restore and look up.
//! * `key list` prints the ids of the keys in a ring (never the keys), newest marked.
//! * `key pseudonyms --label LABEL` reads values from stdin, one per line (values never go on
//!   the command line), and prints each one's `hash` pseudonyms under every key, newest first,
//!   so old and new logs can be searched for one person.

use std::ffi::OsString;
use std::io::{self, BufRead, Write};
use std::path::PathBuf;

use super::args::value_str;
use anyhow::{anyhow, bail, Context};
use blackbar::Key;

#[derive(Debug)]
pub(crate) enum KeyCmd {
    New {
        out: Option<PathBuf>,
    },
    List {
        key_file: Option<PathBuf>,
    },
    Pseudonyms {
        key_file: Option<PathBuf>,
        label: String,
    },
}

pub(crate) fn parse(args: Vec<OsString>) -> anyhow::Result<KeyCmd> {
    let sub = args.first().and_then(|a| a.to_str()).map(str::to_string);
    let mut parser = lexopt::Parser::from_args(args.into_iter().skip(1));
    let mut out = None;
    let mut key_file = None;
    let mut label = None;
    while let Some(arg) = parser.next()? {
        match (sub.as_deref(), arg) {
            (Some("new"), lexopt::Arg::Long("out")) => {
                out = Some(value_str(&mut parser, "--out")?.into())
            }
            (Some("list" | "pseudonyms"), lexopt::Arg::Long("key-file")) => {
                key_file = Some(value_str(&mut parser, "--key-file")?.into())
            }
            (Some("pseudonyms"), lexopt::Arg::Long("label")) => {
                label = Some(value_str(&mut parser, "--label")?)
            }
            (_, lexopt::Arg::Long(f)) => bail!("key: unknown flag --{f} (see blackbar --help)"),
            (_, lexopt::Arg::Short(c)) => bail!("key: unknown flag -{c} (see blackbar --help)"),
            (_, lexopt::Arg::Value(v)) => {
                bail!("key: unexpected argument {v:?} (see blackbar --help)")
            }
        }
    }
    Ok(match sub.as_deref() {
        Some("new") => KeyCmd::New { out },
        Some("list") => KeyCmd::List { key_file },
        Some("pseudonyms") => KeyCmd::Pseudonyms {
            key_file,
            label: label.ok_or_else(|| anyhow!("key pseudonyms: give --label LABEL"))?,
        },
        other => bail!(
            "key: expected 'new', 'list' or 'pseudonyms', got {:?}",
            other.unwrap_or("nothing")
        ),
    })
}

fn load(key_file: &Option<PathBuf>) -> anyhow::Result<Key> {
    match key_file {
        Some(p) => Ok(Key::from_file(p)?),
        None => Key::from_env()?.ok_or_else(|| {
            anyhow!(
                "no key: use --key-file FILE or set {}",
                blackbar::key::KEY_ENV
            )
        }),
    }
}

pub(crate) fn run(cmd: &KeyCmd) -> anyhow::Result<i32> {
    let mut stdout = io::stdout().lock();
    match cmd {
        KeyCmd::New { out: None } => {
            let line = Key::generate()?;
            writeln!(stdout, "{}", *line)?;
        }
        KeyCmd::New { out: Some(path) } => {
            let line = Key::generate()?;
            let id = Key::new(line.as_bytes())?.current_id();
            append_private(path, &line)?;
            let ring = Key::from_file(path)?;
            let n = ring.len();
            writeln!(
                stdout,
                "{id} added to {} ({n} key{}; the newest makes new tokens)",
                path.display(),
                if n == 1 { "" } else { "s" }
            )?;
        }
        KeyCmd::List { key_file } => {
            let ring = load(key_file)?;
            let current = ring.current_id();
            for id in ring.ids() {
                if id == current {
                    writeln!(stdout, "{id} current")?;
                } else {
                    writeln!(stdout, "{id}")?;
                }
            }
        }
        KeyCmd::Pseudonyms { key_file, label } => {
            let ring = load(key_file)?;
            for line in io::stdin().lock().split(b'\n') {
                let mut value = line.context("cannot read stdin")?;
                if value.last() == Some(&b'\r') {
                    value.pop();
                }
                let names: Vec<String> = ring
                    .pseudonyms(label, &value)
                    .into_iter()
                    .map(|(_, p)| p)
                    .collect();
                writeln!(stdout, "{}", names.join(" "))?;
            }
        }
    }
    stdout.flush()?;
    Ok(0)
}

/// Appends a key line to `path`, creating it with mode 0600; refuses an existing file that
/// group or others can read, or that is not a key-line file.
fn append_private(path: &std::path::Path, line: &str) -> anyhow::Result<()> {
    use std::fs::OpenOptions;
    let shown = path.display();
    let mut opts = OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                bail!("{shown}: readable by group or others (chmod 600 {shown} first)");
            }
        }
    }
    if path.exists() {
        let existing = std::fs::read(path).with_context(|| format!("cannot read {shown}"))?;
        let has_lines = existing.split(|&b| b == b'\n').any(|l| {
            l.trim_ascii()
                .starts_with(blackbar::key::KEY_LINE_PREFIX.as_bytes())
        });
        if !existing.trim_ascii().is_empty() && !has_lines {
            bail!(
                "{shown}: holds a plain secret, not key lines; start a new key file \
                 (blackbar detokenize and hash lookups take one file with all keys)"
            );
        }
        if !existing.is_empty() && !existing.ends_with(b"\n") {
            bail!("{shown}: does not end with a newline");
        }
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("cannot create {shown}"))?;
    f.write_all(format!("{line}\n").as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {shown}"))?;
    Ok(())
}
