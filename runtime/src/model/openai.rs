//! OpenAI Chat Completions streaming (`POST {base}/chat/completions`), which also serves
//! Ollama, llama.cpp, vLLM, OpenRouter and every other OpenAI-compatible server.

use std::collections::VecDeque;

use futures_util::future::BoxFuture;
use serde::Serialize;
use serde_json::{Value, json};

use super::error::ModelError;
use super::http::{self, Decoder};
use super::sse::SseEvent;
use super::types::{
    ChatMessage, EventStream, FinishReason, ModelEvent, ModelRequest, Provider, ToolSpec, Usage,
};

/// The data payload that ends an OpenAI stream.
const DONE_MARKER: &str = "[DONE]";

/// Which request field caps the output: OpenAI itself rejects `max_tokens` for its
/// reasoning models, while older compatible servers (Ollama) only know `max_tokens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MaxTokensField {
    MaxCompletionTokens,
    MaxTokens,
}

/// A provider speaking OpenAI's Chat Completions API.
pub struct OpenAiProvider {
    handle: String,
    base_url: String,
    api_key: Option<String>,
    max_tokens_field: MaxTokensField,
    client: reqwest::Client,
}

impl std::fmt::Debug for OpenAiProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiProvider")
            .field("handle", &self.handle)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl OpenAiProvider {
    /// A provider for `handle` (e.g. `openai/gpt-4o`) at `base_url` (ending in `/v1`); the
    /// key, when given, is sent as `Authorization: Bearer`.
    pub fn new(handle: &str, base_url: &str, api_key: Option<String>) -> Result<Self, ModelError> {
        Ok(OpenAiProvider {
            handle: handle.to_owned(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            max_tokens_field: MaxTokensField::MaxCompletionTokens,
            client: http::build_client()?,
        })
    }

    /// Sends the output cap as `max_tokens` (for servers such as Ollama that predate
    /// `max_completion_tokens`).
    pub fn with_legacy_max_tokens(mut self) -> Self {
        self.max_tokens_field = MaxTokensField::MaxTokens;
        self
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.api_key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    fn body<'a>(&self, request: &'a ModelRequest) -> Body<'a> {
        let (max_completion_tokens, max_tokens) = match self.max_tokens_field {
            MaxTokensField::MaxCompletionTokens => (request.max_tokens, None),
            MaxTokensField::MaxTokens => (None, request.max_tokens),
        };
        Body {
            model: &request.model,
            messages: Messages(request),
            stream: true,
            stream_options: StreamOptions { include_usage: true },
            tools: request.tools.iter().map(tool).collect(),
            max_completion_tokens,
            max_tokens,
        }
    }
}

/// The request body, serialised straight from the transcript (no intermediate JSON value:
/// the whole history goes out on every step, so this is per-turn work that grows).
#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    messages: Messages<'a>,
    stream: bool,
    stream_options: StreamOptions,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<WireTool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
}

#[derive(Serialize)]
struct StreamOptions {
    include_usage: bool,
}

/// The system prompt (when set) and the transcript, as Chat Completions messages.
struct Messages<'a>(&'a ModelRequest);

impl Serialize for Messages<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let request = self.0;
        let system = (!request.system.is_empty()).then(|| WireMessage::System { content: &request.system });
        serializer.collect_seq(system.into_iter().chain(request.messages.iter().map(WireMessage::of)))
    }
}

/// One Chat Completions message.
#[derive(Serialize)]
#[serde(tag = "role", rename_all = "lowercase")]
enum WireMessage<'a> {
    System {
        content: &'a str,
    },
    User {
        content: &'a str,
    },
    Assistant {
        /// `null` when the model only called tools.
        content: Option<&'a str>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<WireCall<'a>>,
    },
    Tool {
        tool_call_id: &'a str,
        content: &'a str,
    },
}

