//! Conversation management: `conversation_list` / `_retrieve` / `_create` / `_update` /
//! `_fork` / `_recompile` / `_compact` / `_messages_list`, and the Letta conversation
//! bodies they carry (typed where tether uses them, the rest kept in `extra`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::content::JsonObject;
use crate::letta_message::LettaMessage;

/// A Letta conversation (`Conversation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// Conversation id.
    pub id: String,
    /// Owning agent; `null` for an agent-free (ephemeral) conversation.
    pub agent_id: Option<String>,
    /// Title/summary shown in lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Model handle override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Archived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    /// Context window limit in tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window_limit: Option<u64>,
    /// ISO 8601 creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// ISO 8601 last update time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// ISO 8601 time of the last message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message_at: Option<String>,
    /// Every other member, verbatim.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Body of a conversation creation (`ConversationCreateParams`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationCreateParams {
    /// Owning agent.
    pub agent_id: String,
    /// Title/summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Model handle override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Hide from lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    /// Context window limit in tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window_limit: Option<u64>,
    /// Every other member (e.g. `model_settings`), verbatim.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// `runtime_start.create_conversation.body`: `ConversationCreateParams` without
/// `agent_id`, or an agent-free `EphemeralConversationCreateBody` (`model` + `system`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConversationCreateBody {
    /// Model handle; required without an agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// System prompt; required without an agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Title/summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Hide from lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    /// Context window limit in tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window_limit: Option<u64>,
    /// Provider settings for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_settings: Option<JsonObject>,
    /// Every other member, verbatim.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Body of a conversation update (`ConversationUpdateParams`); members present change.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConversationUpdateParams {
    /// New title/summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Archive or unarchive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    /// New model handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// New context window limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window_limit: Option<u64>,
    /// New last-message time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message_at: Option<String>,
    /// Every other member, verbatim.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Query of a conversation listing (`ConversationListParams`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConversationListParams {
    /// Only this agent's conversations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Cursor: conversations after this id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `asc` or `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// `created_at`, `last_run_completion` or `last_message_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<String>,
    /// `unarchived`, `archived` or `all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_status: Option<String>,
    /// Search in summaries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_search: Option<String>,
    /// Every other member, verbatim.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Query of a message listing (`MessageListParams`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MessageListParams {
    /// Cursor: messages before this id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Cursor: messages after this id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `asc` or `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// Agent, for the agent's default conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Include error messages (debugging).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_err: Option<bool>,
    /// Only these `message_type`s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_return_message_types: Option<Vec<String>>,
    /// Every other member, verbatim.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// `conversation_list` (`ConversationListCommand`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationListCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// Filters and paging.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<ConversationListParams>,
}

/// `conversation_list_response` (`ConversationListResponseMessage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationListResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the listing worked.
    pub success: bool,
    /// The conversations (empty on failure).
    pub conversations: Vec<Conversation>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `conversation_retrieve` (`ConversationRetrieveCommand`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationRetrieveCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The conversation.
    pub conversation_id: String,
}

/// `conversation_create` (`ConversationCreateCommand`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationCreateCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The new conversation.
    pub body: ConversationCreateParams,
    /// Set by a cloud relay: the user the new conversation is attributed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acting_user_id: Option<String>,
}

/// `conversation_update` (`ConversationUpdateCommand`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationUpdateCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The conversation.
    pub conversation_id: String,
    /// The changes.
    pub body: ConversationUpdateParams,
}

/// `conversation_retrieve_response`, `conversation_create_response` and
/// `conversation_update_response`: one conversation or an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether it worked.
    pub success: bool,
    /// The conversation, `null` on failure.
    pub conversation: Option<Conversation>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Body of `conversation_fork` (`ConversationForkBody`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConversationForkBody {
    /// Agent, to fork its default conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Hide the fork from lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    /// Fork through this message, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

/// `conversation_fork` (`ConversationForkCommand`): copies a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationForkCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The conversation to fork.
    pub conversation_id: String,
    /// Fork options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<ConversationForkBody>,
    /// Set by a cloud relay: the user the fork is attributed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acting_user_id: Option<String>,
}

/// The new conversation of a fork (`ForkedConversationReference`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForkedConversationReference {
    /// Its id.
    pub id: String,
}

/// `conversation_fork_response` (`ConversationForkResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationForkResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether it was forked.
    pub success: bool,
    /// The fork, `null` on failure.
    pub conversation: Option<ForkedConversationReference>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `conversation_recompile` (`ConversationRecompileCommand`): rebuilds the system prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationRecompileCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The conversation.
    pub conversation_id: String,
    /// `ConversationRecompileParams` (`dry_run`, `agent_id`, …), verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<JsonObject>,
}

/// `conversation_recompile_response` (`ConversationRecompileResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationRecompileResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether it worked.
    pub success: bool,
    /// The recompiled system prompt, `null` on failure.
    pub result: Option<String>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `conversation_compact` (`ConversationCompactCommand`): summarises history now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationCompactCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The conversation.
    pub conversation_id: String,
    /// `MessageCompactParams` (`compaction_settings`, …), verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<JsonObject>,
}

/// `conversation_compact_response` (`ConversationCompactResponseMessage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationCompactResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether it worked.
    pub success: bool,
    /// Letta's `CompactionResponse`, verbatim; `null` on failure.
    pub compaction: Option<Value>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `conversation_messages_list` (`ConversationMessagesListCommand`): a page of history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationMessagesListCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The conversation.
    pub conversation_id: String,
    /// Paging and filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<MessageListParams>,
}

/// `conversation_messages_list_response` (`ConversationMessagesListResponseMessage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationMessagesListResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether it worked.
    pub success: bool,
    /// The messages of the page.
    pub messages: Vec<LettaMessage>,
    /// Cursor for the previous page, `null` at the start.
    pub next_before: Option<String>,
    /// More pages exist.
    pub has_more: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
