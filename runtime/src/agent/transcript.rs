//! The transcript as the model sees it: stored messages in, new messages out, and the
//! repair that keeps it valid after an interruption.

use std::collections::HashSet;

use crate::model::ChatMessage;
use crate::store::{Store, StoreError};

/// Result given to a tool call that never ran because its turn was interrupted.
pub const NOT_RUN: &str = "Not run: the turn was interrupted before this tool call completed.";

/// A conversation's transcript as provider-neutral messages (unreadable rows skipped).
pub fn load(store: &Store, conversation_id: &str) -> Result<Vec<ChatMessage>, StoreError> {
    Ok(store
        .transcript(conversation_id)?
        .into_iter()
        .filter_map(|record| match serde_json::from_value(record.body) {
            Ok(message) => Some(message),
            Err(err) => {
                tracing::warn!("skipping unreadable transcript message {}: {err}", record.id);
                None
            }
        })
        .collect())
}

/// Appends one message to the stored transcript and to `messages`; `id` is the id its
/// deltas were streamed with (`None`: a fresh one), `run_id` the run that produced it.
pub fn append(
    store: &Store,
    conversation_id: &str,
    run_id: &str,
    messages: &mut Vec<ChatMessage>,
    message: ChatMessage,
    id: Option<&str>,
) -> Result<(), StoreError> {
    let role = match &message {
        ChatMessage::User { .. } => "user",
        ChatMessage::Assistant { .. } => "assistant",
        ChatMessage::Tool { .. } => "tool",
    };
    let body = serde_json::to_value(&message)?;
    store.append_message(conversation_id, Some(run_id), role, &body, id)?;
    messages.push(message);
    Ok(())
}

/// Tool calls of the transcript that have no result yet (every provider rejects a
/// transcript where a call is left unanswered).
pub fn unanswered_calls(messages: &[ChatMessage]) -> Vec<(String, String)> {
    let answered: HashSet<&str> = messages
        .iter()
        .filter_map(|m| match m {
            ChatMessage::Tool { tool_call_id, .. } => Some(tool_call_id.as_str()),
            _ => None,
        })
        .collect();
    messages
        .iter()
        .flat_map(|m| match m {
            ChatMessage::Assistant { tool_calls, .. } => tool_calls.iter().collect::<Vec<_>>(),
            _ => Vec::new(),
        })
        .filter(|call| !answered.contains(call.id.as_str()))
        .map(|call| (call.id.clone(), call.name.clone()))
        .collect()
}

/// Answers every unanswered call with [`NOT_RUN`], so the model is told and the
/// transcript stays valid.
pub fn settle_unanswered(
    store: &Store,
    conversation_id: &str,
    run_id: &str,
    messages: &mut Vec<ChatMessage>,
) -> Result<(), StoreError> {
    for (tool_call_id, name) in unanswered_calls(messages) {
        let message = ChatMessage::Tool { tool_call_id, name, content: NOT_RUN.to_owned(), is_error: true };
        append(store, conversation_id, run_id, messages, message, None)?;
    }
    Ok(())
}
