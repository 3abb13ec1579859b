//! Tool approval: the runtime's `control_request` asking to run a tool, its diff
//! previews, and the decision a client sends back in an `input` `approval_response`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::content::JsonObject;
use crate::wire::{decode_nested, tag_of};

/// `control_request` (`ControlRequest`): the runtime needs the user to decide something.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlRequest {
    /// Id the answer (`input` `approval_response`) must carry.
    pub request_id: String,
    /// What is being asked.
    pub request: ControlRequestBody,
    /// Agent of the asking runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Conversation of the asking runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
}

/// A pending request as replayed in device status (`PendingControlRequest`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingControlRequest {
    /// Id the answer must carry.
    pub request_id: String,
    /// What is being asked.
    pub request: ControlRequestBody,
}

/// The question of a control request, tagged by `subtype` (`ControlRequestBody`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "subtype")]
pub enum ControlRequestBody {
    /// `can_use_tool`: may this tool call run?
    #[serde(rename = "can_use_tool")]
    CanUseTool(CanUseToolRequest),
    /// A subtype this build does not know, verbatim.
    #[serde(untagged)]
    Unknown(Value),
}

impl<'de> Deserialize<'de> for ControlRequestBody {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let tag = tag_of::<D::Error>(&value, "subtype", "a control request")?;
        Ok(match tag.as_deref() {
            Some("can_use_tool") => Self::CanUseTool(decode_nested(value)?),
            _ => Self::Unknown(value),
        })
    }
}

/// `can_use_tool`: permission to run one tool call (`CanUseToolControlRequestBody`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanUseToolRequest {
    /// Tool to run.
    pub tool_name: String,
    /// Its arguments.
    pub input: JsonObject,
    /// The model's call id.
    pub tool_call_id: String,
    /// Permission rules the user may add while approving.
    pub permission_suggestions: Vec<PermissionSuggestion>,
    /// Path outside the allowed area that triggered the check, or `null`.
    pub blocked_path: Option<String>,
    /// Previews of the file changes the call would make.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diffs: Option<Vec<DiffPreview>>,
}

/// A permission rule offered with an approval (`PermissionSuggestion`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionSuggestion {
    /// Id to select it in the decision.
    pub id: String,
    /// What it allows, for display.
    pub text: String,
}

/// A preview of one file change, tagged by `mode` (`DiffPreview`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum DiffPreview {
    /// A computed diff.
    Advanced {
        /// The file.
        #[serde(rename = "fileName")]
        file_name: String,
        /// The changed regions.
        hunks: Vec<DiffHunk>,
    },
    /// No exact diff; a reason is shown instead.
    Fallback {
        /// The file.
        #[serde(rename = "fileName")]
        file_name: String,
        /// Why there is no diff.
        reason: String,
    },
    /// The change cannot be previewed (binary file, …).
    Unpreviewable {
        /// The file.
        #[serde(rename = "fileName")]
        file_name: String,
        /// Why.
        reason: String,
    },
}

/// One changed region of a file (`DiffHunk`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffHunk {
    /// First line in the old file (1-based).
    #[serde(rename = "oldStart")]
    pub old_start: u32,
    /// Lines taken from the old file.
    #[serde(rename = "oldLines")]
    pub old_lines: u32,
    /// First line in the new file (1-based).
    #[serde(rename = "newStart")]
    pub new_start: u32,
    /// Lines in the new file.
    #[serde(rename = "newLines")]
    pub new_lines: u32,
    /// The lines, in order.
    pub lines: Vec<DiffHunkLine>,
}

/// Whether a diff line is kept, added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffLineKind {
    /// Unchanged context.
    Context,
    /// Added.
    Add,
    /// Removed.
    Remove,
}

/// One line of a hunk (`DiffHunkLine`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffHunkLine {
    /// Kept, added or removed.
    #[serde(rename = "type")]
    pub kind: DiffLineKind,
    /// The line's text, without newline.
    pub content: String,
}

/// The user's answer to a `can_use_tool` request, tagged by `behavior`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "behavior", rename_all = "lowercase")]
pub enum ApprovalResponseDecision {
    /// Run the tool (`ApprovalResponseAllowDecision`).
    Allow {
        /// A comment for the agent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// Replacement arguments, when the user edited them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        updated_input: Option<JsonObject>,
        /// Ids of the permission suggestions to save as rules.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        selected_permission_suggestion_ids: Option<Vec<String>>,
    },
    /// Do not run it (`ApprovalResponseDenyDecision`).
    Deny {
        /// Why, for the agent.
        message: String,
    },
}

/// An answer to a control request (`ApprovalResponseBody`): a decision or an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalResponseBody {
    /// The `control_request` being answered.
    pub request_id: String,
    /// `decision` or `error`.
    #[serde(flatten)]
    pub outcome: ApprovalOutcome,
}

/// The two shapes of [`ApprovalResponseBody`], keyed by which member is present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalOutcome {
    /// `decision`: the user decided.
    Decision(ApprovalResponseDecision),
    /// `error`: the client could not obtain a decision.
    Error(String),
}
