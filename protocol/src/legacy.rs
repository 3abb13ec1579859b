//! Legacy lifecycle events from the headless wire protocol (`protocol.d.ts`), still sent
//! by the runtime as telemetry: approval requested/received, tool execution start/end.
//!
//! `control_request` remains the canonical approval trigger; these only inform timers
//! and logs. They carry the legacy `MessageEnvelope`, not [`crate::scope::RuntimeEnvelope`].

use serde::{Deserialize, Serialize};

use crate::letta_message::ToolStatus;

/// Fields shared by legacy events (`MessageEnvelope`); flattened into them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEnvelope {
    /// Session the event belongs to.
    pub session_id: String,
    /// Unique id of the event.
    pub uuid: String,
    /// ISO 8601 emit time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Per-session monotonic sequence number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_seq: Option<u64>,
    /// Agent that triggered the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Conversation that triggered the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
}

/// `approval_requested` (`ApprovalRequestedMessage`): the runtime asked for an approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRequested {
    /// Session, id and sequence.
    #[serde(flatten)]
    pub envelope: MessageEnvelope,
    /// The `control_request`'s id.
    pub request_id: String,
    /// The call awaiting approval.
    pub tool_call_id: String,
    /// Its tool.
    pub tool_name: String,
    /// Its run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}

/// The decision reported by `approval_received`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalDecisionKind {
    /// Allowed.
    Allow,
    /// Denied.
    Deny,
}

/// `approval_received` (`ApprovalReceivedMessage`): an approval got its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalReceived {
    /// Session, id and sequence.
    #[serde(flatten)]
    pub envelope: MessageEnvelope,
    /// The `control_request`'s id.
    pub request_id: String,
    /// The decided call.
    pub tool_call_id: String,
    /// The decision.
    pub decision: ApprovalDecisionKind,
    /// Why, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Its run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}

/// `tool_execution_started` (`ToolExecutionStartedMessage`): an approved call began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolExecutionStarted {
    /// Session, id and sequence.
    #[serde(flatten)]
    pub envelope: MessageEnvelope,
    /// The call.
    pub tool_call_id: String,
    /// Its run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}

/// `tool_execution_finished` (`ToolExecutionFinishedMessage`): a started call ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolExecutionFinished {
    /// Session, id and sequence.
    #[serde(flatten)]
    pub envelope: MessageEnvelope,
    /// The call.
    pub tool_call_id: String,
    /// How it ended.
    pub status: ToolStatus,
    /// Its run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}
