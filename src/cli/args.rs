//! Argument parsing. Every mistake gets one message naming the flag and what is wrong.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context};
use blackbar::{Confidence, Key, Policy, Redactor};

pub(crate) const HELP: &str = "\
blackbar: find and redact PII, secrets and canary tokens in streaming text

USAGE:
    blackbar [OPTIONS] [FILE|DIR]...       redact FILEs (or stdin) to stdout
    blackbar --check [OPTIONS] PATH...     report findings, exit 1 if any
    blackbar rules list [--json|--markdown] [RULE OPTIONS]
    blackbar rules check FILE...           run a rule file's examples and counterexamples
    blackbar eval [--json] [--thresholds FILE] [--show-values] [--list N|all] [RULE OPTIONS]
                  CORPUS...               precision and recall against labeled corpora (a file X
                                           with X.labels.jsonl, or directories of them)
    blackbar canary new [--label LABEL]    print a fresh blackbar canary
    blackbar detokenize [--key-file K] [--keep-going] [--fpe RULE]... [FILE]...
                                           restore tokens (and --fpe values) with the key
    blackbar key new [--out FILE]          a fresh key line (appended to FILE, mode 0600)
    blackbar key list [--key-file K]       the ids of a key ring, newest marked current
    blackbar key pseudonyms --label L      hash pseudonyms, under every key, of stdin's lines
    blackbar proxy --upstream URL [--listen ADDR] [PROXY OPTIONS]
                                           LLM provider proxy: redact prompts, restore answers
                                           (blackbar proxy --help)
    blackbar otlp --upstream URL [--listen ADDR] [--grpc-upstream URL] [OTLP OPTIONS]
                                           OTLP hop: redact logs and traces on their way to
                                           a collector (blackbar otlp --help)
    blackbar kafka --brokers HOST:PORT --group G --input-topic IN --output-topic OUT
                                           Kafka consumer-group connector: redact a topic
                                           into another (blackbar kafka --help)

OPTIONS:
    --check               detect only: print findings (never values), exit 1 if any, 0 if none
    --report FILE|-       write findings as JSON lines plus a summary ('-': stdout, with --check)
    --rules FILE          add a rule file (repeatable)
    --disable ID|CAT      turn off a rule or a category: pii, secret, canary (repeatable)
    --engine E            prefilter engine: auto (default: hyperscan when built in), hyperscan,
                          rust; the results are identical (default from BLACKBAR_ENGINE)
    --canaries FILE       literal canaries, one per line (repeatable)
    --policy FILE         actions per category and rule, the confidence threshold and the
                          allowlist (TOML)
    --action TARGET=ACT   e.g. secret=hash, pii=mask, credit-card=partial:0:4 (repeatable)
                          actions: label mask mask:keep-separators partial partial:F:L hash
                          token fpe placeholder drop block report text:TEMPLATE (a
                          replacement such as 'text:<{label}>' or 'text:[REDACTED:{category}]')
    --allow FILE          allowlist entries ([[allow]]: values, regexes, rules, categories,
                          json_keys, paths): left unchanged, reported as allowed (repeatable)
    --min-confidence C    act on findings at or above C: low, medium (default), high, certain
    --key-file FILE       keys for hash, token and fpe (or set BLACKBAR_KEY)
    --line-buffered       flush output after every line
    --threads N           worker threads (default: the available cores); the output is the
                          same for any N
    --format F            text (default), json (JSON lines: only string values change), or
                          auto (a line starting with '{' or '[' is tried as JSON)
    --json-keys LIST      keys whose whole value is redacted, comma-separated; 'default' is
                          the built-in list (password, token, api_key, cookie...), 'none' none
    --json-scan-keys      scan JSON keys too, not only values
    --decode LIST         decoders: base64, percent, all (default) or none
    --decode-depth N      levels of encoding looked through (default 1)
    -h, --help            this help
    -V, --version         version and engines

EXAMPLES:
    tail -F /var/log/app.log | blackbar
    blackbar --action secret=hash --key-file /etc/blackbar.key app.log > clean.log
    blackbar --check --report - src/ config/
    blackbar rules check my-rules.toml

