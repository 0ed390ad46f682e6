//! The server loop: HTTP/1.1 and HTTP/2 (cleartext, prior knowledge, so gRPC too) to
//! clients on any number of listeners, one handler, graceful shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::task::Poll;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tracing::{debug, info, warn};

use super::body::ProxyBody;

/// Bodies above this size are redacted on a blocking thread, not on the async workers.
const BLOCKING_BODY: usize = 1 << 20;

/// A server that could not run.
#[derive(Debug)]
pub struct ServeError(pub std::io::Error);

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "server: {}", self.0)
    }
}

impl std::error::Error for ServeError {}

/// Serves connections from every listener with `handle` until `shutdown` completes, then
/// stops accepting and lets in-flight requests finish, for at most `grace`. `front` names
/// the front end in logs.
pub(crate) async fn serve<F, Fut>(
    front: &'static str,
    listeners: Vec<TcpListener>,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
    handle: F,
) -> Result<(), ServeError>
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<ProxyBody>> + Send + 'static,
{
    let graceful = GracefulShutdown::new();
    let builder = auto::Builder::new(TokioExecutor::new());
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = accept(&listeners) => {
                let stream = match accepted {
                    Ok(stream) => stream,
                    Err(e) => {
                        warn!(target: "blackbar::net", front, error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let handle = handle.clone();
                let svc = service_fn(move |req| {
                    let answer = handle(req);
                    async move { Ok::<_, Infallible>(answer.await) }
                });
                let conn = builder.serve_connection(TokioIo::new(stream), svc);
                let conn = graceful.watch(conn.into_owned());
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        debug!(target: "blackbar::net", front, error = %e, "connection ended");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listeners);
    info!(target: "blackbar::net", front, "shutting down: letting in-flight requests finish");
    tokio::select! {
        () = graceful.shutdown() => info!(target: "blackbar::net", front, "all connections closed"),
        () = tokio::time::sleep(grace) => {
            warn!(target: "blackbar::net", front, "grace period over: closing the remaining connections")
        }
    }
    Ok(())
}

/// The next connection on any of the listeners.
async fn accept(listeners: &[TcpListener]) -> std::io::Result<TcpStream> {
    std::future::poll_fn(|cx| {
        for l in listeners {
            if let Poll::Ready(r) = l.poll_accept(cx) {
                return Poll::Ready(r.map(|(stream, _)| stream));
            }
        }
        Poll::Pending
    })
    .await
}

/// Runs `f` on `body`, on a blocking thread when the body is large.
pub(crate) async fn run<T: Send + 'static, E: Send + std::fmt::Display + 'static>(
    body: Vec<u8>,
    f: impl FnOnce(Vec<u8>) -> Result<T, E> + Send + 'static,
) -> Result<T, String> {
    if body.len() < BLOCKING_BODY {
        return f(body).map_err(|e| e.to_string());
    }
    match tokio::task::spawn_blocking(move || f(body)).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err("redaction failed".into()),
    }
}
