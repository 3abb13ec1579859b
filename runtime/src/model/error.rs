//! What can go wrong calling a model, classified for the agent loop's retry and stop-reason
//! decisions.

use std::time::Duration;

/// A failed model call, typed so the agent loop can decide whether to retry and what
/// `stop_reason` to report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The model cannot be used as configured (unknown provider, missing key); the message
    /// says what to set.
    #[error("{0}")]
    Config(String),
    /// The provider answered with an HTTP error (or an error event naming one).
    #[error("model API returned HTTP {status}: {message}")]
    Http {
        /// The HTTP status (529 is Anthropic's "overloaded").
        status: u16,
        /// The provider's own error message, taken from its JSON error body.
        message: String,
        /// How long the provider asked us to wait (`Retry-After`).
        retry_after: Option<Duration>,
    },
    /// The provider could not be reached or the connection failed before a response.
    #[error("could not reach the model API: {0}")]
    Transport(String),
    /// The response stream was malformed or ended before its end marker.
    #[error("bad response stream from the model API: {0}")]
    Stream(String),
}

impl ModelError {
    /// Whether trying the same request again may succeed: rate limits, overload, server
    /// errors, lost connections and cut streams.
    pub fn is_retryable(&self) -> bool {
        match self {
            ModelError::Config(_) => false,
            // 408/409 are retried by OpenAI's and Anthropic's own SDKs too.
            ModelError::Http { status, .. } => matches!(status, 408 | 409 | 429 | 500..=599),
            ModelError::Transport(_) | ModelError::Stream(_) => true,
        }
    }

    /// The wait the provider asked for, if it named one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ModelError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The wire `StopReasonType` a run that ends on this error reports.
    pub fn stop_reason(&self) -> &'static str {
        match self {
            ModelError::Config(_) => "error",
            ModelError::Http { status: 402, .. } => "insufficient_credits",
            ModelError::Http { .. } | ModelError::Transport(_) => "llm_api_error",
            ModelError::Stream(_) => "invalid_llm_response",
        }
    }
}
