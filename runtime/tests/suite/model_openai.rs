//! The OpenAI-compatible provider against a fake Chat Completions server speaking the real
//! SSE wire format.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed expect is a failed test

use std::sync::Arc;
use std::time::Duration;

use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use tether::model::{
    ChatMessage, FinishReason, ModelError, ModelEvent, ModelRequest, Provider, ProviderEnv,
    Reasoning, ToolCall, ToolSpec, Usage, resolve,
};

use super::model_fake::{
    FakeServer, Reply, collect, collect_ok, dead_url, next, text, tool_calls, within,
};

const KEY: &str = "sk-test-secret-0123456789";

fn provider(server: &FakeServer) -> Arc<dyn Provider> {
    let env = ProviderEnv {
        openai_base_url: format!("{}/v1", server.url),
        openai_api_key: Some(KEY.to_owned()),
        ..ProviderEnv::default()
    };
    resolve("openai/gpt-4o", &env).expect("resolve")
}

fn request(prompt: &str) -> ModelRequest {
    ModelRequest {
        model: "gpt-4o".to_owned(),
        system: "You are terse.".to_owned(),
        messages: vec![ChatMessage::User { content: prompt.to_owned() }],
        ..ModelRequest::default()
    }
}

/// One `chat.completion.chunk` SSE event, as OpenAI frames it.
fn chunk(delta: Value, finish_reason: Option<&str>) -> String {
    let chunk = json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_700_000_000,
        "model": "gpt-4o-2024-08-06", "system_fingerprint": "fp_1",
        "choices": [{ "index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason }],
        "usage": null,
    });
    format!("data: {chunk}\n\n")
}

fn role_chunk() -> String {
    chunk(json!({ "role": "assistant", "content": "", "refusal": null }), None)
}

fn text_chunk(text: &str) -> String {
    chunk(json!({ "content": text }), None)
}

fn finish_chunk(reason: &str) -> String {
    chunk(json!({}), Some(reason))
}

fn usage_chunk(prompt: u64, completion: u64) -> String {
    let chunk = json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_700_000_000,
        "model": "gpt-4o-2024-08-06", "choices": [],
        "usage": {
            "prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": { "cached_tokens": 3, "audio_tokens": 0 },
            "completion_tokens_details": { "reasoning_tokens": 0, "audio_tokens": 0 },
        },
    });
    format!("data: {chunk}\n\n")
}

const DONE: &str = "data: [DONE]\n\n";

fn tool_start(index: u64, id: &str, name: &str) -> String {
    chunk(
        json!({ "tool_calls": [{ "index": index, "id": id, "type": "function",
                                 "function": { "name": name, "arguments": "" } }] }),
        None,
    )
}

fn tool_args(index: u64, fragment: &str) -> String {
    chunk(
        json!({ "tool_calls": [{ "index": index, "function": { "arguments": fragment } }] }),
        None,
    )
}

