//! The scripted model: deterministic answers without any network, for the demo (no keys
//! needed) and for tests that drive the agent loop through real tool calls.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::future::BoxFuture;

use super::error::ModelError;
use super::types::{
    ChatMessage, EventStream, FinishReason, ModelEvent, ModelRequest, Provider, Usage,
};

/// The handle that selects this model.
pub const SCRIPTED_HANDLE: &str = "scripted";

/// What the scripted model understands, for `--help` and for its own answer.
pub const SCRIPTED_GRAMMAR: &str = "\
The scripted model (--model scripted) calls no LLM. It reads the last message:
  tool: <ToolName> <json-arguments>   call a tool (several lines: parallel calls)
  sleep: <ms>                         wait <ms> before each streamed chunk
  error: <status> <message>           fail the call as an HTTP error would
Any other message gets a short note on configuring a real model; tool results get a
summary quoting the first line of each.";

/// Pieces a text or an argument string is streamed in, so consumers see real fragments.
const PIECES: usize = 3;
/// Rough characters per token, for the approximate usage it reports.
const CHARS_PER_TOKEN: u64 = 4;

/// The answer to a plain message.
const DEMO_TEXT: &str = "Hi! I'm tether's scripted demo model: I don't call a real LLM. \
To use one, restart with --model openai/<model> (and OPENAI_API_KEY set), \
--model anthropic/<model> (and ANTHROPIC_API_KEY set), or --model ollama/<model> \
(a local Ollama). To make me call a tool, send a line `tool: <ToolName> <json-arguments>`.";

/// A deterministic provider that needs no network (see [`SCRIPTED_GRAMMAR`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct ScriptedProvider;

impl Provider for ScriptedProvider {
    fn handle(&self) -> &str {
        SCRIPTED_HANDLE
    }

    fn stream(&self, request: &ModelRequest) -> EventStream {
        let directives = Directives::of(request);
        let items: VecDeque<_> = answer(request, &directives).into();
        let delay = directives.sleep;
        Box::pin(futures_util::stream::unfold(items, move |mut items| async move {
            let item = items.pop_front()?;
            if let Some(delay) = delay {
                tokio::time::sleep(delay).await;
            }
            Some((item, items))
        }))
    }

    fn list_models(&self) -> BoxFuture<'_, Result<Vec<String>, ModelError>> {
        Box::pin(async { Ok(vec![SCRIPTED_HANDLE.to_owned()]) })
    }
}

/// The grammar lines of the last user message.
#[derive(Debug, Default)]
struct Directives {
    tools: Vec<(String, String)>,
    sleep: Option<Duration>,
    error: Option<ModelError>,
}

impl Directives {
    /// Reads the last user message, so that `sleep:` also slows the answer to tool results.
    fn of(request: &ModelRequest) -> Self {
        let mut directives = Directives::default();
        let last_user = request.messages.iter().rev().find_map(|m| match m {
            ChatMessage::User { content } => Some(content.as_str()),
            _ => None,
        });
        for line in last_user.unwrap_or_default().lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("tool:") {
                let rest = rest.trim();
                let (name, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                let args = if args.trim().is_empty() { "{}" } else { args.trim() };
                if !name.is_empty() {
                    directives.tools.push((name.to_owned(), args.to_owned()));
                }
            } else if let Some(ms) = line.strip_prefix("sleep:").and_then(|v| v.trim().parse().ok())
            {
                directives.sleep = Some(Duration::from_millis(ms));
            } else if let Some(rest) = line.strip_prefix("error:") {
                let rest = rest.trim();
                let (status, message) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                if let Ok(status) = status.parse() {
                    let message =
                        if message.trim().is_empty() { "scripted error" } else { message.trim() };
                    directives.error = Some(ModelError::Http {
                        status,
                        message: message.to_owned(),
                        retry_after: None,
                    });
                }
            }
        }
        directives
    }
}

/// Everything the stream yields, in order.
fn answer(request: &ModelRequest, directives: &Directives) -> Vec<Result<ModelEvent, ModelError>> {
    let answering_user = matches!(request.messages.last(), Some(ChatMessage::User { .. }));
    if answering_user && let Some(error) = &directives.error {
        return vec![Err(error.clone())];
    }
    let mut events = Vec::new();
    let mut output_chars = 0;
    let finish = if answering_user && !directives.tools.is_empty() {
        let earlier_calls: usize = request
            .messages
            .iter()
            .map(|m| match m {
                ChatMessage::Assistant { tool_calls, .. } => tool_calls.len(),
                _ => 0,
            })
            .sum();
        for (index, (name, args)) in directives.tools.iter().enumerate() {
            // Numbered across the conversation: deterministic, yet unique within it.
            let id = format!("call_{}", earlier_calls + index + 1);
            events.push(ModelEvent::ToolCallStart { index, id, name: name.clone() });
            for fragment in pieces(args) {
                events.push(ModelEvent::ToolCallArgs { index, fragment });
            }
            output_chars += name.chars().count() + args.chars().count();
        }
        FinishReason::ToolCalls
    } else {
        let text = match request.messages.last() {
            Some(ChatMessage::Tool { .. }) => summary(&request.messages),
            _ => DEMO_TEXT.to_owned(),
        };
        output_chars += text.chars().count();
        events.extend(pieces(&text).into_iter().map(ModelEvent::Text));
        FinishReason::Stop
    };
    events.push(ModelEvent::Usage(usage(request, output_chars)));
    events.push(ModelEvent::Finish(finish));
    events.into_iter().map(Ok).collect()
}

/// One line per trailing tool result, quoting its first line.
fn summary(messages: &[ChatMessage]) -> String {
    let mut lines: Vec<String> = messages
        .iter()
        .rev()
        .map_while(|m| match m {
            ChatMessage::Tool { name, content, is_error, .. } => {
                let first = content.lines().map(str::trim).find(|l| !l.is_empty());
                let first = first.unwrap_or("(no output)");
                let verb = if *is_error { "failed" } else { "returned" };
                Some(format!("{name} {verb}: {first}"))
            }
            _ => None,
        })
        .collect();
    lines.reverse();
    lines.join("\n")
}

/// Splits `text` into up to [`PIECES`] fragments of about equal length (on char boundaries).
fn pieces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let size = chars.len().div_ceil(PIECES).max(1);
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

/// Approximate usage: characters / 4.
fn usage(request: &ModelRequest, output_chars: usize) -> Usage {
    let input_chars: usize = request.system.chars().count()
        + request
            .messages
            .iter()
            .map(|m| match m {
                ChatMessage::User { content } | ChatMessage::Tool { content, .. } => {
                    content.chars().count()
                }
                ChatMessage::Assistant { content, tool_calls, .. } => {
                    content.chars().count()
                        + tool_calls.iter().map(|c| c.arguments.chars().count()).sum::<usize>()
                }
            })
            .sum::<usize>();
    let tokens = |chars: usize| (chars as u64).div_ceil(CHARS_PER_TOKEN);
    let prompt_tokens = tokens(input_chars);
    let completion_tokens = tokens(output_chars);
    Usage {
        prompt_tokens,
        completion_tokens,
        total_tokens: prompt_tokens + completion_tokens,
        cached_input_tokens: None,
        reasoning_tokens: None,
    }
}
