//! `stream_delta`: the live output of a turn, either a Letta message chunk or a listener
//! lifecycle event (tool/command start and end, status, retry, loop error, …).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::letta_message::{LettaErrorMessage, LettaMessage, StopReasonType, ToolStatus};
use crate::scope::RuntimeEnvelope;
use crate::wire::{decode_nested, tag_of};

/// `stream_delta` (`StreamDeltaMessage`): one piece of a turn's live output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamDeltaMessage {
    /// Runtime, sequence number and timestamps.
    #[serde(flatten)]
    pub envelope: RuntimeEnvelope,
    /// The piece of output.
    pub delta: StreamDelta,
    /// Set when the output comes from a subagent rather than the runtime's own agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subagent_id: Option<String>,
}

/// What a `stream_delta` carries (`StreamDelta`).
///
/// A Letta message is marked `type: "message"` and discriminated by its `message_type`;
/// lifecycle events have no `type` and are discriminated by `message_type`. Anything else
/// is kept verbatim in [`Self::Unknown`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "message_type")]
pub enum StreamDelta {
    /// `approval_classification_end`: which pending calls were auto-decided.
    #[serde(rename = "approval_classification_end")]
    ApprovalClassificationEnd(ApprovalClassificationEnd),
    /// `client_tool_start`: a client-side tool began running.
    #[serde(rename = "client_tool_start")]
    ClientToolStart(ClientToolStart),
    /// `client_tool_end`: a client-side tool finished.
    #[serde(rename = "client_tool_end")]
    ClientToolEnd(ClientToolEnd),
    /// `command_start`: a shell/bang command began.
    #[serde(rename = "command_start")]
    CommandStart(CommandStart),
    /// `command_end`: a shell/bang command finished.
    #[serde(rename = "command_end")]
    CommandEnd(CommandEnd),
    /// `slash_command_start`: a slash command began.
    #[serde(rename = "slash_command_start")]
    SlashCommandStart(SlashCommandStart),
    /// `slash_command_end`: a slash command finished.
    #[serde(rename = "slash_command_end")]
    SlashCommandEnd(SlashCommandEnd),
    /// `status`: a transient status line for the UI.
    #[serde(rename = "status")]
    Status(StatusMessage),
    /// `retry`: the loop is retrying a failed request.
    #[serde(rename = "retry")]
    Retry(RetryMessage),
    /// `loop_error`: the loop hit an error.
    #[serde(rename = "loop_error")]
    LoopError(LoopErrorMessage),
    /// `type: "message"`: a Letta message chunk (`MessageDelta`). The `type` marker is
    /// written on serialisation and is not part of the message (nor of a raw one).
    #[serde(untagged, serialize_with = "serialize_message_delta")]
    Message(LettaMessage),
    /// A delta this build does not know, verbatim.
    #[serde(untagged)]
    Unknown(Value),
}

impl StreamDelta {
    /// The delta's `message_type`, when it has one.
    pub fn message_type(&self) -> Option<&str> {
        Some(match self {
            Self::ApprovalClassificationEnd(_) => "approval_classification_end",
            Self::ClientToolStart(_) => "client_tool_start",
            Self::ClientToolEnd(_) => "client_tool_end",
            Self::CommandStart(_) => "command_start",
            Self::CommandEnd(_) => "command_end",
            Self::SlashCommandStart(_) => "slash_command_start",
            Self::SlashCommandEnd(_) => "slash_command_end",
            Self::Status(_) => "status",
            Self::Retry(_) => "retry",
            Self::LoopError(_) => "loop_error",
            Self::Message(message) => return message.message_type(),
            Self::Unknown(value) => return value.get("message_type").and_then(Value::as_str),
        })
    }
}

/// Writes a Letta message with the `type: "message"` marker of `MessageDelta`.
fn serialize_message_delta<S: Serializer>(
    message: &LettaMessage,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    /// `{type: "message"} & LettaStreamingResponse`.
    #[derive(Serialize)]
    struct MessageDelta<'a> {
        /// Always `"message"`.
        #[serde(rename = "type")]
        kind: &'static str,
        /// The message's own members.
        #[serde(flatten)]
        message: &'a LettaMessage,
    }
    MessageDelta {
        kind: "message",
        message,
    }
    .serialize(serializer)
}

impl<'de> Deserialize<'de> for StreamDelta {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut value = Value::deserialize(deserializer)?;
        if tag_of::<D::Error>(&value, "type", "a stream delta")?.as_deref() == Some("message") {
            // The marker belongs to the delta, not the message: `Message` re-adds it.
            if let Value::Object(object) = &mut value {
                object.remove("type");
            }
            return decode_nested(value).map(Self::Message);
        }
        let tag = tag_of::<D::Error>(&value, "message_type", "a stream delta")?;
        Ok(match tag.as_deref() {
            Some("approval_classification_end") => {
                Self::ApprovalClassificationEnd(decode_nested(value)?)
            }
            Some("client_tool_start") => Self::ClientToolStart(decode_nested(value)?),
            Some("client_tool_end") => Self::ClientToolEnd(decode_nested(value)?),
            Some("command_start") => Self::CommandStart(decode_nested(value)?),
            Some("command_end") => Self::CommandEnd(decode_nested(value)?),
            Some("slash_command_start") => Self::SlashCommandStart(decode_nested(value)?),
            Some("slash_command_end") => Self::SlashCommandEnd(decode_nested(value)?),
            Some("status") => Self::Status(decode_nested(value)?),
            Some("retry") => Self::Retry(decode_nested(value)?),
            Some("loop_error") => Self::LoopError(decode_nested(value)?),
            _ => Self::Unknown(value),
        })
    }
}

