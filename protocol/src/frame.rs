//! The two frame unions on the socket, and how text becomes one of them.
//!
//! Decoding is two-step so that errors are precise and unknown frames survive: the text
//! is parsed into a JSON value, its `type` picks the Rust type, and that type is decoded
//! with the path of any bad field recorded. An unrecognised `type` is kept verbatim as
//! [`ClientFrame::Unknown`] / [`ServerFrame::Unknown`], never an error.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::agents::{
    AgentCreateCommand, AgentDeleteCommand, AgentDeleteResponse, AgentListCommand,
    AgentListResponse, AgentResponse, AgentRetrieveCommand, AgentUpdateCommand, CreateAgentCommand,
    CreateAgentResponse,
};
use crate::approval::ControlRequest;
use crate::commands::{
    ExecuteCommandCommand, ExecuteCommandResponse, MonitorStopCommand, MonitorStopResponse,
};
use crate::conversations::{
    ConversationCompactCommand, ConversationCompactResponse, ConversationCreateCommand,
    ConversationForkCommand, ConversationForkResponse, ConversationListCommand,
    ConversationListResponse, ConversationMessagesListCommand, ConversationMessagesListResponse,
    ConversationRecompileCommand, ConversationRecompileResponse, ConversationResponse,
    ConversationRetrieveCommand, ConversationUpdateCommand,
};
use crate::cron::{
    CronAddCommand, CronAddResponse, CronDeleteAllCommand, CronDeleteAllResponse,
    CronDeleteResponse, CronGetResponse, CronListCommand, CronListResponse, CronResumeCommand,
    CronRunsCommand, CronRunsResponse, CronTaskChangeResponse, CronTaskCommand, CronUpdateCommand,
    CronUpdateResponse, CronsUpdated,
};
use crate::error::FrameError;
use crate::external::{
    ExternalToolCallRequest, ExternalToolCallResponseCommand, RuntimeExternalToolsUpdateCommand,
    RuntimeExternalToolsUpdateResponse,
};
use crate::input::{InputAccepted, InputCommand, TurnFinished};
use crate::legacy::{
    ApprovalReceived, ApprovalRequested, MessageEnvelope, ToolExecutionFinished,
    ToolExecutionStarted,
};
use crate::lifecycle::{
    AbortMessageCommand, AbortMessageResponse, AppServerInfoCommand, AppServerInfoResponse,
    ChangeDeviceStateCommand, RemoveQueueItemCommand, RemoveQueueItemResponse, ResumeQueueCommand,
    ResumeQueueResponse, RuntimeStartCommand, RuntimeStartResponse, SyncCommand, SyncResponse,
};
use crate::models::{
    ListModelsCommand, ListModelsResponse, UpdateModelCommand, UpdateModelResponse,
    UpdateToolsetCommand, UpdateToolsetResponse,
};
use crate::scope::RuntimeEnvelope;
use crate::status::{DeviceStatusUpdate, LoopStatusUpdate, QueueUpdate};
use crate::stream::StreamDeltaMessage;
use crate::wire::split_path;

