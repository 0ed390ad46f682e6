//! The upstream client: pooled connections, HTTPS through rustls (ring provider, webpki
//! roots plus any [`UpstreamCa`] of the configuration: no system certificate store, nothing
//! but Rust and a C compiler to build) and plain HTTP.
//!
//! Over TLS the client offers ALPN `h2` then `http/1.1` and speaks whichever the upstream
//! picks; an upstream that picks none gets HTTP/1.1. Plain HTTP upstreams get HTTP/1.1.
//! A gRPC client ([`Protocol::Http2`]) speaks HTTP/2 only: over TLS it offers `h2` alone,
//! in clear it uses HTTP/2 with prior knowledge, as gRPC does.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::config::{Timeouts, UpstreamCa};
use crate::error::{Error, ErrorKind};

/// The pooled client.
pub(crate) type Upstream = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// What a client speaks to its upstreams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// HTTP/1.1, or HTTP/2 where TLS's ALPN settles on it.
    Http,
    /// HTTP/2 only (gRPC).
    Http2,
}

/// A client with these timeouts, trusting the webpki roots and `cas`.
pub(crate) fn client(
    timeouts: &Timeouts,
    cas: &[UpstreamCa],
    protocol: Protocol,
) -> Result<Upstream, Error> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(timeouts.connect));
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for ca in cas {
        for cert in ca.certs() {
            // `UpstreamCa` checked each certificate when it read them.
            roots.add(cert.clone()).map_err(|e| {
                Error::new(ErrorKind::Parse(format!("not a CA certificate: {e}"))).at(ca.origin())
            })?;
        }
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Error::new(ErrorKind::Parse(format!("TLS set-up failed: {e}"))))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    let https = match protocol {
        Protocol::Http => https.enable_http1().enable_http2().wrap_connector(http),
        Protocol::Http2 => https.enable_http2().wrap_connector(http),
    };
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(std::time::Duration::from_secs(90))
        .http2_only(protocol == Protocol::Http2)
        .build(https))
}
