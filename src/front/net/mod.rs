//! The HTTP core that every HTTP front end shares (the LLM proxy, the OTLP hop): the server
//! loop (HTTP/1.1 and HTTP/2 to clients, gRPC included, graceful shutdown), the upstream
//! client (pooled, HTTPS through rustls with the webpki roots and extra CAs), request bodies
//! read within a limit and decoded, response bodies, upstream routes and timeouts, and the
//! Prometheus metrics. A front end adds only what its protocol needs: which requests it
//! takes, how it redacts them and what it does with the answers.
mod body;
mod client;
mod config;
mod message;
mod metrics;
mod serve;

pub use self::body::ProxyBody;
pub(crate) use self::client::{client, Protocol, Upstream};
pub use self::config::{Route, Timeouts, UpstreamCa};
pub(crate) use self::message::{block_message, copy_headers, decode, read_body, BodyError};
pub use self::metrics::Metrics;
pub use self::serve::ServeError;
pub(crate) use self::serve::{run, serve};
