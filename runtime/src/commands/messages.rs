//! `conversation_messages_list`: the stored transcript as Letta messages, so a client
//! that opens a conversation can show its history.

use tether_protocol::content::MessageContent;
use tether_protocol::conversations::{ConversationMessagesListCommand, ConversationMessagesListResponse};
use tether_protocol::letta_message::{
    AssistantMessage, LettaMessage, ReasoningMessage, ToolCallDelta, ToolCallMessage, ToolReturnMessage, ToolStatus,
    UserMessage,
};
use tether_protocol::ServerFrame;

use crate::model::ChatMessage;
use crate::server::connection::ConnectionCtx;
use crate::store::MessageRecord;

/// Messages one page holds when the query sets no limit.
const DEFAULT_LIMIT: usize = 100;

/// Lists a conversation's messages: newest first by default (`order: "asc"` for oldest
/// first), paged with `before` (a message id from `next_before`).
pub fn list(ctx: &ConnectionCtx, cmd: ConversationMessagesListCommand) {
    let query = cmd.query.unwrap_or_default();
    let records = match ctx.runtime.store.conversation(&cmd.conversation_id) {
        Ok(Some(_)) => ctx.runtime.store.transcript(&cmd.conversation_id),
        Ok(None) => return fail(ctx, cmd.request_id, format!("unknown conversation {}", cmd.conversation_id)),
        Err(err) => Err(err),
    };
    let records = match records {
        Ok(records) => records,
        Err(err) => return fail(ctx, cmd.request_id, err.to_string()),
    };
    let mut messages: Vec<LettaMessage> = records.iter().flat_map(to_letta).collect();
    let ascending = query.order.as_deref() == Some("asc");
    if !ascending {
        messages.reverse();
    }
    if let Some(before) = &query.before
        && let Some(index) = messages.iter().position(|m| message_id(m) == Some(before.as_str())) {
            messages.drain(..=index);
        }
    let limit = query.limit.map(|l| l as usize).unwrap_or(DEFAULT_LIMIT);
    let has_more = messages.len() > limit;
    messages.truncate(limit);
    let next_before = if has_more { messages.last().and_then(message_id).map(str::to_owned) } else { None };
    ctx.send(&ServerFrame::ConversationMessagesListResponse(ConversationMessagesListResponse {
        request_id: cmd.request_id,
        success: true,
        messages,
        next_before,
        has_more,
        error: None,
    }));
}

fn fail(ctx: &ConnectionCtx, request_id: String, error: String) {
    ctx.send(&ServerFrame::ConversationMessagesListResponse(ConversationMessagesListResponse {
        request_id,
        success: false,
        messages: Vec::new(),
        next_before: None,
        has_more: false,
        error: Some(error),
    }));
}

fn message_id(message: &LettaMessage) -> Option<&str> {
    match message {
        LettaMessage::UserMessage(m) => Some(&m.id),
        LettaMessage::AssistantMessage(m) => Some(&m.id),
        LettaMessage::ReasoningMessage(m) => Some(&m.id),
        LettaMessage::ToolCallMessage(m) => Some(&m.id),
        LettaMessage::ToolReturnMessage(m) => Some(&m.id),
        _ => None,
    }
}

/// One stored message as the Letta messages a client renders (ids derived from the
/// stored id so paging is stable).
fn to_letta(record: &MessageRecord) -> Vec<LettaMessage> {
    let Ok(message) = serde_json::from_value::<ChatMessage>(record.body.clone()) else { return Vec::new() };
    let id = |suffix: &str| if suffix.is_empty() { record.id.clone() } else { format!("{}-{suffix}", record.id) };
    let date = record.created_at.clone();
    let run_id = record.turn_id.clone();
    match message {
        ChatMessage::User { content } => vec![LettaMessage::UserMessage(UserMessage {
            id: id(""),
            date,
            content: MessageContent::Text(content),
            is_err: None,
            name: None,
            otid: None,
            run_id,
            sender_id: None,
            seq_id: None,
            step_id: None,
        })],
        ChatMessage::Assistant { content, reasoning, tool_calls } => {
            let mut out = Vec::new();
            if let Some(reasoning) = reasoning {
                out.push(LettaMessage::ReasoningMessage(ReasoningMessage {
                    id: id("reasoning"),
                    date: date.clone(),
                    reasoning: reasoning.text,
                    signature: None,
                    source: None,
                    is_err: None,
                    name: None,
                    otid: None,
                    run_id: run_id.clone(),
                    sender_id: None,
                    seq_id: None,
                    step_id: None,
                }));
            }
            for (index, call) in tool_calls.into_iter().enumerate() {
                out.push(LettaMessage::ToolCallMessage(ToolCallMessage {
                    id: id(&format!("call{index}")),
                    date: date.clone(),
                    tool_call: ToolCallDelta {
                        arguments: Some(call.arguments),
                        name: Some(call.name),
                        tool_call_id: Some(call.id),
                    },
                    tool_calls: None,
                    is_err: None,
                    name: None,
                    otid: None,
                    run_id: run_id.clone(),
                    sender_id: None,
                    seq_id: None,
                    step_id: None,
                }));
            }
            if !content.is_empty() {
                out.push(LettaMessage::AssistantMessage(AssistantMessage {
                    id: id(""),
                    date,
                    content: MessageContent::Text(content),
                    is_err: None,
                    name: None,
                    otid: None,
                    run_id,
                    sender_id: None,
                    seq_id: None,
                    step_id: None,
                }));
            }
            out
        }
        ChatMessage::Tool { tool_call_id, name, content, is_error } => vec![LettaMessage::ToolReturnMessage(ToolReturnMessage {
            id: id(""),
            date,
            status: if is_error { ToolStatus::Error } else { ToolStatus::Success },
            tool_call_id,
            tool_return: content,
            stderr: None,
            stdout: None,
            tool_returns: None,
            is_err: is_error.then_some(true),
            name: Some(name),
            otid: None,
            run_id,
            sender_id: None,
            seq_id: None,
            step_id: None,
        })],
    }
}