/// `approval_classification_end`: how the permission classifier split pending calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalClassificationEnd {
    /// Event id.
    pub id: String,
    /// ISO 8601 time.
    pub date: String,
    /// Run the calls belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Calls allowed without asking.
    pub auto_allowed_tool_call_ids: Vec<String>,
    /// Calls denied without asking.
    pub auto_denied_tool_call_ids: Vec<String>,
    /// Calls that need the user (a `control_request` follows for each).
    pub user_input_tool_call_ids: Vec<String>,
}

/// `client_tool_start`: a tool began running on the client machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientToolStart {
    /// Event id.
    pub id: String,
    /// ISO 8601 time.
    pub date: String,
    /// Run the call belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// The call being executed.
    pub tool_call_id: String,
    /// Tool name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_name: Option<String>,
    /// JSON-encoded arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_args: Option<String>,
}

/// `client_tool_end`: a client-side tool finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientToolEnd {
    /// Event id.
    pub id: String,
    /// ISO 8601 time.
    pub date: String,
    /// Run the call belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// The call that finished.
    pub tool_call_id: String,
    /// How it ended.
    pub status: ToolStatus,
}

/// `command_start`: a command typed by the user began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandStart {
    /// Event id.
    pub id: String,
    /// ISO 8601 time.
    pub date: String,
    /// Run it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Id pairing start and end.
    pub command_id: String,
    /// The command line.
    pub input: String,
}

/// `command_end`: a command typed by the user finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandEnd {
    /// Event id.
    pub id: String,
    /// ISO 8601 time.
    pub date: String,
    /// Run it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Id pairing start and end.
    pub command_id: String,
    /// The command line.
    pub input: String,
    /// What it printed.
    pub output: String,
    /// Whether it succeeded.
    pub success: bool,
    /// Render the output dimmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dim_output: Option<bool>,
    /// The output is already formatted; render it verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preformatted: Option<bool>,
}

/// `slash_command_start`: a slash command began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlashCommandStart {
    /// Event id.
    pub id: String,
    /// ISO 8601 time.
    pub date: String,
    /// Run it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Id pairing start and end.
    pub command_id: String,
    /// The command line.
    pub input: String,
}

/// `slash_command_end`: a slash command finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlashCommandEnd {
    /// Event id.
    pub id: String,
    /// ISO 8601 time.
    pub date: String,
    /// Run it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Id pairing start and end.
    pub command_id: String,
    /// The command line.
    pub input: String,
    /// What it printed.
    pub output: String,
    /// Whether it succeeded.
    pub success: bool,
}

/// Severity of a [`StatusMessage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusLevel {
    /// Neutral information.
    Info,
    /// Something worked.
    Success,
    /// Something needs attention.
    Warning,
}

/// `status`: a transient status line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusMessage {
    /// Event id.
    pub id: String,
    /// ISO 8601 time.
    pub date: String,
    /// Run it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// The text.
    pub message: String,
    /// How to render it.
    pub level: StatusLevel,
}

/// What kind of retry a [`RetryMessage`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryKind {
    /// The same provider is asked again.
    ProviderRetry,
    /// The request moves to another transport.
    TransportFallback,
}

/// `retry`: the loop is retrying after a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryMessage {
    /// Event id.
    pub id: String,
    /// ISO 8601 time.
    pub date: String,
    /// Run being retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Human-readable explanation.
    pub message: String,
    /// The failure that caused the retry.
    pub reason: StopReasonType,
    /// This attempt's number (1-based).
    pub attempt: u32,
    /// Attempts allowed in total.
    pub max_attempts: u32,
    /// Wait before the attempt, in milliseconds.
    pub delay_ms: u64,
    /// Retry or transport fallback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_kind: Option<RetryKind>,
    /// Provider involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Transport being left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_transport: Option<String>,
    /// Transport being tried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_transport: Option<String>,
    /// Provider error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Step being retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// `loop_error`: the agent loop hit an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoopErrorMessage {
    /// Event id.
    pub id: String,
    /// ISO 8601 time.
    pub date: String,
    /// Run that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Human-readable message.
    pub message: String,
    /// Stop reason the error maps to.
    pub stop_reason: StopReasonType,
    /// Whether the turn is over.
    pub is_terminal: bool,
    /// The backend's error, when it came from the Letta API (written with its
    /// `message_type: "error_message"`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::letta_message::serialize_error_message"
    )]
    pub api_error: Option<LettaErrorMessage>,
}
