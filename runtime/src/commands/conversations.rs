//! `conversation_list`, `conversation_retrieve`, `conversation_create`.

use tether_protocol::conversations::{
    ConversationCreateCommand, ConversationListCommand, ConversationListResponse, ConversationResponse,
    ConversationRetrieveCommand,
};
use tether_protocol::ServerFrame;

use super::convert::conversation;
use crate::server::connection::ConnectionCtx;
use crate::store::{ConversationRecord, NewConversation, StoreError};

/// Most conversations one `conversation_list` returns when the query sets no limit.
const DEFAULT_LIST_LIMIT: usize = 100;

fn response(request_id: String, result: Result<Option<ConversationRecord>, StoreError>, missing: &str) -> ConversationResponse {
    match result {
        Ok(Some(record)) => {
            ConversationResponse { request_id, success: true, conversation: Some(conversation(&record)), error: None }
        }
        Ok(None) => ConversationResponse { request_id, success: false, conversation: None, error: Some(missing.to_owned()) },
        Err(err) => ConversationResponse { request_id, success: false, conversation: None, error: Some(err.to_string()) },
    }
}

/// Lists conversations, newest first, optionally of one agent.
pub fn list(ctx: &ConnectionCtx, cmd: ConversationListCommand) {
    let query = cmd.query.unwrap_or_default();
    let limit = query.limit.map(|l| l as usize).unwrap_or(DEFAULT_LIST_LIMIT);
    let frame = match ctx.runtime.store.list_conversations(query.agent_id.as_deref(), limit) {
        Ok(records) => ConversationListResponse {
            request_id: cmd.request_id,
            success: true,
            conversations: records.iter().map(conversation).collect(),
            error: None,
        },
        Err(err) => ConversationListResponse {
            request_id: cmd.request_id,
            success: false,
            conversations: Vec::new(),
            error: Some(err.to_string()),
        },
    };
    ctx.send(&ServerFrame::ConversationListResponse(frame));
}

/// Returns one conversation.
pub fn retrieve(ctx: &ConnectionCtx, cmd: ConversationRetrieveCommand) {
    let missing = format!("unknown conversation {}", cmd.conversation_id);
    let result = ctx.runtime.store.conversation(&cmd.conversation_id);
    ctx.send(&ServerFrame::ConversationRetrieveResponse(response(cmd.request_id, result, &missing)));
}

/// Creates a conversation of an existing agent.
pub fn create(ctx: &ConnectionCtx, cmd: ConversationCreateCommand) {
    let store = &ctx.runtime.store;
    let agent_id = cmd.body.agent_id.clone();
    let result = match store.agent(&agent_id) {
        Ok(Some(_)) => store.create_conversation(NewConversation { agent_id, summary: cmd.body.summary }).map(Some),
        Ok(None) => Ok(None),
        Err(err) => Err(err),
    };
    let missing = format!("unknown agent {}", cmd.body.agent_id);
    ctx.send(&ServerFrame::ConversationCreateResponse(response(cmd.request_id, result, &missing)));
}
