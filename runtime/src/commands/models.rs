//! `list_models` and `update_model`.

use std::time::Duration;

use tether_protocol::models::{ListModelsCommand, ListModelsResponse, ModelEntry, ModelTarget, UpdateModelCommand, UpdateModelResponse};
use tether_protocol::ServerFrame;

use crate::conversation::Command;
use crate::model::{self, ProviderEnv};
use crate::server::connection::ConnectionCtx;
use crate::store::ConversationPatch;

/// A provider that does not list its models this fast is left out of the list.
const LIST_TIMEOUT: Duration = Duration::from_secs(5);

/// Most models listed per provider (OpenRouter lists hundreds).
const MAX_PER_PROVIDER: usize = 200;

fn entry(handle: &str, description: &str, is_default: bool) -> ModelEntry {
    ModelEntry {
        id: handle.to_owned(),
        handle: handle.to_owned(),
        label: handle.to_owned(),
        description: description.to_owned(),
        is_default: is_default.then_some(true),
        is_featured: None,
        free: None,
        update_args: None,
    }
}

/// Lists what is configured: the scripted model, the runtime default, and what each
/// configured provider's `GET /models` returns. Runs in its own task so a slow provider
/// never holds up this connection's other commands.
pub fn list(ctx: &ConnectionCtx, cmd: ListModelsCommand) {
    let outbox = ctx.outbox.clone();
    let default = ctx.runtime.default_model.clone();
    tokio::spawn(async move {
        let frame = ServerFrame::ListModelsResponse(list_models(cmd.request_id, default).await);
        match serde_json::to_string(&frame) {
            Ok(text) => outbox.push(text),
            Err(err) => tracing::error!("cannot serialize list_models_response: {err}"),
        }
    });
}

async fn list_models(request_id: String, default: Option<String>) -> ListModelsResponse {
    let env = ProviderEnv::from_env();
    let mut entries = vec![entry("scripted", "tether's built-in deterministic demo model (no network)", default.is_none())];
    if let Some(handle) = default.as_deref().filter(|h| *h != "scripted") {
        entries.push(entry(handle, "the runtime's default (--model)", true));
    }
    let mut providers = Vec::new();
    if env.openai_api_key.is_some() || env.openai_base_url != model::registry::DEFAULT_OPENAI_BASE_URL {
        providers.push(("openai", "an OpenAI-compatible endpoint (OPENAI_BASE_URL)"));
    }
    if env.anthropic_api_key.is_some() {
        providers.push(("anthropic", "Anthropic (ANTHROPIC_API_KEY)"));
    }
    if std::env::var_os("OLLAMA_BASE_URL").is_some() {
        providers.push(("ollama", "Ollama (OLLAMA_BASE_URL)"));
    }
    for (prefix, description) in providers {
        let Ok(provider) = model::resolve(&format!("{prefix}/list"), &env) else { continue };
        match tokio::time::timeout(LIST_TIMEOUT, provider.list_models()).await {
            Ok(Ok(names)) => {
                for name in names.into_iter().take(MAX_PER_PROVIDER) {
                    let handle = format!("{prefix}/{name}");
                    if !entries.iter().any(|e| e.handle == handle) {
                        entries.push(entry(&handle, description, false));
                    }
                }
            }
            Ok(Err(err)) => tracing::warn!("cannot list {prefix} models: {err}"),
            Err(_) => tracing::warn!("listing {prefix} models timed out"),
        }
    }
    let handles = entries.iter().map(|e| e.handle.clone()).collect();
    ListModelsResponse {
        request_id,
        success: true,
        entries,
        available_handles: Some(Some(handles)),
        byok_provider_aliases: None,
        error: None,
    }
}

/// Sets a conversation's own model; the handle must name a usable provider.
pub async fn update(ctx: &ConnectionCtx, cmd: UpdateModelCommand) {
    let handle = cmd.payload.model_handle.clone().or_else(|| cmd.payload.model_id.clone());
    let respond = |success: bool, error: Option<String>, handle: Option<String>| {
        ctx.send(&ServerFrame::UpdateModelResponse(UpdateModelResponse {
            request_id: cmd.request_id.clone(),
            success,
            runtime: Some(cmd.runtime.clone()),
            applied_to: success.then_some(ModelTarget::Conversation),
            model_id: handle.clone(),
            model_handle: handle,
            model_settings: None,
            error,
        }));
    };
    let Some(handle) = handle.filter(|h| !h.trim().is_empty()) else {
        return respond(false, Some("update_model needs payload.model_handle".to_owned()), None);
    };
    if let Err(err) = model::resolve(&handle, &ProviderEnv::from_env()) {
        return respond(false, Some(err.to_string()), Some(handle));
    }
    let store = &ctx.runtime.store;
    let patch = ConversationPatch { model: Some(handle.clone()), ..ConversationPatch::default() };
    match store.update_conversation(&cmd.runtime.conversation_id, patch) {
        Ok(Some(record)) => {
            if let Ok(actor) = ctx.runtime.conversation(&record) {
                actor.send(Command::Refresh).await;
            }
            respond(true, None, Some(handle));
        }
        Ok(None) => respond(false, Some(format!("unknown conversation {}", cmd.runtime.conversation_id)), Some(handle)),
        Err(err) => respond(false, Some(err.to_string()), Some(handle)),
    }
}