/// Every frame a client (controller, UI) sends to the runtime: `WsProtocolCommand`.
// Frames are built once and moved a few times; boxing the big variants would only make
// every construction and match noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum ClientFrame {
    /// `app_server_info`: capability discovery.
    #[serde(rename = "app_server_info")]
    AppServerInfo(AppServerInfoCommand),
    /// `runtime_start`: resolve/create agent and conversation, start their runtime.
    #[serde(rename = "runtime_start")]
    RuntimeStart(RuntimeStartCommand),
    /// `sync`: replay a runtime's state.
    #[serde(rename = "sync")]
    Sync(SyncCommand),
    /// `input`: a message or approval for a runtime.
    #[serde(rename = "input")]
    Input(InputCommand),
    /// `abort_message`: interrupt the active turn.
    #[serde(rename = "abort_message")]
    AbortMessage(AbortMessageCommand),
    /// `resume_queue`: release parked queue items.
    #[serde(rename = "resume_queue")]
    ResumeQueue(ResumeQueueCommand),
    /// `remove_queue_item`: drop a queued input.
    #[serde(rename = "remove_queue_item")]
    RemoveQueueItem(RemoveQueueItemCommand),
    /// `change_device_state`: change permission mode or cwd.
    #[serde(rename = "change_device_state")]
    ChangeDeviceState(ChangeDeviceStateCommand),
    /// `runtime_external_tools_update`: replace this connection's external tools.
    #[serde(rename = "runtime_external_tools_update")]
    RuntimeExternalToolsUpdate(RuntimeExternalToolsUpdateCommand),
    /// `external_tool_call_response`: result of an external tool call.
    #[serde(rename = "external_tool_call_response")]
    ExternalToolCallResponse(ExternalToolCallResponseCommand),
    /// `execute_command`: run a slash command.
    #[serde(rename = "execute_command")]
    ExecuteCommand(ExecuteCommandCommand),
    /// `monitor_stop`: stop a background monitor.
    #[serde(rename = "monitor_stop")]
    MonitorStop(MonitorStopCommand),
    /// `list_models`: the model catalog.
    #[serde(rename = "list_models")]
    ListModels(ListModelsCommand),
    /// `update_model`: switch a runtime's model.
    #[serde(rename = "update_model")]
    UpdateModel(UpdateModelCommand),
    /// `update_toolset`: switch a runtime's toolset.
    #[serde(rename = "update_toolset")]
    UpdateToolset(UpdateToolsetCommand),
    /// `create_agent`: create an agent from a preset.
    #[serde(rename = "create_agent")]
    CreateAgent(CreateAgentCommand),
    /// `agent_list`: list agents.
    #[serde(rename = "agent_list")]
    AgentList(AgentListCommand),
    /// `agent_retrieve`: fetch one agent.
    #[serde(rename = "agent_retrieve")]
    AgentRetrieve(AgentRetrieveCommand),
    /// `agent_create`: create an agent from a full body.
    #[serde(rename = "agent_create")]
    AgentCreate(AgentCreateCommand),
    /// `agent_update`: change an agent.
    #[serde(rename = "agent_update")]
    AgentUpdate(AgentUpdateCommand),
    /// `agent_delete`: delete an agent.
    #[serde(rename = "agent_delete")]
    AgentDelete(AgentDeleteCommand),
    /// `conversation_list`: list conversations.
    #[serde(rename = "conversation_list")]
    ConversationList(ConversationListCommand),
    /// `conversation_retrieve`: fetch one conversation.
    #[serde(rename = "conversation_retrieve")]
    ConversationRetrieve(ConversationRetrieveCommand),
    /// `conversation_create`: create a conversation.
    #[serde(rename = "conversation_create")]
    ConversationCreate(ConversationCreateCommand),
    /// `conversation_update`: change a conversation.
    #[serde(rename = "conversation_update")]
    ConversationUpdate(ConversationUpdateCommand),
    /// `conversation_fork`: copy a conversation.
    #[serde(rename = "conversation_fork")]
    ConversationFork(ConversationForkCommand),
    /// `conversation_recompile`: rebuild the system prompt.
    #[serde(rename = "conversation_recompile")]
    ConversationRecompile(ConversationRecompileCommand),
    /// `conversation_compact`: summarise history now.
    #[serde(rename = "conversation_compact")]
    ConversationCompact(ConversationCompactCommand),
    /// `conversation_messages_list`: a page of history.
    #[serde(rename = "conversation_messages_list")]
    ConversationMessagesList(ConversationMessagesListCommand),
    /// `cron_list`: list scheduled tasks.
    #[serde(rename = "cron_list")]
    CronList(CronListCommand),
    /// `cron_add`: schedule a prompt.
    #[serde(rename = "cron_add")]
    CronAdd(CronAddCommand),
    /// `cron_get`: fetch one task.
    #[serde(rename = "cron_get")]
    CronGet(CronTaskCommand),
    /// `cron_runs`: a task's run log.
    #[serde(rename = "cron_runs")]
    CronRuns(CronRunsCommand),
    /// `cron_trigger`: run a task now.
    #[serde(rename = "cron_trigger")]
    CronTrigger(CronTaskCommand),
    /// `cron_pause`: pause a task.
    #[serde(rename = "cron_pause")]
    CronPause(CronTaskCommand),
    /// `cron_resume`: resume a task.
    #[serde(rename = "cron_resume")]
    CronResume(CronResumeCommand),
    /// `cron_update`: change a task.
    #[serde(rename = "cron_update")]
    CronUpdate(CronUpdateCommand),
    /// `cron_delete`: delete a task.
    #[serde(rename = "cron_delete")]
    CronDelete(CronTaskCommand),
    /// `cron_delete_all`: delete every task of an agent.
    #[serde(rename = "cron_delete_all")]
    CronDeleteAll(CronDeleteAllCommand),
    /// A frame whose `type` this build does not know, kept as it arrived.
    #[serde(untagged)]
    Unknown(Value),
}

