//! Letta's message types as they appear inside `stream_delta` frames and message lists:
//! `LettaStreamingResponse` and `Message` from the Letta client, discriminated by
//! `message_type`, plus `StopReasonType` and usage statistics.

use std::fmt;

use serde::de::Error;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::content::{JsonObject, MessageContent};
use crate::wire::{decode_nested, tag_of};

/// Why an agent loop stopped (`StopReasonType`); unknown values are kept in [`Self::Other`]
/// so a new server-side reason never fails a frame.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StopReasonType {
    /// `end_turn`: the agent finished normally.
    EndTurn,
    /// `error`: a generic failure.
    Error,
    /// `llm_api_error`: the model provider failed.
    LlmApiError,
    /// `invalid_llm_response`: the model answered with something unusable.
    InvalidLlmResponse,
    /// `invalid_tool_call`: the model called a tool wrongly.
    InvalidToolCall,
    /// `max_steps`: the step budget ran out.
    MaxSteps,
    /// `max_tokens_exceeded`: the output token budget ran out.
    MaxTokensExceeded,
    /// `no_tool_call`: the model was required to call a tool and did not.
    NoToolCall,
    /// `tool_rule`: a tool rule ended the turn.
    ToolRule,
    /// `cancelled`: the user aborted.
    Cancelled,
    /// `insufficient_credits`: billing stopped the run.
    InsufficientCredits,
    /// `requires_approval`: the turn paused for a tool approval.
    RequiresApproval,
    /// `context_window_overflow_in_system_prompt`: the system prompt alone overflows.
    ContextWindowOverflowInSystemPrompt,
    /// Any other value, verbatim.
    Other(String),
}

impl StopReasonType {
    /// The wire string of this reason.
    pub fn as_str(&self) -> &str {
        match self {
            Self::EndTurn => "end_turn",
            Self::Error => "error",
            Self::LlmApiError => "llm_api_error",
            Self::InvalidLlmResponse => "invalid_llm_response",
            Self::InvalidToolCall => "invalid_tool_call",
            Self::MaxSteps => "max_steps",
            Self::MaxTokensExceeded => "max_tokens_exceeded",
            Self::NoToolCall => "no_tool_call",
            Self::ToolRule => "tool_rule",
            Self::Cancelled => "cancelled",
            Self::InsufficientCredits => "insufficient_credits",
            Self::RequiresApproval => "requires_approval",
            Self::ContextWindowOverflowInSystemPrompt => "context_window_overflow_in_system_prompt",
            Self::Other(other) => other,
        }
    }
}

