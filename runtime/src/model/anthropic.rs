//! Anthropic Messages streaming (`POST {base}/v1/messages`).

use std::collections::{HashMap, VecDeque};

use futures_util::future::BoxFuture;
use serde_json::{Map, Value, json};

use super::error::ModelError;
use super::http::{self, Decoder};
use super::openai::model_ids;
use super::sse::SseEvent;
use super::types::{
    ChatMessage, EventStream, FinishReason, ModelEvent, ModelRequest, Provider, Usage,
};

/// The API version this module speaks (the one whose event shapes it parses).
const API_VERSION: &str = "2023-06-01";
/// The output cap when the request names none; Anthropic requires one.
const DEFAULT_MAX_TOKENS: u32 = 8192;
/// How many models one list request asks for (the API's maximum page size).
const MODEL_PAGE_SIZE: u32 = 1000;

/// A provider speaking Anthropic's Messages API.
pub struct AnthropicProvider {
    handle: String,
    base_url: String,
    api_key: String,
    client: reqwest::Client,
}

impl std::fmt::Debug for AnthropicProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnthropicProvider")
            .field("handle", &self.handle)
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl AnthropicProvider {
    /// A provider for `handle` (e.g. `anthropic/claude-sonnet-4-5`) at `base_url` (without
    /// `/v1`), authenticating with `api_key`.
    pub fn new(handle: &str, base_url: &str, api_key: String) -> Result<Self, ModelError> {
        Ok(AnthropicProvider {
            handle: handle.to_owned(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            client: http::build_client()?,
        })
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.header("x-api-key", &self.api_key).header("anthropic-version", API_VERSION)
    }
}

impl Provider for AnthropicProvider {
    fn handle(&self) -> &str {
        &self.handle
    }

    fn stream(&self, request: &ModelRequest) -> EventStream {
        let body = body(request);
        let url = http::join(&self.base_url, "v1/messages");
        let builder = self.authorized(self.client.post(url)).json(&body);
        http::sse_stream(builder, AnthropicDecoder::default())
    }

    fn list_models(&self) -> BoxFuture<'_, Result<Vec<String>, ModelError>> {
        Box::pin(async move {
            let url = http::join(&self.base_url, &format!("v1/models?limit={MODEL_PAGE_SIZE}"));
            let json = http::get_json(self.authorized(self.client.get(url))).await?;
            Ok(model_ids(&json))
        })
    }
}

fn body(request: &ModelRequest) -> Value {
    let mut body = json!({
        "model": request.model,
        "max_tokens": request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        "stream": true,
        "messages": messages(&request.messages),
    });
    if !request.system.is_empty() {
        body["system"] = json!(request.system);
    }
    if !request.tools.is_empty() {
        body["tools"] = request
            .tools
            .iter()
            .map(|t| json!({ "name": t.name, "description": t.description, "input_schema": t.parameters }))
            .collect();
    }
    body
}

/// Converts the transcript to Anthropic's alternating turns of content blocks: tool results
/// become `tool_result` blocks of a user turn, and consecutive same-role turns merge (so
/// parallel tool results share one user message, as the API requires).
fn messages(transcript: &[ChatMessage]) -> Vec<Value> {
    let mut turns: Vec<(&str, Vec<Value>)> = Vec::new();
    for message in transcript {
        let (role, blocks) = match message {
            ChatMessage::User { content } => ("user", text_block(content).into_iter().collect()),
            ChatMessage::Assistant { content, reasoning, tool_calls } => {
                let mut blocks = Vec::new();
                // Thinking can only be sent back with its signature, and must come first.
                if let Some(reasoning) = reasoning
                    && let Some(signature) = &reasoning.signature
                {
                    blocks.push(json!({
                        "type": "thinking", "thinking": reasoning.text, "signature": signature,
                    }));
                }
                blocks.extend(text_block(content));
                for call in tool_calls {
                    blocks.push(json!({
                        "type": "tool_use", "id": call.id, "name": call.name,
                        "input": tool_input(&call.arguments),
                    }));
                }
                ("assistant", blocks)
            }
            ChatMessage::Tool { tool_call_id, content, is_error, .. } => {
                let block = json!({
                    "type": "tool_result", "tool_use_id": tool_call_id,
                    "content": content, "is_error": is_error,
                });
                ("user", vec![block])
            }
        };
        if blocks.is_empty() {
            continue; // the API rejects empty turns
        }
        match turns.last_mut() {
            Some((last_role, last_blocks)) if *last_role == role => last_blocks.extend(blocks),
            _ => turns.push((role, blocks)),
        }
    }
    turns.into_iter().map(|(role, content)| json!({ "role": role, "content": content })).collect()
}