/// Every frame the runtime sends to its clients: `WsProtocolMessage`, plus the legacy
/// lifecycle events of `protocol.d.ts`.
// Frames are built once and moved a few times; boxing the big variants would only make
// every construction and match noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum ServerFrame {
    /// `app_server_info_response`: identity and capabilities.
    #[serde(rename = "app_server_info_response")]
    AppServerInfoResponse(AppServerInfoResponse),
    /// `runtime_start_response`: the started runtime.
    #[serde(rename = "runtime_start_response")]
    RuntimeStartResponse(RuntimeStartResponse),
    /// `sync_response`: the replay is complete.
    #[serde(rename = "sync_response")]
    SyncResponse(SyncResponse),
    /// `input_accepted`: an input was accepted or refused.
    #[serde(rename = "input_accepted")]
    InputAccepted(InputAccepted),
    /// `abort_message_response`: result of an abort.
    #[serde(rename = "abort_message_response")]
    AbortMessageResponse(AbortMessageResponse),
    /// `resume_queue_response`: result of a queue resume.
    #[serde(rename = "resume_queue_response")]
    ResumeQueueResponse(ResumeQueueResponse),
    /// `remove_queue_item_response`: result of a queue removal.
    #[serde(rename = "remove_queue_item_response")]
    RemoveQueueItemResponse(RemoveQueueItemResponse),
    /// `turn_finished`: a turn ended.
    #[serde(rename = "turn_finished")]
    TurnFinished(TurnFinished),
    /// `update_device_status`: device execution context.
    #[serde(rename = "update_device_status")]
    UpdateDeviceStatus(DeviceStatusUpdate),
    /// `update_loop_status`: agent loop state.
    #[serde(rename = "update_loop_status")]
    UpdateLoopStatus(LoopStatusUpdate),
    /// `update_queue`: input queue snapshot.
    #[serde(rename = "update_queue")]
    UpdateQueue(QueueUpdate),
    /// `stream_delta`: live turn output.
    #[serde(rename = "stream_delta")]
    StreamDelta(StreamDeltaMessage),
    /// `control_request`: an approval is needed.
    #[serde(rename = "control_request")]
    ControlRequest(ControlRequest),
    /// `runtime_external_tools_update_response`: result of a tools update.
    #[serde(rename = "runtime_external_tools_update_response")]
    RuntimeExternalToolsUpdateResponse(RuntimeExternalToolsUpdateResponse),
    /// `external_tool_call_request`: run an external tool.
    #[serde(rename = "external_tool_call_request")]
    ExternalToolCallRequest(ExternalToolCallRequest),
    /// `execute_command_response`: slash command output.
    #[serde(rename = "execute_command_response")]
    ExecuteCommandResponse(ExecuteCommandResponse),
    /// `monitor_stop_response`: result of a monitor stop.
    #[serde(rename = "monitor_stop_response")]
    MonitorStopResponse(MonitorStopResponse),
    /// `list_models_response`: the model catalog.
    #[serde(rename = "list_models_response")]
    ListModelsResponse(ListModelsResponse),
    /// `update_model_response`: result of a model switch.
    #[serde(rename = "update_model_response")]
    UpdateModelResponse(UpdateModelResponse),
    /// `update_toolset_response`: result of a toolset switch.
    #[serde(rename = "update_toolset_response")]
    UpdateToolsetResponse(UpdateToolsetResponse),
    /// `create_agent_response`: the preset agent.
    #[serde(rename = "create_agent_response")]
    CreateAgentResponse(CreateAgentResponse),
    /// `agent_list_response`: the agents.
    #[serde(rename = "agent_list_response")]
    AgentListResponse(AgentListResponse),
    /// `agent_retrieve_response`: one agent.
    #[serde(rename = "agent_retrieve_response")]
    AgentRetrieveResponse(AgentResponse),
    /// `agent_create_response`: the created agent.
    #[serde(rename = "agent_create_response")]
    AgentCreateResponse(AgentResponse),
    /// `agent_update_response`: the updated agent.
    #[serde(rename = "agent_update_response")]
    AgentUpdateResponse(AgentResponse),
    /// `agent_delete_response`: result of a deletion.
    #[serde(rename = "agent_delete_response")]
    AgentDeleteResponse(AgentDeleteResponse),
    /// `conversation_list_response`: the conversations.
    #[serde(rename = "conversation_list_response")]
    ConversationListResponse(ConversationListResponse),
    /// `conversation_retrieve_response`: one conversation.
    #[serde(rename = "conversation_retrieve_response")]
    ConversationRetrieveResponse(ConversationResponse),
    /// `conversation_create_response`: the created conversation.
    #[serde(rename = "conversation_create_response")]
    ConversationCreateResponse(ConversationResponse),
    /// `conversation_update_response`: the updated conversation.
    #[serde(rename = "conversation_update_response")]
    ConversationUpdateResponse(ConversationResponse),
    /// `conversation_fork_response`: the fork.
    #[serde(rename = "conversation_fork_response")]
    ConversationForkResponse(ConversationForkResponse),
    /// `conversation_recompile_response`: the recompiled prompt.
    #[serde(rename = "conversation_recompile_response")]
    ConversationRecompileResponse(ConversationRecompileResponse),
    /// `conversation_compact_response`: the compaction.
    #[serde(rename = "conversation_compact_response")]
    ConversationCompactResponse(ConversationCompactResponse),
    /// `conversation_messages_list_response`: a page of history.
    #[serde(rename = "conversation_messages_list_response")]
    ConversationMessagesListResponse(ConversationMessagesListResponse),
    /// `cron_list_response`: the tasks.
    #[serde(rename = "cron_list_response")]
    CronListResponse(CronListResponse),
    /// `cron_add_response`: the new task.
    #[serde(rename = "cron_add_response")]
    CronAddResponse(CronAddResponse),
    /// `cron_get_response`: one task.
    #[serde(rename = "cron_get_response")]
    CronGetResponse(CronGetResponse),
    /// `cron_runs_response`: a run log page.
    #[serde(rename = "cron_runs_response")]
    CronRunsResponse(CronRunsResponse),
    /// `cron_trigger_response`: the triggered task.
    #[serde(rename = "cron_trigger_response")]
    CronTriggerResponse(CronTaskChangeResponse),
    /// `cron_pause_response`: the paused task.
    #[serde(rename = "cron_pause_response")]
    CronPauseResponse(CronTaskChangeResponse),
    /// `cron_resume_response`: the resumed task.
    #[serde(rename = "cron_resume_response")]
    CronResumeResponse(CronTaskChangeResponse),
    /// `cron_update_response`: the updated task.
    #[serde(rename = "cron_update_response")]
    CronUpdateResponse(CronUpdateResponse),
    /// `cron_delete_response`: result of a deletion.
    #[serde(rename = "cron_delete_response")]
    CronDeleteResponse(CronDeleteResponse),
    /// `cron_delete_all_response`: result of a bulk deletion.
    #[serde(rename = "cron_delete_all_response")]
    CronDeleteAllResponse(CronDeleteAllResponse),
    /// `crons_updated`: tasks changed.
    #[serde(rename = "crons_updated")]
    CronsUpdated(CronsUpdated),
    /// `approval_requested` (legacy telemetry).
    #[serde(rename = "approval_requested")]
    ApprovalRequested(ApprovalRequested),
    /// `approval_received` (legacy telemetry).
    #[serde(rename = "approval_received")]
    ApprovalReceived(ApprovalReceived),
    /// `tool_execution_started` (legacy telemetry).
    #[serde(rename = "tool_execution_started")]
    ToolExecutionStarted(ToolExecutionStarted),
    /// `tool_execution_finished` (legacy telemetry).
    #[serde(rename = "tool_execution_finished")]
    ToolExecutionFinished(ToolExecutionFinished),
    /// A frame whose `type` this build does not know, kept as it arrived.
    #[serde(untagged)]
    Unknown(Value),
}