impl<'a> WireMessage<'a> {
    fn of(message: &'a ChatMessage) -> Self {
        match message {
            ChatMessage::User { content } => WireMessage::User { content },
            // Reasoning is not sent back: Chat Completions has no field for it.
            ChatMessage::Assistant { content, tool_calls, .. } => WireMessage::Assistant {
                content: (!content.is_empty() || tool_calls.is_empty()).then_some(content.as_str()),
                tool_calls: tool_calls
                    .iter()
                    .map(|call| WireCall {
                        id: &call.id,
                        kind: "function",
                        function: WireFunction { name: &call.name, arguments: &call.arguments },
                    })
                    .collect(),
            },
            ChatMessage::Tool { tool_call_id, content, .. } => WireMessage::Tool { tool_call_id, content },
        }
    }
}

#[derive(Serialize)]
struct WireCall<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    function: WireFunction<'a>,
}

#[derive(Serialize)]
struct WireFunction<'a> {
    name: &'a str,
    arguments: &'a str,
}

impl Provider for OpenAiProvider {
    fn handle(&self) -> &str {
        &self.handle
    }

    fn stream(&self, request: &ModelRequest) -> EventStream {
        let body = self.body(request);
        let url = http::join(&self.base_url, "chat/completions");
        let builder = self.authorized(self.client.post(url)).json(&body);
        http::sse_stream(builder, OpenAiDecoder::default())
    }

    fn list_models(&self) -> BoxFuture<'_, Result<Vec<String>, ModelError>> {
        Box::pin(async move {
            let url = http::join(&self.base_url, "models");
            let json = http::get_json(self.authorized(self.client.get(url))).await?;
            Ok(model_ids(&json))
        })
    }
}

/// `data[].id` of a model list (OpenAI's and Anthropic's share this shape).
pub(super) fn model_ids(json: &Value) -> Vec<String> {
    let models = json["data"].as_array().map(Vec::as_slice).unwrap_or_default();
    models.iter().filter_map(|m| m["id"].as_str()).map(str::to_owned).collect()
}

fn tool(spec: &ToolSpec) -> WireTool<'_> {
    WireTool {
        kind: "function",
        function: WireToolFunction { name: &spec.name, description: &spec.description, parameters: &spec.parameters },
    }
}

/// A tool the model may call, as Chat Completions declares it.
#[derive(Serialize)]
struct WireTool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    function: WireToolFunction<'a>,
}

#[derive(Serialize)]
struct WireToolFunction<'a> {
    name: &'a str,
    description: &'a str,
    parameters: &'a Value,
}

/// One tool call seen in the stream: the provider's index and id, to route later chunks.
#[derive(Debug)]
struct CallSlot {
    provider_index: Option<u64>,
    id: String,
}

/// Decodes Chat Completions chunks; holds usage and `finish_reason` back until `[DONE]`, so
/// that one Usage (the last reported: some servers repeat it on every chunk) precedes Finish
/// although OpenAI sends the usage chunk after the finish_reason one.
#[derive(Debug, Default)]
struct OpenAiDecoder {
    calls: Vec<CallSlot>,
    finish: Option<FinishReason>,
    usage: Option<Usage>,
}

impl Decoder for OpenAiDecoder {
    fn event(
        &mut self,
        event: SseEvent,
        out: &mut VecDeque<ModelEvent>,
    ) -> Result<bool, ModelError> {
        let data = event.data.trim();
        if data == DONE_MARKER {
            self.finish_into(out);
            return Ok(true);
        }
        if data.is_empty() {
            return Ok(false);
        }
        let chunk: Value = serde_json::from_str(data).map_err(|e| {
            ModelError::Stream(format!("malformed chunk ({e}): {}", http::snippet(data)))
        })?;
        if let Some(error) = chunk.get("error").filter(|e| !e.is_null()) {
            return Err(stream_error(error));
        }
        if event.event == "error" {
            return Err(stream_error(&chunk));
        }
        if let Some(choice) = chunk["choices"].as_array().and_then(|c| c.first()) {
            self.choice(choice, out);
        }
        if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
            self.usage = Some(parse_usage(usage));
        }
        Ok(false)
    }

    fn end(&mut self, out: &mut VecDeque<ModelEvent>) -> Result<(), ModelError> {
        // Some compatible servers close after the finish_reason chunk without `[DONE]`.
        if self.finish.is_some() {
            self.finish_into(out);
            return Ok(());
        }
        Err(ModelError::Stream(
            "the stream ended before its finish_reason and [DONE] (connection closed mid-response)"
                .to_owned(),
        ))
    }
}