impl From<&str> for StopReasonType {
    fn from(value: &str) -> Self {
        match value {
            "end_turn" => Self::EndTurn,
            "error" => Self::Error,
            "llm_api_error" => Self::LlmApiError,
            "invalid_llm_response" => Self::InvalidLlmResponse,
            "invalid_tool_call" => Self::InvalidToolCall,
            "max_steps" => Self::MaxSteps,
            "max_tokens_exceeded" => Self::MaxTokensExceeded,
            "no_tool_call" => Self::NoToolCall,
            "tool_rule" => Self::ToolRule,
            "cancelled" => Self::Cancelled,
            "insufficient_credits" => Self::InsufficientCredits,
            "requires_approval" => Self::RequiresApproval,
            "context_window_overflow_in_system_prompt" => Self::ContextWindowOverflowInSystemPrompt,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for StopReasonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for StopReasonType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StopReasonType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Ok(Self::from(value.as_str()))
    }
}

/// A Letta message, discriminated by `message_type`: every member of the client's
/// `LettaStreamingResponse` and of its `Message` (history) union.
///
/// A message whose `message_type` is unknown or absent is kept verbatim in
/// [`Self::Unknown`]; decoding it never fails.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "message_type")]
pub enum LettaMessage {
    /// `system_message`.
    #[serde(rename = "system_message")]
    SystemMessage(SystemMessage),
    /// `user_message`.
    #[serde(rename = "user_message")]
    UserMessage(UserMessage),
    /// `reasoning_message`: visible model reasoning (streamed in chunks).
    #[serde(rename = "reasoning_message")]
    ReasoningMessage(ReasoningMessage),
    /// `hidden_reasoning_message`: reasoning the provider redacted or omitted.
    #[serde(rename = "hidden_reasoning_message")]
    HiddenReasoningMessage(HiddenReasoningMessage),
    /// `tool_call_message`: the model calling a tool (streamed in chunks).
    #[serde(rename = "tool_call_message")]
    ToolCallMessage(ToolCallMessage),
    /// `tool_return_message`: a tool's result.
    #[serde(rename = "tool_return_message")]
    ToolReturnMessage(ToolReturnMessage),
    /// `assistant_message`: text for the user (streamed in chunks).
    #[serde(rename = "assistant_message")]
    AssistantMessage(AssistantMessage),
    /// `approval_request_message`: a tool call waiting for approval.
    #[serde(rename = "approval_request_message")]
    ApprovalRequestMessage(ApprovalRequestMessage),
    /// `approval_response_message`: the user's approval decisions.
    #[serde(rename = "approval_response_message")]
    ApprovalResponseMessage(ApprovalResponseMessage),
    /// `summary_message`: a compaction summary (history only).
    #[serde(rename = "summary_message")]
    SummaryMessage(SummaryMessage),
    /// `event_message`: a non-context event such as a compaction (history only).
    #[serde(rename = "event_message")]
    EventMessage(EventMessage),
    /// `ping`: keep-alive.
    #[serde(rename = "ping")]
    Ping(LettaPing),
    /// `error_message`: the run failed.
    #[serde(rename = "error_message")]
    ErrorMessage(LettaErrorMessage),
    /// `stop_reason`: why the run stopped.
    #[serde(rename = "stop_reason")]
    StopReason(LettaStopReason),
    /// `usage_statistics`: token counts for the run.
    #[serde(rename = "usage_statistics")]
    UsageStatistics(LettaUsageStatistics),
    /// A message this build does not know, verbatim.
    #[serde(untagged)]
    Unknown(Value),
}

impl LettaMessage {
    /// The wire `message_type`, when present.
    pub fn message_type(&self) -> Option<&str> {
        Some(match self {
            Self::SystemMessage(_) => "system_message",
            Self::UserMessage(_) => "user_message",
            Self::ReasoningMessage(_) => "reasoning_message",
            Self::HiddenReasoningMessage(_) => "hidden_reasoning_message",
            Self::ToolCallMessage(_) => "tool_call_message",
            Self::ToolReturnMessage(_) => "tool_return_message",
            Self::AssistantMessage(_) => "assistant_message",
            Self::ApprovalRequestMessage(_) => "approval_request_message",
            Self::ApprovalResponseMessage(_) => "approval_response_message",
            Self::SummaryMessage(_) => "summary_message",
            Self::EventMessage(_) => "event_message",
            Self::Ping(_) => "ping",
            Self::ErrorMessage(_) => "error_message",
            Self::StopReason(_) => "stop_reason",
            Self::UsageStatistics(_) => "usage_statistics",
            Self::Unknown(value) => return value.get("message_type").and_then(Value::as_str),
        })
    }
}

impl<'de> Deserialize<'de> for LettaMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let tag = tag_of::<D::Error>(&value, "message_type", "a Letta message")?;
        Ok(match tag.as_deref() {
            Some("system_message") => Self::SystemMessage(decode_nested(value)?),
            Some("user_message") => Self::UserMessage(decode_nested(value)?),
            Some("reasoning_message") => Self::ReasoningMessage(decode_nested(value)?),
            Some("hidden_reasoning_message") => Self::HiddenReasoningMessage(decode_nested(value)?),
            Some("tool_call_message") => Self::ToolCallMessage(decode_nested(value)?),
            Some("tool_return_message") => Self::ToolReturnMessage(decode_nested(value)?),
            Some("assistant_message") => Self::AssistantMessage(decode_nested(value)?),
            Some("approval_request_message") => Self::ApprovalRequestMessage(decode_nested(value)?),
            Some("approval_response_message") => {
                Self::ApprovalResponseMessage(decode_nested(value)?)
            }
            Some("summary_message") => Self::SummaryMessage(decode_nested(value)?),
            Some("event_message") => Self::EventMessage(decode_nested(value)?),
            Some("ping") => Self::Ping(decode_nested(value)?),
            Some("error_message") => Self::ErrorMessage(decode_nested(value)?),
            Some("stop_reason") => Self::StopReason(decode_nested(value)?),
            Some("usage_statistics") => Self::UsageStatistics(decode_nested(value)?),
            _ => Self::Unknown(value),
        })
    }
}

