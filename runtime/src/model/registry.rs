//! From a model handle (`openai/gpt-4o`, `anthropic/…`, `ollama/…`, `scripted`) and the
//! environment to a ready [`Provider`].

use std::sync::Arc;

use super::anthropic::AnthropicProvider;
use super::error::ModelError;
use super::openai::OpenAiProvider;
use super::scripted::{SCRIPTED_HANDLE, ScriptedProvider};
use super::types::Provider;

/// OpenAI's own endpoint; only there is a key required (compatible servers may need none).
pub const DEFAULT_OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
/// Where a local Ollama serves its OpenAI-compatible API.
pub const DEFAULT_OLLAMA_BASE_URL: &str = "http://127.0.0.1:11434/v1";
/// Anthropic's endpoint (the `/v1` is added per request).
pub const DEFAULT_ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com";

/// The handles' forms, for error messages.
const HANDLE_FORMS: &str = "openai/<model>, anthropic/<model>, ollama/<model> or scripted";

/// The endpoints and keys the providers use, read once from the environment.
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderEnv {
    /// `OPENAI_BASE_URL`: an OpenAI-compatible API root, ending in `/v1`.
    pub openai_base_url: String,
    /// `OPENAI_API_KEY`.
    pub openai_api_key: Option<String>,
    /// `OLLAMA_BASE_URL`: Ollama's OpenAI-compatible API root.
    pub ollama_base_url: String,
    /// `ANTHROPIC_BASE_URL`: Anthropic's API root, without `/v1`.
    pub anthropic_base_url: String,
    /// `ANTHROPIC_API_KEY`.
    pub anthropic_api_key: Option<String>,
}

impl std::fmt::Debug for ProviderEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |key: &Option<String>| key.as_ref().map(|_| "<redacted>");
        f.debug_struct("ProviderEnv")
            .field("openai_base_url", &self.openai_base_url)
            .field("openai_api_key", &redact(&self.openai_api_key))
            .field("ollama_base_url", &self.ollama_base_url)
            .field("anthropic_base_url", &self.anthropic_base_url)
            .field("anthropic_api_key", &redact(&self.anthropic_api_key))
            .finish()
    }
}

impl Default for ProviderEnv {
    /// The public endpoints and no keys.
    fn default() -> Self {
        ProviderEnv {
            openai_base_url: DEFAULT_OPENAI_BASE_URL.to_owned(),
            openai_api_key: None,
            ollama_base_url: DEFAULT_OLLAMA_BASE_URL.to_owned(),
            anthropic_base_url: DEFAULT_ANTHROPIC_BASE_URL.to_owned(),
            anthropic_api_key: None,
        }
    }
}

impl ProviderEnv {
    /// Reads the process environment (empty variables count as unset).
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads variables through `var` (so tests need not touch the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let defaults = ProviderEnv::default();
        ProviderEnv {
            openai_base_url: get("OPENAI_BASE_URL").unwrap_or(defaults.openai_base_url),
            openai_api_key: get("OPENAI_API_KEY"),
            ollama_base_url: get("OLLAMA_BASE_URL").unwrap_or(defaults.ollama_base_url),
            anthropic_base_url: get("ANTHROPIC_BASE_URL").unwrap_or(defaults.anthropic_base_url),
            anthropic_api_key: get("ANTHROPIC_API_KEY"),
        }
    }
}

/// Builds the provider a handle names, or says what to set or type instead.
pub fn resolve(handle: &str, env: &ProviderEnv) -> Result<Arc<dyn Provider>, ModelError> {
    let handle = handle.trim();
    if handle == SCRIPTED_HANDLE {
        return Ok(Arc::new(ScriptedProvider));
    }
    let Some((prefix, model)) = handle.split_once('/') else {
        return Err(ModelError::Config(format!("unknown model {handle:?}: use {HANDLE_FORMS}")));
    };
    if model.is_empty() {
        return Err(ModelError::Config(format!(
            "model {handle:?} names no model after {prefix:?}/: use {HANDLE_FORMS}"
        )));
    }
    match prefix {
        "openai" => {
            let key = env.openai_api_key.clone();
            let official = env.openai_base_url.trim_end_matches('/') == DEFAULT_OPENAI_BASE_URL;
            if key.is_none() && official {
                return Err(missing_key("OPENAI_API_KEY"));
            }
            Ok(Arc::new(OpenAiProvider::new(handle, &env.openai_base_url, key)?))
        }
        "ollama" => {
            let provider = OpenAiProvider::new(handle, &env.ollama_base_url, None)?;
            Ok(Arc::new(provider.with_legacy_max_tokens()))
        }
        "anthropic" => {
            let key =
                env.anthropic_api_key.clone().ok_or_else(|| missing_key("ANTHROPIC_API_KEY"))?;
            Ok(Arc::new(AnthropicProvider::new(handle, &env.anthropic_base_url, key)?))
        }
        _ => Err(ModelError::Config(format!(
            "unknown model provider {prefix:?} in {handle:?}: use {HANDLE_FORMS}"
        ))),
    }
}

fn missing_key(var: &str) -> ModelError {
    ModelError::Config(format!("{var} is not set: export it or pick another model with --model"))
}

/// The handle to use when nothing was configured: the scripted model (keys alone do not
/// pick a model, since any choice of model name would be a guess).
pub fn default_handle(_env: &ProviderEnv) -> String {
    SCRIPTED_HANDLE.to_owned()
}

/// The model part of a handle (`openai/gpt-4o` → `gpt-4o`), as [`ModelRequest::model`]
/// wants it.
///
/// [`ModelRequest::model`]: super::types::ModelRequest::model
pub fn model_name(handle: &str) -> &str {
    handle.split_once('/').map_or(handle, |(_, model)| model)
}
