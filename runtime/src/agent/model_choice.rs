//! Which model a conversation's turns use: its own (`update_model`), else its agent's,
//! else the runtime default (`--model` / `TETHER_MODEL`), else the scripted demo model.

use crate::model::{self, ProviderEnv};
use crate::store::{AgentRecord, ConversationRecord};

/// Shown wherever the scripted model is used only because nothing else was configured.
pub const SCRIPTED_FALLBACK_NOTE: &str = "No model configured: using tether's built-in scripted demo model. \
Start tether with --model openai/<model> (OPENAI_API_KEY), anthropic/<model> (ANTHROPIC_API_KEY) \
or ollama/<model>, or pick a model for this conversation.";

/// The chosen handle, and a note when it is the unconfigured fallback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelChoice {
    /// `provider/model` or `scripted`.
    pub handle: String,
    /// Set when nothing chose a model.
    pub note: Option<String>,
}

/// Applies the selection order to one conversation.
pub fn choose(conversation: &ConversationRecord, agent: Option<&AgentRecord>, runtime_default: Option<&str>) -> ModelChoice {
    let chosen = conversation
        .model
        .clone()
        .or_else(|| agent.and_then(|a| a.model.clone()))
        .or_else(|| runtime_default.map(str::to_owned));
    match chosen {
        Some(handle) => ModelChoice { handle, note: None },
        None => ModelChoice {
            handle: model::default_handle(&ProviderEnv::from_env()),
            note: Some(SCRIPTED_FALLBACK_NOTE.to_owned()),
        },
    }
}

/// What the runtime uses for agents created without a model, for the start-up banner.
pub fn describe_default(runtime_default: Option<&str>) -> String {
    match runtime_default {
        Some(handle) => format!("Model: {handle} (default for new agents)"),
        None => format!("Model: scripted. {SCRIPTED_FALLBACK_NOTE}"),
    }
}
