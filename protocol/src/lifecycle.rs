//! Lifecycle frames: capability discovery, runtime start, sync, abort, queue control and
//! device state changes. Turn input lives in [`crate::input`].

use serde::{Deserialize, Serialize};

use crate::agents::{AgentCreateParams, AgentState};
use crate::conversations::{Conversation, ConversationCreateBody};
use crate::external::RuntimeStartExternalToolsGroup;
use crate::scope::RuntimeScope;
use crate::status::SkillSource;

/// The protocol version tether speaks (`APP_SERVER_PROTOCOL_VERSION` in the reference).
pub const PROTOCOL_VERSION: u32 = 1;

/// `app_server_info`: asks the runtime what it is and what it can do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppServerInfoCommand {
    /// Echoed in the response so the client can correlate it.
    pub request_id: String,
}

/// `app_server_info_response`: the runtime's identity and capabilities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppServerInfoResponse {
    /// The `request_id` of the command being answered.
    pub request_id: String,
    /// Always `true`: discovery has no failure variant.
    pub success: bool,
    /// `"local"` for a runtime on this machine, `"api"` for a hosted backend.
    pub backend: String,
    /// The runtime's version (tether's, for tether).
    pub letta_code_version: String,
    /// Clients compare this with the version they support.
    pub protocol_version: u32,
    /// What this build can actually do.
    pub capabilities: Capabilities,
}

/// Capability flags of `app_server_info_response`; optional ones are omitted when unknown.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Capabilities {
    /// `agent_*` commands are served.
    pub agent_management: bool,
    /// `conversation_*` commands are served.
    pub conversation_management: bool,
    /// Memory (memfs) commands are served.
    pub memory_management: bool,
    /// `runtime_start` is served.
    pub runtime_start: bool,
    /// `launch_subagent` is served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_subagent: Option<bool>,
    /// `runtime_start.workspace_sandbox` is honoured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_workspace_sandbox: Option<bool>,
    /// `runtime_external_tools_update` is served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_external_tools_update: Option<bool>,
    /// `response_format` on inputs is honoured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_outputs: Option<bool>,
    /// Whether control and stream need separate sockets (tether: never).
    pub split_channels: bool,
}

/// How much the agent may do without asking (`DevicePermissionMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum DevicePermissionMode {
    /// Ask for anything risky.
    #[default]
    #[serde(rename = "standard")]
    Standard,
    /// File edits are allowed without asking.
    #[serde(rename = "acceptEdits")]
    AcceptEdits,
    /// Nothing is asked.
    #[serde(rename = "unrestricted")]
    Unrestricted,
    /// Everything is asked.
    #[serde(rename = "strict")]
    Strict,
}

/// `runtime_start` (`RuntimeStartCommand`): resolves (creating if asked) an agent and a
/// conversation, starts their runtime and subscribes the connection to it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RuntimeStartCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// Existing agent; exclusive with `create_agent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Create an agent first; exclusive with `agent_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_agent: Option<RuntimeStartCreateAgentOptions>,
    /// Existing conversation; exclusive with `create_conversation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Create a conversation; without an agent its body must give `model` and `system`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_conversation: Option<RuntimeStartCreateConversationOptions>,
    /// Source tags to merge into the conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_source_tags: Option<Vec<String>>,
    /// Initial working directory: omitted keeps it, `Some(None)` (`null`) resets it to
    /// the runtime's boot directory.
    #[serde(
        default,
        deserialize_with = "crate::wire::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub cwd: Option<Option<String>>,
    /// Initial permission mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<DevicePermissionMode>,
    /// CLI launch options for the conversation; omitted keeps the current ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_settings: Option<RuntimeExecutionSettings>,
    /// Confine the runtime to a sandboxed workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_sandbox: Option<WorkspaceSandbox>,
    /// Skill sources to load; omitted uses the default (see `preserve_skill_sources`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skill_sources: Option<Vec<SkillSource>>,
    /// Keep the current skill-source override when `skill_sources` is omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserve_skill_sources: Option<bool>,
    /// Who the client is, for diagnostics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_info: Option<RuntimeStartClientInfo>,
    /// Check the backend for stale pending approvals before replaying state (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recover_approvals: Option<bool>,
    /// Include `update_device_status` in the initial replay (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_device_status: Option<bool>,
    /// Answer only after the initial state replay was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_for_replay: Option<bool>,
    /// This start prepares the destination of a conversation teleport.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teleport_id: Option<String>,
    /// Controller-owned tools registered with the runtime atomically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_tools: Option<Vec<RuntimeStartExternalToolsGroup>>,
}

/// `runtime_start.create_agent` (`RuntimeStartCreateAgentOptions`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RuntimeStartCreateAgentOptions {
    /// Body for the Letta agents create API.
    pub body: AgentCreateParams,
    /// Pin the new agent globally (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_global: Option<bool>,
    /// Enable memfs; off for worker agents whose memory comes per session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memfs: Option<bool>,
}

