//! `blackbar proxy`: the LLM provider proxy (see `blackbar::proxy`). Runs until SIGTERM or
//! Ctrl-C, then lets in-flight requests finish. Its logs go to stderr through blackbar's own
//! tracing writer ([`super::service`]).

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use blackbar::proxy::{OtherPaths, Proxy, ProxyConfig, Route, UpstreamCa};

use super::args::{next, redactor_opt, seconds, unexpected, value_str, Flag, RedactorOpts};
use super::service::{init_logs, shutdown_signal};

pub(crate) const HELP: &str = "\
blackbar proxy: an LLM provider proxy that redacts prompts and restores answers

USAGE:
    blackbar proxy --upstream URL [--upstream PREFIX=URL]... [OPTIONS]

Proxies OpenAI-compatible /v1/chat/completions, /v1/responses, /v1/completions,
/v1/embeddings and Anthropic /v1/messages. PII and secrets in requests become placeholders
([EMAIL_1]) that are restored in answers, streamed or not; secrets the model writes are
labelled; a canary in an answer stops it. GET /healthz and GET /metrics (Prometheus).

OPTIONS:
    --listen ADDR          address to listen on (default 127.0.0.1:8787)
    --upstream URL         the default upstream, e.g. https://api.openai.com
    --upstream PREFIX=URL  an upstream for paths under PREFIX (stripped), e.g.
                           /anthropic=https://api.anthropic.com (repeatable)
    --upstream-ca FILE     trust the CA certificates of this PEM file for HTTPS upstreams,
                           in addition to the built-in webpki roots (repeatable)
    --forward-other        forward other paths with the body redacted as text (default: 404)
    --max-body SIZE        largest request body, before and after decoding (default 10M)
    --connect-timeout S    seconds to connect to an upstream (default 10)
    --timeout S            seconds until an upstream's answer headers (default 600)
    --idle-timeout S       seconds of silence allowed inside an answer (default 300)
    --grace S              seconds in-flight requests get at shutdown (default 30)
    --policy FILE          actions (TOML); defaults: pii and secret = placeholder,
                           canary = report; 'block' refuses the request
    --action TARGET=ACT    e.g. secret=block (repeatable)
    --canaries FILE        literal canaries, one per line (repeatable)
    --rules FILE, --disable ID|CAT, --min-confidence C, --key-file FILE: as for blackbar
    -h, --help             this help

