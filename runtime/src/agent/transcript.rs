//! The transcript as the model sees it: stored messages in, new messages out, and the
//! repair that keeps it valid after an interruption.

use std::collections::HashSet;

use crate::model::ChatMessage;
use crate::store::{new_id, NewMessage, Store, StoreError};

/// Result given to a tool call that never ran because its turn was interrupted.
pub const NOT_RUN: &str = "Not run: the turn was interrupted before this tool call completed.";

/// A conversation's transcript as provider-neutral messages (unreadable rows skipped).
pub fn load(store: &Store, conversation_id: &str) -> Result<Vec<ChatMessage>, StoreError> {
    Ok(store
        .transcript_bodies(conversation_id)?
        .into_iter()
        .filter_map(|(id, body)| match serde_json::from_str(&body) {
            Ok(message) => Some(message),
            Err(err) => {
                tracing::warn!("skipping unreadable transcript message {id}: {err}");
                None
            }
        })
        .collect())
}

/// The stored role of a message.
fn role_of(message: &ChatMessage) -> &'static str {
    match message {
        ChatMessage::User { .. } => "user",
        ChatMessage::Assistant { .. } => "assistant",
        ChatMessage::Tool { .. } => "tool",
    }
}

/// Encodes messages (each with the id its deltas were streamed with) for the store.
fn encode(new: &[(ChatMessage, String)]) -> Result<Vec<NewMessage>, StoreError> {
    new.iter()
        .map(|(message, id)| {
            Ok(NewMessage { id: id.clone(), role: role_of(message), body: serde_json::to_string(message)? })
        })
        .collect()
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
    let id = id.map_or_else(|| new_id("message"), str::to_owned);
    append_all(store, conversation_id, run_id, messages, vec![(message, id)])
}

/// Appends messages in one transaction; `messages` only grows once they are stored, so it
/// always equals what a restart would load.
pub fn append_all(
    store: &Store,
    conversation_id: &str,
    run_id: &str,
    messages: &mut Vec<ChatMessage>,
    new: Vec<(ChatMessage, String)>,
) -> Result<(), StoreError> {
    if new.is_empty() {
        return Ok(());
    }
    store.append_messages(conversation_id, Some(run_id), &encode(&new)?)?;
    messages.extend(new.into_iter().map(|(message, _)| message));
    Ok(())
}

/// Starts a turn in one transaction (see [`Store::start_turn`]): the dequeued inputs, the
/// turn record and `new` (repairs, then the inputs as user messages) commit together.
pub fn start_turn(
    store: &Store,
    conversation_id: &str,
    turn_id: &str,
    run_id: &str,
    dequeued: &[String],
    messages: &mut Vec<ChatMessage>,
    new: Vec<(ChatMessage, String)>,
) -> Result<(), StoreError> {
    store.start_turn(conversation_id, turn_id, run_id, dequeued, &encode(&new)?)?;
    messages.extend(new.into_iter().map(|(message, _)| message));
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

/// The results that answer every unanswered call with [`NOT_RUN`] (fresh ids), so the
/// model is told and the transcript stays valid.
pub fn repairs(messages: &[ChatMessage]) -> Vec<(ChatMessage, String)> {
    unanswered_calls(messages)
        .into_iter()
        .map(|(tool_call_id, name)| {
            (ChatMessage::Tool { tool_call_id, name, content: NOT_RUN.to_owned(), is_error: true }, new_id("message"))
        })
        .collect()
}

/// Answers every unanswered call with [`NOT_RUN`], in one transaction.
pub fn settle_unanswered(
    store: &Store,
    conversation_id: &str,
    run_id: &str,
    messages: &mut Vec<ChatMessage>,
) -> Result<(), StoreError> {
    let new = repairs(messages);
    append_all(store, conversation_id, run_id, messages, new)
}
