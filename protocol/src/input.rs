//! Turn input: the `input` command with its payload kinds, its acknowledgement
//! `input_accepted`, and `turn_finished`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::approval::ApprovalResponseBody;
use crate::content::{JsonObject, MessageCreate};
use crate::letta_message::{ApprovalItem, LettaUsageStatistics, StopReasonType};
use crate::scope::{RuntimeEnvelope, RuntimeScope};
use crate::status::ToolsetPreference;
use crate::wire::{decode_nested, tag_of};

/// `input` (`InputCommand`): sends something into a runtime's turn loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputCommand {
    /// When set, `input_accepted` acknowledges it (before the turn finishes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The runtime.
    pub runtime: RuntimeScope,
    /// What is sent.
    pub payload: InputPayload,
}

/// The payload of an `input`, tagged by `kind` (`InputPayload`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind")]
pub enum InputPayload {
    /// `create_message`: new messages for the agent.
    #[serde(rename = "create_message")]
    CreateMessage(InputCreateMessagePayload),
    /// `approval_response`: the answer to a `control_request`.
    #[serde(rename = "approval_response")]
    ApprovalResponse(ApprovalResponseBody),
    /// `teleport_continue`: resume a teleported conversation's turn.
    #[serde(rename = "teleport_continue")]
    TeleportContinue(InputTeleportContinuePayload),
    /// A kind this build does not know, verbatim.
    #[serde(untagged)]
    Unknown(Value),
}

impl InputPayload {
    /// The payload's `kind`, when it has one.
    pub fn kind(&self) -> Option<&str> {
        Some(match self {
            Self::CreateMessage(_) => "create_message",
            Self::ApprovalResponse(_) => "approval_response",
            Self::TeleportContinue(_) => "teleport_continue",
            Self::Unknown(value) => return value.get("kind").and_then(Value::as_str),
        })
    }
}

impl<'de> Deserialize<'de> for InputPayload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let tag = tag_of::<D::Error>(&value, "kind", "an input payload")?;
        Ok(match tag.as_deref() {
            Some("create_message") => Self::CreateMessage(decode_nested(value)?),
            Some("approval_response") => Self::ApprovalResponse(decode_nested(value)?),
            Some("teleport_continue") => Self::TeleportContinue(decode_nested(value)?),
            _ => Self::Unknown(value),
        })
    }
}

/// What to do with images the model cannot take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageFailureMode {
    /// Fail the input.
    Strict,
    /// Drop the image and continue.
    Drop,
}

/// `create_message` payload (`InputCreateMessagePayload`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputCreateMessagePayload {
    /// The messages, usually one user message.
    pub messages: Vec<MessageCreate>,
    /// Handling of unsupported or failed images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_failure_mode: Option<ImageFailureMode>,
    /// Client tools allowed this turn: omitted keeps the normal toolset, empty allows none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_tool_allowlist: Option<Vec<String>>,
    /// Built-in toolset for this turn only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_toolset: Option<ClientToolsetConfig>,
    /// Scoped external tools to offer this turn (unscoped ones are always offered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_tool_scope_ids: Option<Vec<String>>,
    /// Leave out interactive tools (questions to the user) for headless clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_interactive_tools: Option<bool>,
    /// JSON Schema the final answer must follow (structured output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_format: Option<JsonObject>,
}

impl InputCreateMessagePayload {
    /// A payload with just these messages.
    pub fn new(messages: Vec<MessageCreate>) -> Self {
        Self {
            messages,
            image_failure_mode: None,
            client_tool_allowlist: None,
            client_toolset: None,
            external_tool_scope_ids: None,
            exclude_interactive_tools: None,
            response_format: None,
        }
    }
}

/// Request-scoped toolset choice (`ClientToolsetConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClientToolsetConfig {
    /// Base toolset; omitted keeps the runtime's preference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<ToolsetPreference>,
    /// Extra bundled tools to load before the allowlist applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<Vec<String>>,
}

/// `teleport_continue` payload (`InputTeleportContinuePayload`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputTeleportContinuePayload {
    /// The teleport, as given to `runtime_start.teleport_id`.
    pub teleport_id: String,
    /// The device the conversation came from.
    pub source: TeleportSource,
    /// The source's pending tool results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation: Option<TeleportContinuation>,
}

/// Where a teleported conversation came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeleportSource {
    /// Source device.
    pub device_id: String,
    /// Source connection's display name.
    pub connection_name: String,
}

/// Approvals carried over by a teleport (`TeleportContinuation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeleportContinuation {
    /// Decisions and tool results.
    pub approvals: Vec<ApprovalItem>,
}

/// Whether an accepted input started a turn or was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputDisposition {
    /// It started a turn.
    Started,
    /// It waits in the queue.
    Queued,
}

/// `input_accepted` (`InputAcceptedResponseMessage`): acknowledges an `input`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputAccepted {
    /// The input's `request_id`.
    pub request_id: String,
    /// The runtime.
    pub runtime: RuntimeScope,
    /// Whether it was accepted.
    pub accepted: bool,
    /// What happened to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<InputDisposition>,
    /// Why it was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `turn_finished` (`TurnFinishedMessage`): a turn ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnFinished {
    /// Runtime, sequence number and timestamps.
    #[serde(flatten)]
    pub envelope: RuntimeEnvelope,
    /// The turn.
    pub turn_id: String,
    /// Why it ended.
    pub stop_reason: StopReasonType,
    /// Its last run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// What went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Final token counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<LettaUsageStatistics>,
}
