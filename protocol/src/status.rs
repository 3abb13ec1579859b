//! Runtime state snapshots: `update_device_status`, `update_loop_status`, `update_queue`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::approval::PendingControlRequest;
use crate::content::MessageContent;
use crate::lifecycle::DevicePermissionMode;
use crate::scope::RuntimeEnvelope;

/// `update_device_status` (`DeviceStatusUpdateMessage`): the device's execution context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceStatusUpdate {
    /// Runtime, sequence number and timestamps.
    #[serde(flatten)]
    pub envelope: RuntimeEnvelope,
    /// The snapshot.
    pub device_status: DeviceStatus,
}

/// Bottom-bar and execution context state of a device (`DeviceStatus`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceStatus {
    /// The connection currently in control, if any.
    pub current_connection_id: Option<String>,
    /// Display name of that connection.
    pub connection_name: Option<String>,
    /// Whether the device is reachable.
    pub is_online: bool,
    /// Whether a turn is running.
    pub is_processing: bool,
    /// The runtime's permission mode.
    pub current_permission_mode: DevicePermissionMode,
    /// The runtime's working directory.
    pub current_working_directory: Option<String>,
    /// Bumped on every cwd change (and on rejected stale cwd requests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd_revision: Option<u64>,
    /// Git state of the working directory; `null` outside a repository.
    pub git_context: Option<GitContext>,
    /// Version of the runtime.
    pub letta_code_version: Option<String>,
    /// The toolset in effect.
    pub current_toolset: Option<ToolsetName>,
    /// The configured toolset preference.
    pub current_toolset_preference: ToolsetPreference,
    /// Toolsets the user may choose from.
    pub available_toolsets: Vec<ToolsetOption>,
    /// Names of the tools loaded for the agent.
    pub current_loaded_tools: Vec<String>,
    /// Skills the agent can use.
    pub current_available_skills: Vec<AvailableSkillSummary>,
    /// Background processes (shells, subagent tasks, monitors).
    pub background_processes: Vec<BackgroundProcessSummary>,
    /// Approvals still waiting for an answer.
    pub pending_control_requests: Vec<PendingControlRequest>,
    /// Feature flags and their state.
    pub experiments: Vec<ExperimentSnapshot>,
    /// The agent's memory directory (memfs), if any.
    pub memory_directory: Option<String>,
    /// Persisted cwd overrides keyed `conversation:<id>` or
    /// `agent:<id>::conversation:default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd_map: Option<BTreeMap<String, String>>,
    /// Directory used by conversations without a `cwd_map` entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_working_directory: Option<String>,
    /// The UI should suggest running the doctor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub should_doctor: Option<bool>,
    /// The agent's reflection settings.
    pub reflection_settings: Option<ReflectionSettingsSnapshot>,
    /// Slash command ids served by `execute_command`.
    pub supported_commands: Vec<String>,
    /// tether's addition: the model handle this conversation's turns use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tether_model: Option<String>,
    /// tether's addition: why that model was chosen when it is a fallback (e.g. the
    /// scripted demo model because none is configured), for the UI to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tether_model_note: Option<String>,
    /// Slash commands contributed by mods; omitted when there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mod_commands: Option<Vec<ModCommandInfo>>,
}

/// Git state of a working directory (`GitContext`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitContext {
    /// Current branch; `null` on a detached HEAD or an empty repository.
    pub branch: Option<String>,
    /// Up to 10 other local branches, most recently committed first.
    pub recent_branches: Vec<String>,
}

/// A concrete toolset (`ToolsetName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolsetName {
    /// Codex-style tools.
    Codex,
    /// The default tools.
    Default,
    /// Letta server-side tools.
    Letta,
    /// No client tools.
    None,
}

/// A toolset choice: a concrete toolset or `auto` (`ToolsetPreference`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolsetPreference {
    /// Pick by model.
    Auto,
    /// Codex-style tools.
    Codex,
    /// The default tools.
    Default,
    /// Letta server-side tools.
    Letta,
    /// No client tools.
    None,
}

/// A toolset offered to the user (`ToolsetOption`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolsetOption {
    /// The preference it selects.
    pub id: ToolsetPreference,
    /// Full name.
    pub display_name: String,
    /// Short label.
    pub label: String,
    /// Explanation.
    pub description: String,
    /// Shown prominently.
    pub is_featured: bool,
}

/// Where a skill comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkillSource {
    /// Shipped with the runtime.
    Bundled,
    /// The user's global skills.
    Global,
    /// The agent's own skills.
    Agent,
    /// The project's skills.
    Project,
}

/// A skill the agent can use (`AvailableSkillSummary`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvailableSkillSummary {
    /// Skill id.
    pub id: String,
    /// Skill name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Where its definition lives.
    pub path: String,
    /// Where it comes from.
    pub source: SkillSource,
}

/// How a monitor process is fed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonitorSource {
    /// A command's output.
    Command,
    /// A websocket.
    Websocket,
}

/// A background process, tagged by `kind` (`BackgroundProcessSummary`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BackgroundProcessSummary {
    /// A background shell command.
    Bash {
        /// Process id within the runtime.
        process_id: String,
        /// The command line.
        command: String,
        /// Start time, ms since the epoch.
        started_at_ms: Option<u64>,
        /// Status text (`running`, `exited`, …).
        status: String,
        /// Exit code once finished.
        exit_code: Option<i64>,
    },
    /// A subagent task.
    AgentTask {
        /// Process id within the runtime.
        process_id: String,
        /// The subagent type.
        task_type: String,
        /// What it is doing.
        description: String,
        /// Start time, ms since the epoch.
        started_at_ms: u64,
        /// Status text.
        status: String,
        /// The subagent, once launched.
        subagent_id: Option<String>,
        /// Why it failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// A monitor that wakes the agent on events.
    Monitor {
        /// Process id within the runtime.
        process_id: String,
        /// What it watches.
        description: String,
        /// How it is fed.
        source: MonitorSource,
        /// Start time, ms since the epoch.
        started_at_ms: u64,
        /// Always `running`.
        status: String,
        /// Survives restarts.
        persistent: bool,
    },
}

