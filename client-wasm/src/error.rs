//! What can go wrong talking to a runtime.

/// Why a client call failed; each variant says enough to show the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The socket is not open right now (connecting or reconnecting).
    #[error("not connected to the runtime")]
    NotConnected,
    /// No answer arrived within the request timeout; carries the `request_id`.
    #[error("timed out waiting for the answer to {0}")]
    Timeout(String),
    /// `close()` was called (or the URL was unusable), so nothing more will be sent.
    #[error("the connection is closed")]
    Closed,
    /// The socket dropped while the request (its `request_id`) waited for an answer.
    #[error("the connection dropped before {0} was answered")]
    Disconnected(String),
    /// The runtime refused the request with an `error` frame; carries its message.
    #[error("refused by the runtime: {0}")]
    Refused(String),
    /// The frame could not be encoded or is not a valid protocol frame.
    #[error("cannot encode the frame: {0}")]
    Encode(String),
    /// A request without a `request_id` cannot be correlated with its answer.
    #[error("a request needs a request_id")]
    MissingRequestId,
    /// The URL is not a ws, wss, http or https URL.
    #[error("invalid runtime URL: {0}")]
    InvalidUrl(String),
    /// The answer had the right id and type but not the expected shape.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
    /// The WebSocket implementation failed (missing, or threw on construction/send).
    #[error("WebSocket error: {0}")]
    Socket(String),
}
