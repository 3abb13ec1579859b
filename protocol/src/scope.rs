//! Which runtime a frame is about, and the envelope every runtime event carries.

use serde::{Deserialize, Serialize};

/// Identifies one runtime (an agent's conversation); `RuntimeScope` in the reference.
///
/// One type serves both reference scopes: `AgentRuntimeScope` (agent id required) and
/// `ConversationRuntimeScope` (agent id may be `null` for agent-free conversations).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RuntimeScope {
    /// The agent, or `None` (`null` on the wire) for an agent-free conversation.
    pub agent_id: Option<String>,
    /// The conversation; `"default"` names an agent's default conversation.
    pub conversation_id: String,
    /// Cloud user on whose behalf an `input` was sent; echoed to the backend for billing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acting_user_id: Option<String>,
}

impl RuntimeScope {
    /// A scope for `conversation_id` of `agent_id`, without an acting user.
    pub fn new(agent_id: Option<String>, conversation_id: impl Into<String>) -> Self {
        Self {
            agent_id,
            conversation_id: conversation_id.into(),
            acting_user_id: None,
        }
    }
}

/// Fields shared by every runtime-scoped event (`RuntimeEnvelope`); flattened into them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeEnvelope {
    /// The runtime the event belongs to.
    pub runtime: RuntimeScope,
    /// Per-runtime monotonic sequence number; clients order and de-duplicate by it.
    pub event_seq: u64,
    /// ISO 8601 time the event was emitted.
    pub emitted_at: String,
    /// Stable key so a re-delivered event is recognised.
    pub idempotency_key: String,
}
