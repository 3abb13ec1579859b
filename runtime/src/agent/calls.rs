//! Tool calls: decide (permission mode and rules), ask a human when needed, run, and
//! answer the model; every call gets exactly one result in the transcript.

use std::path::Path;

use serde_json::{Map, Value};
use tether_protocol::approval::CanUseToolRequest;
use tether_protocol::legacy::{ToolExecutionFinished, ToolExecutionStarted};
use tether_protocol::letta_message::ToolStatus;
use tether_protocol::status::LoopStatus;
use tether_protocol::ServerFrame;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::deltas::Deltas;
use super::events::Events;
use crate::conversation::ApprovalAnswer;
use crate::external::{ExternalTool, ExternalTools};
use tether_protocol::scope::RuntimeScope;
use crate::model::ToolCall;
use crate::tools::{
    self, decide, diff, persist_rule, rule_for_suggestion, BuiltinTool, Decision, PermissionMode, PermissionRequest,
    Rules, ToolContext, ToolOutput,
};

/// What a tool call came to.
#[derive(Debug)]
pub enum CallResult {
    /// It ran, or was refused; either way the model gets `output`.
    Answered(ToolOutput),
    /// The turn was aborted while it waited or ran; the model gets `output`.
    Interrupted(ToolOutput),
}

/// What a call needs from its turn.
#[derive(Debug)]
pub struct CallCtx<'a> {
    /// The turn's events.
    pub events: &'a Events,
    /// The turn's cancellation.
    pub cancel: &'a CancellationToken,
    /// Working directory.
    pub cwd: &'a Path,
    /// Data dir (global permission rules).
    pub data_dir: &'a Path,
    /// Permission mode now.
    pub mode: PermissionMode,
    /// Built-in tools visible this turn.
    pub visible: &'a [BuiltinTool],
    /// Controller-owned tools visible this turn.
    pub external: &'a [ExternalTool],
    /// Where external calls are routed.
    pub registry: &'a ExternalTools,
    /// The conversation (sent with external calls).
    pub scope: &'a RuntimeScope,
}

/// The tool a call names.
#[derive(Debug, Clone, Copy)]
enum Target<'a> {
    Builtin(BuiltinTool),
    External(&'a ExternalTool),
}

fn error(message: impl Into<String>) -> ToolOutput {
    ToolOutput { content: message.into(), is_error: true }
}

/// Decides, asks if needed, and runs one tool call; a call that does not run still
/// streams its (error) result, so every client sees why. The result is streamed under
/// `result_id`, the id its stored message takes.
pub async fn run(ctx: &CallCtx<'_>, deltas: &mut Deltas, call: &ToolCall, result_id: &str) -> CallResult {
    let (result, ran) = decide_and_run(ctx, deltas, call, result_id).await;
    if !ran {
        let output = match &result {
            CallResult::Answered(output) | CallResult::Interrupted(output) => output,
        };
        ctx.events.delta(deltas.tool_return(result_id, &call.id, &call.name, &output.content, output.is_error)).await;
    }
    result
}

