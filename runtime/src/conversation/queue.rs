//! Queue items: from `input` to stored record, to wire `QueueMessage`, to a turn's inputs.

use serde::{Deserialize, Serialize};
use tether_protocol::content::{MessageContent, MessageCreate};
use tether_protocol::input::InputCreateMessagePayload;
use tether_protocol::status::{QueueMessage, QueueMessageKind, QueueMessageSource};

use crate::store::{new_id, now_rfc3339, QueueRecord};

/// Per-input options that shape the turn it starts; inputs coalesce only when equal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnOptions {
    /// Built-in tools allowed this turn (`None`: all; empty: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_tool_allowlist: Option<Vec<String>>,
    /// Scoped external tools to expose this turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_tool_scope_ids: Option<Vec<String>>,
}

/// One queue record per message of an `input` (sharing the input's options).
pub fn records_from_input(conversation_id: &str, payload: &InputCreateMessagePayload) -> Vec<QueueRecord> {
    let options = TurnOptions {
        client_tool_allowlist: payload.client_tool_allowlist.clone(),
        external_tool_scope_ids: payload.external_tool_scope_ids.clone(),
    };
    let options = serde_json::to_value(&options).unwrap_or_default();
    payload
        .messages
        .iter()
        .map(|message: &MessageCreate| QueueRecord {
            id: new_id("queue"),
            conversation_id: conversation_id.to_owned(),
            client_message_id: message.client_message_id.clone().unwrap_or_else(|| new_id("cm")),
            kind: "message".to_owned(),
            source: "user".to_owned(),
            content: serde_json::to_value(&message.content).unwrap_or_default(),
            options: options.clone(),
            enqueued_at: now_rfc3339(),
            paused: false,
        })
        .collect()
}

/// The wire form of a queued item.
pub fn to_wire(record: &QueueRecord) -> QueueMessage {
    QueueMessage {
        id: record.id.clone(),
        client_message_id: record.client_message_id.clone(),
        kind: serde_json::from_value(serde_json::Value::String(record.kind.clone())).unwrap_or(QueueMessageKind::Message),
        source: serde_json::from_value(serde_json::Value::String(record.source.clone()))
            .unwrap_or(QueueMessageSource::User),
        content: serde_json::from_value(record.content.clone()).unwrap_or_else(|_| MessageContent::Text(String::new())),
        enqueued_at: record.enqueued_at.clone(),
        paused: record.paused.then_some(true),
    }
}

/// The options an item was queued with.
pub fn options(record: &QueueRecord) -> TurnOptions {
    serde_json::from_value(record.options.clone()).unwrap_or_default()
}

/// How many items from the front start the next turn together: consecutive user
/// messages with the same options coalesce into one turn.
pub fn next_batch_len(queue: &[QueueRecord]) -> usize {
    let Some(first) = queue.first() else { return 0 };
    let first_options = options(first);
    let coalescable = |r: &QueueRecord| r.kind == "message" && r.source == "user";
    if !coalescable(first) {
        return 1;
    }
    queue.iter().take_while(|r| coalescable(r) && options(r) == first_options).count()
}

/// The text of a queued message (content parts joined).
pub fn text_of(record: &QueueRecord) -> String {
    serde_json::from_value::<MessageContent>(record.content.clone()).map(|c| c.text()).unwrap_or_default()
}