impl OpenAiDecoder {
    fn choice(&mut self, choice: &Value, out: &mut VecDeque<ModelEvent>) {
        let delta = &choice["delta"];
        // llama.cpp and DeepSeek send `reasoning_content`; vLLM and OpenRouter `reasoning`.
        let reasoning =
            non_empty(&delta["reasoning_content"]).or_else(|| non_empty(&delta["reasoning"]));
        if let Some(text) = reasoning {
            out.push_back(ModelEvent::Reasoning(text.to_owned()));
        }
        if let Some(text) = non_empty(&delta["content"]) {
            out.push_back(ModelEvent::Text(text.to_owned()));
        }
        for call in delta["tool_calls"].as_array().map(Vec::as_slice).unwrap_or_default() {
            self.tool_call(call, out);
        }
        if let Some(reason) = non_empty(&choice["finish_reason"]) {
            self.finish = Some(finish_reason(reason));
        }
    }

    fn tool_call(&mut self, call: &Value, out: &mut VecDeque<ModelEvent>) {
        let provider_index = call["index"].as_u64();
        let id = non_empty(&call["id"]);
        let function = &call["function"];
        // Route the chunk: a known id, else the latest call with this index, else the latest.
        let slot = match (id, provider_index) {
            (Some(id), _) => self.calls.iter().position(|c| c.id == id),
            (None, Some(index)) => self.calls.iter().rposition(|c| c.provider_index == Some(index)),
            (None, None) => self.calls.len().checked_sub(1),
        };
        let index = match slot {
            Some(index) => index,
            None => {
                let index = self.calls.len();
                let id = id.map_or_else(|| format!("call_{index}"), str::to_owned);
                let name = non_empty(&function["name"]).unwrap_or_default().to_owned();
                out.push_back(ModelEvent::ToolCallStart { index, id: id.clone(), name });
                self.calls.push(CallSlot { provider_index, id });
                index
            }
        };
        let fragment = match &function["arguments"] {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(), // a server that sends the arguments as an object
        };
        if !fragment.is_empty() {
            out.push_back(ModelEvent::ToolCallArgs { index, fragment });
        }
    }

    fn finish_into(&mut self, out: &mut VecDeque<ModelEvent>) {
        if let Some(usage) = self.usage.take() {
            out.push_back(ModelEvent::Usage(usage));
        }
        let reason = self.finish.take().unwrap_or(if self.calls.is_empty() {
            FinishReason::Stop
        } else {
            FinishReason::ToolCalls
        });
        out.push_back(ModelEvent::Finish(reason));
    }
}

fn non_empty(value: &Value) -> Option<&str> {
    value.as_str().filter(|s| !s.is_empty())
}

fn finish_reason(reason: &str) -> FinishReason {
    match reason {
        "stop" => FinishReason::Stop,
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        "length" => FinishReason::Length,
        "content_filter" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_owned()),
    }
}

fn parse_usage(usage: &Value) -> Usage {
    let count = |v: &Value| v.as_u64();
    let prompt_tokens = count(&usage["prompt_tokens"]).unwrap_or(0);
    let completion_tokens = count(&usage["completion_tokens"]).unwrap_or(0);
    Usage {
        prompt_tokens,
        completion_tokens,
        total_tokens: count(&usage["total_tokens"]).unwrap_or(prompt_tokens + completion_tokens),
        cached_input_tokens: count(&usage["prompt_tokens_details"]["cached_tokens"]),
        reasoning_tokens: count(&usage["completion_tokens_details"]["reasoning_tokens"]),
    }
}

/// An error object sent inside the stream (OpenRouter, vLLM do this mid-response): an HTTP
/// error when it names a status code, else a stream error.
fn stream_error(error: &Value) -> ModelError {
    let message = http::message_in(&json!({ "error": error }))
        .unwrap_or_else(|| "the model API reported an error mid-stream".to_owned());
    let code =
        error["code"].as_u64().or_else(|| error["code"].as_str().and_then(|c| c.parse().ok()));
    match code.and_then(|c| u16::try_from(c).ok()).filter(|c| (400..600).contains(c)) {
        Some(status) => ModelError::Http { status, message, retry_after: None },
        None => ModelError::Stream(message),
    }
}
