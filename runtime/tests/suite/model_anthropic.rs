//! The Anthropic provider against a fake Messages API speaking the real SSE wire format.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed expect is a failed test

use std::sync::Arc;
use std::time::Duration;

use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use tether::model::{
    ChatMessage, FinishReason, ModelError, ModelEvent, ModelRequest, Provider, ProviderEnv,
    Reasoning, ToolCall, ToolSpec, Usage, resolve,
};

use super::model_fake::{FakeServer, Reply, collect, collect_ok, next, text, tool_calls, within};

const KEY: &str = "sk-ant-test-secret-0123456789";

fn provider(server: &FakeServer) -> Arc<dyn Provider> {
    let env = ProviderEnv {
        anthropic_base_url: server.url.clone(),
        anthropic_api_key: Some(KEY.to_owned()),
        ..ProviderEnv::default()
    };
    resolve("anthropic/claude-sonnet-4-5", &env).expect("resolve")
}

fn request(prompt: &str) -> ModelRequest {
    ModelRequest {
        model: "claude-sonnet-4-5".to_owned(),
        system: "You are terse.".to_owned(),
        messages: vec![ChatMessage::User { content: prompt.to_owned() }],
        ..ModelRequest::default()
    }
}

/// One SSE event as Anthropic frames it: `event:` line, `data:` line, blank line.
fn event(data: Value) -> String {
    format!("event: {}\ndata: {data}\n\n", data["type"].as_str().expect("type"))
}

fn message_start(input_tokens: u64) -> String {
    event(json!({ "type": "message_start", "message": {
        "id": "msg_01", "type": "message", "role": "assistant", "content": [],
        "model": "claude-sonnet-4-5-20250929", "stop_reason": null, "stop_sequence": null,
        "usage": { "input_tokens": input_tokens, "cache_creation_input_tokens": 0,
                   "cache_read_input_tokens": 7, "output_tokens": 1 } } }))
}

fn ping() -> String {
    event(json!({ "type": "ping" }))
}

fn text_start(index: u64) -> String {
    event(json!({ "type": "content_block_start", "index": index,
                  "content_block": { "type": "text", "text": "" } }))
}

fn text_delta(index: u64, text: &str) -> String {
    event(json!({ "type": "content_block_delta", "index": index,
                  "delta": { "type": "text_delta", "text": text } }))
}

fn tool_start(index: u64, id: &str, name: &str) -> String {
    event(json!({ "type": "content_block_start", "index": index,
                  "content_block": { "type": "tool_use", "id": id, "name": name, "input": {} } }))
}

fn json_delta(index: u64, partial: &str) -> String {
    event(json!({ "type": "content_block_delta", "index": index,
                  "delta": { "type": "input_json_delta", "partial_json": partial } }))
}

fn block_stop(index: u64) -> String {
    event(json!({ "type": "content_block_stop", "index": index }))
}

fn message_delta(stop_reason: &str, output_tokens: u64) -> String {
    event(json!({ "type": "message_delta",
                  "delta": { "stop_reason": stop_reason, "stop_sequence": null },
                  "usage": { "output_tokens": output_tokens } }))
}

fn message_stop() -> String {
    event(json!({ "type": "message_stop" }))
}

fn usage(input: u64, output: u64) -> ModelEvent {
    ModelEvent::Usage(Usage {
        prompt_tokens: input + 7,
        completion_tokens: output,
        total_tokens: input + 7 + output,
        cached_input_tokens: Some(7),
        reasoning_tokens: None,
    })
}

fn start(index: usize, id: &str, name: &str) -> ModelEvent {
    ModelEvent::ToolCallStart { index, id: id.to_owned(), name: name.to_owned() }
}

fn args(index: usize, fragment: &str) -> ModelEvent {
    ModelEvent::ToolCallArgs { index, fragment: fragment.to_owned() }
}

