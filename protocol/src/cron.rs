//! Scheduled prompts: the `cron_*` commands and responses, `CronTask`, and the
//! `crons_updated` notification.

use serde::{Deserialize, Serialize};

/// `cron_list` (`CronListCommand`): scheduled tasks, optionally filtered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronListCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// Only this agent's tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Only this conversation's tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
}

/// `cron_add` (`CronAddCommand`): schedules a prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronAddCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// Agent to prompt.
    pub agent_id: String,
    /// Conversation to prompt (default conversation when omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Task name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Cron expression.
    pub cron: String,
    /// IANA time zone of `cron`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Repeats; otherwise fires once.
    pub recurring: bool,
    /// The prompt to send.
    pub prompt: String,
    /// ISO 8601 time of a one-off run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<String>,
}

/// `cron_get`, `cron_trigger`, `cron_pause`, `cron_delete`: a command naming one task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronTaskCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The task.
    pub task_id: String,
}

/// `cron_runs` (`CronRunsCommand`): the run log of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronRunsCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The task.
    pub task_id: String,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Entries to skip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    /// Only this run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}

/// `cron_resume` (`CronResumeCommand`): resumes a paused task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronResumeCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The task.
    pub task_id: String,
    /// New time for an overdue one-off task (required then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<String>,
}

/// `cron_update` (`CronUpdateCommand`): changes a task; members present change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronUpdateCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The task.
    pub task_id: String,
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// New cron expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
    /// New time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Repeat or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring: Option<bool>,
    /// New prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// One-off time: omitted keeps it, `Some(None)` (`null`) clears it.
    #[serde(
        default,
        deserialize_with = "crate::wire::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub scheduled_for: Option<Option<String>>,
}

/// `cron_delete_all` (`CronDeleteAllCommand`): removes every task of an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronDeleteAllCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The agent.
    pub agent_id: String,
}

/// Lifecycle state of a task (`CronTaskStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CronTaskStatus {
    /// Scheduled.
    Active,
    /// Paused by the user.
    Paused,
    /// A one-off that has fired.
    Fired,
    /// A one-off that was missed.
    Missed,
    /// Cancelled by the runtime.
    Cancelled,
}

/// Why a task was cancelled (`CronCancelReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CronCancelReason {
    /// Its conversation no longer exists.
    ConversationNotFound,
    /// It expired.
    Expired,
}

/// What happened to one scheduled run (`CronRunOutcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CronRunOutcome {
    /// The prompt was queued.
    Queued,
    /// The run was missed.
    Missed,
    /// The run failed.
    Failed,
    /// The run was skipped.
    Skipped,
}

/// Why a run had its outcome (`CronRunReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CronRunReason {
    /// The schedule matched.
    ScheduledTimeMatched,
    /// A one-off came due.
    OneOffDue,
    /// The scheduler was not running.
    SchedulerInactive,
    /// It started too late.
    StartedTooLate,
    /// The input queue was full.
    QueueFull,
    /// The runtime was unavailable.
    RuntimeUnavailable,
    /// The task was cancelled.
    TaskCancelled,
    /// The cron expression is invalid.
    InvalidCron,
    /// The scheduler failed.
    SchedulerError,
}

