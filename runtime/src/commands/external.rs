//! `runtime_external_tools_update` and `external_tool_call_response`.

use tether_protocol::external::{ExternalToolCallResponseCommand, RuntimeExternalToolsUpdateCommand, RuntimeExternalToolsUpdateResponse};
use tether_protocol::ServerFrame;

use crate::server::connection::{error_frame, ConnectionCtx};

/// Replaces this connection's tools for each named conversation.
pub fn update(ctx: &ConnectionCtx, cmd: RuntimeExternalToolsUpdateCommand) {
    let mut unknown = Vec::new();
    for update in cmd.updates {
        for runtime in &update.runtimes {
            match ctx.runtime.store.conversation(&runtime.conversation_id) {
                Ok(Some(_)) => ctx.runtime.external.set(ctx.id, &ctx.outbox, &runtime.conversation_id, update.external_tools.clone()),
                _ => unknown.push(runtime.conversation_id.clone()),
            }
        }
    }
    let error = (!unknown.is_empty()).then(|| format!("unknown conversation(s): {}", unknown.join(", ")));
    ctx.send(&ServerFrame::RuntimeExternalToolsUpdateResponse(RuntimeExternalToolsUpdateResponse {
        request_id: cmd.request_id,
        success: error.is_none(),
        error,
    }));
}

/// Hands a controller's answer to the call waiting for it.
pub fn response(ctx: &ConnectionCtx, cmd: ExternalToolCallResponseCommand) {
    let request_id = cmd.request_id.clone();
    if !ctx.runtime.external.complete(ctx.id, cmd) {
        ctx.send_json(&error_frame(
            "unknown_call",
            &format!("no external tool call {request_id} is waiting for this connection (timed out or already answered)"),
            Some(&request_id),
            Some("external_tool_call_response"),
        ));
    }
}