#[tokio::test]
async fn text_arrives_incrementally_in_several_chunks() {
    let (reply, feed) = Reply::fed();
    let server = FakeServer::start(vec![reply]).await;
    let mut stream = provider(&server).stream(&request("hi"));

    assert!(
        feed.send(&(message_start(20) + &text_start(0) + &ping() + &text_delta(0, "Hel"))).await
    );
    assert_eq!(next(&mut stream).await, Some(Ok(ModelEvent::Text("Hel".into()))));
    assert!(feed.send(&text_delta(0, "lo, ")).await);
    assert_eq!(next(&mut stream).await, Some(Ok(ModelEvent::Text("lo, ".into()))));
    assert!(feed.send(&text_delta(0, "world")).await);
    assert_eq!(next(&mut stream).await, Some(Ok(ModelEvent::Text("world".into()))));
    assert!(feed.send(&(block_stop(0) + &message_delta("end_turn", 4) + &message_stop())).await);
    drop(feed);

    assert_eq!(
        collect_ok(stream).await,
        vec![usage(20, 4), ModelEvent::Finish(FinishReason::Stop)]
    );
}

#[tokio::test]
async fn one_tool_call_after_text() {
    let server = FakeServer::start(vec![Reply::sse([
        message_start(30),
        text_start(0),
        text_delta(0, "Listing."),
        block_stop(0),
        tool_start(1, "toolu_01", "Bash"),
        json_delta(1, ""),
        json_delta(1, "{\"command\""),
        json_delta(1, ": \"ls -la\"}"),
        block_stop(1),
        message_delta("tool_use", 25),
        message_stop(),
    ])])
    .await;
    let events = collect_ok(provider(&server).stream(&request("list files"))).await;
    assert_eq!(
        events,
        vec![
            ModelEvent::Text("Listing.".into()),
            start(0, "toolu_01", "Bash"),
            args(0, "{\"command\""),
            args(0, ": \"ls -la\"}"),
            usage(30, 25),
            ModelEvent::Finish(FinishReason::ToolCalls),
        ]
    );
}

#[tokio::test]
async fn two_parallel_tool_calls_with_signed_thinking() {
    let server = FakeServer::start(vec![Reply::sse([
        message_start(40),
        event(json!({ "type": "content_block_start", "index": 0,
                      "content_block": { "type": "thinking", "thinking": "" } })),
        event(json!({ "type": "content_block_delta", "index": 0,
                      "delta": { "type": "thinking_delta", "thinking": "Read both files." } })),
        event(json!({ "type": "content_block_delta", "index": 0,
                      "delta": { "type": "signature_delta", "signature": "EqQBCgIYAh..." } })),
        block_stop(0),
        tool_start(1, "toolu_a", "Read"),
        json_delta(1, "{\"path\": \"a.txt\"}"),
        block_stop(1),
        tool_start(2, "toolu_b", "Read"),
        json_delta(2, "{\"path\": "),
        json_delta(2, "\"b.txt\"}"),
        block_stop(2),
        message_delta("tool_use", 60),
        message_stop(),
    ])])
    .await;
    let events = collect_ok(provider(&server).stream(&request("read a and b"))).await;
    assert_eq!(
        events[..2],
        [
            ModelEvent::Reasoning("Read both files.".into()),
            ModelEvent::ReasoningSignature("EqQBCgIYAh...".into()),
        ]
    );
    assert_eq!(
        tool_calls(&events),
        vec![
            ("toolu_a".into(), "Read".into(), "{\"path\": \"a.txt\"}".into()),
            ("toolu_b".into(), "Read".into(), "{\"path\": \"b.txt\"}".into()),
        ]
    );
    assert_eq!(
        events[events.len() - 2..],
        [usage(40, 60), ModelEvent::Finish(FinishReason::ToolCalls)]
    );
}

