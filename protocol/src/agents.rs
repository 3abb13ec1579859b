//! Agent management: `agent_list` / `agent_retrieve` / `agent_create` / `agent_update` /
//! `agent_delete`, the preset `create_agent`, and the Letta agent bodies they carry.
//!
//! Letta's agent types have dozens of members; the ones tether uses are typed and the
//! rest are kept in `extra`, so a body survives a round trip unchanged.

use serde::{Deserialize, Serialize};

use crate::content::JsonObject;

/// A Letta agent (`AgentState`).
///
/// The reference also requires `llm_config`, `memory`, `sources` and `tools`; they are
/// carried in [`Self::extra`], which a producer must fill for full compatibility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentState {
    /// Agent id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// System prompt.
    pub system: String,
    /// Agent architecture, e.g. `letta_v1_agent` (a string so new types never fail).
    pub agent_type: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Core memory blocks.
    pub blocks: Vec<Block>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Model handle, e.g. `anthropic/claude-sonnet-4-5`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// ISO 8601 creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// ISO 8601 last update time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonObject>,
    /// Every other member, verbatim.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// A core memory block of an agent (`Block`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// Block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Label, e.g. `persona`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Contents.
    pub value: String,
    /// Character limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// What the block is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The agent may not edit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Every other member, verbatim.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// A memory block to create with an agent (`CreateBlock`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateBlock {
    /// Label, e.g. `persona`.
    pub label: String,
    /// Contents.
    pub value: String,
    /// Character limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// What the block is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The agent may not edit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Every other member, verbatim.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Body of an agent creation (`AgentCreateParams`); every member is optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentCreateParams {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Agent architecture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_type: Option<String>,
    /// Model handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Embedding model handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<String>,
    /// System prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Memory blocks to create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_blocks: Option<Vec<CreateBlock>>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Tool names to attach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<String>>,
    /// Attach Letta's base tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_base_tools: Option<bool>,
    /// Context window limit in tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window_limit: Option<u64>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonObject>,
    /// Every other member, verbatim.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Body of an agent update (`AgentUpdateParams`); members present are changed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentUpdateParams {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New model handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// New system prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// New metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonObject>,
    /// Every other member, verbatim.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Query of an agent listing (`AgentListParams`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentListParams {
    /// Cursor: agents before this id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Cursor: agents after this id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `asc` or `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// Sort field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<String>,
    /// Exact name filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tag filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Require every tag rather than any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_all_tags: Option<bool>,
    /// Full-text search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_text: Option<String>,
    /// Every other member, verbatim.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// `agent_list` (`AgentListCommand`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentListCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// Filters and paging.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<AgentListParams>,
}

/// `agent_list_response` (`AgentListResponseMessage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentListResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the listing worked.
    pub success: bool,
    /// The agents (empty on failure).
    pub agents: Vec<AgentState>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `agent_retrieve` (`AgentRetrieveCommand`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRetrieveCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The agent.
    pub agent_id: String,
}

/// `agent_create` (`AgentCreateCommand`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentCreateCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The new agent.
    pub body: AgentCreateParams,
}

/// `agent_update` (`AgentUpdateCommand`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentUpdateCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The agent.
    pub agent_id: String,
    /// The changes.
    pub body: AgentUpdateParams,
}

/// `agent_delete` (`AgentDeleteCommand`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentDeleteCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The agent.
    pub agent_id: String,
}

/// `agent_retrieve_response`, `agent_create_response` and `agent_update_response`: one
/// agent or an error (`AgentRetrieveResponseMessage` and friends share this shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether it worked.
    pub success: bool,
    /// The agent, `null` on failure.
    pub agent: Option<AgentState>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `agent_delete_response` (`AgentDeleteResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentDeleteResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether it was deleted.
    pub success: bool,
    /// The agent.
    pub agent_id: String,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Built-in personality presets of `create_agent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentPersonality {
    /// `memo`.
    Memo,
    /// `tutorial`.
    Tutorial,
    /// `blank`.
    Blank,
    /// `linus`.
    Linus,
    /// `kawaii`.
    Kawaii,
}

/// `create_agent` (`CreateAgentCommand`): creates an agent from a personality preset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAgentCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The preset.
    pub personality: AgentPersonality,
    /// Model identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Extra tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Pin the agent globally (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_global: Option<bool>,
}

/// `create_agent_response` (`CreateAgentResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAgentResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether it was created.
    pub success: bool,
    /// The new agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
