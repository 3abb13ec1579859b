//! `app_server_info`: what this runtime is and can do.

use tether_protocol::lifecycle::{AppServerInfoCommand, AppServerInfoResponse, Capabilities, PROTOCOL_VERSION};
use tether_protocol::ServerFrame;

use crate::runtime::VERSION;
use crate::server::connection::ConnectionCtx;

/// Answers with capabilities that are true of this build.
pub fn app_server_info(ctx: &ConnectionCtx, cmd: AppServerInfoCommand) {
    let response = AppServerInfoResponse {
        request_id: cmd.request_id,
        success: true,
        backend: "local".to_owned(),
        letta_code_version: VERSION.to_owned(),
        protocol_version: PROTOCOL_VERSION,
        capabilities: Capabilities {
            agent_management: true,
            conversation_management: true,
            memory_management: false,
            runtime_start: true,
            launch_subagent: None,
            runtime_workspace_sandbox: None,
            runtime_external_tools_update: Some(true),
            structured_outputs: None,
            split_channels: false,
        },
    };
    ctx.send(&ServerFrame::AppServerInfoResponse(response));
}
