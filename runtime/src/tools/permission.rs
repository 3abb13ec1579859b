//! The permission decision: may this tool call run now, must the user be asked, or is
//! it refused? Combines the mode, the tool's kind, deny/allow rules and where files are.

use std::path::Path;

use serde_json::Value;
use tether_protocol::approval::PermissionSuggestion;
use tether_protocol::lifecycle::DevicePermissionMode;

use super::rules::{Call, Rules, Target};
use super::{ToolKind, path, suggest};

/// How much the agent may do without asking; mirrors the protocol's device mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PermissionMode {
    /// Reads run freely; commands, edits and external tools ask.
    #[default]
    Standard,
    /// Like standard, but edits inside the cwd run without asking.
    AcceptEdits,
    /// Everything runs unless a deny rule blocks it.
    Unrestricted,
    /// Everything asks unless an allow rule vouches for it.
    Strict,
}

impl From<DevicePermissionMode> for PermissionMode {
    fn from(mode: DevicePermissionMode) -> Self {
        match mode {
            DevicePermissionMode::Standard => Self::Standard,
            DevicePermissionMode::AcceptEdits => Self::AcceptEdits,
            DevicePermissionMode::Unrestricted => Self::Unrestricted,
            DevicePermissionMode::Strict => Self::Strict,
        }
    }
}

impl From<PermissionMode> for DevicePermissionMode {
    fn from(mode: PermissionMode) -> Self {
        match mode {
            PermissionMode::Standard => Self::Standard,
            PermissionMode::AcceptEdits => Self::AcceptEdits,
            PermissionMode::Unrestricted => Self::Unrestricted,
            PermissionMode::Strict => Self::Strict,
        }
    }
}

/// One tool call to judge.
#[derive(Debug, Clone, Copy)]
pub struct PermissionRequest<'a> {
    /// The tool's wire name.
    pub tool_name: &'a str,
    /// Its kind; `None` for controller-owned external tools, which we cannot classify.
    pub kind: Option<ToolKind>,
    /// Its arguments (`command`, `file_path` or `path` are what rules look at).
    pub input: &'a Value,
    /// The agent's working directory (absolute).
    pub cwd: &'a Path,
}

/// The outcome of [`decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Run it.
    Allow,
    /// Ask the user (a `can_use_tool` control request).
    Ask {
        /// The real path outside the cwd that made this a must-ask, if that is why.
        blocked_path: Option<String>,
        /// "Always allow …" rules to offer with the question.
        suggestions: Vec<PermissionSuggestion>,
    },
    /// Refuse without asking; the reason goes back to the agent.
    Deny {
        /// Which rule refused it, and where that rule is written.
        reason: String,
    },
}

/// Decides a call. Deny rules win in every mode; allow rules turn an ask into an allow,
/// except that a Write/Edit whose real path is outside the cwd always asks (unless the
/// mode is unrestricted).
pub fn decide(mode: PermissionMode, rules: &Rules, req: &PermissionRequest<'_>) -> Decision {
    let call = call_of(req);
    if let Some(rule) = rules.find_deny(&call) {
        return Decision::Deny { reason: format!("{} is denied by permission rule {rule}", req.tool_name) };
    }
    let outside = match (&call.target, req.kind) {
        (Target::Path { real, .. }, Some(ToolKind::Edit)) if !real.starts_with(&call.cwd_real) => Some(real),
        _ => None,
    };
    let allowed_by_mode = match (mode, req.kind) {
        (PermissionMode::Unrestricted, _) => true,
        (PermissionMode::Standard | PermissionMode::AcceptEdits, Some(ToolKind::Read)) => true,
        (PermissionMode::AcceptEdits, Some(ToolKind::Edit)) => outside.is_none(),
        _ => false,
    };
    if allowed_by_mode || (outside.is_none() && rules.allows(&call)) {
        return Decision::Allow;
    }
    match outside {
        Some(real) => Decision::Ask { blocked_path: Some(real.display().to_string()), suggestions: Vec::new() },
        None => Decision::Ask { blocked_path: None, suggestions: suggest::suggestions(&call) },
    }
}

/// The request with its command or path pulled out and resolved, for rule matching.
fn call_of<'a>(req: &PermissionRequest<'a>) -> Call<'a> {
    let text = |key: &str| req.input.get(key).and_then(Value::as_str);
    let target = match req.kind {
        Some(ToolKind::Execute) => text("command").map_or(Target::Nothing, |c| Target::Command(c.to_owned())),
        Some(ToolKind::Edit) => {
            text("file_path").or(text("path")).map_or(Target::Nothing, |raw| path_target(req.cwd, raw))
        }
        // Search tools default to the cwd, like the tools themselves.
        Some(ToolKind::Read) => path_target(req.cwd, text("file_path").or(text("path")).unwrap_or(".")),
        None => Target::Nothing,
    };
    Call { tool_name: req.tool_name, kind: req.kind, target, cwd: req.cwd, cwd_real: path::real_path(req.cwd) }
}

fn path_target(cwd: &Path, raw: &str) -> Target {
    let lexical = path::resolve(cwd, raw);
    let real = path::real_path(&lexical);
    Target::Path { lexical, real }
}
