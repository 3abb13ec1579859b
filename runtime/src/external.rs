//! Controller-owned tools: definitions a connection registers for conversations, and
//! the calls the runtime routes back to that connection.
//!
//! Registrations belong to the connection that made them and vanish when it closes
//! (pending calls then fail at once). Unscoped groups are visible in every turn; a
//! group with a `scope_id` only in turns whose input names it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Map, Value};
use tether_protocol::external::{
    ExternalToolCallRequest, ExternalToolCallResponseCommand, ExternalToolDefinitionPayload, RuntimeStartExternalToolsGroup,
};
use tether_protocol::scope::RuntimeScope;
use tether_protocol::ServerFrame;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::conversation::ConnectionId;
use crate::server::outbox::Outbox;
use crate::store::new_id;
use crate::tools::ToolOutput;

/// How long a controller has to answer a call before the model gets a timeout error
/// (override with `TETHER_EXTERNAL_TOOL_TIMEOUT_MS`).
const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(120);

/// One tool a turn can offer, with the connection that executes it.
#[derive(Debug, Clone)]
pub struct ExternalTool {
    /// The definition as registered.
    pub definition: ExternalToolDefinitionPayload,
    /// The group's scope, if any.
    pub scope_id: Option<String>,
    /// The connection that registered (and executes) it.
    pub owner: ConnectionId,
    outbox: Outbox,
}

#[derive(Debug)]
struct Registration {
    outbox: Outbox,
    groups: Vec<RuntimeStartExternalToolsGroup>,
}

#[derive(Debug)]
struct PendingCall {
    owner: ConnectionId,
    reply: oneshot::Sender<Result<ToolOutput, String>>,
}

#[derive(Debug, Default)]
struct Inner {
    registrations: HashMap<(ConnectionId, String), Registration>,
    pending: HashMap<String, PendingCall>,
}

/// Every registration and in-flight call of the runtime.
#[derive(Debug, Default)]
pub struct ExternalTools {
    inner: Mutex<Inner>,
}

impl ExternalTools {
    /// Replaces what `owner` registered for a conversation (empty `groups` removes it).
    pub fn set(&self, owner: ConnectionId, outbox: &Outbox, conversation_id: &str, groups: Vec<RuntimeStartExternalToolsGroup>) {
        let Ok(mut inner) = self.inner.lock() else { return };
        let key = (owner, conversation_id.to_owned());
        if groups.iter().all(|g| g.tools.is_empty()) {
            inner.registrations.remove(&key);
        } else {
            inner.registrations.insert(key, Registration { outbox: outbox.clone(), groups });
        }
    }

    /// Forgets a closed connection's tools and fails its calls still in flight.
    pub fn drop_connection(&self, owner: ConnectionId) {
        let Ok(mut inner) = self.inner.lock() else { return };
        inner.registrations.retain(|(conn, _), _| *conn != owner);
        let gone: Vec<String> = inner.pending.iter().filter(|(_, p)| p.owner == owner).map(|(id, _)| id.clone()).collect();
        for id in gone {
            if let Some(call) = inner.pending.remove(&id) {
                let _ = call.reply.send(Err("the controller that owns this tool disconnected".to_owned()));
            }
        }
    }

    /// The tools visible in a turn of `conversation_id` with these scope ids, first
    /// registration winning on a name clash.
    pub fn visible(&self, conversation_id: &str, scope_ids: Option<&[String]>) -> Vec<ExternalTool> {
        let Ok(inner) = self.inner.lock() else { return Vec::new() };
        let mut tools: Vec<ExternalTool> = Vec::new();
        let mut keys: Vec<&(ConnectionId, String)> = inner.registrations.keys().filter(|(_, c)| c == conversation_id).collect();
        keys.sort();
        for key in keys {
            let Some(registration) = inner.registrations.get(key) else { continue };
            if registration.outbox.is_closed() {
                continue;
            }
            for group in &registration.groups {
                let in_scope = match &group.scope_id {
                    None => true,
                    Some(scope) => scope_ids.is_some_and(|ids| ids.iter().any(|id| id == scope)),
                };
                for definition in group.tools.iter().filter(|_| in_scope) {
                    if tools.iter().any(|t| t.definition.name == definition.name) {
                        continue;
                    }
                    tools.push(ExternalTool {
                        definition: definition.clone(),
                        scope_id: group.scope_id.clone(),
                        owner: key.0,
                        outbox: registration.outbox.clone(),
                    });
                }
            }
        }
        tools
    }

    /// Asks the owning connection to run the tool and waits for its answer, the timeout,
    /// the owner's disconnection, or `cancel`.
    pub async fn call(
        &self,
        tool: &ExternalTool,
        runtime: &RuntimeScope,
        tool_call_id: &str,
        input: Map<String, Value>,
        cancel: &CancellationToken,
    ) -> ToolOutput {
        let request_id = new_id("external-call");
        let (reply, answer) = oneshot::channel();
        match self.inner.lock() {
            Ok(mut inner) => {
                inner.pending.insert(request_id.clone(), PendingCall { owner: tool.owner, reply });
            }
            Err(_) => return ToolOutput { content: "external tool registry unavailable".to_owned(), is_error: true },
        }
        let frame = ServerFrame::ExternalToolCallRequest(ExternalToolCallRequest {
            request_id: request_id.clone(),
            runtime: Some(runtime.clone()),
            scope_id: tool.scope_id.clone(),
            tool_call_id: tool_call_id.to_owned(),
            tool_name: tool.definition.name.clone(),
            input,
        });
        match serde_json::to_string(&frame) {
            Ok(text) => tool.outbox.push(text),
            Err(err) => tracing::error!("cannot serialize an external tool call: {err}"),
        }
        let timeout = call_timeout();
        let outcome = tokio::select! {
            answer = answer => answer.unwrap_or_else(|_| Err("the call was dropped".to_owned())),
            () = tokio::time::sleep(timeout) => Err(format!(
                "the controller did not answer {} within {} s", tool.definition.name, timeout.as_secs_f32())),
            () = cancel.cancelled() => Err("interrupted by the user".to_owned()),
        };
        if let Ok(mut inner) = self.inner.lock() {
            inner.pending.remove(&request_id);
        }
        outcome.unwrap_or_else(|error| ToolOutput { content: error, is_error: true })
    }

    /// Delivers a controller's answer; false when no such call waits for `owner`.
    pub fn complete(&self, owner: ConnectionId, response: ExternalToolCallResponseCommand) -> bool {
        let Ok(mut inner) = self.inner.lock() else { return false };
        if inner.pending.get(&response.request_id).is_none_or(|p| p.owner != owner) {
            return false;
        }
        let Some(call) = inner.pending.remove(&response.request_id) else { return false };
        let outcome = match (response.result, response.error) {
            (_, Some(error)) => Ok(ToolOutput { content: error, is_error: true }),
            (Some(result), None) => {
                let content = result
                    .content
                    .iter()
                    .map(|part| match (&part.text, &part.data) {
                        (Some(text), _) => text.clone(),
                        (None, Some(_)) => format!("[{} content, {}]", part.kind, part.mime_type.as_deref().unwrap_or("binary")),
                        (None, None) => String::new(),
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                Ok(ToolOutput { content, is_error: result.is_error.unwrap_or(false) })
            }
            (None, None) => Ok(ToolOutput { content: "the controller answered with neither result nor error".to_owned(), is_error: true }),
        };
        let _ = call.reply.send(outcome);
        true
    }
}

fn call_timeout() -> Duration {
    std::env::var("TETHER_EXTERNAL_TOOL_TIMEOUT_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_CALL_TIMEOUT)
}