#[tokio::test]
async fn a_tool_call_without_argument_deltas_gets_empty_object_arguments() {
    let server = FakeServer::start(vec![Reply::sse([
        message_start(5),
        tool_start(0, "toolu_0", "ListAgents"),
        json_delta(0, ""),
        block_stop(0),
        message_delta("tool_use", 9),
        message_stop(),
    ])])
    .await;
    let events = collect_ok(provider(&server).stream(&request("who"))).await;
    assert_eq!(tool_calls(&events), vec![("toolu_0".into(), "ListAgents".into(), "{}".into())]);
}

#[tokio::test]
async fn arguments_split_across_many_chunks_and_bytes() {
    let arguments =
        json!({ "command": "grep -rn \"fn main\" src/ | head -20", "timeout": 30 }).to_string();
    let mut chunks = vec![message_start(1), tool_start(0, "toolu_x", "Bash")];
    let chars: Vec<char> = arguments.chars().collect();
    chunks.extend(chars.chunks(2).map(|c| json_delta(0, &c.iter().collect::<String>())));
    chunks.extend([block_stop(0), message_delta("tool_use", 2), message_stop()]);
    // Every character of the body is its own write, CRLF line ends on top: events are split
    // everywhere, line ends included.
    let body: String = chunks.concat().replace('\n', "\r\n");
    let pieces: Vec<String> = body.chars().map(String::from).collect();
    let server = FakeServer::start(vec![Reply::sse(pieces)]).await;

    let events = collect_ok(provider(&server).stream(&request("grep"))).await;
    assert_eq!(tool_calls(&events), vec![("toolu_x".into(), "Bash".into(), arguments)]);
    assert_eq!(events.len(), 1 + chars.len().div_ceil(2) + 2);
}

#[tokio::test]
async fn an_event_split_across_network_reads_is_reassembled() {
    let (reply, feed) = Reply::fed();
    let server = FakeServer::start(vec![reply]).await;
    let mut stream = provider(&server).stream(&request("hi"));
    let second = text_delta(0, "second");
    let (head, tail) = second.split_at(second.len() / 2);

    assert!(feed.send(&(message_start(1) + &text_start(0) + &text_delta(0, "first") + head)).await);
    assert_eq!(next(&mut stream).await, Some(Ok(ModelEvent::Text("first".into()))));
    assert!(feed.send(tail).await);
    assert_eq!(next(&mut stream).await, Some(Ok(ModelEvent::Text("second".into()))));
    assert!(feed.send(&(block_stop(0) + &message_delta("max_tokens", 2) + &message_stop())).await);
    assert_eq!(
        collect_ok(stream).await,
        vec![usage(1, 2), ModelEvent::Finish(FinishReason::Length)]
    );
}