EXIT STATUS: 0 ok (with --check: nothing found), 1 findings (--check) or failing examples, 2 error.
";

pub(crate) fn version() -> String {
    format!(
        "blackbar {}\nengines: {} (auto: {})\n",
        env!("CARGO_PKG_VERSION"),
        blackbar::EngineKind::describe_compiled(),
        blackbar::EngineKind::auto().name(),
    )
}

/// Options shared by every command that builds a redactor.
#[derive(Debug, Default)]
pub(crate) struct RedactorOpts {
    pub rules: Vec<PathBuf>,
    pub disable: Vec<String>,
    pub canaries: Vec<PathBuf>,
    pub policy: Option<PathBuf>,
    pub allow: Vec<PathBuf>,
    pub actions: Vec<String>,
    pub min_confidence: Option<Confidence>,
    pub key_file: Option<PathBuf>,
    pub engine: Option<blackbar::EngineKind>,
}

/// How values are looked into, shared by the pipe and the OTLP hop: sensitive keys and
/// decoders.
#[derive(Debug, Default)]
pub(crate) struct ScanOpts {
    pub json_keys: Option<String>,
    pub decode: Option<String>,
    pub decode_depth: Option<u8>,
}

#[derive(Debug, Default)]
pub(crate) struct FilterOpts {
    pub redactor: RedactorOpts,
    pub scan: ScanOpts,
    pub check: bool,
    pub report: Option<PathBuf>,
    pub line_buffered: bool,
    pub paths: Vec<PathBuf>,
    pub format: Option<blackbar::json::Format>,
    pub json_scan_keys: bool,
    pub threads: Option<usize>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum ListFormat {
    Table,
    Json,
    Markdown,
}

pub(crate) enum Command {
    Help,
    Version,
    Filter(FilterOpts),
    RulesList(RedactorOpts, ListFormat),
    RulesCheck(RedactorOpts, Vec<PathBuf>),
    CanaryNew(Option<String>),
    Detokenize(super::detokenize::Opts),
    Key(super::key_cmd::KeyCmd),
    Eval(super::eval_cmd::EvalOpts),
    #[cfg(feature = "proxy")]
    Proxy(super::proxy_cmd::Opts),
    #[cfg(feature = "otlp")]
    Otlp(super::otlp_cmd::Opts),
    #[cfg(feature = "kafka")]
    Kafka(super::kafka_cmd::Opts),
}

pub(crate) fn value_str(parser: &mut lexopt::Parser, flag: &str) -> anyhow::Result<String> {
    parser
        .value()
        .map_err(|_| anyhow!("{flag} needs a value"))?
        .into_string()
        .map_err(|_| anyhow!("{flag}: value is not valid UTF-8"))
}

/// A parsed argument that no longer borrows the parser.
pub(crate) enum Flag {
    Long(String),
    Short(char),
    Value(OsString),
}
use Flag::{Long, Short, Value};

pub(crate) fn next(parser: &mut lexopt::Parser) -> anyhow::Result<Option<Flag>> {
    Ok(parser.next()?.map(|arg| match arg {
        lexopt::Arg::Long(l) => Long(l.to_string()),
        lexopt::Arg::Short(c) => Short(c),
        lexopt::Arg::Value(v) => Value(v),
    }))
}

/// Parses a redactor option; returns false when `arg` is not one.
pub(crate) fn redactor_opt(
    opts: &mut RedactorOpts,
    arg: &Flag,
    parser: &mut lexopt::Parser,
) -> anyhow::Result<bool> {
    let Long(name) = arg else { return Ok(false) };
    match name.as_str() {
        "rules" => opts.rules.push(value_str(parser, "--rules")?.into()),
        "disable" => opts.disable.push(value_str(parser, "--disable")?),
        "canaries" => opts.canaries.push(value_str(parser, "--canaries")?.into()),
        "policy" => opts.policy = Some(value_str(parser, "--policy")?.into()),
        "allow" => opts.allow.push(value_str(parser, "--allow")?.into()),
        "action" => opts.actions.push(value_str(parser, "--action")?),
        "key-file" => opts.key_file = Some(value_str(parser, "--key-file")?.into()),
        "engine" => {
            let v = value_str(parser, "--engine")?;
            opts.engine =
                Some(blackbar::EngineKind::parse(&v).map_err(|e| anyhow!("--engine {v}: {e}"))?);
        }
        "min-confidence" => {
            let v = value_str(parser, "--min-confidence")?;
            opts.min_confidence = Some(Confidence::parse(&v).ok_or_else(|| {
                anyhow!("--min-confidence {v}: expected low, medium, high or certain")
            })?);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Parses a [`ScanOpts`] option; returns false when `arg` is not one.
pub(crate) fn scan_opt(
    opts: &mut ScanOpts,
    arg: &Flag,
    parser: &mut lexopt::Parser,
) -> anyhow::Result<bool> {
    let Long(name) = arg else { return Ok(false) };
    match name.as_str() {
        "json-keys" => opts.json_keys = Some(value_str(parser, "--json-keys")?),
        "decode" => {
            let v = value_str(parser, "--decode")?;
            blackbar::Decoders::parse_list(&v).map_err(|e| anyhow!("--decode {v}: {e}"))?;
            opts.decode = Some(v);
        }
        "decode-depth" => {
            let v = value_str(parser, "--decode-depth")?;
            opts.decode_depth = Some(
                v.parse()
                    .map_err(|_| anyhow!("--decode-depth {v}: expected a number from 0 to 255"))?,
            );
        }
        _ => return Ok(false),
    }
    Ok(true)
}

impl ScanOpts {
    /// The decoders the flags ask for.
    pub(crate) fn decoders(&self) -> anyhow::Result<blackbar::Decoders> {
        let mut decoders = match self.decode {
            Some(ref list) => blackbar::Decoders::parse_list(list)?,
            None => blackbar::Decoders::default(),
        };
        if let Some(d) = self.decode_depth {
            decoders.depth = d;
        }
        Ok(decoders)
    }

    /// The sensitive keys the flags ask for.
    pub(crate) fn keys(&self) -> blackbar::json::SensitiveKeys {
        match self.json_keys {
            Some(ref list) => blackbar::json::SensitiveKeys::parse_list(list),
            None => blackbar::json::SensitiveKeys::default(),
        }
    }
}

/// The value of `--format` (the pipe's and the Kafka connector's).
pub(crate) fn format_value(parser: &mut lexopt::Parser) -> anyhow::Result<blackbar::json::Format> {
    let v = value_str(parser, "--format")?;
    blackbar::json::Format::parse(&v)
        .ok_or_else(|| anyhow!("--format {v}: expected text, json or auto"))
}

pub(crate) fn unexpected(arg: Flag) -> anyhow::Error {
    match arg {
        Long(f) => anyhow!("unknown flag --{f} (see blackbar --help)"),
        Short(c) => anyhow!("unknown flag -{c} (see blackbar --help)"),
        Value(v) => anyhow!("unexpected argument {:?} (see blackbar --help)", v),
    }
}

pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> anyhow::Result<Command> {
    let args: Vec<OsString> = args.into_iter().collect();
    let first = args.first().and_then(|a| a.to_str()).map(str::to_string);
    let second = args.get(1).and_then(|a| a.to_str()).map(str::to_string);
    match (first.as_deref(), second.as_deref()) {
        (Some("rules"), Some("list")) => return parse_rules_list(args[2..].to_vec()),
        (Some("rules"), Some("check")) => return parse_rules_check(args[2..].to_vec()),
        (Some("rules"), other) => bail!(
            "rules: expected 'list' or 'check', got {:?}",
            other.unwrap_or("nothing")
        ),
        (Some("canary"), Some("new")) => return parse_canary_new(args[2..].to_vec()),
        (Some("eval"), _) => return parse_eval(args[1..].to_vec()),
        (Some("detokenize"), _) => {
            return super::detokenize::parse(args[1..].to_vec()).map(Command::Detokenize)
        }
        (Some("key"), _) => return super::key_cmd::parse(args[1..].to_vec()).map(Command::Key),
        #[cfg(feature = "proxy")]
        (Some("proxy"), _) => {
            return super::proxy_cmd::parse(args[1..].to_vec()).map(Command::Proxy)
        }
        #[cfg(not(feature = "proxy"))]
        (Some("proxy"), _) => bail!("proxy: this blackbar was built without the 'proxy' feature"),
        #[cfg(feature = "otlp")]
        (Some("otlp"), _) => return super::otlp_cmd::parse(args[1..].to_vec()).map(Command::Otlp),
        #[cfg(not(feature = "otlp"))]
        (Some("otlp"), _) => bail!("otlp: this blackbar was built without the 'otlp' feature"),
        #[cfg(feature = "kafka")]
        (Some("kafka"), _) => {
            return super::kafka_cmd::parse(args[1..].to_vec()).map(Command::Kafka)
        }
        #[cfg(not(feature = "kafka"))]
        (Some("kafka"), _) => bail!("kafka: this blackbar was built without the 'kafka' feature"),
        (Some("canary"), other) => bail!(
            "canary: expected 'new', got {:?}",
            other.unwrap_or("nothing")
        ),
        _ => {}
    }
    let mut parser = lexopt::Parser::from_args(args);
    let mut opts = FilterOpts::default();
    while let Some(arg) = next(&mut parser)? {
        if redactor_opt(&mut opts.redactor, &arg, &mut parser)?
            || scan_opt(&mut opts.scan, &arg, &mut parser)?
        {
            continue;
        }
        match arg {
            Short('h') => return Ok(Command::Help),
            Short('V') => return Ok(Command::Version),
            Long(ref l) if l == "help" => return Ok(Command::Help),
            Long(ref l) if l == "version" => return Ok(Command::Version),
            Long(ref l) if l == "check" => opts.check = true,
            Long(ref l) if l == "report" => {
                opts.report = Some(value_str(&mut parser, "--report")?.into())
            }
            Long(ref l) if l == "line-buffered" => opts.line_buffered = true,
            Long(ref l) if l == "threads" => {
                let v = value_str(&mut parser, "--threads")?;
                opts.threads = Some(
                    v.parse()
                        .ok()
                        .filter(|&n| (1..=1024).contains(&n))
                        .ok_or_else(|| {
                            anyhow!("--threads {v}: expected a number from 1 to 1024")
                        })?,
                );
            }
            Long(ref l) if l == "format" => opts.format = Some(format_value(&mut parser)?),
            Long(ref l) if l == "json-scan-keys" => opts.json_scan_keys = true,
            Value(v) => opts.paths.push(v.into()),
            other => return Err(unexpected(other)),
        }
    }
    if opts.report.as_deref() == Some(std::path::Path::new("-")) && !opts.check {
        bail!("--report - writes to stdout, which carries the redacted text: use it with --check, or give a file");
    }
    Ok(Command::Filter(opts))
}

fn parse_rules_list(args: Vec<OsString>) -> anyhow::Result<Command> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut opts = RedactorOpts::default();
    let mut format = ListFormat::Table;
    while let Some(arg) = next(&mut parser)? {
        if redactor_opt(&mut opts, &arg, &mut parser)? {
            continue;
        }
        match arg {
            Long(ref l) if l == "json" => format = ListFormat::Json,
            Long(ref l) if l == "markdown" => format = ListFormat::Markdown,
            other => return Err(unexpected(other)),
        }
    }
    Ok(Command::RulesList(opts, format))
}

fn parse_rules_check(args: Vec<OsString>) -> anyhow::Result<Command> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut opts = RedactorOpts::default();
    let mut files = vec![];
    while let Some(arg) = next(&mut parser)? {
        if redactor_opt(&mut opts, &arg, &mut parser)? {
            continue;
        }
        match arg {
            Value(v) => files.push(PathBuf::from(v)),
            other => return Err(unexpected(other)),
        }
    }
    if files.is_empty() {
        bail!("rules check: give at least one rule file");
    }
    Ok(Command::RulesCheck(opts, files))
}

fn parse_eval(args: Vec<OsString>) -> anyhow::Result<Command> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut opts = super::eval_cmd::EvalOpts {
        list: Some(100),
        ..Default::default()
    };
    while let Some(arg) = next(&mut parser)? {
        if redactor_opt(&mut opts.redactor, &arg, &mut parser)? {
            continue;
        }
        match arg {
            Long(ref l) if l == "json" => opts.json = true,
            Long(ref l) if l == "show-values" => opts.show_values = true,
            Long(ref l) if l == "thresholds" => {
                opts.thresholds = Some(value_str(&mut parser, "--thresholds")?.into())
            }
            Long(ref l) if l == "list" => {
                opts.list = super::eval_cmd::parse_list(&value_str(&mut parser, "--list")?)?
            }
            Value(v) => opts.paths.push(v.into()),
            other => return Err(unexpected(other)),
        }
    }
    if opts.paths.is_empty() {
        bail!("eval: give at least one corpus file or directory");
    }
    Ok(Command::Eval(opts))
}

fn parse_canary_new(args: Vec<OsString>) -> anyhow::Result<Command> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut label = None;
    while let Some(arg) = next(&mut parser)? {
        match arg {
            Long(ref l) if l == "label" => label = Some(value_str(&mut parser, "--label")?),
            other => return Err(unexpected(other)),
        }
    }
    Ok(Command::CanaryNew(label))
}

