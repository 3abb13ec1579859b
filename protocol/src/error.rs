//! Errors raised while decoding a frame from the wire.

/// Why a frame could not be decoded; each variant says enough to answer the peer.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// The text was not JSON at all (or nested deeper than the parser allows).
    #[error("frame is not valid JSON: {0}")]
    NotJson(String),
    /// The JSON was valid but not an object.
    #[error("frame must be a JSON object")]
    NotObject,
    /// The object had no string `type` field, so it cannot be routed.
    #[error("frame has no string \"type\" field")]
    MissingType,
    /// A known frame type whose fields do not match the reference types.
    #[error("invalid {frame_type} frame: field `{field}`: {message}")]
    InvalidField {
        /// The frame's `type`, e.g. `runtime_start`.
        frame_type: String,
        /// Dotted path of the offending field (`.` when the frame itself is wrong).
        field: String,
        /// What was wrong with it, from the decoder.
        message: String,
    },
}

impl FrameError {
    /// The frame `type` this error belongs to, when it was known.
    pub fn frame_type(&self) -> Option<&str> {
        match self {
            FrameError::InvalidField { frame_type, .. } => Some(frame_type),
            _ => None,
        }
    }
}
