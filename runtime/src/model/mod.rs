//! Model providers for the agent loop: one [`Provider`] trait, streaming provider-neutral
//! [`ModelEvent`]s, over OpenAI-compatible, Anthropic and scripted backends.
//!
//! # Layout
//! - [`types`]: requests, transcript messages, streamed events, the [`Provider`] trait.
//! - [`error`]: [`ModelError`], classified for retries and wire stop reasons.
//! - [`sse`]: an incremental server-sent-events parser.
//! - `http` (private): the shared client, HTTP error mapping, SSE body → event stream.
//! - [`openai`]: Chat Completions streaming (OpenAI, Ollama and compatible servers).
//! - [`anthropic`]: Messages streaming.
//! - [`scripted`]: a deterministic, offline model for the demo and tests.
//! - [`retry`]: the retry policy (the retry loop is the agent loop's).
//! - [`registry`]: handles (`openai/gpt-4o` …) and environment → provider.

pub mod anthropic;
pub mod error;
mod http;
pub mod openai;
pub mod registry;
pub mod retry;
pub mod scripted;
pub mod sse;
pub mod types;

pub use error::ModelError;
pub use registry::{ProviderEnv, default_handle, model_name, resolve};
pub use retry::RetryPolicy;
pub use scripted::SCRIPTED_GRAMMAR;
pub use types::{
    ChatMessage, EventStream, FinishReason, ModelEvent, ModelRequest, Provider, Reasoning,
    ToolCall, ToolSpec, Usage,
};
