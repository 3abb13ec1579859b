//! External tools: tools a controller defines and executes itself, registered with a
//! runtime and called through `external_tool_call_request` / `_response`.

use serde::{Deserialize, Serialize};

use crate::content::JsonObject;
use crate::scope::RuntimeScope;

/// One tool a controller provides (`ExternalToolDefinitionPayload`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalToolDefinitionPayload {
    /// Tool name as the model sees it.
    pub name: String,
    /// Display label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What it does, for the model.
    pub description: String,
    /// JSON Schema of its arguments.
    pub parameters: JsonObject,
}

/// A set of external tools, optionally behind a scope id (`RuntimeStartExternalToolsGroup`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuntimeStartExternalToolsGroup {
    /// Hidden scope; the tools are offered only on inputs naming it in
    /// `external_tool_scope_ids`. Unscoped tools are always offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_id: Option<String>,
    /// The tools.
    pub tools: Vec<ExternalToolDefinitionPayload>,
}

/// One tool set applied to some runtimes (`RuntimeExternalToolsUpdateGroup`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuntimeExternalToolsUpdateGroup {
    /// The runtimes to update.
    pub runtimes: Vec<RuntimeScope>,
    /// Their new tools; empty removes this connection's tools from them.
    pub external_tools: Vec<RuntimeStartExternalToolsGroup>,
}

/// `runtime_external_tools_update`: replaces this connection's tools on runtimes without
/// starting them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuntimeExternalToolsUpdateCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The updates, applied in order.
    pub updates: Vec<RuntimeExternalToolsUpdateGroup>,
}

/// `runtime_external_tools_update_response`: whether the update was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeExternalToolsUpdateResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether it was applied.
    pub success: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `external_tool_call_request`: the runtime asks the owning controller to run a tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalToolCallRequest {
    /// Id the `external_tool_call_response` must carry.
    pub request_id: String,
    /// The runtime whose agent called the tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<RuntimeScope>,
    /// Scope the tool was registered under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_id: Option<String>,
    /// The model's call id.
    pub tool_call_id: String,
    /// The tool.
    pub tool_name: String,
    /// Its arguments.
    pub input: JsonObject,
}

/// One block of a tool result (`ExternalToolCallResultContent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalToolCallResultContent {
    /// `"text"` or `"image"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Text, for text blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Base64 data, for image blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// MIME type of `data`.
    #[serde(rename = "mimeType", default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
}

/// What an external tool returned (`ExternalToolCallResult`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalToolCallResult {
    /// The result blocks.
    pub content: Vec<ExternalToolCallResultContent>,
    /// The tool reports failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
}

/// `external_tool_call_response`: the controller's answer; `result` or `error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalToolCallResponseCommand {
    /// The request's `request_id`.
    pub request_id: String,
    /// The tool's result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ExternalToolCallResult>,
    /// Why the tool could not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