/// `runtime_start.create_conversation` (`RuntimeStartCreateConversationOptions`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RuntimeStartCreateConversationOptions {
    /// Agent-backed create body, or an agent-free `model` + `system`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<ConversationCreateBody>,
}

/// `runtime_start.client_info` (`RuntimeStartClientInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeStartClientInfo {
    /// Client name.
    pub name: String,
    /// Display title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Client version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `runtime_start.workspace_sandbox`: where a sandboxed runtime may work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSandbox {
    /// Workspace root.
    pub root: String,
    /// Root of the isolated copy.
    pub isolation_root: String,
}

/// CLI execution options owned by one conversation (`RuntimeExecutionSettings`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RuntimeExecutionSettings {
    /// Tool names to load; omitted loads the toolset's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<String>>,
    /// Skills to load up front.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preload_skills: Option<Vec<String>>,
    /// Tools allowed without asking.
    pub allowed_tools: Vec<String>,
    /// Tools never allowed.
    pub disallowed_tools: Vec<String>,
    /// Turn limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_turns: Option<u32>,
    /// The parent agent, for subagents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_agent_id: Option<String>,
    /// `"subagent"` for subagent runtimes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_role: Option<String>,
    /// Where to write a transcript.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_path: Option<String>,
    /// Memory directory override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_directory: Option<String>,
    /// Let tools write the memory directory directly.
    pub disable_memory_guard: bool,
}

/// `runtime_start_response` (`RuntimeStartResponseMessage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuntimeStartResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the runtime started.
    pub success: bool,
    /// The started runtime, `null` on failure.
    pub runtime: Option<RuntimeScope>,
    /// Its agent, `null` on failure or for agent-free conversations.
    pub agent: Option<AgentState>,
    /// Its conversation, `null` on failure.
    pub conversation: Option<Conversation>,
    /// Echoed only when the requested execution options were applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_settings: Option<RuntimeExecutionSettings>,
    /// What was created.
    pub created: RuntimeStartCreated,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `runtime_start_response.created`: which resources the start created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RuntimeStartCreated {
    /// An agent was created.
    pub agent: bool,
    /// A conversation was created.
    pub conversation: bool,
}

/// `sync` (`SyncCommand`): replays a runtime's state to this connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCommand {
    /// The runtime.
    pub runtime: RuntimeScope,
    /// When set, `sync_response` follows the replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Consult the backend for stale approvals (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recover_approvals: Option<bool>,
    /// Owner only: resume an interrupted turn now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_interrupted_turn: Option<bool>,
    /// Include `update_device_status` even when unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_device_status: Option<bool>,
}

/// `sync_response` (`SyncResponseMessage`): the replay is complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// The runtime.
    pub runtime: RuntimeScope,
    /// Whether the replay happened.
    pub success: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `abort_message` (`AbortMessageCommand`): interrupts the active turn or approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbortMessageCommand {
    /// The runtime.
    pub runtime: RuntimeScope,
    /// When set, `abort_message_response` follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Only abort if this run is the active one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}

/// `abort_message_response` (`AbortMessageResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbortMessageResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// The runtime.
    pub runtime: RuntimeScope,
    /// Whether a turn or pending approval was interrupted.
    pub aborted: bool,
    /// Whether the command was handled.
    pub success: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `resume_queue` (`ResumeQueueCommand`): releases queue items parked by an interrupt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeQueueCommand {
    /// The runtime.
    pub runtime: RuntimeScope,
    /// When set, `resume_queue_response` follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// `resume_queue_response` (`ResumeQueueResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeQueueResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// The runtime.
    pub runtime: RuntimeScope,
    /// Items released.
    pub resumed: u32,
    /// Whether the command was handled.
    pub success: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `remove_queue_item` (`RemoveQueueItemCommand`): drops a queued input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveQueueItemCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The runtime.
    pub runtime: RuntimeScope,
    /// The queue item's `id`.
    pub item_id: String,
}

/// `remove_queue_item_response` (`RemoveQueueItemResponse`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveQueueItemResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the item was removed.
    pub success: bool,
    /// The item.
    pub item_id: String,
}

/// `change_device_state` (`ChangeDeviceStateCommand`): changes mode or cwd of a runtime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeDeviceStateCommand {
    /// The runtime.
    pub runtime: RuntimeScope,
    /// What to change.
    pub payload: ChangeDeviceStatePayload,
}

/// The changes of a `change_device_state` (`ChangeDeviceStatePayload`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangeDeviceStatePayload {
    /// New permission mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<DevicePermissionMode>,
    /// New working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// Agent the change applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Conversation the change applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
}
