//! `runtime_start`: resolve or create the agent and conversation, apply cwd and mode,
//! subscribe this connection, and replay the conversation's state.

use std::path::{Path, PathBuf};

use tether_protocol::agents::AgentCreateParams;
use tether_protocol::lifecycle::{RuntimeStartCommand, RuntimeStartCreated, RuntimeStartResponse};
use tether_protocol::scope::RuntimeScope;
use tether_protocol::ServerFrame;

use super::convert;
use crate::conversation::Command;
use crate::server::connection::ConnectionCtx;
use crate::store::{AgentRecord, ConversationRecord, NewAgent, NewConversation, StoreError};

/// Name given to an agent created without one.
const DEFAULT_AGENT_NAME: &str = "tether agent";

/// Handles `runtime_start`; any failure is a `success:false` response, never a crash.
pub async fn runtime_start(ctx: &ConnectionCtx, cmd: RuntimeStartCommand) {
    let request_id = cmd.request_id.clone();
    match start(ctx, cmd).await {
        Ok(()) => {}
        Err(error) => ctx.send(&ServerFrame::RuntimeStartResponse(RuntimeStartResponse {
            request_id,
            success: false,
            runtime: None,
            agent: None,
            conversation: None,
            execution_settings: None,
            created: RuntimeStartCreated::default(),
            error: Some(error),
        })),
    }
}

async fn start(ctx: &ConnectionCtx, cmd: RuntimeStartCommand) -> Result<(), String> {
    let store = &ctx.runtime.store;
    let db = |err: StoreError| err.to_string();
    let mut created = RuntimeStartCreated::default();

    if cmd.agent_id.is_some() && cmd.create_agent.is_some() {
        return Err("agent_id and create_agent are mutually exclusive".to_owned());
    }
    if cmd.conversation_id.is_some() && cmd.create_conversation.is_some() {
        return Err("conversation_id and create_conversation are mutually exclusive".to_owned());
    }
    // The cwd is validated before anything is created, so a bad one creates nothing.
    let cwd = match &cmd.cwd {
        Some(Some(raw)) => Some(validate_cwd(&ctx.runtime.boot_cwd, raw)?),
        Some(None) => Some(ctx.runtime.boot_cwd.clone()),
        None => None,
    };

    let existing_conversation = match &cmd.conversation_id {
        Some(id) => Some(store.conversation(id).map_err(db)?.ok_or_else(|| format!("unknown conversation {id}"))?),
        None => None,
    };
    let agent: AgentRecord = match (&cmd.agent_id, &cmd.create_agent, &existing_conversation) {
        (Some(id), _, _) => store.agent(id).map_err(db)?.ok_or_else(|| format!("unknown agent {id}"))?,
        (None, Some(options), _) => {
            created.agent = true;
            store.create_agent(new_agent(&options.body, ctx.runtime.default_model.as_deref())).map_err(db)?
        }
        (None, None, Some(conversation)) => store
            .agent(&conversation.agent_id)
            .map_err(db)?
            .ok_or_else(|| format!("conversation {} has no agent", conversation.id))?,
        (None, None, None) => {
            return Err("runtime_start needs agent_id, create_agent or conversation_id".to_owned());
        }
    };

    let conversation: ConversationRecord = match existing_conversation {
        Some(conversation) if conversation.agent_id != agent.id => {
            return Err(format!("conversation {} belongs to agent {}", conversation.id, conversation.agent_id));
        }
        Some(conversation) => conversation,
        None => {
            let wants_new = cmd.create_conversation.is_some() || created.agent;
            let latest = if wants_new {
                None
            } else {
                store.list_conversations(Some(&agent.id), 1).map_err(db)?.into_iter().next()
            };
            match latest {
                Some(conversation) => conversation,
                None => {
                    created.conversation = true;
                    let summary = cmd.create_conversation.as_ref().and_then(|c| c.body.as_ref()).and_then(|b| b.summary.clone());
                    store.create_conversation(NewConversation { agent_id: agent.id.clone(), summary }).map_err(db)?
                }
            }
        }
    };

    let handle = ctx.runtime.conversation(&conversation).map_err(db)?;
    if let Some(groups) = cmd.external_tools.clone() {
        ctx.runtime.external.set(ctx.id, &ctx.outbox, &conversation.id, groups);
    }
    if cwd.is_some() || cmd.mode.is_some() {
        handle.send(Command::ChangeState { sub: None, mode: cmd.mode, cwd }).await;
    }
    let response = Box::new(ServerFrame::RuntimeStartResponse(RuntimeStartResponse {
        request_id: cmd.request_id,
        success: true,
        runtime: Some(RuntimeScope::new(Some(agent.id.clone()), conversation.id.clone())),
        agent: Some(convert::agent_state(&agent)),
        conversation: Some(convert::conversation(&conversation)),
        execution_settings: None,
        created,
        error: None,
    }));
    let (before, after) = if cmd.wait_for_replay.unwrap_or(false) { (None, Some(response)) } else { (Some(response), None) };
    handle.send(Command::Attach { sub: ctx.subscriber(), before, after }).await;
    Ok(())
}

/// A create body as a stored agent; the runtime default model fills in a missing one.
pub fn new_agent(body: &AgentCreateParams, default_model: Option<&str>) -> NewAgent {
    NewAgent {
        name: body.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| DEFAULT_AGENT_NAME.to_owned()),
        model: body.model.clone().or_else(|| default_model.map(str::to_owned)),
        system: body.system.clone().unwrap_or_default(),
        description: body.description.clone(),
        body: serde_json::to_value(body).unwrap_or_default(),
    }
}

/// A working directory must exist and be a directory; relative paths are taken from the
/// runtime's start-up directory.
pub fn validate_cwd(boot_cwd: &Path, raw: &str) -> Result<PathBuf, String> {
    let path = Path::new(raw);
    let path = if path.is_absolute() { path.to_path_buf() } else { boot_cwd.join(path) };
    match std::fs::canonicalize(&path) {
        Ok(real) if real.is_dir() => Ok(real),
        Ok(_) => Err(format!("cwd {raw} is not a directory")),
        Err(err) => Err(format!("cwd {raw} does not exist: {err}")),
    }
}
