//! The upstream client: pooled connections, HTTPS through rustls (ring provider, webpki
//! roots: no system certificate store, nothing but Rust and a C compiler to build) and plain
//! HTTP, HTTP/2 where the upstream offers it over TLS (ALPN).

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::config::Timeouts;
use crate::error::{Error, ErrorKind};

/// The pooled client.
pub(crate) type Upstream = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A client with these timeouts.
pub(crate) fn client(timeouts: &Timeouts) -> Result<Upstream, Error> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(timeouts.connect));
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
        .map_err(|e| Error::new(ErrorKind::Parse(format!("TLS set-up failed: {e}"))))?
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(std::time::Duration::from_secs(90))
        .build(https))
}
