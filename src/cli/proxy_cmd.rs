//! `blackbar proxy`: the LLM provider proxy (see `blackbar::proxy`). Runs until SIGTERM or
//! Ctrl-C, then lets in-flight requests finish. Its logs go to stderr through blackbar's own
//! tracing writer, so even a log line that somehow carried a value would be redacted.

use std::ffi::OsString;
use std::net::SocketAddr;

use anyhow::bail;
use blackbar::proxy::{OtherPaths, Proxy, ProxyConfig, Route};

use super::args::{next, redactor_opt, unexpected, value_str, Flag, RedactorOpts};
use super::serve::{self, server_opt, ServerOpts};

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
    --rules FILE, --disable ID|CAT, --min-confidence C, --key-file FILE, --allow FILE:
                           as for blackbar
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
    server: ServerOpts,
    listen: SocketAddr,
    upstreams: Vec<String>,
    forward_other: bool,
    help: bool,
}

pub(crate) fn parse(args: Vec<OsString>) -> anyhow::Result<Opts> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut opts = Opts {
        redactor: RedactorOpts::default(),
        server: ServerOpts::new(10 << 20, blackbar::proxy::Timeouts::default()),
        listen: "127.0.0.1:8787".parse().expect("a valid address"),
        upstreams: vec![],
        forward_other: false,
        help: false,
    };
    while let Some(arg) = next(&mut parser)? {
        if redactor_opt(&mut opts.redactor, &arg, &mut parser)?
            || server_opt(&mut opts.server, &arg, &mut parser)?
        {
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
            "listen" => opts.listen = serve::address(&mut parser, "--listen", "127.0.0.1:8787")?,
            "upstream" => opts.upstreams.push(value_str(&mut parser, "--upstream")?),
            "forward-other" => opts.forward_other = true,
            "idle-timeout" => {
                opts.server.timeouts.idle = serve::seconds(&mut parser, "--idle-timeout")?
            }
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
    config.upstream_cas = opts.server.cas()?;
    config.other = if opts.forward_other {
        OtherPaths::RedactAsText
    } else {
        OtherPaths::Refuse
    };
    config.max_body = opts.server.max_body;
    config.timeouts = opts.server.timeouts;
    config.grace = opts.server.grace;
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
    serve::run(builder, || async {
        let listener = serve::listen(opts.listen).await?;
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
        proxy.serve(listener, serve::shutdown_signal()).await?;
        anyhow::Ok(())
    })
}
