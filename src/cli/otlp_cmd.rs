//! `blackbar otlp`: the OTLP hop (see `blackbar::otlp`). Runs until SIGTERM or Ctrl-C, then
//! lets in-flight requests finish.

use std::ffi::OsString;
use std::net::SocketAddr;

use anyhow::bail;
use blackbar::otlp::{Hop, OtlpConfig, OtlpRedactor, Route};

use super::args::{
    next, redactor_opt, scan_opt, unexpected, value_str, Flag, RedactorOpts, ScanOpts,
};
use super::serve::{self, server_opt, ServerOpts};

pub(crate) const HELP: &str = "\
blackbar otlp: an OTLP hop that redacts logs and traces on their way to a collector

USAGE:
    blackbar otlp --upstream URL [--listen ADDR] [OPTIONS]
    blackbar otlp --grpc-upstream URL [--grpc-listen ADDR] [OPTIONS]

Receives OTLP/HTTP (POST /v1/logs, /v1/traces, /v1/metrics; protobuf or JSON, gzip) and
OTLP/gRPC, redacts log bodies, attribute values (records, spans, span events, scopes,
resources), span and event names and status messages, and forwards the request to the
collector. Attributes whose key is sensitive (password, http.request.header.authorization,
...) have their value replaced by \"[REDACTED]\". Numbers, severities, timestamps, trace and
span ids and unknown fields pass unchanged; metrics pass through. A body that does not
parse gets a 400 (gRPC: INVALID_ARGUMENT) and nothing is forwarded; the collector's answer
(429/503 with Retry-After, partial success) is passed back as it came.
GET /healthz and GET /metrics (Prometheus) on the HTTP listener.

OPTIONS:
    --listen ADDR          OTLP/HTTP address (default 127.0.0.1:4318)
    --upstream URL         the collector's OTLP/HTTP endpoint, e.g. http://collector:4318
    --grpc-listen ADDR     OTLP/gRPC address (default 127.0.0.1:4317)
    --grpc-upstream URL    the collector's OTLP/gRPC endpoint, e.g. http://collector:4317
                           (http: HTTP/2 in clear; https: over TLS)
    --upstream-ca FILE     trust the CA certificates of this PEM file for HTTPS upstreams,
                           in addition to the built-in webpki roots (repeatable)
    --max-body SIZE        largest request, before and after decompression (default 20M)
    --connect-timeout S    seconds to connect to a collector (default 10)
    --timeout S            seconds until a collector's answer (default 30)
    --grace S              seconds in-flight requests get at shutdown (default 30)
    --json-keys LIST       attribute keys whose whole value is redacted, comma-separated;
                           'default' is the built-in list (password, token, api_key,
                           authorization, cookie...), 'none' none
    --decode LIST          decoders: base64, percent, all (default) or none
    --decode-depth N       levels of encoding looked through (default 1)
    --policy FILE          actions per category and rule, and the confidence threshold
    --action TARGET=ACT    e.g. pii=hash (repeatable); drop removes the log record or span,
                           block refuses the whole export
    --canaries FILE        literal canaries, one per line (repeatable)
    --rules FILE, --disable ID|CAT, --min-confidence C, --key-file FILE, --engine E,
    --allow FILE:          as for blackbar
    -h, --help             this help

EXAMPLE:
    blackbar otlp --listen 0.0.0.0:4318 --upstream http://otel-collector:4318 \\
        --grpc-listen 0.0.0.0:4317 --grpc-upstream http://otel-collector:4317
    SDKs: OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318
";

#[derive(Debug)]
pub(crate) struct Opts {
    redactor: RedactorOpts,
    scan: ScanOpts,
    server: ServerOpts,
    listen: Option<SocketAddr>,
    upstream: Option<String>,
    grpc_listen: Option<SocketAddr>,
    grpc_upstream: Option<String>,
    help: bool,
}

