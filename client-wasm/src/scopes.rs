//! The runtimes a connection started, and how they are resumed after a reconnect.

use tether_protocol::external::RuntimeStartExternalToolsGroup;
use tether_protocol::lifecycle::{RuntimeStartCommand, SyncCommand};
use tether_protocol::{ClientFrame, RuntimeScope};

use crate::connection::Connection;

/// A runtime to resume: its scope and the external tools it was started with.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Remembered {
    pub(crate) scope: RuntimeScope,
    pub(crate) external_tools: Option<Vec<RuntimeStartExternalToolsGroup>>,
}

/// The runtimes started on a connection, once each.
#[derive(Default, Debug)]
pub(crate) struct Scopes {
    pub(crate) list: Vec<Remembered>,
}

impl Scopes {
    /// Remembers `scope` (replacing an earlier entry for the same agent and conversation).
    pub(crate) fn remember(&mut self, scope: RuntimeScope, external_tools: Option<Vec<RuntimeStartExternalToolsGroup>>) {
        let same = |r: &Remembered| r.scope.agent_id == scope.agent_id && r.scope.conversation_id == scope.conversation_id;
        self.list.retain(|r| !same(r));
        self.list.push(Remembered { scope, external_tools });
    }
}

/// After a reconnect: `runtime_start {agent_id, conversation_id}` then `sync` for each
/// remembered runtime, in order. Their answers reach `on_frame` listeners like any frame.
pub(crate) async fn resume(connection: Connection) {
    let remembered = connection.scopes_snapshot();
    for Remembered { scope, external_tools } in remembered {
        let start = RuntimeStartCommand {
            request_id: connection.next_request_id("resume-runtime-start"),
            agent_id: scope.agent_id.clone(),
            conversation_id: Some(scope.conversation_id.clone()),
            external_tools,
            ..RuntimeStartCommand::default()
        };
        // Raw requests: the answers reach `on_frame` listeners, and the npm build
        // carries no frame decoders.
        let Ok(start) = serde_json::to_value(ClientFrame::RuntimeStart(start)) else { continue };
        if connection.request_value(&start).await.is_err() {
            continue;
        }
        let sync = SyncCommand {
            runtime: scope,
            request_id: Some(connection.next_request_id("resume-sync")),
            recover_approvals: None,
            resume_interrupted_turn: None,
            force_device_status: None,
        };
        if let Ok(sync) = serde_json::to_value(ClientFrame::Sync(sync)) {
            let _ = connection.request_value(&sync).await;
        }
    }
}