impl ClientFrame {
    /// Decodes one text frame from the socket.
    pub fn from_json(text: &str) -> Result<Self, FrameError> {
        Self::from_value(parse_object(text)?)
    }

    /// Decodes a frame already parsed as JSON.
    pub fn from_value(value: Value) -> Result<Self, FrameError> {
        let frame_type = frame_type(&value)?;
        let t = frame_type.as_str();
        Ok(match t {
            "app_server_info" => Self::AppServerInfo(decode(t, value)?),
            "runtime_start" => Self::RuntimeStart(decode(t, value)?),
            "sync" => Self::Sync(decode(t, value)?),
            "input" => Self::Input(decode(t, value)?),
            "abort_message" => Self::AbortMessage(decode(t, value)?),
            "resume_queue" => Self::ResumeQueue(decode(t, value)?),
            "remove_queue_item" => Self::RemoveQueueItem(decode(t, value)?),
            "change_device_state" => Self::ChangeDeviceState(decode(t, value)?),
            "runtime_external_tools_update" => Self::RuntimeExternalToolsUpdate(decode(t, value)?),
            "external_tool_call_response" => Self::ExternalToolCallResponse(decode(t, value)?),
            "execute_command" => Self::ExecuteCommand(decode(t, value)?),
            "monitor_stop" => Self::MonitorStop(decode(t, value)?),
            "list_models" => Self::ListModels(decode(t, value)?),
            "update_model" => Self::UpdateModel(decode(t, value)?),
            "update_toolset" => Self::UpdateToolset(decode(t, value)?),
            "create_agent" => Self::CreateAgent(decode(t, value)?),
            "agent_list" => Self::AgentList(decode(t, value)?),
            "agent_retrieve" => Self::AgentRetrieve(decode(t, value)?),
            "agent_create" => Self::AgentCreate(decode(t, value)?),
            "agent_update" => Self::AgentUpdate(decode(t, value)?),
            "agent_delete" => Self::AgentDelete(decode(t, value)?),
            "conversation_list" => Self::ConversationList(decode(t, value)?),
            "conversation_retrieve" => Self::ConversationRetrieve(decode(t, value)?),
            "conversation_create" => Self::ConversationCreate(decode(t, value)?),
            "conversation_update" => Self::ConversationUpdate(decode(t, value)?),
            "conversation_fork" => Self::ConversationFork(decode(t, value)?),
            "conversation_recompile" => Self::ConversationRecompile(decode(t, value)?),
            "conversation_compact" => Self::ConversationCompact(decode(t, value)?),
            "conversation_messages_list" => Self::ConversationMessagesList(decode(t, value)?),
            "cron_list" => Self::CronList(decode(t, value)?),
            "cron_add" => Self::CronAdd(decode(t, value)?),
            "cron_get" => Self::CronGet(decode(t, value)?),
            "cron_runs" => Self::CronRuns(decode(t, value)?),
            "cron_trigger" => Self::CronTrigger(decode(t, value)?),
            "cron_pause" => Self::CronPause(decode(t, value)?),
            "cron_resume" => Self::CronResume(decode(t, value)?),
            "cron_update" => Self::CronUpdate(decode(t, value)?),
            "cron_delete" => Self::CronDelete(decode(t, value)?),
            "cron_delete_all" => Self::CronDeleteAll(decode(t, value)?),
            _ => Self::Unknown(value),
        })
    }

