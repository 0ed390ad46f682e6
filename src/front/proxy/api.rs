//! The provider APIs the proxy understands, and errors in each provider's shape.

use serde_json::json;

/// A proxied API, recognised by path (after the route's prefix).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Api {
    /// OpenAI `/v1/chat/completions`.
    ChatCompletions,
    /// OpenAI `/v1/responses`.
    Responses,
    /// OpenAI legacy `/v1/completions`.
    Completions,
    /// OpenAI `/v1/embeddings` (answers carry no text to restore).
    Embeddings,
    /// Anthropic `/v1/messages`.
    Messages,
    /// Any other path, when forwarding is configured.
    Other,
}

/// Whose error shape a response uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// `{"error": {"message", "type", "param", "code"}}`.
    OpenAi,
    /// `{"type": "error", "error": {"type", "message"}}`.
    Anthropic,
}

impl Api {
    /// The API at `path` (a trailing `/` and a query string are ignored), if known.
    pub fn from_path(path: &str) -> Option<Api> {
        let path = path.split('?').next().unwrap_or_default();
        Some(match path.trim_end_matches('/') {
            "/v1/chat/completions" | "/chat/completions" => Api::ChatCompletions,
            "/v1/responses" | "/responses" => Api::Responses,
            "/v1/completions" | "/completions" => Api::Completions,
            "/v1/embeddings" | "/embeddings" => Api::Embeddings,
            "/v1/messages" | "/messages" => Api::Messages,
            _ => return None,
        })
    }

    /// The name used in metrics and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Api::ChatCompletions => "chat_completions",
            Api::Responses => "responses",
            Api::Completions => "completions",
            Api::Embeddings => "embeddings",
            Api::Messages => "messages",
            Api::Other => "other",
        }
    }

    /// Whose error shape this API's clients expect.
    pub fn provider(self) -> Provider {
        match self {
            Api::Messages => Provider::Anthropic,
            _ => Provider::OpenAi,
        }
    }
}

/// Guesses the provider of a request to an unknown path: Anthropic clients send
/// `anthropic-version`.
pub(crate) fn provider_of(headers: &http::HeaderMap) -> Provider {
    if headers.contains_key("anthropic-version") {
        Provider::Anthropic
    } else {
        Provider::OpenAi
    }
}

/// An error body in `provider`'s shape. `kind` is the provider's error type
/// (`invalid_request_error`, `api_error`...), `code` blackbar's own code (OpenAI shape only).
/// The message never contains request or answer data.
pub fn error_body(provider: Provider, kind: &str, code: &str, message: &str) -> Vec<u8> {
    let v = match provider {
        Provider::OpenAi => json!({
            "error": {"message": message, "type": kind, "param": null, "code": code}
        }),
        Provider::Anthropic => json!({
            "type": "error",
            "error": {"type": kind, "message": message}
        }),
    };
    serde_json::to_vec(&v).expect("a JSON value serializes")
}

/// The SSE event that ends a stream with an error, in the shape of `api`'s stream errors.
pub(crate) fn error_event(api: Api, kind: &str, code: &str, message: &str) -> Vec<u8> {
    let mut out = vec![];
    match api {
        Api::Messages => {
            out.extend_from_slice(b"event: error\ndata: ");
            out.extend_from_slice(&error_body(Provider::Anthropic, kind, code, message));
        }
        Api::Responses => {
            out.extend_from_slice(b"event: error\ndata: ");
            let v = json!({"type": "error", "code": code, "message": message, "param": null});
            out.extend_from_slice(&serde_json::to_vec(&v).expect("serializes"));
        }
        _ => {
            out.extend_from_slice(b"data: ");
            out.extend_from_slice(&error_body(Provider::OpenAi, kind, code, message));
        }
    }
    out.extend_from_slice(b"\n\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_error_shapes() {
        assert_eq!(
            Api::from_path("/v1/chat/completions?x=1"),
            Some(Api::ChatCompletions)
        );
        assert_eq!(Api::from_path("/v1/messages/"), Some(Api::Messages));
        assert_eq!(Api::from_path("/v1/files"), None);
        let a: serde_json::Value =
            serde_json::from_slice(&error_body(Provider::Anthropic, "t", "c", "m")).unwrap();
        assert_eq!(a["error"]["message"], "m");
        let o: serde_json::Value =
            serde_json::from_slice(&error_body(Provider::OpenAi, "t", "c", "m")).unwrap();
        assert_eq!(o["error"]["code"], "c");
    }
}
