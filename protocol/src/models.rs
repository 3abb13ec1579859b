//! Model and toolset selection: `list_models`, `update_model`, `update_toolset`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::content::JsonObject;
use crate::scope::RuntimeScope;
use crate::status::{ToolsetName, ToolsetPreference};

/// `list_models` (`ListModelsCommand`): the models the user can pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListModelsCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// Bypass the availability cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

/// One model choice (`ListModelsResponseModelEntry`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelEntry {
    /// Catalog id, e.g. `sonnet`.
    pub id: String,
    /// Provider handle, e.g. `anthropic/claude-sonnet-4-5`.
    pub handle: String,
    /// Display label.
    pub label: String,
    /// Explanation.
    pub description: String,
    /// The default choice.
    #[serde(rename = "isDefault", default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// Shown prominently.
    #[serde(
        rename = "isFeatured",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub is_featured: Option<bool>,
    /// Costs no credits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free: Option<bool>,
    /// Settings applied when this entry is chosen.
    #[serde(
        rename = "updateArgs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub update_args: Option<JsonObject>,
}

/// `list_models_response` (`ListModelsResponseMessage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListModelsResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the listing worked.
    pub success: bool,
    /// The choices.
    pub entries: Vec<ModelEntry>,
    /// Handles available to the user: omitted from old servers, `Some(None)` (`null`)
    /// when the lookup failed.
    #[serde(
        default,
        deserialize_with = "crate::wire::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub available_handles: Option<Option<Vec<String>>>,
    /// BYOK provider name to its base provider, e.g. `lc-anthropic` → `anthropic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byok_provider_aliases: Option<BTreeMap<String, String>>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Reasoning effort for OpenAI-compatible models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasoningEffort {
    /// `none`.
    None,
    /// `minimal`.
    Minimal,
    /// `low`.
    Low,
    /// `medium`.
    Medium,
    /// `high`.
    High,
    /// `xhigh`.
    Xhigh,
    /// `max`.
    Max,
}

/// What `update_model` changes (`UpdateModelPayload`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UpdateModelPayload {
    /// Catalog id, e.g. `sonnet` (preferred).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    /// Direct handle override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_handle: Option<String>,
    /// Effort: omitted keeps it, `Some(None)` (`null`) restores the provider default.
    #[serde(
        default,
        deserialize_with = "crate::wire::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub reasoning_effort: Option<Option<ReasoningEffort>>,
}

/// `update_model` (`UpdateModelCommand`): switches a runtime's model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateModelCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The runtime.
    pub runtime: RuntimeScope,
    /// The change.
    pub payload: UpdateModelPayload,
}

/// Where a model change was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelTarget {
    /// On the agent.
    Agent,
    /// On the conversation only.
    Conversation,
}

/// `update_model_response` (`UpdateModelResponseMessage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateModelResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the model changed.
    pub success: bool,
    /// The runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<RuntimeScope>,
    /// Where the change was stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_to: Option<ModelTarget>,
    /// Catalog id now in effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    /// Handle now in effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_handle: Option<String>,
    /// Provider settings now in effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_settings: Option<JsonObject>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `update_toolset` (`UpdateToolsetCommand`): switches a runtime's toolset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateToolsetCommand {
    /// Echoed in the response.
    pub request_id: String,
    /// The runtime.
    pub runtime: RuntimeScope,
    /// The preference to apply.
    pub toolset_preference: ToolsetPreference,
}

/// `update_toolset_response` (`UpdateToolsetResponseMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateToolsetResponse {
    /// The command's `request_id`.
    pub request_id: String,
    /// Whether the toolset changed.
    pub success: bool,
    /// The runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<RuntimeScope>,
    /// Toolset now in effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_toolset: Option<ToolsetName>,
    /// Preference now configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_toolset_preference: Option<ToolsetPreference>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
