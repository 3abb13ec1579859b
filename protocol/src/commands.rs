//! Task control: `execute_command` (slash commands) and `monitor_stop`.

use serde::{Deserialize, Serialize};

use crate::scope::RuntimeScope;

/// `execute_command` (`ExecuteCommandCommand`): runs a slash command in a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecuteCommandCommand {
    /// Command id, one of `update_device_status.supported_commands` or a mod command.
    pub command_id: String,
    /// Echoed in the response.
    pub request_id: String,
    /// The runtime.
    pub runtime: RuntimeScope,
    /// Everything after the command name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<String>,
}

/// `execute_command_response` (`ExecuteCommandResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecuteCommandResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether it succeeded.
    pub success: bool,
    /// What it printed.
    pub output: String,
}

/// `monitor_stop` (`MonitorStopCommand`): stops a background monitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorStopCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The runtime.
    pub runtime: RuntimeScope,
    /// The monitor's `process_id`.
    pub process_id: String,
}

/// `monitor_stop_response` (`MonitorStopResponse`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorStopResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// The runtime.
    pub runtime: RuntimeScope,
    /// The monitor.
    pub process_id: String,
    /// Whether the command was handled.
    pub success: bool,
    /// Whether a monitor was stopped.
    pub stopped: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
