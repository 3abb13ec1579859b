//! Commands addressed to one conversation (`runtime`): they are checked here and handed
//! to the conversation's actor, which answers.

use tether_protocol::input::{InputAccepted, InputCommand, InputPayload};
use tether_protocol::lifecycle::{
    AbortMessageCommand, ChangeDeviceStateCommand, RemoveQueueItemCommand, RemoveQueueItemResponse, ResumeQueueCommand,
    SyncCommand, SyncResponse,
};
use tether_protocol::scope::RuntimeScope;
use tether_protocol::ServerFrame;

use super::runtime_start::validate_cwd;
use crate::conversation::{Command, ConversationHandle};
use crate::server::connection::ConnectionCtx;

/// The actor of the conversation a command names, or why there is none.
fn resolve(ctx: &ConnectionCtx, scope: &RuntimeScope) -> Result<ConversationHandle, String> {
    let version = ctx.runtime.store.agents_version();
    // A running actor answers without a store read (what `sync` mostly addresses).
    if let Some((handle, agent_id)) = ctx.runtime.conversations.live(&scope.conversation_id, version) {
        return match &scope.agent_id {
            Some(asked) if *asked != agent_id => {
                Err(format!("conversation {} belongs to agent {agent_id}, not {asked}", scope.conversation_id))
            }
            _ => Ok(handle),
        };
    }
    let record = ctx
        .runtime
        .store
        .conversation(&scope.conversation_id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("unknown conversation {}", scope.conversation_id))?;
    if let Some(agent_id) = &scope.agent_id
        && *agent_id != record.agent_id {
            return Err(format!("conversation {} belongs to agent {}, not {agent_id}", record.id, record.agent_id));
        }
    ctx.runtime.conversations.handle(&ctx.runtime, &record, version).map_err(|e| e.to_string())
}

/// `input`: a message (queued or started) or an answer to an approval.
pub async fn input(ctx: &ConnectionCtx, cmd: InputCommand) {
    let handle = match resolve(ctx, &cmd.runtime) {
        Ok(handle) => handle,
        Err(error) => return refuse_input(ctx, cmd.request_id, cmd.runtime, error),
    };
    let sub = ctx.subscriber();
    match cmd.payload {
        InputPayload::CreateMessage(payload) => {
            handle.send(Command::Input { sub, request_id: cmd.request_id, payload }).await;
        }
        InputPayload::ApprovalResponse(body) => {
            handle.send(Command::Approval { sub, request_id: cmd.request_id, body }).await;
        }
        other => {
            let kind = other.kind().unwrap_or("(none)").to_owned();
            refuse_input(ctx, cmd.request_id, cmd.runtime, format!("unsupported input payload kind: {kind}"));
        }
    }
}

fn refuse_input(ctx: &ConnectionCtx, request_id: Option<String>, runtime: RuntimeScope, error: String) {
    match request_id {
        Some(request_id) => ctx.send(&ServerFrame::InputAccepted(InputAccepted {
            request_id,
            runtime,
            accepted: false,
            disposition: None,
            error: Some(error),
        })),
        None => ctx.reply_failure("input", None, "input_refused", &error),
    }
}

/// `sync`: replay state, pending approvals and interrupted turns to this connection.
pub async fn sync(ctx: &ConnectionCtx, cmd: SyncCommand) {
    match resolve(ctx, &cmd.runtime) {
        Ok(handle) => {
            handle.send(Command::Sync { sub: ctx.subscriber(), request_id: cmd.request_id }).await;
        }
        Err(error) => match cmd.request_id {
            Some(request_id) => ctx.send(&ServerFrame::SyncResponse(SyncResponse {
                request_id,
                runtime: cmd.runtime,
                success: false,
                error: Some(error),
            })),
            None => ctx.reply_failure("sync", None, "unknown_runtime", &error),
        },
    }
}

/// `abort_message`: interrupt the running turn or pending approval.
pub async fn abort(ctx: &ConnectionCtx, cmd: AbortMessageCommand) {
    match resolve(ctx, &cmd.runtime) {
        Ok(handle) => {
            handle.send(Command::Abort { sub: ctx.subscriber(), request_id: cmd.request_id }).await;
        }
        Err(error) => ctx.reply_failure("abort_message", cmd.request_id.as_deref(), "unknown_runtime", &error),
    }
}

/// `resume_queue`: release a queue parked by an abort.
pub async fn resume_queue(ctx: &ConnectionCtx, cmd: ResumeQueueCommand) {
    match resolve(ctx, &cmd.runtime) {
        Ok(handle) => {
            handle.send(Command::ResumeQueue { sub: ctx.subscriber(), request_id: cmd.request_id }).await;
        }
        Err(error) => ctx.reply_failure("resume_queue", cmd.request_id.as_deref(), "unknown_runtime", &error),
    }
}

/// `remove_queue_item`: drop a queued input before it runs.
pub async fn remove_queue_item(ctx: &ConnectionCtx, cmd: RemoveQueueItemCommand) {
    match resolve(ctx, &cmd.runtime) {
        Ok(handle) => {
            let command =
                Command::RemoveQueueItem { sub: ctx.subscriber(), request_id: cmd.request_id, item_id: cmd.item_id };
            handle.send(command).await;
        }
        Err(_) => ctx.send(&ServerFrame::RemoveQueueItemResponse(RemoveQueueItemResponse {
            request_id: cmd.request_id,
            success: false,
            item_id: cmd.item_id,
        })),
    }
}

/// `change_device_state`: per-conversation permission mode and working directory.
pub async fn change_device_state(ctx: &ConnectionCtx, cmd: ChangeDeviceStateCommand) {
    let handle = match resolve(ctx, &cmd.runtime) {
        Ok(handle) => handle,
        Err(error) => return ctx.reply_failure("change_device_state", None, "unknown_runtime", &error),
    };
    let cwd = match &cmd.payload.cwd {
        Some(raw) => match validate_cwd(&ctx.runtime.boot_cwd, raw) {
            Ok(cwd) => Some(cwd),
            Err(error) => return ctx.reply_failure("change_device_state", None, "invalid_cwd", &error),
        },
        None => None,
    };
    handle.send(Command::ChangeState { sub: Some(ctx.subscriber()), mode: cmd.payload.mode, cwd }).await;
}