EXAMPLE:
    blackbar proxy --listen 127.0.0.1:8787 --upstream https://api.openai.com \\
        --upstream /anthropic=https://api.anthropic.com
    OpenAI SDK:    OpenAI(base_url=\"http://127.0.0.1:8787/v1\")
    Anthropic SDK: Anthropic(base_url=\"http://127.0.0.1:8787/anthropic\")
";

#[derive(Debug)]
pub(crate) struct Opts {
    redactor: RedactorOpts,
    listen: SocketAddr,
    upstreams: Vec<String>,
    upstream_cas: Vec<PathBuf>,
    forward_other: bool,
    max_body: usize,
    connect: Duration,
    timeout: Duration,
    idle: Duration,
    grace: Duration,
    help: bool,
}

fn size(v: &str) -> Option<usize> {
    let (num, mult) = match v.as_bytes().last()? {
        b'K' | b'k' => (&v[..v.len() - 1], 1 << 10),
        b'M' | b'm' => (&v[..v.len() - 1], 1 << 20),
        b'G' | b'g' => (&v[..v.len() - 1], 1 << 30),
        _ => (v, 1),
    };
    num.parse::<usize>()
        .ok()?
        .checked_mul(mult)
        .filter(|&n| n > 0)
}

pub(crate) fn parse(args: Vec<OsString>) -> anyhow::Result<Opts> {
    let mut parser = lexopt::Parser::from_args(args);
    let defaults = blackbar::proxy::Timeouts::default();
    let mut opts = Opts {
        redactor: RedactorOpts::default(),
        listen: "127.0.0.1:8787".parse().expect("a valid address"),
        upstreams: vec![],
        upstream_cas: vec![],
        forward_other: false,
        max_body: 10 << 20,
        connect: defaults.connect,
        timeout: defaults.response,
        idle: defaults.idle,
        grace: Duration::from_secs(30),
        help: false,
    };
    while let Some(arg) = next(&mut parser)? {
        if redactor_opt(&mut opts.redactor, &arg, &mut parser)? {
            continue;
        }
        let Flag::Long(ref name) = arg else {
            if matches!(arg, Flag::Short('h')) {
                opts.help = true;
                continue;
            }
            return Err(unexpected(arg));
        };
        match name.as_str() {
            "help" => opts.help = true,
            "listen" => {
                let v = value_str(&mut parser, "--listen")?;
                opts.listen = v
                    .parse()
                    .map_err(|_| anyhow!("--listen {v}: expected IP:PORT, e.g. 127.0.0.1:8787"))?;
            }
            "upstream" => opts.upstreams.push(value_str(&mut parser, "--upstream")?),
            "upstream-ca" => opts
                .upstream_cas
                .push(value_str(&mut parser, "--upstream-ca")?.into()),
            "forward-other" => opts.forward_other = true,
            "max-body" => {
                let v = value_str(&mut parser, "--max-body")?;
                opts.max_body = size(&v)
                    .ok_or_else(|| anyhow!("--max-body {v}: expected a size such as 10M"))?;
            }
            "connect-timeout" => opts.connect = seconds(&mut parser, "--connect-timeout")?,
            "timeout" => opts.timeout = seconds(&mut parser, "--timeout")?,
            "idle-timeout" => opts.idle = seconds(&mut parser, "--idle-timeout")?,
            "grace" => opts.grace = seconds(&mut parser, "--grace")?,
            _ => return Err(unexpected(arg)),
        }
    }
    if !opts.help && opts.upstreams.is_empty() {
        bail!("proxy: give at least one --upstream URL (see blackbar proxy --help)");
    }
    Ok(opts)
}

fn config(opts: &Opts) -> anyhow::Result<ProxyConfig> {
    let mut routes = vec![];
    for spec in &opts.upstreams {
        let route = Route::parse(spec)?;
        if routes.iter().any(|r: &Route| r.prefix == route.prefix) {
            bail!("--upstream {spec}: prefix {} is given twice", route.prefix);
        }
        routes.push(route);
    }
    let mut config = ProxyConfig::new(routes.remove(0));
    config.routes.extend(routes);
    for path in &opts.upstream_cas {
        config
            .upstream_cas
            .push(UpstreamCa::read(path).map_err(|e| anyhow!("--upstream-ca {e}"))?);
    }
    config.other = if opts.forward_other {
        OtherPaths::RedactAsText
    } else {
        OtherPaths::Refuse
    };
    config.max_body = opts.max_body;
    config.timeouts.connect = opts.connect;
    config.timeouts.response = opts.timeout;
    config.timeouts.idle = opts.idle;
    config.grace = opts.grace;
    Ok(config)
}

pub(crate) fn run(opts: &Opts) -> anyhow::Result<i32> {
    if opts.help {
        print!("{HELP}");
        return Ok(0);
    }
    let config = config(opts)?;
    let (builder, policy) = opts.redactor.builder(&[])?;
    let (request, check) = blackbar::proxy::redactors(builder.clone(), &policy)?;
    init_logs(builder)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .with_context(|| format!("cannot listen on {}", opts.listen))?;
        let routes: Vec<String> = config
            .routes
            .iter()
            .map(|r| {
                format!(
                    "{} -> {}://{}{}",
                    r.prefix, r.scheme, r.authority, r.base_path
                )
            })
            .collect();
        let cas: Vec<&str> = config.upstream_cas.iter().map(|c| c.origin()).collect();
        let cas = if cas.is_empty() {
            "none".to_string()
        } else {
            cas.join(", ")
        };
        tracing::info!(
            target: "blackbar::proxy",
            listen = %listener.local_addr()?,
            routes = %routes.join(", "),
            upstream_cas = %cas,
            "blackbar proxy listening"
        );
        let proxy = Proxy::new(config, request, check)?;
        proxy.serve(listener, shutdown_signal()).await?;
        anyhow::Ok(())
    })?;
    Ok(0)
}