    /// The wire `type` of this frame.
    pub fn frame_type(&self) -> &str {
        match self {
            Self::AppServerInfo(_) => "app_server_info",
            Self::RuntimeStart(_) => "runtime_start",
            Self::Sync(_) => "sync",
            Self::Input(_) => "input",
            Self::AbortMessage(_) => "abort_message",
            Self::ResumeQueue(_) => "resume_queue",
            Self::RemoveQueueItem(_) => "remove_queue_item",
            Self::ChangeDeviceState(_) => "change_device_state",
            Self::RuntimeExternalToolsUpdate(_) => "runtime_external_tools_update",
            Self::ExternalToolCallResponse(_) => "external_tool_call_response",
            Self::ExecuteCommand(_) => "execute_command",
            Self::MonitorStop(_) => "monitor_stop",
            Self::ListModels(_) => "list_models",
            Self::UpdateModel(_) => "update_model",
            Self::UpdateToolset(_) => "update_toolset",
            Self::CreateAgent(_) => "create_agent",
            Self::AgentList(_) => "agent_list",
            Self::AgentRetrieve(_) => "agent_retrieve",
            Self::AgentCreate(_) => "agent_create",
            Self::AgentUpdate(_) => "agent_update",
            Self::AgentDelete(_) => "agent_delete",
            Self::ConversationList(_) => "conversation_list",
            Self::ConversationRetrieve(_) => "conversation_retrieve",
            Self::ConversationCreate(_) => "conversation_create",
            Self::ConversationUpdate(_) => "conversation_update",
            Self::ConversationFork(_) => "conversation_fork",
            Self::ConversationRecompile(_) => "conversation_recompile",
            Self::ConversationCompact(_) => "conversation_compact",
            Self::ConversationMessagesList(_) => "conversation_messages_list",
            Self::CronList(_) => "cron_list",
            Self::CronAdd(_) => "cron_add",
            Self::CronGet(_) => "cron_get",
            Self::CronRuns(_) => "cron_runs",
            Self::CronTrigger(_) => "cron_trigger",
            Self::CronPause(_) => "cron_pause",
            Self::CronResume(_) => "cron_resume",
            Self::CronUpdate(_) => "cron_update",
            Self::CronDelete(_) => "cron_delete",
            Self::CronDeleteAll(_) => "cron_delete_all",
            Self::Unknown(value) => value.get("type").and_then(Value::as_str).unwrap_or(""),
        }
    }

    /// The `request_id` the response will echo; `None` when the command has none.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::AppServerInfo(f) => Some(&f.request_id),
            Self::RuntimeStart(f) => Some(&f.request_id),
            Self::Sync(f) => f.request_id.as_deref(),
            Self::Input(f) => f.request_id.as_deref(),
            Self::AbortMessage(f) => f.request_id.as_deref(),
            Self::ResumeQueue(f) => f.request_id.as_deref(),
            Self::RemoveQueueItem(f) => Some(&f.request_id),
            Self::ChangeDeviceState(_) => None,
            Self::RuntimeExternalToolsUpdate(f) => Some(&f.request_id),
            Self::ExternalToolCallResponse(f) => Some(&f.request_id),
            Self::ExecuteCommand(f) => Some(&f.request_id),
            Self::MonitorStop(f) => Some(&f.request_id),
            Self::ListModels(f) => Some(&f.request_id),
            Self::UpdateModel(f) => Some(&f.request_id),
            Self::UpdateToolset(f) => Some(&f.request_id),
            Self::CreateAgent(f) => Some(&f.request_id),
            Self::AgentList(f) => Some(&f.request_id),
            Self::AgentRetrieve(f) => Some(&f.request_id),
            Self::AgentCreate(f) => Some(&f.request_id),
            Self::AgentUpdate(f) => Some(&f.request_id),
            Self::AgentDelete(f) => Some(&f.request_id),
            Self::ConversationList(f) => Some(&f.request_id),
            Self::ConversationRetrieve(f) => Some(&f.request_id),
            Self::ConversationCreate(f) => Some(&f.request_id),
            Self::ConversationUpdate(f) => Some(&f.request_id),
            Self::ConversationFork(f) => Some(&f.request_id),
            Self::ConversationRecompile(f) => Some(&f.request_id),
            Self::ConversationCompact(f) => Some(&f.request_id),
            Self::ConversationMessagesList(f) => Some(&f.request_id),
            Self::CronList(f) => Some(&f.request_id),
            Self::CronAdd(f) => Some(&f.request_id),
            Self::CronGet(f) | Self::CronTrigger(f) | Self::CronPause(f) | Self::CronDelete(f) => {
                Some(&f.request_id)
            }
            Self::CronRuns(f) => Some(&f.request_id),
            Self::CronResume(f) => Some(&f.request_id),
            Self::CronUpdate(f) => Some(&f.request_id),
            Self::CronDeleteAll(f) => Some(&f.request_id),
            Self::Unknown(value) => unknown_request_id(value),
        }
    }
}

