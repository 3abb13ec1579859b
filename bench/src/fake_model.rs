//! A local OpenAI-compatible model that answers instantly, so that what the benchmark
//! measures is tether and not a model. It speaks the real Chat Completions SSE format
//! (`data: {chunk}` lines, a finish chunk, a usage chunk, `data: [DONE]`).
//!
//! What it answers depends only on the request (no state to reset between turns):
//! - the last message is a tool result → a short text;
//! - the user text contains [`BASH_MARKER`] → a `Bash {"command":"true"}` tool call;
//! - the user text contains `[long N]` → a text in N chunks;
//! - anything else → a short text in a few chunks.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use axum::serve::ListenerExt;
use serde_json::{Value, json};

/// A user message containing this makes the fake call Bash first.
pub const BASH_MARKER: &str = "[bash]";

/// The chunks of the default short answer (several, as a real model streams).
const SHORT_ANSWER: &[&str] = &["Hello", " from", " the", " bench."];

/// A running fake model.
pub struct FakeModel {
    /// `http://127.0.0.1:PORT/v1`, for `OPENAI_BASE_URL`.
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeModel {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl FakeModel {
    /// Starts the fake on 127.0.0.1:0.
    pub async fn start() -> anyhow::Result<Self> {
        let app = Router::new().route("/v1/chat/completions", post(completions)).with_state(Counter::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}/v1", listener.local_addr()?);
        // Nagle off: each SSE chunk leaves at once, so the fake never adds a delayed-ACK stall.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { base_url, task })
    }
}

async fn completions(State(counter): State<Counter>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let messages = request["messages"].as_array().cloned().unwrap_or_default();
    let last = messages.last().cloned().unwrap_or(Value::Null);
    let user_text = match &last["content"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let chunks = if last["role"] == "tool" {
        text(&["Done."])
    } else if user_text.contains(BASH_MARKER) {
        bash_call(counter.0.fetch_add(1, Ordering::Relaxed))
    } else if let Some(n) = long_count(&user_text) {
        let parts: Vec<String> = (0..n).map(|i| format!("word{i} ")).collect();
        text(&parts)
    } else {
        text(SHORT_ANSWER)
    };
    let stream = futures_util::stream::iter(chunks.into_iter().map(|c| Ok::<_, std::io::Error>(Bytes::from(c))));
    let mut response = Response::new(Body::from_stream(stream));
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("text/event-stream"));
    response
}

/// N in a `[long N]` marker.
fn long_count(text: &str) -> Option<usize> {
    let start = text.find("[long ")? + "[long ".len();
    let end = text[start..].find(']')? + start;
    text[start..end].trim().parse().ok()
}

fn chunk(delta: Value, finish_reason: Option<&str>) -> String {
    let body = json!({ "id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1, "model": "bench",
        "choices": [{ "index": 0, "delta": delta, "finish_reason": finish_reason }] });
    format!("data: {body}\n\n")
}

fn usage() -> String {
    let body = json!({ "id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1, "model": "bench",
        "choices": [], "usage": { "prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15 } });
    format!("data: {body}\n\n")
}

fn finish(mut chunks: Vec<String>, reason: &str) -> Vec<String> {
    chunks.push(chunk(json!({}), Some(reason)));
    chunks.push(usage());
    chunks.push("data: [DONE]\n\n".to_owned());
    chunks
}

fn text<S: AsRef<str>>(parts: &[S]) -> Vec<String> {
    let mut chunks = vec![chunk(json!({ "role": "assistant", "content": "" }), None)];
    chunks.extend(parts.iter().map(|p| chunk(json!({ "content": p.as_ref() }), None)));
    finish(chunks, "stop")
}

fn bash_call(n: u64) -> Vec<String> {
    let chunks = vec![
        chunk(json!({ "role": "assistant", "content": null, "tool_calls": [{ "index": 0, "id": format!("call_bench_{n}"),
            "type": "function", "function": { "name": "Bash", "arguments": "" } }] }), None),
        chunk(json!({ "tool_calls": [{ "index": 0, "function": { "arguments": "{\"command\":\"true\"}" } }] }), None),
    ];
    finish(chunks, "tool_calls")
}
