//! The one error type of the tools module, so that every failure reaches the model
//! (or the lead's logs) as a sentence naming what went wrong.

use std::path::PathBuf;

/// Why a tool call, a rule or a settings file could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// An argument is missing or has the wrong shape; names it so the model can fix the call.
    #[error("invalid argument `{arg}`: {reason}")]
    BadArgument {
        /// The argument's name as the model sees it.
        arg: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The OS refused a file operation.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The call was understood but cannot be carried out (e.g. `old_string` not found).
    #[error("{0}")]
    Failed(String),
    /// A permission rule's text cannot be parsed.
    #[error("bad permission rule {0:?}: expected `Tool` or `Tool(specifier)`")]
    BadRule(String),
    /// A settings file exists but is not the JSON object we expect.
    #[error("settings file {}: {reason}", path.display())]
    Settings {
        /// The settings file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

impl ToolError {
    /// Shorthand for [`ToolError::BadArgument`], used by every tool's argument parsing.
    pub fn bad_arg(arg: &'static str, reason: impl Into<String>) -> Self {
        Self::BadArgument { arg, reason: reason.into() }
    }

    /// Shorthand for [`ToolError::Io`], so call sites keep the path next to the error.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}
