//! The body of the front ends' responses: a whole buffer (with trailers, for gRPC), or pieces
//! from a channel (a stream being rewritten). When the client goes away hyper drops the
//! body, the channel closes and the task feeding it stops, dropping the upstream call.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::HeaderMap;
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::mpsc;

/// A response body.
#[derive(Debug)]
pub enum ProxyBody {
    /// A whole body (taken once).
    Full(Option<Bytes>),
    /// A whole body, then trailers (a gRPC answer's `grpc-status`).
    WithTrailers(Option<Bytes>, Option<HeaderMap>),
    /// Pieces as they are produced.
    Channel(mpsc::Receiver<Bytes>),
}

impl ProxyBody {
    /// A whole body.
    pub fn full(bytes: impl Into<Bytes>) -> ProxyBody {
        ProxyBody::Full(Some(bytes.into()))
    }
}

impl Body for ProxyBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            ProxyBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            ProxyBody::WithTrailers(b, t) => Poll::Ready(match b.take() {
                Some(b) if !b.is_empty() => Some(Ok(Frame::data(b))),
                _ => t.take().map(|t| Ok(Frame::trailers(t))),
            }),
            ProxyBody::Channel(rx) => rx.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(
            self,
            ProxyBody::Full(None) | ProxyBody::WithTrailers(None, None)
        )
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ProxyBody::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            ProxyBody::Full(None) => SizeHint::with_exact(0),
            ProxyBody::WithTrailers(b, _) => {
                SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64))
            }
            ProxyBody::Channel(_) => SizeHint::default(),
        }
    }
}