#[tokio::test]
async fn rate_limit_429_carries_retry_after_and_is_retryable() {
    let body = json!({ "type": "error", "error": { "type": "rate_limit_error",
        "message": "This request would exceed the rate limit for your organization." } });
    let server = FakeServer::start(vec![Reply::json(429, body).header("retry-after", "2")]).await;
    let (events, error) = collect(provider(&server).stream(&request("hi"))).await;
    assert_eq!(events, vec![]);
    let error = error.expect("an error");
    assert_eq!(
        error,
        ModelError::Http {
            status: 429,
            message: "This request would exceed the rate limit for your organization.".into(),
            retry_after: Some(Duration::from_secs(2)),
        }
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn overloaded_529_is_retryable() {
    let body = json!({ "type": "error", "error": { "type": "overloaded_error", "message": "Overloaded" } });
    let server = FakeServer::start(vec![Reply::json(529, body)]).await;
    let (_, error) = collect(provider(&server).stream(&request("hi"))).await;
    let error = error.expect("an error");
    assert_eq!(
        error,
        ModelError::Http { status: 529, message: "Overloaded".into(), retry_after: None }
    );
    assert!(error.is_retryable());
    assert_eq!(error.stop_reason(), "llm_api_error");
}

#[tokio::test]
async fn unauthorized_401_is_not_retryable_and_quotes_the_body() {
    let body = json!({ "type": "error", "error": { "type": "authentication_error",
                                                   "message": "invalid x-api-key" } });
    let server = FakeServer::start(vec![Reply::json(401, body)]).await;
    let (events, error) = collect(provider(&server).stream(&request("hi"))).await;
    assert_eq!(events, vec![]);
    let error = error.expect("an error");
    assert_eq!(
        error,
        ModelError::Http { status: 401, message: "invalid x-api-key".into(), retry_after: None }
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn an_error_event_mid_stream_is_an_http_error() {
    let server = FakeServer::start(vec![Reply::sse([
        message_start(3),
        text_start(0),
        text_delta(0, "Par"),
        event(json!({ "type": "error", "error": { "type": "overloaded_error", "message": "Overloaded" } })),
    ])])
    .await;
    let (events, error) = collect(provider(&server).stream(&request("hi"))).await;
    assert_eq!(events, vec![ModelEvent::Text("Par".into())]);
    let error = error.expect("an error");
    assert_eq!(
        error,
        ModelError::Http { status: 529, message: "Overloaded".into(), retry_after: None }
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_stream_cut_mid_response_is_a_stream_error() {
    let (reply, feed) = Reply::fed();
    let server = FakeServer::start(vec![reply]).await;
    let mut stream = provider(&server).stream(&request("hi"));
    assert!(feed.send(&(message_start(3) + &text_start(0) + &text_delta(0, "Half an ans"))).await);
    assert_eq!(next(&mut stream).await, Some(Ok(ModelEvent::Text("Half an ans".into()))));
    feed.cut().await;
    let (events, error) = collect(stream).await;
    assert_eq!(events, vec![]);
    let error = error.expect("the cut must fail the stream");
    assert!(matches!(error, ModelError::Stream(_)), "{error:?}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_clean_close_before_message_stop_is_a_stream_error() {
    let server = FakeServer::start(vec![Reply::sse([
        message_start(3),
        text_start(0),
        text_delta(0, "Done"),
        block_stop(0),
        message_delta("end_turn", 1),
    ])])
    .await;
    let (events, error) = collect(provider(&server).stream(&request("hi"))).await;
    assert_eq!(events, vec![ModelEvent::Text("Done".into())]);
    let error = error.expect("no message_stop must fail the stream");
    assert!(matches!(&error, ModelError::Stream(m) if m.contains("message_stop")), "{error:?}");
    assert_eq!(error.stop_reason(), "invalid_llm_response");
}

#[tokio::test]
async fn a_very_long_response_is_reassembled_exactly() {
    let pieces: Vec<String> = (0..5000).map(|i| format!("w{i} ")).collect();
    let mut chunks = vec![message_start(10), text_start(0)];
    chunks.extend(pieces.iter().map(|p| text_delta(0, p)));
    chunks.extend([block_stop(0), message_delta("end_turn", 5000), message_stop()]);
    let server = FakeServer::start(vec![Reply::sse(chunks)]).await;
    let events = collect_ok(provider(&server).stream(&request("count"))).await;
    assert_eq!(events.len(), 5002);
    assert_eq!(text(&events), pieces.concat());
    assert_eq!(events[5000..], [usage(10, 5000), ModelEvent::Finish(FinishReason::Stop)]);
}

#[tokio::test]
async fn the_request_has_the_messages_shape() {
    let server = FakeServer::start(vec![Reply::sse([
        message_start(1),
        message_delta("end_turn", 1),
        message_stop(),
    ])])
    .await;
    let provider = provider(&server);
    let request = ModelRequest {
        model: "claude-sonnet-4-5".into(),
        system: "You are tether.".into(),
        messages: vec![
            ChatMessage::User { content: "read a and b".into() },
            ChatMessage::Assistant {
                content: "Reading.".into(),
                reasoning: Some(Reasoning {
                    text: "Both.".into(),
                    signature: Some("sig==".into()),
                }),
                tool_calls: vec![
                    ToolCall {
                        id: "toolu_a".into(),
                        name: "Read".into(),
                        arguments: "{\"path\":\"a\"}".into(),
                    },
                    ToolCall {
                        id: "toolu_b".into(),
                        name: "Read".into(),
                        arguments: "not json".into(),
                    },
                ],
            },
            ChatMessage::Tool {
                tool_call_id: "toolu_a".into(),
                name: "Read".into(),
                content: "alpha".into(),
                is_error: false,
            },
            ChatMessage::Tool {
                tool_call_id: "toolu_b".into(),
                name: "Read".into(),
                content: "bad arguments".into(),
                is_error: true,
            },
            ChatMessage::Assistant {
                content: "a says alpha.".into(),
                reasoning: Some(Reasoning { text: "unsigned".into(), signature: None }),
                tool_calls: vec![],
            },
            ChatMessage::User { content: "thanks".into() },
        ],
        tools: vec![ToolSpec {
            name: "Read".into(),
            description: "Reads a file".into(),
            parameters: json!({ "type": "object", "properties": { "path": { "type": "string" } } }),
        }],
        max_tokens: None,
    };
    collect_ok(provider.stream(&request)).await;

    let sent = server.only_request();
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", "/v1/messages"));
    assert_eq!(sent.headers["x-api-key"], KEY);
    assert_eq!(sent.headers["anthropic-version"], "2023-06-01");
    assert_eq!(sent.headers.get("authorization"), None);
    assert_eq!(
        sent.body,
        json!({
            "model": "claude-sonnet-4-5",
            "max_tokens": 8192,
            "stream": true,
            "system": "You are tether.",
            "messages": [
                { "role": "user", "content": [{ "type": "text", "text": "read a and b" }] },
                { "role": "assistant", "content": [
                    { "type": "thinking", "thinking": "Both.", "signature": "sig==" },
                    { "type": "text", "text": "Reading." },
                    { "type": "tool_use", "id": "toolu_a", "name": "Read", "input": { "path": "a" } },
                    { "type": "tool_use", "id": "toolu_b", "name": "Read", "input": {} },
                ] },
                { "role": "user", "content": [
                    { "type": "tool_result", "tool_use_id": "toolu_a", "content": "alpha", "is_error": false },
                    { "type": "tool_result", "tool_use_id": "toolu_b", "content": "bad arguments", "is_error": true },
                ] },
                { "role": "assistant", "content": [{ "type": "text", "text": "a says alpha." }] },
                { "role": "user", "content": [{ "type": "text", "text": "thanks" }] },
            ],
            "tools": [{
                "name": "Read", "description": "Reads a file",
                "input_schema": { "type": "object", "properties": { "path": { "type": "string" } } },
            }],
        })
    );
    let debug = format!("{provider:?}");
    assert!(!debug.contains(KEY), "{debug}");
    assert!(debug.contains("anthropic/claude-sonnet-4-5"), "{debug}");
}

#[tokio::test]
async fn list_models_reads_data_ids() {
    let body = json!({ "data": [
        { "type": "model", "id": "claude-sonnet-4-5-20250929", "display_name": "Claude Sonnet 4.5" },
        { "type": "model", "id": "claude-haiku-4-5-20251001", "display_name": "Claude Haiku 4.5" },
    ], "has_more": false, "first_id": null, "last_id": null });
    let server = FakeServer::start(vec![Reply::json(200, body)]).await;
    let models = within(provider(&server).list_models()).await.expect("models");
    assert_eq!(
        models,
        vec!["claude-sonnet-4-5-20250929".to_owned(), "claude-haiku-4-5-20251001".to_owned()]
    );
    let sent = server.only_request();
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("GET", "/v1/models?limit=1000"));
    assert_eq!(sent.headers["x-api-key"], KEY);
}
