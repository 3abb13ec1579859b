//! `DeviceStatus`: what the bottom bar of a client shows (cwd, mode, branch, pending
//! approvals …), and the git context of a working directory.

use std::path::Path;
use std::time::Duration;

use tether_protocol::approval::PendingControlRequest;
use tether_protocol::lifecycle::DevicePermissionMode;
use tether_protocol::status::{DeviceStatus, GitContext, ToolsetPreference};

use crate::runtime::VERSION;

/// How many other branches the git context lists (the reference's limit).
const RECENT_BRANCHES: usize = 10;

/// A git query must not hold up the conversation; past this it is treated as "no git".
const GIT_TIMEOUT: Duration = Duration::from_secs(3);

/// The inputs of one device status snapshot.
#[derive(Debug, Clone)]
pub struct DeviceParams<'a> {
    /// The conversation's working directory.
    pub cwd: &'a Path,
    /// The runtime's start-up directory.
    pub boot_cwd: &'a Path,
    /// The conversation's permission mode.
    pub mode: DevicePermissionMode,
    /// Whether a turn is running.
    pub is_processing: bool,
    /// Approvals waiting for an answer.
    pub pending: Vec<PendingControlRequest>,
    /// Git state of `cwd`.
    pub git: Option<GitContext>,
    /// Tool names the model can use.
    pub loaded_tools: Vec<String>,
    /// `execute_command` ids this runtime serves.
    pub supported_commands: Vec<String>,
    /// The model turns use, and a note when it is a fallback.
    pub model: crate::agent::model_choice::ModelChoice,
}

/// Builds the snapshot; fields tether has no concept of are empty, not invented.
pub fn device_status(params: DeviceParams<'_>) -> DeviceStatus {
    DeviceStatus {
        current_connection_id: None,
        connection_name: None,
        is_online: true,
        is_processing: params.is_processing,
        current_permission_mode: params.mode,
        current_working_directory: Some(params.cwd.display().to_string()),
        cwd_revision: None,
        git_context: params.git,
        letta_code_version: Some(VERSION.to_owned()),
        current_toolset: None,
        current_toolset_preference: ToolsetPreference::Default,
        available_toolsets: Vec::new(),
        current_loaded_tools: params.loaded_tools,
        current_available_skills: Vec::new(),
        background_processes: Vec::new(),
        pending_control_requests: params.pending,
        experiments: Vec::new(),
        memory_directory: None,
        cwd_map: None,
        boot_working_directory: Some(params.boot_cwd.display().to_string()),
        should_doctor: None,
        reflection_settings: None,
        supported_commands: params.supported_commands,
        tether_model: Some(params.model.handle),
        tether_model_note: params.model.note,
        mod_commands: None,
    }
}

/// The current branch and recent branches of the repository containing `cwd`, or `None`
/// outside git (or when git is not installed).
pub async fn git_context(cwd: &Path) -> Option<GitContext> {
    let inside = git(cwd, &["rev-parse", "--is-inside-work-tree"]).await?;
    if inside.trim() != "true" {
        return None;
    }
    let branch = git(cwd, &["symbolic-ref", "--quiet", "--short", "HEAD"])
        .await
        .map(|b| b.trim().to_owned())
        .filter(|b| !b.is_empty());
    let count = (RECENT_BRANCHES + 1).to_string();
    let listing = git(
        cwd,
        &["for-each-ref", "--sort=-committerdate", "--format=%(refname:short)", "--count", &count, "refs/heads"],
    )
    .await
    .unwrap_or_default();
    let recent_branches = listing
        .lines()
        .map(str::trim)
        .filter(|name| !name.is_empty() && Some(*name) != branch.as_deref())
        .take(RECENT_BRANCHES)
        .map(str::to_owned)
        .collect();
    Some(GitContext { branch, recent_branches })
}

async fn git(cwd: &Path, args: &[&str]) -> Option<String> {
    let output = tokio::time::timeout(
        GIT_TIMEOUT,
        tokio::process::Command::new("git")
            .args(args)
            .current_dir(cwd)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .ok()?
    .ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
