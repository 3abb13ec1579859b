//! The provider-neutral vocabulary every provider speaks: requests, transcript messages,
//! streamed events, and the [`Provider`] trait itself.

use std::pin::Pin;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::error::ModelError;

/// One call to a model: everything a provider needs to build its HTTP request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelRequest {
    /// The provider's own model name, with tether's `provider/` prefix stripped.
    pub model: String,
    /// The system prompt (sent first; omitted when empty).
    pub system: String,
    /// The conversation so far, oldest first.
    pub messages: Vec<ChatMessage>,
    /// The tools the model may call.
    pub tools: Vec<ToolSpec>,
    /// An output cap; `None` lets the provider choose (Anthropic requires one: 8192).
    pub max_tokens: Option<u32>,
}

/// One transcript message in provider-neutral form; stored as JSON, so its serde shape is
/// stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum ChatMessage {
    /// What the user typed.
    User {
        /// The text.
        content: String,
    },
    /// What the model answered: text, optional reasoning, and the tools it called.
    Assistant {
        /// The visible text (may be empty when the model only called tools).
        #[serde(default)]
        content: String,
        /// The model's reasoning, kept so that Anthropic's signed thinking can be sent back.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reasoning: Option<Reasoning>,
        /// The tool calls, in the order the model made them.
        #[serde(default)]
        tool_calls: Vec<ToolCall>,
    },
    /// The result of one tool call, answered back to the model.
    Tool {
        /// The [`ToolCall::id`] this answers.
        tool_call_id: String,
        /// The tool's name (some providers and the scripted model want it).
        name: String,
        /// The tool's output text.
        content: String,
        /// Whether the tool failed.
        #[serde(default)]
        is_error: bool,
    },
}

/// A model's reasoning text, with the signature Anthropic needs to accept it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reasoning {
    /// The reasoning text as streamed.
    pub text: String,
    /// Anthropic's thinking signature, sent back verbatim (None for other providers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// One tool call the model made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's id for the call, echoed in the matching [`ChatMessage::Tool`].
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments as JSON text, exactly as the model produced it (may be invalid).
    pub arguments: String,
}

/// A tool offered to the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    /// The name the model calls it by.
    pub name: String,
    /// What it does, for the model.
    pub description: String,
    /// Its arguments as a JSON Schema object.
    pub parameters: serde_json::Value,
}

/// One piece of a streamed answer.
///
/// Contract for every provider: [`ModelEvent::Finish`] is the last event and comes only when
/// the provider's stream completed properly; [`ModelEvent::Usage`], when known, comes once,
/// just before it. A [`ModelEvent::ToolCallArgs`] always follows the `ToolCallStart` of its `index`;
/// indices count the response's tool calls from 0 in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelEvent {
    /// A fragment of visible text.
    Text(String),
    /// A fragment of reasoning text.
    Reasoning(String),
    /// Anthropic's signature for the reasoning so far (keep it to send back).
    ReasoningSignature(String),
    /// A tool call begins.
    ToolCallStart {
        /// The call's position among this response's tool calls, from 0.
        index: usize,
        /// The provider's id for it.
        id: String,
        /// The tool's name.
        name: String,
    },
    /// A fragment of a tool call's JSON arguments (concatenate them in order).
    ToolCallArgs {
        /// The call's position, as in its `ToolCallStart`.
        index: usize,
        /// The next piece of JSON text.
        fragment: String,
    },
    /// Token accounting for the whole response.
    Usage(Usage),
    /// The response is complete.
    Finish(FinishReason),
}

/// Token counts for one model call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    /// Input tokens, cached ones included.
    pub prompt_tokens: u64,
    /// Output tokens, reasoning included.
    pub completion_tokens: u64,
    /// Their sum (as the provider reported it when it did).
    pub total_tokens: u64,
    /// Input tokens served from the provider's prompt cache, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input_tokens: Option<u64>,
    /// Output tokens spent on reasoning, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_tokens: Option<u64>,
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishReason {
    /// It finished its answer.
    Stop,
    /// It wants the tool calls it made run.
    ToolCalls,
    /// It hit the output token cap.
    Length,
    /// The provider's content filter stopped it.
    ContentFilter,
    /// Anything else, with the provider's own word for it.
    Other(String),
}

/// The events of one streamed answer; dropping it cancels the HTTP request.
pub type EventStream =
    Pin<Box<dyn futures_util::Stream<Item = Result<ModelEvent, ModelError>> + Send>>;

/// A model backend the agent loop can call, whatever its wire format.
pub trait Provider: Send + Sync + std::fmt::Debug {
    /// The handle it was resolved from, e.g. `openai/gpt-4o` (shown to users).
    fn handle(&self) -> &str;
    /// Starts one call; the request is sent when the stream is first polled, and dropping the
    /// stream cancels it at once.
    fn stream(&self, request: &ModelRequest) -> EventStream;
    /// The model names this provider offers (for `--list-models` style UIs).
    fn list_models(&self) -> BoxFuture<'_, Result<Vec<String>, ModelError>>;
}