/// A text block, or none for empty text (the API rejects empty text blocks).
fn text_block(text: &str) -> Option<Value> {
    (!text.is_empty()).then(|| json!({ "type": "text", "text": text }))
}

/// A tool call's arguments as the object `tool_use.input` must be; arguments the model got
/// wrong (not a JSON object) are sent as `{}` — the tool's error result already told it.
fn tool_input(arguments: &str) -> Value {
    match serde_json::from_str::<Value>(arguments) {
        Ok(Value::Object(object)) => Value::Object(object),
        _ => Value::Object(Map::new()),
    }
}

/// What a content block (by its stream index) is, to route its deltas.
#[derive(Debug)]
enum Block {
    Text,
    Thinking,
    Tool { index: usize, args_seen: bool, initial_input: String },
    Other,
}

/// Decodes Messages stream events; usage and the stop reason are emitted at `message_stop`.
#[derive(Debug, Default)]
struct AnthropicDecoder {
    blocks: HashMap<u64, Block>,
    tool_calls: usize,
    input_tokens: u64,
    cache_creation_tokens: u64,
    cache_read_tokens: Option<u64>,
    output_tokens: u64,
    stop: Option<FinishReason>,
}

impl Decoder for AnthropicDecoder {
    fn event(
        &mut self,
        event: SseEvent,
        out: &mut VecDeque<ModelEvent>,
    ) -> Result<bool, ModelError> {
        let data: Value = serde_json::from_str(&event.data).map_err(|e| {
            ModelError::Stream(format!(
                "malformed {} event ({e}): {}",
                event.event,
                http::snippet(&event.data)
            ))
        })?;
        let kind = data["type"].as_str().unwrap_or(&event.event);
        match kind {
            "message_start" => self.usage(&data["message"]["usage"]),
            "content_block_start" => self.block_start(&data, out)?,
            "content_block_delta" => self.block_delta(&data, out),
            "content_block_stop" => self.block_stop(&data, out),
            "message_delta" => {
                if let Some(reason) = data["delta"]["stop_reason"].as_str() {
                    self.stop = Some(stop_reason(reason));
                }
                self.usage(&data["usage"]);
            }
            "message_stop" => {
                out.push_back(ModelEvent::Usage(self.total_usage()));
                let reason = self.stop.take().unwrap_or(if self.tool_calls > 0 {
                    FinishReason::ToolCalls
                } else {
                    FinishReason::Stop
                });
                out.push_back(ModelEvent::Finish(reason));
                return Ok(true);
            }
            "error" => return Err(error_event(&data["error"])),
            _ => {} // `ping` and event types newer than this module
        }
        Ok(false)
    }

    fn end(&mut self, _out: &mut VecDeque<ModelEvent>) -> Result<(), ModelError> {
        Err(ModelError::Stream(
            "the stream ended before message_stop (connection closed mid-response)".to_owned(),
        ))
    }
}

impl AnthropicDecoder {
    fn usage(&mut self, usage: &Value) {
        if let Some(n) = usage["input_tokens"].as_u64() {
            self.input_tokens = n;
        }
        if let Some(n) = usage["cache_creation_input_tokens"].as_u64() {
            self.cache_creation_tokens = n;
        }
        if let Some(n) = usage["cache_read_input_tokens"].as_u64() {
            self.cache_read_tokens = Some(n);
        }
        // Cumulative: message_delta's count supersedes message_start's.
        if let Some(n) = usage["output_tokens"].as_u64() {
            self.output_tokens = n;
        }
    }

    fn total_usage(&self) -> Usage {
        let prompt_tokens =
            self.input_tokens + self.cache_creation_tokens + self.cache_read_tokens.unwrap_or(0);
        Usage {
            prompt_tokens,
            completion_tokens: self.output_tokens,
            total_tokens: prompt_tokens + self.output_tokens,
            cached_input_tokens: self.cache_read_tokens,
            reasoning_tokens: None,
        }
    }

