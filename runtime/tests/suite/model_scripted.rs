//! The scripted model: deterministic answers, tool calls from `tool:` lines, summaries of
//! tool results, and cancellable `sleep:` pacing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed expect is a failed test

use std::time::Duration;

use futures_util::{FutureExt, StreamExt};
use pretty_assertions::assert_eq;
use tether::model::scripted::ScriptedProvider;
use tether::model::{
    ChatMessage, FinishReason, ModelError, ModelEvent, ModelRequest, Provider, ProviderEnv,
    SCRIPTED_GRAMMAR, ToolCall, Usage, resolve,
};

use super::model_fake::{collect, collect_ok, text, tool_calls};

fn user(content: &str) -> ChatMessage {
    ChatMessage::User { content: content.to_owned() }
}

fn request(messages: Vec<ChatMessage>) -> ModelRequest {
    ModelRequest { model: "scripted".into(), messages, ..ModelRequest::default() }
}

fn kinds(events: &[ModelEvent]) -> Vec<&'static str> {
    events
        .iter()
        .map(|e| match e {
            ModelEvent::Text(_) => "text",
            ModelEvent::Reasoning(_) => "reasoning",
            ModelEvent::ReasoningSignature(_) => "signature",
            ModelEvent::ToolCallStart { .. } => "start",
            ModelEvent::ToolCallArgs { .. } => "args",
            ModelEvent::Usage(_) => "usage",
            ModelEvent::Finish(_) => "finish",
        })
        .collect()
}

#[tokio::test]
async fn resolves_and_lists_itself() {
    let provider = resolve("scripted", &ProviderEnv::default()).expect("resolve");
    assert_eq!(provider.handle(), "scripted");
    assert_eq!(provider.list_models().await, Ok(vec!["scripted".to_owned()]));
    assert!(SCRIPTED_GRAMMAR.contains("tool: <ToolName> <json-arguments>"));
    assert!(SCRIPTED_GRAMMAR.contains("sleep: <ms>"));
}

#[tokio::test]
async fn a_plain_message_gets_the_configuration_note_in_chunks() {
    let events = collect_ok(ScriptedProvider.stream(&request(vec![user("hello")]))).await;
    assert_eq!(kinds(&events), ["text", "text", "text", "usage", "finish"]);
    let answer = text(&events);
    for needle in [
        "tether's scripted demo model",
        "--model openai/<model>",
        "OPENAI_API_KEY",
        "--model anthropic/<model>",
        "ANTHROPIC_API_KEY",
        "--model ollama/<model>",
    ] {
        assert!(answer.contains(needle), "{needle:?} missing from {answer:?}");
    }
    assert_eq!(events.last(), Some(&ModelEvent::Finish(FinishReason::Stop)));
    // Approximate usage: characters / 4, rounded up.
    let completion_tokens = (answer.chars().count() as u64).div_ceil(4);
    assert_eq!(
        events[3],
        ModelEvent::Usage(Usage {
            prompt_tokens: 2,
            completion_tokens,
            total_tokens: 2 + completion_tokens,
            cached_input_tokens: None,
            reasoning_tokens: None,
        })
    );
}

#[tokio::test]
async fn one_tool_line_is_one_tool_call_streamed_in_fragments() {
    let events = collect_ok(
        ScriptedProvider.stream(&request(vec![user("tool: Bash {\"command\": \"ls\"}")])),
    )
    .await;
    assert_eq!(
        events[..4],
        [
            ModelEvent::ToolCallStart { index: 0, id: "call_1".into(), name: "Bash".into() },
            ModelEvent::ToolCallArgs { index: 0, fragment: "{\"comm".into() },
            ModelEvent::ToolCallArgs { index: 0, fragment: "and\": ".into() },
            ModelEvent::ToolCallArgs { index: 0, fragment: "\"ls\"}".into() },
        ]
    );
    assert_eq!(kinds(&events[4..]), ["usage", "finish"]);
    assert_eq!(events.last(), Some(&ModelEvent::Finish(FinishReason::ToolCalls)));
}

