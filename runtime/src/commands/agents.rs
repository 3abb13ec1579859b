//! `agent_list`, `agent_retrieve`, `agent_create`, `agent_update`, `agent_delete`.

use tether_protocol::agents::{
    AgentCreateCommand, AgentDeleteCommand, AgentDeleteResponse, AgentListCommand, AgentListResponse, AgentResponse,
    AgentRetrieveCommand, AgentUpdateCommand,
};
use tether_protocol::ServerFrame;

use super::convert::agent_state;
use super::runtime_start::new_agent;
use crate::server::connection::ConnectionCtx;
use crate::store::{AgentPatch, AgentRecord, StoreError};

/// Most agents one `agent_list` returns when the query sets no limit.
const DEFAULT_LIST_LIMIT: usize = 100;

fn response(request_id: String, result: Result<Option<AgentRecord>, StoreError>, missing: &str) -> AgentResponse {
    match result {
        Ok(Some(record)) => AgentResponse { request_id, success: true, agent: Some(agent_state(&record)), error: None },
        Ok(None) => AgentResponse { request_id, success: false, agent: None, error: Some(missing.to_owned()) },
        Err(err) => AgentResponse { request_id, success: false, agent: None, error: Some(err.to_string()) },
    }
}

/// Lists agents, newest first (optionally filtered by exact name).
pub fn list(ctx: &ConnectionCtx, cmd: AgentListCommand) {
    let query = cmd.query.unwrap_or_default();
    let limit = query.limit.map(|l| l as usize).unwrap_or(DEFAULT_LIST_LIMIT);
    let frame = match ctx.runtime.store.list_agents(limit) {
        Ok(records) => AgentListResponse {
            request_id: cmd.request_id,
            success: true,
            agents: records
                .iter()
                .filter(|r| query.name.as_ref().is_none_or(|name| *name == r.name))
                .map(agent_state)
                .collect(),
            error: None,
        },
        Err(err) => AgentListResponse { request_id: cmd.request_id, success: false, agents: Vec::new(), error: Some(err.to_string()) },
    };
    ctx.send(&ServerFrame::AgentListResponse(frame));
}

/// Returns one agent.
pub fn retrieve(ctx: &ConnectionCtx, cmd: AgentRetrieveCommand) {
    let missing = format!("unknown agent {}", cmd.agent_id);
    let result = ctx.runtime.store.agent(&cmd.agent_id);
    ctx.send(&ServerFrame::AgentRetrieveResponse(response(cmd.request_id, result, &missing)));
}

/// Creates an agent (the runtime's default model fills in a missing one).
pub fn create(ctx: &ConnectionCtx, cmd: AgentCreateCommand) {
    let result = ctx.runtime.store.create_agent(new_agent(&cmd.body, ctx.runtime.default_model.as_deref())).map(Some);
    ctx.send(&ServerFrame::AgentCreateResponse(response(cmd.request_id, result, "")));
}

/// Changes an agent's name, model, system prompt or description.
pub fn update(ctx: &ConnectionCtx, cmd: AgentUpdateCommand) {
    let patch = AgentPatch {
        name: cmd.body.name,
        model: cmd.body.model,
        system: cmd.body.system,
        description: cmd.body.description,
    };
    let missing = format!("unknown agent {}", cmd.agent_id);
    let result = ctx.runtime.store.update_agent(&cmd.agent_id, patch);
    ctx.send(&ServerFrame::AgentUpdateResponse(response(cmd.request_id, result, &missing)));
}

/// Deletes an agent and its conversations.
pub fn delete(ctx: &ConnectionCtx, cmd: AgentDeleteCommand) {
    let (success, error) = match ctx.runtime.store.delete_agent(&cmd.agent_id) {
        Ok(true) => (true, None),
        Ok(false) => (false, Some(format!("unknown agent {}", cmd.agent_id))),
        Err(err) => (false, Some(err.to_string())),
    };
    ctx.send(&ServerFrame::AgentDeleteResponse(AgentDeleteResponse {
        request_id: cmd.request_id,
        success,
        agent_id: cmd.agent_id,
        error,
    }));
}