async fn decide_and_run(ctx: &CallCtx<'_>, deltas: &mut Deltas, call: &ToolCall, result_id: &str) -> (CallResult, bool) {
    let input: Map<String, Value> = match serde_json::from_str::<Value>(if call.arguments.trim().is_empty() { "{}" } else { &call.arguments }) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return (CallResult::Answered(error(format!("{}: arguments must be a JSON object", call.name))), false),
        Err(err) => return (CallResult::Answered(error(format!("{}: arguments are not valid JSON: {err}", call.name))), false),
    };
    let target = match BuiltinTool::from_name(&call.name).filter(|t| ctx.visible.contains(t)) {
        Some(tool) => Target::Builtin(tool),
        None => match ctx.external.iter().find(|t| t.definition.name == call.name) {
            Some(tool) => Target::External(tool),
            None => return (CallResult::Answered(error(format!("unknown or unavailable tool: {}", call.name))), false),
        },
    };
    let kind = match target {
        Target::Builtin(tool) => Some(tool.kind()),
        Target::External(_) => None,
    };
    let rules = Rules::load(ctx.cwd, ctx.data_dir);
    let input_value = Value::Object(input.clone());
    let request = PermissionRequest { tool_name: &call.name, kind, input: &input_value, cwd: ctx.cwd };
    let input = match decide(ctx.mode, &rules, &request) {
        Decision::Allow => input,
        Decision::Deny { reason } => {
            return (CallResult::Answered(error(format!("Permission denied by a rule: {reason}"))), false);
        }
        Decision::Ask { blocked_path, suggestions } => {
            let diffs = match target {
                Target::Builtin(tool) => diff::preview_for(tool, &input_value, ctx.cwd).map(|preview| vec![preview]),
                Target::External(_) => None,
            };
            ctx.events.delta(deltas.approval_request(&call.id, &call.name, &call.arguments)).await;
            let ask = CanUseToolRequest {
                tool_name: call.name.clone(),
                input: input.clone(),
                tool_call_id: call.id.clone(),
                permission_suggestions: suggestions,
                blocked_path,
                diffs,
            };
            match ctx.events.ask(ask, ctx.cancel).await {
                None => {
                    let output = error("Interrupted by the user before this tool call was approved.");
                    return (CallResult::Interrupted(output), false);
                }
                Some(ApprovalAnswer::Deny { message }) => {
                    let reason = if message.trim().is_empty() { "no reason given".to_owned() } else { message };
                    return (CallResult::Answered(error(format!("The user denied this tool call: {reason}"))), false);
                }
                Some(ApprovalAnswer::Allow { updated_input, selected_suggestions }) => {
                    for id in &selected_suggestions {
                        match rule_for_suggestion(id) {
                            Some((rule, scope)) => {
                                if let Err(err) = persist_rule(&rule, scope, ctx.cwd, ctx.data_dir) {
                                    tracing::warn!("cannot save permission rule from suggestion {id}: {err}");
                                }
                            }
                            None => tracing::warn!("unknown permission suggestion {id}"),
                        }
                    }
                    updated_input.unwrap_or(input)
                }
            }
        }
    };
    (execute(ctx, deltas, call, target, input, result_id).await, true)
}

async fn execute(
    ctx: &CallCtx<'_>,
    deltas: &mut Deltas,
    call: &ToolCall,
    target: Target<'_>,
    input: Map<String, Value>,
    result_id: &str,
) -> CallResult {
    let arguments = Value::Object(input.clone()).to_string();
    ctx.events.status(LoopStatus::ExecutingClientSideTool, vec![call.id.clone()]).await;
    ctx.events.delta(deltas.client_tool_start(&call.id, &call.name, &arguments)).await;
    ctx.events
        .frame(ServerFrame::ToolExecutionStarted(ToolExecutionStarted {
            envelope: ctx.events.legacy_envelope(),
            tool_call_id: call.id.clone(),
            run_id: Some(deltas.run_id().to_owned()),
        }))
        .await;

    let output = match target {
        Target::Builtin(tool) => run_builtin(ctx, deltas, call, tool, &Value::Object(input)).await,
        Target::External(tool) => ctx.registry.call(tool, ctx.scope, &call.id, input, ctx.cancel).await,
    };

    ctx.events.delta(deltas.tool_return(result_id, &call.id, &call.name, &output.content, output.is_error)).await;
    ctx.events.delta(deltas.client_tool_end(&call.id, output.is_error)).await;
    ctx.events
        .frame(ServerFrame::ToolExecutionFinished(ToolExecutionFinished {
            envelope: ctx.events.legacy_envelope(),
            tool_call_id: call.id.clone(),
            status: if output.is_error { ToolStatus::Error } else { ToolStatus::Success },
            run_id: Some(deltas.run_id().to_owned()),
        }))
        .await;
    if ctx.cancel.is_cancelled() { CallResult::Interrupted(output) } else { CallResult::Answered(output) }
}

/// Runs a built-in tool, streaming its live output to subscribers.
async fn run_builtin(ctx: &CallCtx<'_>, deltas: &mut Deltas, call: &ToolCall, tool: BuiltinTool, input: &Value) -> ToolOutput {
    let (output_tx, mut output_rx) = mpsc::unbounded_channel::<String>();
    let tool_ctx = ToolContext { cwd: ctx.cwd.to_path_buf(), cancel: ctx.cancel.child_token(), output: Some(output_tx) };
    let run = tools::run(tool, input, &tool_ctx);
    tokio::pin!(run);
    let output = loop {
        tokio::select! {
            output = &mut run => break output,
            Some(chunk) = output_rx.recv() => {
                ctx.events.delta(deltas.client_tool_output(&call.id, chunk)).await;
            }
        }
    };
    while let Ok(chunk) = output_rx.try_recv() {
        ctx.events.delta(deltas.client_tool_output(&call.id, chunk)).await;
    }
    output
}
