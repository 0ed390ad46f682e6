//! Upstreams, their certificate authorities and timeouts, shared by the HTTP front ends.
//! Everything here is checked when it is parsed or read ([`Route::parse`],
//! [`UpstreamCa::read`]), so a configuration that exists is one a front end can start with.

use std::path::Path;
use std::time::Duration;

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::CertificateDer;

use crate::error::{Error, ErrorKind};

/// An upstream selected by path prefix. The longest matching prefix wins; the prefix is
/// stripped and the rest of the path appended to the upstream's own path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The path prefix (`/` for the default route; otherwise it starts with `/` and has no
    /// trailing `/`).
    pub prefix: String,
    /// `http` or `https`.
    pub scheme: String,
    /// Host and optional port.
    pub authority: String,
    /// The upstream URL's path without a trailing `/` (often empty).
    pub base_path: String,
}

impl Route {
    /// Parses `URL` (the default route) or `PREFIX=URL`, e.g.
    /// `/anthropic=https://api.anthropic.com`.
    ///
    /// # Errors
    ///
    /// A URL that is not `http://` or `https://` with a host, or a prefix not starting
    /// with `/`.
    pub fn parse(spec: &str) -> Result<Route, Error> {
        let bad =
            |why: &str| Error::new(ErrorKind::Parse(format!("upstream route '{spec}': {why}")));
        let (prefix, url) = match spec.split_once('=') {
            Some((p, u)) if p.starts_with('/') => (p.trim_end_matches('/'), u),
            Some(_) => return Err(bad("the prefix must start with '/'")),
            None => ("", spec),
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("expected http://HOST or https://HOST"))?;
        if scheme != "http" && scheme != "https" {
            return Err(bad("only http and https upstreams"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.is_empty() || authority.contains('@') {
            return Err(bad("expected a host (and no credentials in the URL)"));
        }
        authority
            .parse::<http::uri::Authority>()
            .map_err(|_| bad("not a valid host"))?;
        Ok(Route {
            prefix: if prefix.is_empty() { "/" } else { prefix }.to_string(),
            scheme: scheme.to_string(),
            authority: authority.to_string(),
            base_path: path.trim_end_matches('/').to_string(),
        })
    }

    /// The path under this route's prefix, or `None` when `path` is not under it.
    pub(crate) fn strip<'p>(&self, path: &'p str) -> Option<&'p str> {
        if self.prefix == "/" {
            return Some(path);
        }
        let rest = path.strip_prefix(self.prefix.as_str())?;
        (rest.is_empty() || rest.starts_with('/')).then_some(rest)
    }
}

/// Certificate authorities that HTTPS upstreams are trusted under **in addition to** the webpki
/// roots (a private gateway, a TLS-inspecting corporate proxy, a test server): the
/// certificates of one PEM file (`--upstream-ca`).
///
/// Holds at least one certificate, each of which parsed as an X.509 trust anchor.
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamCa {
    origin: String,
    certs: Vec<CertificateDer<'static>>,
}

impl UpstreamCa {
    /// Reads the `CERTIFICATE` blocks of the PEM file at `path` (other blocks, such as a key,
    /// are skipped).
    ///
    /// # Errors
    ///
    /// The file cannot be read, is not valid PEM, holds no certificate, or holds one that is
    /// not an X.509 certificate; the error names the file.
    pub fn read(path: &Path) -> Result<UpstreamCa, Error> {
        let origin = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::new(ErrorKind::Parse(format!("cannot read: {e}"))).at(&origin))?;
        UpstreamCa::from_pem(&bytes, &origin)
    }