impl ServerFrame {
    /// Decodes one text frame from the socket.
    pub fn from_json(text: &str) -> Result<Self, FrameError> {
        Self::from_value(parse_object(text)?)
    }

    /// Decodes a frame already parsed as JSON.
    pub fn from_value(value: Value) -> Result<Self, FrameError> {
        let frame_type = frame_type(&value)?;
        let t = frame_type.as_str();
        Ok(match t {
            "app_server_info_response" => Self::AppServerInfoResponse(decode(t, value)?),
            "runtime_start_response" => Self::RuntimeStartResponse(decode(t, value)?),
            "sync_response" => Self::SyncResponse(decode(t, value)?),
            "input_accepted" => Self::InputAccepted(decode(t, value)?),
            "abort_message_response" => Self::AbortMessageResponse(decode(t, value)?),
            "resume_queue_response" => Self::ResumeQueueResponse(decode(t, value)?),
            "remove_queue_item_response" => Self::RemoveQueueItemResponse(decode(t, value)?),
            "turn_finished" => Self::TurnFinished(decode_runtime_event(t, value)?),
            "update_device_status" => Self::UpdateDeviceStatus(decode_runtime_event(t, value)?),
            "update_loop_status" => Self::UpdateLoopStatus(decode_runtime_event(t, value)?),
            "update_queue" => Self::UpdateQueue(decode_runtime_event(t, value)?),
            "stream_delta" => Self::StreamDelta(decode_runtime_event(t, value)?),
            "control_request" => Self::ControlRequest(decode(t, value)?),
            "runtime_external_tools_update_response" => {
                Self::RuntimeExternalToolsUpdateResponse(decode(t, value)?)
            }
            "external_tool_call_request" => Self::ExternalToolCallRequest(decode(t, value)?),
            "execute_command_response" => Self::ExecuteCommandResponse(decode(t, value)?),
            "monitor_stop_response" => Self::MonitorStopResponse(decode(t, value)?),
            "list_models_response" => Self::ListModelsResponse(decode(t, value)?),
            "update_model_response" => Self::UpdateModelResponse(decode(t, value)?),
            "update_toolset_response" => Self::UpdateToolsetResponse(decode(t, value)?),
            "create_agent_response" => Self::CreateAgentResponse(decode(t, value)?),
            "agent_list_response" => Self::AgentListResponse(decode(t, value)?),
            "agent_retrieve_response" => Self::AgentRetrieveResponse(decode(t, value)?),
            "agent_create_response" => Self::AgentCreateResponse(decode(t, value)?),
            "agent_update_response" => Self::AgentUpdateResponse(decode(t, value)?),
            "agent_delete_response" => Self::AgentDeleteResponse(decode(t, value)?),
            "conversation_list_response" => Self::ConversationListResponse(decode(t, value)?),
            "conversation_retrieve_response" => {
                Self::ConversationRetrieveResponse(decode(t, value)?)
            }
            "conversation_create_response" => Self::ConversationCreateResponse(decode(t, value)?),
            "conversation_update_response" => Self::ConversationUpdateResponse(decode(t, value)?),
            "conversation_fork_response" => Self::ConversationForkResponse(decode(t, value)?),
            "conversation_recompile_response" => {
                Self::ConversationRecompileResponse(decode(t, value)?)
            }
            "conversation_compact_response" => Self::ConversationCompactResponse(decode(t, value)?),
            "conversation_messages_list_response" => {
                Self::ConversationMessagesListResponse(decode(t, value)?)
            }
            "cron_list_response" => Self::CronListResponse(decode(t, value)?),
            "cron_add_response" => Self::CronAddResponse(decode(t, value)?),
            "cron_get_response" => Self::CronGetResponse(decode(t, value)?),
            "cron_runs_response" => Self::CronRunsResponse(decode(t, value)?),
            "cron_trigger_response" => Self::CronTriggerResponse(decode(t, value)?),
            "cron_pause_response" => Self::CronPauseResponse(decode(t, value)?),
            "cron_resume_response" => Self::CronResumeResponse(decode(t, value)?),
            "cron_update_response" => Self::CronUpdateResponse(decode(t, value)?),
            "cron_delete_response" => Self::CronDeleteResponse(decode(t, value)?),
            "cron_delete_all_response" => Self::CronDeleteAllResponse(decode(t, value)?),
            "crons_updated" => Self::CronsUpdated(decode(t, value)?),
            "approval_requested" => Self::ApprovalRequested(decode_legacy_event(t, value)?),
            "approval_received" => Self::ApprovalReceived(decode_legacy_event(t, value)?),
            "tool_execution_started" => Self::ToolExecutionStarted(decode_legacy_event(t, value)?),
            "tool_execution_finished" => {
                Self::ToolExecutionFinished(decode_legacy_event(t, value)?)
            }
            _ => Self::Unknown(value),
        })
    }