fn usage(prompt: u64, completion: u64) -> ModelEvent {
    ModelEvent::Usage(Usage {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        cached_input_tokens: Some(3),
        reasoning_tokens: Some(0),
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

    // Each event is read before the next chunk is even written: nothing waits for the end.
    assert!(feed.send(&(role_chunk() + &text_chunk("Hel"))).await);
    assert_eq!(next(&mut stream).await, Some(Ok(ModelEvent::Text("Hel".into()))));
    assert!(feed.send(&text_chunk("lo, ")).await);
    assert_eq!(next(&mut stream).await, Some(Ok(ModelEvent::Text("lo, ".into()))));
    assert!(feed.send(&text_chunk("world")).await);
    assert_eq!(next(&mut stream).await, Some(Ok(ModelEvent::Text("world".into()))));
    assert!(feed.send(&(finish_chunk("stop") + &usage_chunk(12, 3) + DONE)).await);
    drop(feed);

    assert_eq!(
        collect_ok(stream).await,
        vec![usage(12, 3), ModelEvent::Finish(FinishReason::Stop)]
    );
}

#[tokio::test]
async fn one_tool_call() {
    let server = FakeServer::start(vec![Reply::sse([
        role_chunk(),
        tool_start(0, "call_abc", "Bash"),
        tool_args(0, "{\"command\""),
        tool_args(0, ": \"ls -la\"}"),
        finish_chunk("tool_calls"),
        usage_chunk(50, 20),
        DONE.to_owned(),
    ])])
    .await;
    let events = collect_ok(provider(&server).stream(&request("list files"))).await;
    assert_eq!(
        events,
        vec![
            start(0, "call_abc", "Bash"),
            args(0, "{\"command\""),
            args(0, ": \"ls -la\"}"),
            usage(50, 20),
            ModelEvent::Finish(FinishReason::ToolCalls),
        ]
    );
}

#[tokio::test]
async fn two_parallel_tool_calls() {
    let server = FakeServer::start(vec![Reply::sse([
        role_chunk(),
        text_chunk("Reading both."),
        tool_start(0, "call_1", "Read"),
        tool_args(0, "{\"path\": "),
        tool_args(0, "\"a.txt\"}"),
        tool_start(1, "call_2", "Read"),
        tool_args(1, "{\"path\": "),
        tool_args(1, "\"b.txt\"}"),
        finish_chunk("tool_calls"),
        usage_chunk(60, 40),
        DONE.to_owned(),
    ])])
    .await;
    let events = collect_ok(provider(&server).stream(&request("read a and b"))).await;
    assert_eq!(text(&events), "Reading both.");
    assert_eq!(
        tool_calls(&events),
        vec![
            ("call_1".into(), "Read".into(), "{\"path\": \"a.txt\"}".into()),
            ("call_2".into(), "Read".into(), "{\"path\": \"b.txt\"}".into()),
        ]
    );
    assert_eq!(events.last(), Some(&ModelEvent::Finish(FinishReason::ToolCalls)));
}

#[tokio::test]
async fn arguments_split_across_many_chunks_and_bytes() {
    let arguments =
        json!({ "command": "grep -rn \"fn main\" src/ | head -20", "timeout": 30 }).to_string();
    let mut chunks = vec![role_chunk(), tool_start(0, "call_x", "Bash")];
    // Two characters per chunk, on char boundaries.
    let chars: Vec<char> = arguments.chars().collect();
    chunks.extend(chars.chunks(2).map(|c| tool_args(0, &c.iter().collect::<String>())));
    chunks.extend([finish_chunk("tool_calls"), usage_chunk(1, 2), DONE.to_owned()]);
    // Every byte of the body is its own write: events are split everywhere.
    let body: String = chunks.concat();
    let bytes: Vec<String> = body.chars().map(String::from).collect();
    let server = FakeServer::start(vec![Reply::sse(bytes)]).await;

    let events = collect_ok(provider(&server).stream(&request("grep"))).await;
    assert_eq!(tool_calls(&events), vec![("call_x".into(), "Bash".into(), arguments)]);
    assert_eq!(events.len(), 1 + chars.len().div_ceil(2) + 2);
}

#[tokio::test]
async fn an_event_split_across_network_reads_is_reassembled() {
    let (reply, feed) = Reply::fed();
    let server = FakeServer::start(vec![reply]).await;
    let mut stream = provider(&server).stream(&request("hi"));
    let second = text_chunk("second");
    let (head, tail) = second.split_at(second.len() / 2);

    // The first write ends mid-event; the client must have read it (it yields "first")
    // before the rest of the event is even written.
    assert!(feed.send(&(text_chunk("first") + head)).await);
    assert_eq!(next(&mut stream).await, Some(Ok(ModelEvent::Text("first".into()))));
    assert!(feed.send(tail).await);
    assert_eq!(next(&mut stream).await, Some(Ok(ModelEvent::Text("second".into()))));
    assert!(feed.send(&(finish_chunk("stop") + DONE)).await);
    assert_eq!(collect_ok(stream).await, vec![ModelEvent::Finish(FinishReason::Stop)]);
}

#[tokio::test]
async fn rate_limit_429_carries_retry_after_and_is_retryable() {
    let body = json!({ "error": {
        "message": "Rate limit reached for gpt-4o on tokens per min (TPM). Please try again in 2s.",
        "type": "tokens", "param": null, "code": "rate_limit_exceeded" } });
    let server = FakeServer::start(vec![Reply::json(429, body).header("retry-after", "2")]).await;
    let (events, error) = collect(provider(&server).stream(&request("hi"))).await;
    assert_eq!(events, vec![]);
    let error = error.expect("an error");
    assert_eq!(
        error,
        ModelError::Http {
            status: 429,
            message:
                "Rate limit reached for gpt-4o on tokens per min (TPM). Please try again in 2s."
                    .into(),
            retry_after: Some(Duration::from_secs(2)),
        }
    );
    assert!(error.is_retryable());
    assert_eq!(error.stop_reason(), "llm_api_error");
}

#[tokio::test]
async fn unauthorized_401_is_not_retryable_and_quotes_the_body() {
    let body = json!({ "error": {
        "message": "Incorrect API key provided: sk-bad. You can find your API key at https://platform.openai.com/account/api-keys.",
        "type": "invalid_request_error", "param": null, "code": "invalid_api_key" } });
    let server = FakeServer::start(vec![Reply::json(401, body)]).await;
    let (events, error) = collect(provider(&server).stream(&request("hi"))).await;
    assert_eq!(events, vec![]);
    let error = error.expect("an error");
    assert_eq!(
        error,
        ModelError::Http {
            status: 401,
            message: "Incorrect API key provided: sk-bad. You can find your API key at https://platform.openai.com/account/api-keys.".into(),
            retry_after: None,
        }
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn server_error_502_with_plain_text_body_is_retryable() {
    let server = FakeServer::start(vec![Reply::sse(["upstream exploded"]).status(502)]).await;
    let (_, error) = collect(provider(&server).stream(&request("hi"))).await;
    let error = error.expect("an error");
    assert_eq!(
        error,
        ModelError::Http { status: 502, message: "upstream exploded".into(), retry_after: None }
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_stream_cut_mid_response_is_a_stream_error() {
    let (reply, feed) = Reply::fed();
    let server = FakeServer::start(vec![reply]).await;
    let mut stream = provider(&server).stream(&request("hi"));
    assert!(feed.send(&(role_chunk() + &text_chunk("Half an ans"))).await);
    assert_eq!(next(&mut stream).await, Some(Ok(ModelEvent::Text("Half an ans".into()))));
    feed.cut().await; // the connection drops without the chunked-encoding end
    let (events, error) = collect(stream).await;
    assert_eq!(events, vec![]);
    let error = error.expect("the cut must fail the stream");
    assert!(matches!(error, ModelError::Stream(_)), "{error:?}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_clean_close_before_done_is_a_stream_error() {
    let server =
        FakeServer::start(vec![Reply::sse([role_chunk(), text_chunk("Half an ans")])]).await;
    let (events, error) = collect(provider(&server).stream(&request("hi"))).await;
    assert_eq!(events, vec![ModelEvent::Text("Half an ans".into())]);
    let error = error.expect("no end marker must fail the stream");
    assert!(matches!(&error, ModelError::Stream(m) if m.contains("[DONE]")), "{error:?}");
    assert_eq!(error.stop_reason(), "invalid_llm_response");
}

#[tokio::test]
async fn malformed_chunk_is_a_stream_error() {
    let server =
        FakeServer::start(vec![Reply::sse([role_chunk(), "data: {not json\n\n".to_owned()])]).await;
    let (_, error) = collect(provider(&server).stream(&request("hi"))).await;
    assert!(matches!(error, Some(ModelError::Stream(m)) if m.contains("malformed")));
}

#[tokio::test]
async fn an_error_object_mid_stream_is_an_error() {
    let error_chunk = format!(
        "data: {}\n\n",
        json!({ "error": { "message": "Provider returned error", "code": 502 } })
    );
    let server =
        FakeServer::start(vec![Reply::sse([role_chunk(), text_chunk("a"), error_chunk])]).await;
    let (events, error) = collect(provider(&server).stream(&request("hi"))).await;
    assert_eq!(events, vec![ModelEvent::Text("a".into())]);
    assert_eq!(
        error,
        Some(ModelError::Http {
            status: 502,
            message: "Provider returned error".into(),
            retry_after: None
        })
    );
}

#[tokio::test]
async fn a_very_long_response_is_reassembled_exactly() {
    let pieces: Vec<String> = (0..5000).map(|i| format!("w{i} ")).collect();
    let mut chunks = vec![role_chunk()];
    chunks.extend(pieces.iter().map(|p| text_chunk(p)));
    chunks.extend([finish_chunk("stop"), usage_chunk(10, 5000), DONE.to_owned()]);
    let server = FakeServer::start(vec![Reply::sse(chunks)]).await;
    let events = collect_ok(provider(&server).stream(&request("count"))).await;
    assert_eq!(events.len(), 5002);
    assert_eq!(text(&events), pieces.concat());
    assert_eq!(events[5000..], [usage(10, 5000), ModelEvent::Finish(FinishReason::Stop)]);
}

#[tokio::test]
async fn compatible_server_quirks_are_tolerated() {
    // Whole calls in one chunk without `index`, arguments as an object, usage repeated on
    // every chunk, and a clean close after finish_reason without `[DONE]`.
    let call = |id: &str, args: Value| {
        json!({ "tool_calls": [{ "id": id, "type": "function",
                                 "function": { "name": "Read", "arguments": args } }] })
    };
    let with_usage = |chunk: String, completion: u64| {
        chunk.replace("\"usage\":null", &format!(
            "\"usage\":{{\"prompt_tokens\":9,\"completion_tokens\":{completion},\"total_tokens\":{}}}",
            9 + completion
        ))
    };
    let server = FakeServer::start(vec![Reply::sse([
        with_usage(chunk(call("call_a", json!({ "path": "a" })), None), 1),
        with_usage(chunk(call("call_b", json!("{\"path\":\"b\"}")), None), 2),
        with_usage(finish_chunk("tool_calls"), 3),
    ])])
    .await;
    let events = collect_ok(provider(&server).stream(&request("read"))).await;
    assert_eq!(
        events,
        vec![
            start(0, "call_a", "Read"),
            args(0, "{\"path\":\"a\"}"),
            start(1, "call_b", "Read"),
            args(1, "{\"path\":\"b\"}"),
            ModelEvent::Usage(Usage {
                prompt_tokens: 9,
                completion_tokens: 3,
                total_tokens: 12,
                cached_input_tokens: None,
                reasoning_tokens: None,
            }),
            ModelEvent::Finish(FinishReason::ToolCalls),
        ]
    );
}

#[tokio::test]
async fn reasoning_fields_become_reasoning_events() {
    let server = FakeServer::start(vec![Reply::sse([
        chunk(json!({ "role": "assistant", "reasoning_content": "Think" }), None),
        chunk(json!({ "reasoning": "ing." }), None),
        text_chunk("Done."),
        finish_chunk("length"),
        DONE.to_owned(),
    ])])
    .await;
    let events = collect_ok(provider(&server).stream(&request("hi"))).await;
    assert_eq!(
        events,
        vec![
            ModelEvent::Reasoning("Think".into()),
            ModelEvent::Reasoning("ing.".into()),
            ModelEvent::Text("Done.".into()),
            ModelEvent::Finish(FinishReason::Length),
        ]
    );
}

#[tokio::test]
async fn the_request_has_the_chat_completions_shape() {
    let server = FakeServer::start(vec![Reply::sse([finish_chunk("stop"), DONE.to_owned()])]).await;
    let provider = provider(&server);
    let request = ModelRequest {
        model: "gpt-4o".into(),
        system: "You are tether.".into(),
        messages: vec![
            ChatMessage::User { content: "list files".into() },
            ChatMessage::Assistant {
                content: String::new(),
                reasoning: Some(Reasoning { text: "hmm".into(), signature: None }),
                tool_calls: vec![
                    ToolCall {
                        id: "call_1".into(),
                        name: "Bash".into(),
                        arguments: "{\"command\":\"ls\"}".into(),
                    },
                    ToolCall {
                        id: "call_2".into(),
                        name: "Read".into(),
                        arguments: "{\"path\":\"a\"}".into(),
                    },
                ],
            },
            ChatMessage::Tool {
                tool_call_id: "call_1".into(),
                name: "Bash".into(),
                content: "a\nb".into(),
                is_error: false,
            },
            ChatMessage::Tool {
                tool_call_id: "call_2".into(),
                name: "Read".into(),
                content: "no such file".into(),
                is_error: true,
            },
            ChatMessage::Assistant { content: "Done.".into(), reasoning: None, tool_calls: vec![] },
            ChatMessage::User { content: "thanks".into() },
        ],
        tools: vec![ToolSpec {
            name: "Bash".into(),
            description: "Runs a command".into(),
            parameters: json!({ "type": "object", "properties": { "command": { "type": "string" } } }),
        }],
        max_tokens: Some(1000),
    };
    collect_ok(provider.stream(&request)).await;

    let sent = server.only_request();
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", "/v1/chat/completions"));
    assert_eq!(sent.headers["authorization"], format!("Bearer {KEY}"));
    assert_eq!(
        sent.body,
        json!({
            "model": "gpt-4o",
            "stream": true,
            "stream_options": { "include_usage": true },
            "max_completion_tokens": 1000,
            "messages": [
                { "role": "system", "content": "You are tether." },
                { "role": "user", "content": "list files" },
                { "role": "assistant", "content": null, "tool_calls": [
                    { "id": "call_1", "type": "function", "function": { "name": "Bash", "arguments": "{\"command\":\"ls\"}" } },
                    { "id": "call_2", "type": "function", "function": { "name": "Read", "arguments": "{\"path\":\"a\"}" } },
                ] },
                { "role": "tool", "tool_call_id": "call_1", "content": "a\nb" },
                { "role": "tool", "tool_call_id": "call_2", "content": "no such file" },
                { "role": "assistant", "content": "Done." },
                { "role": "user", "content": "thanks" },
            ],
            "tools": [{ "type": "function", "function": {
                "name": "Bash", "description": "Runs a command",
                "parameters": { "type": "object", "properties": { "command": { "type": "string" } } },
            } }],
        })
    );
    let debug = format!("{provider:?}");
    assert!(!debug.contains(KEY), "{debug}");
    assert!(debug.contains("openai/gpt-4o"), "{debug}");
}

#[tokio::test]
async fn ollama_sends_no_key_and_the_legacy_max_tokens() {
    let server = FakeServer::start(vec![Reply::sse([
        text_chunk("ok"),
        finish_chunk("stop"),
        DONE.to_owned(),
    ])])
    .await;
    let env = ProviderEnv {
        ollama_base_url: format!("{}/v1", server.url),
        openai_api_key: Some(KEY.to_owned()),
        ..ProviderEnv::default()
    };
    let provider = resolve("ollama/llama3.2", &env).expect("resolve");
    assert_eq!(provider.handle(), "ollama/llama3.2");
    let mut request = request("hi");
    request.model = "llama3.2".into();
    request.max_tokens = Some(64);
    collect_ok(provider.stream(&request)).await;
    let sent = server.only_request();
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(sent.headers.get("authorization"), None);
    assert_eq!(sent.body["model"], "llama3.2");
    assert_eq!(sent.body["max_tokens"], 64);
    assert_eq!(sent.body.get("tools"), None, "no empty tools array");
}

#[tokio::test]
async fn list_models_reads_data_ids() {
    let body = json!({ "object": "list", "data": [
        { "id": "gpt-4o", "object": "model", "created": 1, "owned_by": "system" },
        { "id": "gpt-4o-mini", "object": "model", "created": 2, "owned_by": "system" },
    ] });
    let server = FakeServer::start(vec![Reply::json(200, body)]).await;
    let models = within(provider(&server).list_models()).await.expect("models");
    assert_eq!(models, vec!["gpt-4o".to_owned(), "gpt-4o-mini".to_owned()]);
    let sent = server.only_request();
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("GET", "/v1/models"));
    assert_eq!(sent.headers["authorization"], format!("Bearer {KEY}"));
}

#[tokio::test]
async fn connection_refused_is_a_retryable_transport_error() {
    let env = ProviderEnv {
        openai_base_url: format!("{}/v1", dead_url().await),
        ..ProviderEnv::default()
    };
    let provider = resolve("openai/gpt-4o", &env).expect("custom base needs no key");
    let (events, error) = collect(provider.stream(&request("hi"))).await;
    assert_eq!(events, vec![]);
    let error = error.expect("an error");
    assert!(matches!(error, ModelError::Transport(_)), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(error.stop_reason(), "llm_api_error");
}

#[tokio::test]
async fn dropping_the_stream_cancels_the_request() {
    let (reply, feed) = Reply::fed();
    let server = FakeServer::start(vec![reply]).await;
    let mut stream = provider(&server).stream(&request("hi"));
    assert!(feed.send(&text_chunk("first")).await);
    assert_eq!(next(&mut stream).await, Some(Ok(ModelEvent::Text("first".into()))));
    drop(stream);
    // The server notices the client is gone and drops the response body; keep-alive
    // comments make it notice on its next write at the latest.
    within(async {
        tokio::select! {
            () = feed.closed() => {}
            () = async { while feed.send(": keep-alive\n\n").await {} } => {}
        }
    })
    .await;
}
