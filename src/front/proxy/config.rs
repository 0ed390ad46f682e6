//! Proxy configuration: routes to upstreams, limits and timeouts. Routes, certificate
//! authorities and timeouts are the HTTP front ends' shared ones (`crate::net`).

use std::time::Duration;

use crate::net::{Route, Timeouts, UpstreamCa};

/// What happens to paths that are not one of the known APIs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OtherPaths {
    /// A 404 in the provider's shape (the default).
    #[default]
    Refuse,
    /// Forwarded with the body redacted as text (placeholders where the policy says), and
    /// the answer passed through the output check.
    RedactAsText,
}

/// Everything the proxy needs besides its redactors.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ProxyConfig {
    /// Upstreams by path prefix; at least one.
    pub routes: Vec<Route>,
    /// Certificate authorities trusted for HTTPS upstreams besides the webpki roots (none by
    /// default).
    pub upstream_cas: Vec<UpstreamCa>,
    /// Paths other than the known APIs.
    pub other: OtherPaths,
    /// The largest request body, before and after decoding (default 10 MiB; 413 past it).
    pub max_body: usize,
    /// Upstream timeouts.
    pub timeouts: Timeouts,
    /// How long in-flight requests may take to finish after a shutdown signal.
    pub grace: Duration,
}

impl ProxyConfig {
    /// A configuration with one default route and default limits.
    pub fn new(route: Route) -> ProxyConfig {
        ProxyConfig {
            routes: vec![route],
            upstream_cas: vec![],
            other: OtherPaths::Refuse,
            max_body: 10 << 20,
            timeouts: Timeouts::default(),
            grace: Duration::from_secs(30),
        }
    }

    /// Whether paths other than the known APIs are forwarded (with text redaction).
    pub fn forward_other(&self) -> bool {
        self.other == OtherPaths::RedactAsText
    }

    /// The route for `path` (longest prefix) and the path under it.
    pub(crate) fn route<'p>(&self, path: &'p str) -> Option<(&Route, &'p str)> {
        self.routes
            .iter()
            .filter_map(|r| r.strip(path).map(|rest| (r, rest)))
            .max_by_key(|(r, _)| if r.prefix == "/" { 0 } else { r.prefix.len() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_parse_and_match_longest_prefix() {
        let a = Route::parse("/anthropic=https://api.anthropic.com/").unwrap();
        let o = Route::parse("http://127.0.0.1:9/base").unwrap();
        assert_eq!(o.prefix, "/");
        assert_eq!(o.base_path, "/base");
        let mut c = ProxyConfig::new(o);
        c.routes.push(a);
        let (r, rest) = c.route("/anthropic/v1/messages").unwrap();
        assert_eq!(
            (r.authority.as_str(), rest),
            ("api.anthropic.com", "/v1/messages")
        );
        let (r, rest) = c.route("/anthropicx/v1").unwrap();
        assert_eq!(
            (r.authority.as_str(), rest),
            ("127.0.0.1:9", "/anthropicx/v1")
        );
        assert!(Route::parse("ftp://x").is_err());
        assert!(Route::parse("https://user:pw@x").is_err());
        assert!(Route::parse("x=https://h").is_err());
    }
}