    /// The wire `type` of this frame.
    pub fn frame_type(&self) -> &str {
        match self {
            Self::AppServerInfoResponse(_) => "app_server_info_response",
            Self::RuntimeStartResponse(_) => "runtime_start_response",
            Self::SyncResponse(_) => "sync_response",
            Self::InputAccepted(_) => "input_accepted",
            Self::AbortMessageResponse(_) => "abort_message_response",
            Self::ResumeQueueResponse(_) => "resume_queue_response",
            Self::RemoveQueueItemResponse(_) => "remove_queue_item_response",
            Self::TurnFinished(_) => "turn_finished",
            Self::UpdateDeviceStatus(_) => "update_device_status",
            Self::UpdateLoopStatus(_) => "update_loop_status",
            Self::UpdateQueue(_) => "update_queue",
            Self::StreamDelta(_) => "stream_delta",
            Self::ControlRequest(_) => "control_request",
            Self::RuntimeExternalToolsUpdateResponse(_) => "runtime_external_tools_update_response",
            Self::ExternalToolCallRequest(_) => "external_tool_call_request",
            Self::ExecuteCommandResponse(_) => "execute_command_response",
            Self::MonitorStopResponse(_) => "monitor_stop_response",
            Self::ListModelsResponse(_) => "list_models_response",
            Self::UpdateModelResponse(_) => "update_model_response",
            Self::UpdateToolsetResponse(_) => "update_toolset_response",
            Self::CreateAgentResponse(_) => "create_agent_response",
            Self::AgentListResponse(_) => "agent_list_response",
            Self::AgentRetrieveResponse(_) => "agent_retrieve_response",
            Self::AgentCreateResponse(_) => "agent_create_response",
            Self::AgentUpdateResponse(_) => "agent_update_response",
            Self::AgentDeleteResponse(_) => "agent_delete_response",
            Self::ConversationListResponse(_) => "conversation_list_response",
            Self::ConversationRetrieveResponse(_) => "conversation_retrieve_response",
            Self::ConversationCreateResponse(_) => "conversation_create_response",
            Self::ConversationUpdateResponse(_) => "conversation_update_response",
            Self::ConversationForkResponse(_) => "conversation_fork_response",
            Self::ConversationRecompileResponse(_) => "conversation_recompile_response",
            Self::ConversationCompactResponse(_) => "conversation_compact_response",
            Self::ConversationMessagesListResponse(_) => "conversation_messages_list_response",
            Self::CronListResponse(_) => "cron_list_response",
            Self::CronAddResponse(_) => "cron_add_response",
            Self::CronGetResponse(_) => "cron_get_response",
            Self::CronRunsResponse(_) => "cron_runs_response",
            Self::CronTriggerResponse(_) => "cron_trigger_response",
            Self::CronPauseResponse(_) => "cron_pause_response",
            Self::CronResumeResponse(_) => "cron_resume_response",
            Self::CronUpdateResponse(_) => "cron_update_response",
            Self::CronDeleteResponse(_) => "cron_delete_response",
            Self::CronDeleteAllResponse(_) => "cron_delete_all_response",
            Self::CronsUpdated(_) => "crons_updated",
            Self::ApprovalRequested(_) => "approval_requested",
            Self::ApprovalReceived(_) => "approval_received",
            Self::ToolExecutionStarted(_) => "tool_execution_started",
            Self::ToolExecutionFinished(_) => "tool_execution_finished",
            Self::Unknown(value) => value.get("type").and_then(Value::as_str).unwrap_or(""),
        }
    }