/// `BLACKBAR_ENGINE`, the default for `--engine`, if set.
fn engine_from_env() -> Option<anyhow::Result<blackbar::EngineKind>> {
    let v = std::env::var_os(ENGINE_ENV)?;
    let v = v.to_string_lossy();
    Some(blackbar::EngineKind::parse(&v).map_err(|e| anyhow!("{ENGINE_ENV}={v}: {e}")))
}

/// The environment variable that sets the default `--engine`.
const ENGINE_ENV: &str = "BLACKBAR_ENGINE";

fn read_text(path: &std::path::Path, what: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {what} {}", path.display()))
}

impl RedactorOpts {
    /// Builds the redactor; `extra_rules` are rule files loaded like `--rules`.
    pub(crate) fn build(&self, extra_rules: &[PathBuf]) -> anyhow::Result<Redactor> {
        let (b, policy) = self.builder(extra_rules)?;
        Ok(b.policy(policy).build()?)
    }

    /// The builder (rules, canaries, key) and the policy, separately (the proxy derives two
    /// redactors from them).
    pub(crate) fn builder(
        &self,
        extra_rules: &[PathBuf],
    ) -> anyhow::Result<(blackbar::RedactorBuilder, Policy)> {
        let mut b = Redactor::builder();
        for path in self.rules.iter().chain(extra_rules) {
            b = b.rule_source(&path.display().to_string(), &read_text(path, "rule file")?);
        }
        for d in &self.disable {
            b = b.disable(d);
        }
        if let Some(kind) = self.engine.map(Ok).or_else(engine_from_env).transpose()? {
            b = b.engine(kind);
        }
        for path in &self.canaries {
            let bytes = std::fs::read(path)
                .with_context(|| format!("cannot read canary list {}", path.display()))?;
            b = b.canaries(
                &path.display().to_string(),
                blackbar::canary::parse_list(&bytes, &path.display().to_string())?,
            );
        }
        let mut policy = match self.policy {
            Some(ref p) => {
                Policy::from_toml(&read_text(p, "policy file")?, &p.display().to_string())?
            }
            None => Policy::default(),
        };
        for p in &self.allow {
            let list = blackbar::Allowlist::from_toml(
                &read_text(p, "allowlist")?,
                &p.display().to_string(),
            )?;
            policy.add_allowlist(list);
        }
        for a in &self.actions {
            policy
                .set_action_str(a)
                .map_err(|e| anyhow!("--action {a}: {}", e.kind()))?;
        }
        if let Some(c) = self.min_confidence {
            policy.set_min_confidence(c);
        }
        let key = match self.key_file {
            Some(ref p) => Some(Key::from_file(p)?),
            None => Key::from_env()?,
        };
        if let Some(key) = key {
            b = b.key(key);
        }
        Ok((b, policy))
    }
}