/// `system_message`: system text (history only, never streamed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemMessage {
    /// Message id; chunks of one streamed message share it.
    pub id: String,
    /// ISO 8601 creation time.
    pub date: String,
    /// The system text.
    pub content: String,
    /// Part of an error step (debugging only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_err: Option<bool>,
    /// Sender name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Offline threading id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otid: Option<String>,
    /// Run that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Identity or agent that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Cursor sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_id: Option<u64>,
    /// Step that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// `user_message`: what the user sent (history only, never streamed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserMessage {
    /// Message id.
    pub id: String,
    /// ISO 8601 creation time.
    pub date: String,
    /// The user's content.
    pub content: MessageContent,
    /// Part of an error step (debugging only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_err: Option<bool>,
    /// Sender name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Offline threading id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otid: Option<String>,
    /// Run that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Identity or agent that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Cursor sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_id: Option<u64>,
    /// Step that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// Whether reasoning came natively from a reasoning model or from prompting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasoningSource {
    /// `reasoner_model`.
    ReasonerModel,
    /// `non_reasoner_model`.
    NonReasonerModel,
}

/// `reasoning_message`: the agent's visible reasoning (a chunk of it when streaming).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasoningMessage {
    /// Message id; chunks of one streamed message share it.
    pub id: String,
    /// ISO 8601 creation time.
    pub date: String,
    /// The reasoning text (chunk).
    pub reasoning: String,
    /// Provider signature of the reasoning step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// How the reasoning was produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ReasoningSource>,
    /// Part of an error step (debugging only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_err: Option<bool>,
    /// Sender name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Offline threading id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otid: Option<String>,
    /// Run that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Identity or agent that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Cursor sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_id: Option<u64>,
    /// Step that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// Why reasoning is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HiddenReasoningState {
    /// The provider redacted it.
    Redacted,
    /// The API omitted it.
    Omitted,
}

/// `hidden_reasoning_message`: reasoning that exists but is not shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiddenReasoningMessage {
    /// Message id.
    pub id: String,
    /// ISO 8601 creation time.
    pub date: String,
    /// Why it is hidden.
    pub state: HiddenReasoningState,
    /// Opaque (e.g. encrypted) reasoning, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden_reasoning: Option<String>,
    /// Part of an error step (debugging only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_err: Option<bool>,
    /// Sender name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Offline threading id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otid: Option<String>,
    /// Run that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Identity or agent that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Cursor sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_id: Option<u64>,
    /// Step that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// A complete tool call (`ToolCall`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    /// JSON-encoded arguments.
    pub arguments: String,
    /// Tool name.
    pub name: String,
    /// Id that the tool's return refers to.
    pub tool_call_id: String,
}

/// A tool call or a streamed fragment of one (`ToolCall | ToolCallDelta`): each field may
/// be missing in a fragment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ToolCallDelta {
    /// JSON-encoded arguments, or the next fragment of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
    /// Tool name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Id of the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

/// `tool_calls` of a tool-call or approval message: `Array<ToolCall> | ToolCallDelta`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ToolCalls {
    /// Complete calls (parallel tool calling).
    List(Vec<ToolCall>),
    /// One streamed fragment.
    Delta(ToolCallDelta),
}

impl<'de> Deserialize<'de> for ToolCalls {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            list @ Value::Array(_) => decode_nested(list).map(Self::List),
            delta @ Value::Object(_) => decode_nested(delta).map(Self::Delta),
            _ => Err(D::Error::custom("tool_calls must be an array or an object")),
        }
    }
}