    /// The `request_id` this frame answers or asks under; `None` for broadcast events.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::AppServerInfoResponse(f) => Some(&f.request_id),
            Self::RuntimeStartResponse(f) => Some(&f.request_id),
            Self::SyncResponse(f) => Some(&f.request_id),
            Self::InputAccepted(f) => Some(&f.request_id),
            Self::AbortMessageResponse(f) => Some(&f.request_id),
            Self::ResumeQueueResponse(f) => Some(&f.request_id),
            Self::RemoveQueueItemResponse(f) => Some(&f.request_id),
            Self::TurnFinished(_)
            | Self::UpdateDeviceStatus(_)
            | Self::UpdateLoopStatus(_)
            | Self::UpdateQueue(_)
            | Self::StreamDelta(_)
            | Self::CronsUpdated(_)
            | Self::ToolExecutionStarted(_)
            | Self::ToolExecutionFinished(_) => None,
            Self::ControlRequest(f) => Some(&f.request_id),
            Self::RuntimeExternalToolsUpdateResponse(f) => Some(&f.request_id),
            Self::ExternalToolCallRequest(f) => Some(&f.request_id),
            Self::ExecuteCommandResponse(f) => Some(&f.request_id),
            Self::MonitorStopResponse(f) => Some(&f.request_id),
            Self::ListModelsResponse(f) => Some(&f.request_id),
            Self::UpdateModelResponse(f) => Some(&f.request_id),
            Self::UpdateToolsetResponse(f) => Some(&f.request_id),
            Self::CreateAgentResponse(f) => Some(&f.request_id),
            Self::AgentListResponse(f) => Some(&f.request_id),
            Self::AgentRetrieveResponse(f)
            | Self::AgentCreateResponse(f)
            | Self::AgentUpdateResponse(f) => Some(&f.request_id),
            Self::AgentDeleteResponse(f) => Some(&f.request_id),
            Self::ConversationListResponse(f) => Some(&f.request_id),
            Self::ConversationRetrieveResponse(f)
            | Self::ConversationCreateResponse(f)
            | Self::ConversationUpdateResponse(f) => Some(&f.request_id),
            Self::ConversationForkResponse(f) => Some(&f.request_id),
            Self::ConversationRecompileResponse(f) => Some(&f.request_id),
            Self::ConversationCompactResponse(f) => Some(&f.request_id),
            Self::ConversationMessagesListResponse(f) => Some(&f.request_id),
            Self::CronListResponse(f) => Some(&f.request_id),
            Self::CronAddResponse(f) => Some(&f.request_id),
            Self::CronGetResponse(f) => Some(&f.request_id),
            Self::CronRunsResponse(f) => Some(&f.request_id),
            Self::CronTriggerResponse(f)
            | Self::CronPauseResponse(f)
            | Self::CronResumeResponse(f) => Some(&f.request_id),
            Self::CronUpdateResponse(f) => Some(&f.request_id),
            Self::CronDeleteResponse(f) => Some(&f.request_id),
            Self::CronDeleteAllResponse(f) => Some(&f.request_id),
            Self::ApprovalRequested(f) => Some(&f.request_id),
            Self::ApprovalReceived(f) => Some(&f.request_id),
            Self::Unknown(value) => unknown_request_id(value),
        }
    }

    /// The runtime envelope of runtime-scoped events (`stream_delta`, `update_*`,
    /// `turn_finished`); `None` for responses and other frames.
    pub fn envelope(&self) -> Option<&RuntimeEnvelope> {
        match self {
            Self::TurnFinished(f) => Some(&f.envelope),
            Self::UpdateDeviceStatus(f) => Some(&f.envelope),
            Self::UpdateLoopStatus(f) => Some(&f.envelope),
            Self::UpdateQueue(f) => Some(&f.envelope),
            Self::StreamDelta(f) => Some(&f.envelope),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for ClientFrame {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(value).map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for ServerFrame {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(value).map_err(serde::de::Error::custom)
    }
}

fn parse_object(text: &str) -> Result<Value, FrameError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| FrameError::NotJson(e.to_string()))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(FrameError::NotObject)
    }
}

fn frame_type(value: &Value) -> Result<String, FrameError> {
    let object = value.as_object().ok_or(FrameError::NotObject)?;
    object
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or(FrameError::MissingType)
}

/// The `request_id` of a frame kept raw, when it has a string one.
fn unknown_request_id(value: &Value) -> Option<&str> {
    value.get("request_id").and_then(Value::as_str)
}

fn decode<T: DeserializeOwned>(frame_type: &str, value: Value) -> Result<T, FrameError> {
    serde_path_to_error::deserialize(value).map_err(|err| invalid_field(frame_type, err))
}

/// Decodes a frame that flattens a [`RuntimeEnvelope`]. Serde decodes flattened members
/// from a buffer, which loses the path of a bad one, so the envelope is checked first on
/// its own (cheap: it borrows the value and skips the other members).
fn decode_runtime_event<T: DeserializeOwned>(
    frame_type: &str,
    value: Value,
) -> Result<T, FrameError> {
    check_flattened::<RuntimeEnvelope>(frame_type, &value)?;
    decode(frame_type, value)
}

/// Like [`decode_runtime_event`] for legacy events, which flatten a [`MessageEnvelope`].
fn decode_legacy_event<T: DeserializeOwned>(
    frame_type: &str,
    value: Value,
) -> Result<T, FrameError> {
    check_flattened::<MessageEnvelope>(frame_type, &value)?;
    decode(frame_type, value)
}

fn check_flattened<E: DeserializeOwned>(frame_type: &str, value: &Value) -> Result<(), FrameError> {
    serde_path_to_error::deserialize::<_, E>(value)
        .map(drop)
        .map_err(|err| invalid_field(frame_type, err))
}

fn invalid_field(
    frame_type: &str,
    err: serde_path_to_error::Error<serde_json::Error>,
) -> FrameError {
    let outer = err.path().to_string();
    let (field, message) = split_path(&outer, err.into_inner().to_string());
    FrameError::InvalidField {
        frame_type: frame_type.to_owned(),
        field,
        message,
    }
}
