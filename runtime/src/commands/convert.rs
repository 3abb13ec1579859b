//! Stored records in the wire shapes of Letta's API (`AgentState`, `Conversation`).

use serde_json::Value;
use tether_protocol::agents::{AgentState, Block, CreateBlock};
use tether_protocol::content::JsonObject;
use tether_protocol::conversations::Conversation;

use crate::store::{AgentRecord, ConversationRecord};

/// The agent type tether reports: a coding agent whose tools run on this machine.
const AGENT_TYPE: &str = "letta_v1_agent";

/// An agent as `AgentState`; memory blocks and tags come from the stored create body.
pub fn agent_state(record: &AgentRecord) -> AgentState {
    let body = record.body.as_object();
    let field = |name: &str| body.and_then(|b| b.get(name)).cloned();
    let blocks = field("memory_blocks")
        .and_then(|v| serde_json::from_value::<Vec<CreateBlock>>(v).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|b| Block {
            id: None,
            label: Some(b.label),
            value: b.value,
            limit: b.limit,
            description: b.description,
            read_only: b.read_only,
            extra: JsonObject::new(),
        })
        .collect();
    AgentState {
        id: record.id.clone(),
        name: record.name.clone(),
        system: record.system.clone(),
        agent_type: field("agent_type").and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_else(|| AGENT_TYPE.to_owned()),
        tags: field("tags").and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default(),
        blocks,
        description: record.description.clone(),
        model: record.model.clone(),
        created_at: Some(record.created_at.clone()),
        updated_at: Some(record.updated_at.clone()),
        metadata: field("metadata").and_then(|v| match v {
            Value::Object(map) => Some(map),
            _ => None,
        }),
        extra: JsonObject::new(),
    }
}

/// A conversation as Letta's `Conversation`.
pub fn conversation(record: &ConversationRecord) -> Conversation {
    Conversation {
        id: record.id.clone(),
        agent_id: Some(record.agent_id.clone()),
        summary: record.summary.clone(),
        description: None,
        model: record.model.clone(),
        archived: None,
        context_window_limit: None,
        created_at: Some(record.created_at.clone()),
        updated_at: Some(record.updated_at.clone()),
        last_message_at: None,
        extra: JsonObject::new(),
    }
}