/// `tool_call_message`: the model calling a tool (a chunk of the call when streaming).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCallMessage {
    /// Message id; chunks of one streamed message share it.
    pub id: String,
    /// ISO 8601 creation time.
    pub date: String,
    /// The call, or a fragment of it (deprecated upstream in favour of `tool_calls`).
    pub tool_call: ToolCallDelta,
    /// All calls of this message, or a fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<ToolCalls>,
    /// Part of an error step (debugging only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_err: Option<bool>,
    /// Sender name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Offline threading id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otid: Option<String>,
    /// Run that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Identity or agent that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Cursor sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_id: Option<u64>,
    /// Step that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// Whether a tool ran successfully.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolStatus {
    /// It succeeded.
    Success,
    /// It failed.
    Error,
}

/// One tool result (`ToolReturn`), as returned by a client-side tool or an approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolReturn {
    /// Whether the tool succeeded.
    pub status: ToolStatus,
    /// The call this answers.
    pub tool_call_id: String,
    /// The result: text or text/image parts.
    pub tool_return: MessageContent,
    /// Captured stderr lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<Vec<String>>,
    /// Captured stdout lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout: Option<Vec<String>>,
    /// Always `"tool"` when present.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// One approval decision (`ApprovalReturn`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalReturn {
    /// Whether the call is approved.
    pub approve: bool,
    /// The call this decides.
    pub tool_call_id: String,
    /// Why, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Always `"approval"` when present.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// One member of an `approvals` list: `ApprovalReturn | ToolReturn`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ApprovalItem {
    /// An approve/deny decision.
    Approval(ApprovalReturn),
    /// A tool result (the call ran client-side).
    Tool(ToolReturn),
}

impl<'de> Deserialize<'de> for ApprovalItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let tag = tag_of::<D::Error>(&value, "type", "an approval")?;
        let is_approval = match tag.as_deref() {
            Some("approval") => true,
            Some("tool") => false,
            _ => value.get("approve").is_some(),
        };
        if is_approval {
            decode_nested(value).map(Self::Approval)
        } else {
            decode_nested(value).map(Self::Tool)
        }
    }
}

/// `tool_return_message`: a tool's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolReturnMessage {
    /// Message id.
    pub id: String,
    /// ISO 8601 creation time.
    pub date: String,
    /// Whether the tool succeeded (deprecated upstream in favour of `tool_returns`).
    pub status: ToolStatus,
    /// The call this answers (deprecated upstream).
    pub tool_call_id: String,
    /// The result text (deprecated upstream).
    pub tool_return: String,
    /// Captured stderr lines (deprecated upstream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<Vec<String>>,
    /// Captured stdout lines (deprecated upstream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout: Option<Vec<String>>,
    /// Every result of this message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_returns: Option<Vec<ToolReturn>>,
    /// Part of an error step (debugging only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_err: Option<bool>,
    /// Sender name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Offline threading id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otid: Option<String>,
    /// Run that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Identity or agent that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Cursor sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_id: Option<u64>,
    /// Step that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// `assistant_message`: text for the user (a chunk of it when streaming).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssistantMessage {
    /// Message id; chunks of one streamed message share it.
    pub id: String,
    /// ISO 8601 creation time.
    pub date: String,
    /// The text (chunk), or text parts.
    pub content: MessageContent,
    /// Part of an error step (debugging only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_err: Option<bool>,
    /// Sender name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Offline threading id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otid: Option<String>,
    /// Run that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Identity or agent that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Cursor sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_id: Option<u64>,
    /// Step that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// `approval_request_message`: tool calls the model wants to run, pending approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRequestMessage {
    /// Message id.
    pub id: String,
    /// ISO 8601 creation time.
    pub date: String,
    /// The call (deprecated upstream in favour of `tool_calls`).
    pub tool_call: ToolCallDelta,
    /// Every call pending approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<ToolCalls>,
    /// Part of an error step (debugging only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_err: Option<bool>,
    /// Sender name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Offline threading id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otid: Option<String>,
    /// Run that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Identity or agent that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Cursor sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_id: Option<u64>,
    /// Step that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// `approval_response_message`: the decisions that answered an approval request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalResponseMessage {
    /// Message id.
    pub id: String,
    /// ISO 8601 creation time.
    pub date: String,
    /// The decisions and client-side tool results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvals: Option<Vec<ApprovalItem>>,
    /// Message id of the request (deprecated upstream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_request_id: Option<String>,
    /// Single-call decision (deprecated upstream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approve: Option<bool>,
    /// Single-call reason (deprecated upstream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Part of an error step (debugging only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_err: Option<bool>,
    /// Sender name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Offline threading id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otid: Option<String>,
    /// Run that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Identity or agent that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Cursor sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_id: Option<u64>,
    /// Step that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// Statistics of one memory compaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactionStats {
    /// The model's context window size.
    pub context_window: u64,
    /// Messages after compaction.
    pub messages_count_after: u64,
    /// Messages before compaction.
    pub messages_count_before: u64,
    /// What triggered it, e.g. `context_window_exceeded`.
    pub trigger: String,
    /// Message tokens after compaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_tokens_after: Option<u64>,
    /// Context tokens before compaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_tokens_before: Option<u64>,
}