/// A scheduled prompt (`CronTask`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronTask {
    /// Task id.
    pub id: String,
    /// Agent prompted.
    pub agent_id: String,
    /// Conversation prompted.
    pub conversation_id: String,
    /// Name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Cron expression.
    pub cron: String,
    /// IANA time zone.
    pub timezone: String,
    /// Repeats.
    pub recurring: bool,
    /// The prompt.
    pub prompt: String,
    /// Lifecycle state.
    pub status: CronTaskStatus,
    /// ISO 8601 creation time.
    pub created_at: String,
    /// ISO 8601 expiry.
    pub expires_at: Option<String>,
    /// Last time it fired.
    pub last_fired_at: Option<String>,
    /// Times it fired.
    pub fire_count: u64,
    /// Why it was cancelled.
    pub cancel_reason: Option<CronCancelReason>,
    /// Random offset applied to each run, ms.
    pub jitter_offset_ms: i64,
    /// Last run time.
    pub last_run_at: Option<String>,
    /// Last run's outcome.
    pub last_run_outcome: Option<CronRunOutcome>,
    /// Last run's reason.
    pub last_run_reason: Option<CronRunReason>,
    /// Last run's error.
    pub last_run_error: Option<String>,
    /// Last missed time.
    pub last_missed_at: Option<String>,
    /// Runs missed.
    pub missed_count: u64,
    /// Runs failed.
    pub failed_count: u64,
    /// One-off time.
    pub scheduled_for: Option<String>,
    /// When the one-off fired.
    pub fired_at: Option<String>,
    /// When the one-off was missed.
    pub missed_at: Option<String>,
}

/// `cron_list_response` (`CronListResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronListResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// The tasks.
    pub tasks: Vec<CronTask>,
    /// Whether the listing worked.
    pub success: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `cron_add_response` (`CronAddResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronAddResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the task was added.
    pub success: bool,
    /// The new task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<CronTask>,
    /// A non-fatal remark (e.g. a very frequent schedule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `cron_get_response` (`CronGetResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronGetResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the lookup worked.
    pub success: bool,
    /// Whether the task exists.
    pub found: bool,
    /// The task, `null` when not found.
    pub task: Option<CronTask>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `cron_runs_response` (`CronRunsResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronRunsResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the lookup worked.
    pub success: bool,
    /// The page of the run log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<CronRunLogPage>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `cron_trigger_response`, `cron_pause_response`, `cron_resume_response`: the task
/// after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronTaskChangeResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the change was made.
    pub success: bool,
    /// Whether the task exists.
    pub found: bool,
    /// The task after the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<CronTask>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `cron_update_response` (`CronUpdateResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronUpdateResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the task changed.
    pub success: bool,
    /// The task after the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<CronTask>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `cron_delete_response` (`CronDeleteResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronDeleteResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the command was handled.
    pub success: bool,
    /// Whether the task existed.
    pub found: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `cron_delete_all_response` (`CronDeleteAllResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronDeleteAllResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the command was handled.
    pub success: bool,
    /// The agent.
    pub agent_id: String,
    /// Tasks removed.
    pub deleted: u64,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Result of one logged run (`CronRunLogStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CronRunLogStatus {
    /// It worked.
    Ok,
    /// It failed.
    Error,
    /// It was skipped.
    Skipped,
}

/// One entry of a task's run log (`CronRunLogEntry`; camelCase on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CronRunLogEntry {
    /// Time, ms since the epoch.
    pub ts: u64,
    /// The task.
    pub job_id: String,
    /// Always `finished`.
    pub action: String,
    /// Result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CronRunLogStatus>,
    /// Outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<CronRunOutcome>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<CronRunReason>,
    /// Error text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Summary of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Agent prompted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Conversation prompted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Run started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Scheduled time, ms since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_at_ms: Option<u64>,
    /// Queue item created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_item_id: Option<String>,
    /// One-off time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<String>,
    /// When it fired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fired_at: Option<String>,
}

/// A page of a task's run log (`CronRunLogPage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronRunLogPage {
    /// The entries.
    pub entries: Vec<CronRunLogEntry>,
    /// Entries in total.
    pub total: u64,
    /// Offset of this page.
    pub offset: u64,
    /// Page size.
    pub limit: u64,
    /// More entries exist.
    #[serde(rename = "hasMore")]
    pub has_more: bool,
    /// Offset of the next page, `null` at the end.
    #[serde(rename = "nextOffset")]
    pub next_offset: Option<u64>,
}

/// `crons_updated` (`CronsUpdatedMessage`): tasks changed; clients refetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronsUpdated {
    /// Time, ms since the epoch.
    pub timestamp: u64,
    /// Agent whose tasks changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Conversation whose tasks changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
}