pub(crate) fn parse(args: Vec<OsString>) -> anyhow::Result<Opts> {
    let mut parser = lexopt::Parser::from_args(args);
    let defaults = OtlpConfig::default();
    let mut opts = Opts {
        redactor: RedactorOpts::default(),
        scan: ScanOpts::default(),
        server: ServerOpts::new(defaults.max_body, defaults.timeouts),
        listen: None,
        upstream: None,
        grpc_listen: None,
        grpc_upstream: None,
        help: false,
    };
    while let Some(arg) = next(&mut parser)? {
        if redactor_opt(&mut opts.redactor, &arg, &mut parser)?
            || scan_opt(&mut opts.scan, &arg, &mut parser)?
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
            "listen" => {
                opts.listen = Some(serve::address(&mut parser, "--listen", "127.0.0.1:4318")?)
            }
            "grpc-listen" => {
                opts.grpc_listen = Some(serve::address(
                    &mut parser,
                    "--grpc-listen",
                    "127.0.0.1:4317",
                )?)
            }
            "upstream" => opts.upstream = Some(value_str(&mut parser, "--upstream")?),
            "grpc-upstream" => {
                opts.grpc_upstream = Some(value_str(&mut parser, "--grpc-upstream")?)
            }
            _ => return Err(unexpected(arg)),
        }
    }
    if opts.help {
        return Ok(opts);
    }
    if opts.upstream.is_none() && opts.grpc_upstream.is_none() {
        bail!("otlp: give --upstream URL (OTLP/HTTP) or --grpc-upstream URL (OTLP/gRPC), or both (see blackbar otlp --help)");
    }
    if opts.listen.is_some() && opts.upstream.is_none() {
        bail!("otlp: --listen takes OTLP/HTTP, which needs --upstream URL");
    }
    if opts.grpc_listen.is_some() && opts.grpc_upstream.is_none() {
        bail!("otlp: --grpc-listen takes OTLP/gRPC, which needs --grpc-upstream URL");
    }
    Ok(opts)
}

/// An upstream URL: a whole URL, no path prefix.
fn route(flag: &str, url: &str) -> anyhow::Result<Route> {
    if !url.contains("://") || url.split("://").next().is_some_and(|s| s.contains('=')) {
        bail!("{flag} {url}: expected http://HOST[:PORT] or https://HOST[:PORT]");
    }
    Ok(Route::parse(url)?)
}

pub(crate) fn run(opts: &Opts) -> anyhow::Result<i32> {
    if opts.help {
        print!("{HELP}");
        return Ok(0);
    }
    let mut config = OtlpConfig::default();
    config.upstream = opts
        .upstream
        .as_deref()
        .map(|u| route("--upstream", u))
        .transpose()?;
    config.grpc_upstream = opts
        .grpc_upstream
        .as_deref()
        .map(|u| route("--grpc-upstream", u))
        .transpose()?;
    config.upstream_cas = opts.server.cas()?;
    config.max_body = opts.server.max_body;
    config.timeouts = opts.server.timeouts;
    config.grace = opts.server.grace;
    let (builder, policy) = opts.redactor.builder(&[])?;
    let redactor = builder
        .clone()
        .policy(policy)
        .decoders(opts.scan.decoders()?)
        .build()?;
    let hop = Hop::new(
        config.clone(),
        OtlpRedactor::new(redactor, opts.scan.keys()),
    )?;
    serve::run(builder, || async {
        let mut listeners = vec![];
        let mut shown = vec![];
        if let Some(ref up) = config.upstream {
            let l = serve::listen(opts.listen.unwrap_or(([127, 0, 0, 1], 4318).into())).await?;
            shown.push(format!(
                "http {} -> {}://{}{}",
                l.local_addr()?,
                up.scheme,
                up.authority,
                up.base_path
            ));
            listeners.push(l);
        }
        if let Some(ref up) = config.grpc_upstream {
            let l =
                serve::listen(opts.grpc_listen.unwrap_or(([127, 0, 0, 1], 4317).into())).await?;
            shown.push(format!(
                "grpc {} -> {}://{}{}",
                l.local_addr()?,
                up.scheme,
                up.authority,
                up.base_path
            ));
            listeners.push(l);
        }
        tracing::info!(target: "blackbar::otlp", routes = %shown.join(", "), "blackbar otlp listening");
        hop.serve(listeners, serve::shutdown_signal()).await?;
        anyhow::Ok(())
    })
}