/// `summary_message`: the summary that replaced compacted history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryMessage {
    /// Message id.
    pub id: String,
    /// ISO 8601 creation time.
    pub date: String,
    /// The summary text.
    pub summary: String,
    /// What the compaction did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compaction_stats: Option<CompactionStats>,
    /// Part of an error step (debugging only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_err: Option<bool>,
    /// Sender name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Offline threading id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otid: Option<String>,
    /// Run that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Identity or agent that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Cursor sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_id: Option<u64>,
    /// Step that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// `event_message`: an event outside the context window, such as a compaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMessage {
    /// Message id.
    pub id: String,
    /// ISO 8601 creation time.
    pub date: String,
    /// The event kind (`compaction`).
    pub event_type: String,
    /// Event-specific data.
    pub event_data: JsonObject,
    /// Part of an error step (debugging only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_err: Option<bool>,
    /// Sender name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Offline threading id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otid: Option<String>,
    /// Run that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Identity or agent that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Cursor sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_id: Option<u64>,
    /// Step that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// `ping`: keep-alive during long requests (`LettaPing`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LettaPing {
    /// Message id.
    pub id: String,
    /// ISO 8601 creation time.
    pub date: String,
    /// Part of an error step (debugging only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_err: Option<bool>,
    /// Sender name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Offline threading id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otid: Option<String>,
    /// Run being kept alive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Identity or agent that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Cursor sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_id: Option<u64>,
    /// Step being kept alive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// `error_message`: the run failed (`LettaErrorMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LettaErrorMessage {
    /// Error class, e.g. `llm_error`.
    pub error_type: String,
    /// Human-readable message.
    pub message: String,
    /// The failed run.
    pub run_id: String,
    /// Extra detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Cursor sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq_id: Option<u64>,
}

/// Writes a [`LettaErrorMessage`] found outside a [`LettaMessage`] (e.g.
/// `loop_error.api_error`) with the `message_type: "error_message"` the reference
/// requires; the struct itself leaves the tag to [`LettaMessage`].
pub(crate) fn serialize_error_message<S: Serializer>(
    error: &Option<LettaErrorMessage>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    /// `LettaErrorMessage` with its tag.
    #[derive(Serialize)]
    struct Tagged<'a> {
        /// Always `"error_message"`.
        message_type: &'static str,
        /// The error's own members.
        #[serde(flatten)]
        error: &'a LettaErrorMessage,
    }
    match error {
        Some(error) => Tagged {
            message_type: "error_message",
            error,
        }
        .serialize(serializer),
        None => serializer.serialize_none(),
    }
}

/// `stop_reason`: why the run stopped (`LettaStopReason`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LettaStopReason {
    /// The reason.
    pub stop_reason: StopReasonType,
}

/// Token counts for a run (`LettaUsageStatistics`); also `turn_finished.usage`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LettaUsageStatistics {
    /// Tokens generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_tokens: Option<u64>,
    /// Prompt tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<u64>,
    /// All tokens processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_tokens: Option<u64>,
    /// Agent steps taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_count: Option<u64>,
    /// Input tokens served from cache, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input_tokens: Option<u64>,
    /// Input tokens written to cache, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_tokens: Option<u64>,
    /// Reasoning tokens, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_tokens: Option<u64>,
    /// Estimated tokens now in the context window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_tokens: Option<u64>,
    /// Background runs involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_ids: Option<Vec<String>>,
}
