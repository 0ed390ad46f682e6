//! Command-line front end. Exit status: 0 success (and, with `--check`, nothing found),
//! 1 findings under `--check` or failing rule examples, 2 any error, 128 + the signal's
//! number when SIGTERM (143) or SIGINT (130) stopped the filter before its input ended. A
//! broken pipe on stdout ends quietly with status 0.

mod args;
mod detokenize;
mod eval;
mod eval_cmd;
mod filter;
mod input;
#[cfg(feature = "kafka")]
mod kafka_cmd;
mod key_cmd;
#[cfg(feature = "otlp")]
mod otlp_cmd;
mod panic_report;
#[cfg(feature = "proxy")]
mod proxy_cmd;
mod rules_cmd;
#[cfg(feature = "proxy")]
mod serve;

use std::io::{self, Write};

use self::args::Command;

pub(crate) const EXIT_FOUND: i32 = 1;
pub(crate) const EXIT_ERROR: i32 = 2;

pub fn main() -> i32 {
    panic_report::install();
    let command = match args::parse(std::env::args_os().skip(1)) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let result = match command {
        Command::Help => print(args::HELP),
        Command::Version => print(&args::version()),
        Command::Filter(opts) => filter::run(&opts),
        Command::RulesList(opts, format) => rules_cmd::list(&opts, format),
        Command::RulesCheck(opts, files) => rules_cmd::check(&opts, &files),
        Command::CanaryNew(label) => canary_new(label.as_deref()),
        Command::Detokenize(opts) => detokenize::run(&opts),
        Command::Key(cmd) => key_cmd::run(&cmd),
        Command::Eval(opts) => eval_cmd::run(&opts),
        #[cfg(feature = "proxy")]
        Command::Proxy(opts) => proxy_cmd::run(&opts),
        #[cfg(feature = "otlp")]
        Command::Otlp(opts) => otlp_cmd::run(&opts),
        #[cfg(feature = "kafka")]
        Command::Kafka(opts) => kafka_cmd::run(&opts),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => 0,
        Err(e) => fail(&e),
    }
}

fn fail(e: &anyhow::Error) -> i32 {
    // The library says a key is missing; the command says where one comes from.
    let missing_key = e.chain().any(|c| {
        c.downcast_ref::<blackbar::Error>()
            .is_some_and(|b| matches!(b.kind(), blackbar::ErrorKind::MissingKey(_)))
    });
    let hint = match missing_key {
        true => format!(" (use --key-file FILE or set {})", blackbar::key::KEY_ENV),
        false => String::new(),
    };
    let _ = writeln!(
        io::stderr(),
        "blackbar: {}{hint}",
        one_line(&format!("{e:#}"))
    );
    EXIT_ERROR
}

/// Folds a message onto one line, so stderr carries exactly one line per error. A TOML error
/// quotes the offending source under a `|` gutter; those lines are dropped (the message keeps
/// the line and column).
fn one_line(msg: &str) -> String {
    let quoted = |l: &str| {
        l.trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start()
            .starts_with('|')
    };
    msg.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !quoted(l))
        .collect::<Vec<_>>()
        .join(": ")
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn print(text: &str) -> anyhow::Result<i32> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(0)
}

fn canary_new(label: Option<&str>) -> anyhow::Result<i32> {
    let canary = blackbar::canary::generate()?;
    match label {
        Some(l) => print(&format!("{canary} {l}\n")),
        None => print(&format!("{canary}\n")),
    }
}