    fn block_start(
        &mut self,
        data: &Value,
        out: &mut VecDeque<ModelEvent>,
    ) -> Result<(), ModelError> {
        let Some(block_index) = data["index"].as_u64() else {
            return Err(ModelError::Stream("content_block_start without an index".to_owned()));
        };
        let block = &data["content_block"];
        let kind = match block["type"].as_str() {
            Some("text") => {
                push_text(out, &block["text"], ModelEvent::Text);
                Block::Text
            }
            Some("thinking") => {
                push_text(out, &block["thinking"], ModelEvent::Reasoning);
                push_text(out, &block["signature"], ModelEvent::ReasoningSignature);
                Block::Thinking
            }
            Some("tool_use") => {
                let index = self.tool_calls;
                self.tool_calls += 1;
                let id = block["id"].as_str().unwrap_or_default().to_owned();
                let name = block["name"].as_str().unwrap_or_default().to_owned();
                out.push_back(ModelEvent::ToolCallStart { index, id, name });
                let initial_input = match &block["input"] {
                    Value::Object(object) => Value::Object(object.clone()).to_string(),
                    _ => "{}".to_owned(),
                };
                Block::Tool { index, args_seen: false, initial_input }
            }
            _ => Block::Other, // redacted_thinking, server tools: nothing we can carry
        };
        self.blocks.insert(block_index, kind);
        Ok(())
    }

    fn block_delta(&mut self, data: &Value, out: &mut VecDeque<ModelEvent>) {
        let Some(block) = data["index"].as_u64().and_then(|i| self.blocks.get_mut(&i)) else {
            return;
        };
        let delta = &data["delta"];
        match (delta["type"].as_str(), block) {
            (Some("text_delta"), Block::Text) => push_text(out, &delta["text"], ModelEvent::Text),
            (Some("thinking_delta"), Block::Thinking) => {
                push_text(out, &delta["thinking"], ModelEvent::Reasoning)
            }
            (Some("signature_delta"), Block::Thinking) => {
                push_text(out, &delta["signature"], ModelEvent::ReasoningSignature)
            }
            (Some("input_json_delta"), Block::Tool { index, args_seen, .. }) => {
                if let Some(fragment) = delta["partial_json"].as_str().filter(|s| !s.is_empty()) {
                    *args_seen = true;
                    out.push_back(ModelEvent::ToolCallArgs {
                        index: *index,
                        fragment: fragment.to_owned(),
                    });
                }
            }
            _ => {} // citations and deltas of blocks we do not carry
        }
    }

    fn block_stop(&mut self, data: &Value, out: &mut VecDeque<ModelEvent>) {
        let block = data["index"].as_u64().and_then(|i| self.blocks.remove(&i));
        // A call without argument deltas still gets valid JSON arguments.
        if let Some(Block::Tool { index, args_seen: false, initial_input }) = block {
            out.push_back(ModelEvent::ToolCallArgs { index, fragment: initial_input });
        }
    }
}

fn push_text(out: &mut VecDeque<ModelEvent>, value: &Value, make: fn(String) -> ModelEvent) {
    if let Some(text) = value.as_str().filter(|s| !s.is_empty()) {
        out.push_back(make(text.to_owned()));
    }
}

fn stop_reason(reason: &str) -> FinishReason {
    match reason {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "tool_use" => FinishReason::ToolCalls,
        "max_tokens" => FinishReason::Length,
        "refusal" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_owned()),
    }
}

/// An `error` event: its type names the HTTP status the same failure would have had, so
/// that retry decisions match (`overloaded_error` is 529).
fn error_event(error: &Value) -> ModelError {
    let message = error["message"].as_str().unwrap_or("the model API reported an error mid-stream");
    let status = match error["type"].as_str() {
        Some("invalid_request_error") => 400,
        Some("authentication_error") => 401,
        Some("billing_error") => 402,
        Some("permission_error") => 403,
        Some("not_found_error") => 404,
        Some("request_too_large") => 413,
        Some("rate_limit_error") => 429,
        Some("api_error") => 500,
        Some("timeout_error") => 504,
        Some("overloaded_error") => 529,
        _ => return ModelError::Stream(message.to_owned()),
    };
    ModelError::Http { status, message: message.to_owned(), retry_after: None }
}