/// Where an experiment's state comes from (`ExperimentSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExperimentSource {
    /// A user override.
    Override,
    /// An environment variable.
    Env,
    /// The built-in default.
    Default,
}

/// A feature flag (`ExperimentSnapshot`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExperimentSnapshot {
    /// Experiment id (`artifacts`, `diffs`, …; kept a string so new ids never fail).
    pub id: String,
    /// Display label.
    pub label: String,
    /// Explanation.
    pub description: String,
    /// Environment variable that controls it.
    #[serde(rename = "envVar", default, skip_serializing_if = "Option::is_none")]
    pub env_var: Option<String>,
    /// Whether it is on.
    pub enabled: bool,
    /// Where that comes from.
    pub source: ExperimentSource,
    /// The user override, or `null` when none.
    #[serde(rename = "override")]
    pub override_value: Option<bool>,
}

/// When reflection runs (`ReflectionTriggerMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReflectionTriggerMode {
    /// Never.
    Off,
    /// Every `step_count` steps.
    StepCount,
    /// After each compaction.
    CompactionEvent,
}

/// How reflection results are merged (`ReflectionMergeMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReflectionMergeMode {
    /// Automatically.
    Auto,
    /// Following `merge_instructions`.
    Explicit,
}

/// An agent's reflection settings (`ReflectionSettingsSnapshot`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReflectionSettingsSnapshot {
    /// The agent.
    pub agent_id: String,
    /// When reflection runs.
    pub trigger: ReflectionTriggerMode,
    /// Steps between reflections.
    pub step_count: u32,
    /// How results are merged.
    pub merge: ReflectionMergeMode,
    /// Instructions for explicit merging.
    pub merge_instructions: String,
}

/// A slash command contributed by a mod (`ModCommandInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModCommandInfo {
    /// Command id.
    pub id: String,
    /// What it does.
    pub description: String,
    /// Argument hint, e.g. `<query>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<String>,
}

/// `update_loop_status` (`LoopStatusUpdateMessage`): the agent loop's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoopStatusUpdate {
    /// Runtime, sequence number and timestamps.
    #[serde(flatten)]
    pub envelope: RuntimeEnvelope,
    /// The state.
    pub loop_status: LoopState,
}

/// What the agent loop is doing (`LoopStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LoopStatus {
    /// Sending a request to the backend.
    SendingApiRequest,
    /// Waiting for the backend.
    WaitingForApiResponse,
    /// Retrying a failed request.
    RetryingApiRequest,
    /// Streaming the backend's response.
    ProcessingApiResponse,
    /// Running a tool locally.
    ExecutingClientSideTool,
    /// Running a user command.
    ExecutingCommand,
    /// Waiting for an approval.
    WaitingOnApproval,
    /// Idle, waiting for input.
    WaitingOnInput,
}

/// Authoritative state of one conversation loop (`LoopState`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoopState {
    /// What the loop is doing.
    pub status: LoopStatus,
    /// Runs in flight.
    pub active_run_ids: Vec<String>,
    /// `client_message_id`s consumed by each recently observed run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_message_ids_by_run_id: Option<BTreeMap<String, Vec<String>>>,
    /// Calls executing client-side; non-empty only in `EXECUTING_CLIENT_SIDE_TOOL`.
    pub executing_tool_call_ids: Vec<String>,
}

/// `update_queue` (`QueueUpdateMessage`): the full input queue plus what just left it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueUpdate {
    /// Runtime, sequence number and timestamps.
    #[serde(flatten)]
    pub envelope: RuntimeEnvelope,
    /// Queued items, in order.
    pub queue: Vec<QueueMessage>,
    /// Items that left the queue since the last update, in order.
    pub removed: Vec<QueueRemovalTransition>,
}

/// What a queue item carries (`QueueMessageKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueMessageKind {
    /// A message for the agent.
    Message,
    /// A background task finished.
    TaskNotification,
    /// A scheduled prompt.
    CronPrompt,
    /// A tool approval result.
    ApprovalResult,
    /// An overlay (question) answer.
    OverlayAction,
    /// A follow-up turn requested by a mod.
    ModContinue,
}

/// Who produced a queue item (`QueueMessageSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueMessageSource {
    /// The user.
    User,
    /// A background task.
    TaskNotification,
    /// The scheduler.
    Cron,
    /// A subagent.
    Subagent,
    /// The runtime itself.
    System,
    /// A messaging channel.
    Channel,
}

/// One queued input (`QueueMessage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueMessage {
    /// Queue item id (used by `remove_queue_item`).
    pub id: String,
    /// The sender's id for this input.
    pub client_message_id: String,
    /// What it carries.
    pub kind: QueueMessageKind,
    /// Who produced it.
    pub source: QueueMessageSource,
    /// Its content.
    pub content: MessageContent,
    /// ISO 8601 enqueue time.
    pub enqueued_at: String,
    /// Parked by an interrupt until `resume_queue` or the next user message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
}

/// How an item left the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueRemovalDisposition {
    /// It started a turn.
    Dequeued,
    /// It was removed unprocessed.
    Cancelled,
}

/// One item leaving the queue (`QueueRemovalTransition`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRemovalTransition {
    /// The item's `client_message_id`.
    pub client_message_id: String,
    /// How it left.
    pub disposition: QueueRemovalDisposition,
}