    /// The `CERTIFICATE` blocks of `pem` text; `origin` names it in errors.
    ///
    /// # Errors
    ///
    /// As [`UpstreamCa::read`], except reading.
    pub fn from_pem(pem: &[u8], origin: &str) -> Result<UpstreamCa, Error> {
        let bad = |why: String| Error::new(ErrorKind::Parse(why)).at(origin);
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(format!("not a valid PEM file: {}", pem_problem(&e))))?;
        if certs.is_empty() {
            return Err(bad(
                "holds no certificate (expected a -----BEGIN CERTIFICATE----- block)".into(),
            ));
        }
        let mut roots = rustls::RootCertStore::empty();
        for (i, cert) in certs.iter().enumerate() {
            roots.add(cert.clone()).map_err(|e| {
                bad(format!(
                    "certificate {} is not a valid X.509 certificate ({e})",
                    i + 1
                ))
            })?;
        }
        Ok(UpstreamCa {
            origin: origin.to_string(),
            certs,
        })
    }

    /// Where the certificates came from (the file name).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub(crate) fn certs(&self) -> &[CertificateDer<'static>] {
        &self.certs
    }
}

impl std::fmt::Debug for UpstreamCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamCa")
            .field("origin", &self.origin)
            .field("certificates", &self.certs.len())
            .finish()
    }
}

/// A PEM error in words (the library's own text shows marker lines as byte lists).
fn pem_problem(e: &pem::Error) -> String {
    match e {
        // `end_marker` is the block's label, e.g. `CERTIFICATE`.
        pem::Error::MissingSectionEnd { end_marker } => format!(
            "a {} block has no END line",
            String::from_utf8_lossy(end_marker)
        ),
        pem::Error::IllegalSectionStart { line } => {
            format!("malformed BEGIN line {:?}", String::from_utf8_lossy(line))
        }
        pem::Error::Base64Decode(why) => format!("a block is not valid base64 ({why})"),
        other => other.to_string(),
    }
}

/// Timeouts towards the upstream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Establishing a connection (TCP and TLS).
    pub connect: Duration,
    /// From sending the request to the answer's headers.
    pub response: Duration,
    /// The longest silence between two pieces of an answer's body (a stream's events).
    pub idle: Duration,
}

impl Default for Timeouts {
    /// Connect 10 s, headers 600 s (a long non-streamed generation), idle 300 s.
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(10),
            response: Duration::from_secs(600),
            idle: Duration::from_secs(300),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_cas_hold_every_certificate_of_the_file_or_say_what_is_wrong() {
        let ca = || {
            let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            p.self_signed(&rcgen::KeyPair::generate().unwrap())
                .unwrap()
                .pem()
        };
        let key = rcgen::KeyPair::generate().unwrap().serialize_pem();
        let bundle = format!("{}{key}{}", ca(), ca());
        let cas = UpstreamCa::from_pem(bundle.as_bytes(), "bundle.pem").unwrap();
        assert_eq!((cas.origin(), cas.certs().len()), ("bundle.pem", 2));
        let err = |pem: &str| {
            UpstreamCa::from_pem(pem.as_bytes(), "ca.pem")
                .unwrap_err()
                .to_string()
        };
        let none = "ca.pem: holds no certificate (expected a -----BEGIN CERTIFICATE----- block)";
        assert_eq!(err(""), none);
        assert_eq!(err(&key), none);
        let block = |body: &str| {
            format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")
        };
        let e = err(&block("not base64!"));
        assert!(
            e.starts_with("ca.pem: not a valid PEM file: a block is not valid base64"),
            "{e}"
        );
        let e = err(&format!("{}{}", ca(), block("aGVsbG8=")));
        assert!(
            e.starts_with("ca.pem: certificate 2 is not a valid X.509 certificate"),
            "{e}"
        );
        let e = err("-----BEGIN CERTIFICATE-----\naGVsbG8=\n");
        assert_eq!(
            e,
            "ca.pem: not a valid PEM file: a CERTIFICATE block has no END line"
        );
        let e = UpstreamCa::read(Path::new("/nonexistent/ca.pem"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/nonexistent/ca.pem: cannot read: "), "{e}");
    }
}
