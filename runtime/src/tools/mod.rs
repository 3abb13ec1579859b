//! The built-in tools the agent runs on the user's machine, and what decides whether
//! a call may run: permission modes, persistent rules, and diff previews for approvals.
//!
//! The approval flow over the socket lives elsewhere; it calls [`permission::decide`],
//! [`diff::preview_for`] and [`run`] from here.
//!
//! # Layout
//! - [`bash`], [`read`], [`write`], [`edit`], [`glob`], [`grep`], [`ls`]: one file per tool
//!   (its description, JSON Schema and implementation).
//! - [`path`]: resolving wire paths and judging them by their real location.
//! - [`fs_atomic`]: the temp-file + fsync + rename helper every writer uses.
//! - [`permission`]: [`permission::decide`], mode × tool kind × rules → allow/ask/deny.
//! - [`rules`]: rule syntax (`Bash(npm test)`, `Edit(src/**)` …) and matching.
//! - [`settings`]: loading rules from settings files and persisting approved ones.
//! - [`suggest`]: the "always allow …" suggestions offered with an approval.
//! - [`diff`]: unified-diff previews of Write/Edit calls.
//! - `args`, `error`, `output`, `shell`: argument parsing, [`ToolError`], capped output
//!   text, and the bit of shell syntax that `Bash(...)` rules need.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tokio_util::sync::CancellationToken;

mod args;
pub mod bash;
pub mod diff;
pub mod edit;
mod error;
pub mod fs_atomic;
pub mod glob;
pub mod grep;
pub mod ls;
mod output;
pub mod path;
pub mod permission;
pub mod read;
pub mod rules;
pub mod settings;
mod shell;
pub mod suggest;
pub mod write;

#[cfg(test)]
mod tests;

pub use error::ToolError;
pub use permission::{Decision, PermissionMode, PermissionRequest, decide};
pub use rules::{Rule, RuleScope, Rules};
pub use settings::persist_rule;
pub use suggest::rule_for_suggestion;

/// The tools tether implements itself; names and arguments follow Letta Code's toolset
/// so agents and clients built for it work unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BuiltinTool {
    /// Run a shell command.
    Bash,
    /// Read a text file with line numbers.
    Read,
    /// Create or overwrite a file.
    Write,
    /// Replace exact text in a file.
    Edit,
    /// Find files by glob pattern.
    Glob,
    /// Search file contents by regex.
    Grep,
    /// List a directory tree.
    LS,
}

/// What a tool can do to the machine; the permission modes are defined in these terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToolKind {
    /// Only looks (Read, Glob, Grep, LS).
    Read,
    /// Changes files (Write, Edit).
    Edit,
    /// Runs arbitrary commands (Bash).
    Execute,
}

impl BuiltinTool {
    /// Every built-in tool, for building the tool list the model sees.
    pub const ALL: [BuiltinTool; 7] =
        [Self::Bash, Self::Read, Self::Write, Self::Edit, Self::Glob, Self::Grep, Self::LS];

    /// The name on the wire (`tool_name`, rule prefixes).
    pub fn name(self) -> &'static str {
        match self {
            Self::Bash => "Bash",
            Self::Read => "Read",
            Self::Write => "Write",
            Self::Edit => "Edit",
            Self::Glob => "Glob",
            Self::Grep => "Grep",
            Self::LS => "LS",
        }
    }

    /// The tool with this wire name, if it is one of ours.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|tool| tool.name() == name)
    }

    /// What the model is told the tool does and how to use it well.
    pub fn description(self) -> &'static str {
        match self {
            Self::Bash => bash::DESCRIPTION,
            Self::Read => read::DESCRIPTION,
            Self::Write => write::DESCRIPTION,
            Self::Edit => edit::DESCRIPTION,
            Self::Glob => glob::DESCRIPTION,
            Self::Grep => grep::DESCRIPTION,
            Self::LS => ls::DESCRIPTION,
        }
    }

    /// The JSON Schema of the arguments, as the model sees it.
    pub fn parameters(self) -> Value {
        match self {
            Self::Bash => bash::parameters(),
            Self::Read => read::parameters(),
            Self::Write => write::parameters(),
            Self::Edit => edit::parameters(),
            Self::Glob => glob::parameters(),
            Self::Grep => grep::parameters(),
            Self::LS => ls::parameters(),
        }
    }

    /// What the tool can do, for the permission decision.
    pub fn kind(self) -> ToolKind {
        match self {
            Self::Bash => ToolKind::Execute,
            Self::Write | Self::Edit => ToolKind::Edit,
            Self::Read | Self::Glob | Self::Grep | Self::LS => ToolKind::Read,
        }
    }
}

/// What a running tool needs from its caller.
#[derive(Debug, Clone)]
pub struct ToolContext {
    /// The agent's working directory (absolute); relative paths resolve against it.
    pub cwd: PathBuf,
    /// Cancelling stops the call (Bash kills its process group; searches stop walking).
    pub cancel: CancellationToken,
    /// Live output chunks while the tool runs (Bash), for streaming to clients.
    pub output: Option<tokio::sync::mpsc::UnboundedSender<String>>,
}

impl ToolContext {
    /// A context with no live output, for callers that only want the result.
    pub fn new(cwd: impl Into<PathBuf>) -> Self {
        Self { cwd: cwd.into(), cancel: CancellationToken::new(), output: None }
    }
}

/// A tool's result as the model will see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolOutput {
    /// The text returned to the model.
    pub content: String,
    /// Whether the call failed (sent as the tool return's error status).
    pub is_error: bool,
}

impl ToolOutput {
    /// A successful result.
    pub fn ok(content: impl Into<String>) -> Self {
        Self { content: content.into(), is_error: false }
    }

    /// A failed result; the content says why.
    pub fn error(content: impl Into<String>) -> Self {
        Self { content: content.into(), is_error: true }
    }
}

/// Runs one built-in tool call; bad input and failures come back as `is_error` results
/// with a message for the model, never as a panic.
pub async fn run(tool: BuiltinTool, input: &Value, ctx: &ToolContext) -> ToolOutput {
    if ctx.cancel.is_cancelled() {
        return ToolOutput::error(format!("{} was cancelled before it started", tool.name()));
    }
    if tool == BuiltinTool::Bash {
        return bash::run(input, ctx).await;
    }
    let input = input.clone();
    let cwd = ctx.cwd.clone();
    let cancel = ctx.cancel.clone();
    let joined = tokio::task::spawn_blocking(move || run_blocking(tool, &input, &cwd, &cancel)).await;
    match joined {
        Ok(Ok(content)) => ToolOutput::ok(content),
        Ok(Err(err)) => ToolOutput::error(err.to_string()),
        Err(join) => ToolOutput::error(format!("{} failed internally: {join}", tool.name())),
    }
}

/// The file tools do blocking I/O; they run on tokio's blocking pool.
fn run_blocking(tool: BuiltinTool, input: &Value, cwd: &Path, cancel: &CancellationToken) -> Result<String, ToolError> {
    match tool {
        BuiltinTool::Read => read::run(input, cwd),
        BuiltinTool::Write => write::run(input, cwd),
        BuiltinTool::Edit => edit::run(input, cwd),
        BuiltinTool::Glob => glob::run(input, cwd, cancel),
        BuiltinTool::Grep => grep::run(input, cwd, cancel),
        BuiltinTool::LS => ls::run(input, cwd, cancel),
        BuiltinTool::Bash => Err(ToolError::Failed("Bash is not a blocking tool".into())),
    }
}