#[tokio::test]
async fn two_tool_lines_are_parallel_calls_numbered_across_the_conversation() {
    let earlier = ChatMessage::Assistant {
        content: String::new(),
        reasoning: None,
        tool_calls: vec![ToolCall {
            id: "call_1".into(),
            name: "Bash".into(),
            arguments: "{}".into(),
        }],
    };
    let messages = vec![
        user("tool: Bash {}"),
        earlier,
        ChatMessage::Tool {
            tool_call_id: "call_1".into(),
            name: "Bash".into(),
            content: "ok".into(),
            is_error: false,
        },
        user("Read both:\ntool: Read {\"path\": \"a.txt\"}\n  tool: Glob\n"),
    ];
    let events = collect_ok(ScriptedProvider.stream(&request(messages))).await;
    assert_eq!(
        tool_calls(&events),
        vec![
            ("call_2".into(), "Read".into(), "{\"path\": \"a.txt\"}".into()),
            ("call_3".into(), "Glob".into(), "{}".into()),
        ]
    );
    assert_eq!(events.last(), Some(&ModelEvent::Finish(FinishReason::ToolCalls)));
}

#[tokio::test]
async fn tool_results_are_summarised_by_their_first_lines() {
    let call = |id: &str, name: &str| ToolCall {
        id: id.into(),
        name: name.into(),
        arguments: "{}".into(),
    };
    let messages = vec![
        user("tool: Bash {\"command\": \"ls\"}\ntool: Read {}"),
        ChatMessage::Assistant {
            content: String::new(),
            reasoning: None,
            tool_calls: vec![call("call_1", "Bash"), call("call_2", "Read")],
        },
        ChatMessage::Tool {
            tool_call_id: "call_1".into(),
            name: "Bash".into(),
            content: "\nCargo.toml\nsrc\n".into(),
            is_error: false,
        },
        ChatMessage::Tool {
            tool_call_id: "call_2".into(),
            name: "Read".into(),
            content: "missing path\nusage: Read {path}".into(),
            is_error: true,
        },
    ];
    let events = collect_ok(ScriptedProvider.stream(&request(messages))).await;
    assert_eq!(text(&events), "Bash returned: Cargo.toml\nRead failed: missing path");
    assert_eq!(kinds(&events), ["text", "text", "text", "usage", "finish"]);
    assert_eq!(events.last(), Some(&ModelEvent::Finish(FinishReason::Stop)));
}

#[tokio::test]
async fn an_error_line_fails_the_call() {
    let (events, error) =
        collect(ScriptedProvider.stream(&request(vec![user("error: 429 slow down")]))).await;
    assert_eq!(events, vec![]);
    assert_eq!(
        error,
        Some(ModelError::Http { status: 429, message: "slow down".into(), retry_after: None })
    );
}

#[tokio::test]
async fn answers_are_deterministic() {
    let make = || request(vec![user("tool: Bash {\"command\": \"ls\"}\ntool: Read {}")]);
    let first = collect_ok(ScriptedProvider.stream(&make())).await;
    let second = collect_ok(ScriptedProvider.stream(&make())).await;
    assert_eq!(first, second);
}

#[tokio::test(start_paused = true)]
async fn sleep_paces_every_chunk_and_dropping_the_stream_cancels_it() {
    let delay = Duration::from_secs(60);
    let mut stream = ScriptedProvider.stream(&request(vec![user("sleep: 60000\nhello")]));

    // Nothing comes before the (virtual) delay has passed.
    assert!(stream.next().now_or_never().is_none());
    tokio::time::advance(delay - Duration::from_millis(1)).await;
    assert!(stream.next().now_or_never().is_none());
    tokio::time::advance(Duration::from_millis(1)).await;
    let first = stream.next().now_or_never().flatten();
    assert!(matches!(first, Some(Ok(ModelEvent::Text(_)))), "{first:?}");

    // The next chunk sleeps again; dropping the stream mid-sleep ends it at once.
    assert!(stream.next().now_or_never().is_none());
    drop(stream);
}

#[tokio::test(start_paused = true)]
async fn sleep_also_paces_the_answer_to_tool_results() {
    let messages = vec![
        user("sleep: 1000\ntool: Bash {}"),
        ChatMessage::Assistant {
            content: String::new(),
            reasoning: None,
            tool_calls: vec![ToolCall {
                id: "call_1".into(),
                name: "Bash".into(),
                arguments: "{}".into(),
            }],
        },
        ChatMessage::Tool {
            tool_call_id: "call_1".into(),
            name: "Bash".into(),
            content: "done".into(),
            is_error: false,
        },
    ];
    let mut stream = ScriptedProvider.stream(&request(messages));
    assert!(stream.next().now_or_never().is_none());
    tokio::time::advance(Duration::from_millis(1000)).await;
    let first = stream.next().now_or_never().flatten();
    assert!(matches!(first, Some(Ok(ModelEvent::Text(_)))), "{first:?}");
}
