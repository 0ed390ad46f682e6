//! What the server commands (`blackbar proxy`, `blackbar otlp`) share: the options of the
//! HTTP core (upstream CAs, body limit, timeouts, grace period), their logs (to stderr,
//! through blackbar's own tracing writer, so even a log line that somehow carried a value
//! would be redacted), the async runtime, listening, and shutting down on SIGTERM or Ctrl-C.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, Context};
use blackbar::proxy::{Timeouts, UpstreamCa};
use blackbar::{Policy, RedactorBuilder};

use super::args::{value_str, Flag};

/// The HTTP core's options.
#[derive(Debug)]
pub(crate) struct ServerOpts {
    pub upstream_cas: Vec<PathBuf>,
    pub max_body: usize,
    pub timeouts: Timeouts,
    pub grace: Duration,
}

impl ServerOpts {
    /// The defaults of a front end.
    pub(crate) fn new(max_body: usize, timeouts: Timeouts) -> ServerOpts {
        ServerOpts {
            upstream_cas: vec![],
            max_body,
            timeouts,
            grace: Duration::from_secs(30),
        }
    }

    /// The CA files, read.
    pub(crate) fn cas(&self) -> anyhow::Result<Vec<UpstreamCa>> {
        self.upstream_cas
            .iter()
            .map(|path| UpstreamCa::read(path).map_err(|e| anyhow!("--upstream-ca {e}")))
            .collect()
    }
}

/// Parses an option of the HTTP core; returns false when `arg` is not one.
pub(crate) fn server_opt(
    opts: &mut ServerOpts,
    arg: &Flag,
    parser: &mut lexopt::Parser,
) -> anyhow::Result<bool> {
    let Flag::Long(name) = arg else {
        return Ok(false);
    };
    match name.as_str() {
        "upstream-ca" => opts
            .upstream_cas
            .push(value_str(parser, "--upstream-ca")?.into()),
        "max-body" => {
            let v = value_str(parser, "--max-body")?;
            opts.max_body =
                size(&v).ok_or_else(|| anyhow!("--max-body {v}: expected a size such as 10M"))?;
        }
        "connect-timeout" => opts.timeouts.connect = seconds(parser, "--connect-timeout")?,
        "timeout" => opts.timeouts.response = seconds(parser, "--timeout")?,
        "grace" => opts.grace = seconds(parser, "--grace")?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// A listening address.
pub(crate) fn address(
    parser: &mut lexopt::Parser,
    flag: &str,
    example: &str,
) -> anyhow::Result<SocketAddr> {
    let v = value_str(parser, flag)?;
    v.parse()
        .map_err(|_| anyhow!("{flag} {v}: expected IP:PORT, e.g. {example}"))
}

pub(crate) fn seconds(parser: &mut lexopt::Parser, flag: &str) -> anyhow::Result<Duration> {
    let v = value_str(parser, flag)?;
    let secs: f64 = v
        .parse()
        .ok()
        .filter(|s: &f64| s.is_finite() && *s > 0.0)
        .ok_or_else(|| anyhow!("{flag} {v}: expected a positive number of seconds"))?;
    Ok(Duration::from_secs_f64(secs))
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

/// Sets up the server's logs (redacted with `builder`'s rules under the default policy) and
/// runs `serve` on a multi-threaded runtime until it returns.
pub(crate) fn run<F: Future<Output = anyhow::Result<()>>>(
    builder: RedactorBuilder,
    serve: impl FnOnce() -> F,
) -> anyhow::Result<i32> {
    let logs = builder.policy(Policy::default()).build()?;
    tracing_subscriber::fmt()
        .with_writer(blackbar::tracing::RedactingMakeWriter::new(
            logs,
            std::io::stderr,
        ))
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve())?;
    Ok(0)
}

/// Listens on `addr`.
pub(crate) async fn listen(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

/// Completes on SIGTERM or Ctrl-C.
pub(crate) async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!(target: "blackbar", "shutdown signal received");
}
