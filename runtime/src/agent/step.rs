//! One model step: send the request, stream the answer as deltas, retry what is worth
//! retrying, and return what the model said.

use std::time::Duration;

use futures_util::StreamExt;
use tether_protocol::letta_message::{StopReasonType, ToolCallDelta};
use tether_protocol::status::LoopStatus;
use tokio_util::sync::CancellationToken;

use super::deltas::Deltas;
use super::events::Events;
use crate::model::{FinishReason, ModelError, ModelEvent, ModelRequest, Provider, Reasoning, ToolCall, Usage};
use crate::store::new_id;

/// What the model produced in one step.
#[derive(Debug, Default)]
pub struct StepOutput {
    /// The id this step's deltas carry (its reasoning and tool calls derive theirs from it);
    /// the stored message takes it too.
    pub message_id: String,
    /// Visible text.
    pub text: String,
    /// Reasoning, if any.
    pub reasoning: Option<Reasoning>,
    /// Tool calls, in order.
    pub tool_calls: Vec<ToolCall>,
    /// Token counts, if the provider reported them.
    pub usage: Option<Usage>,
    /// Why the model stopped (`None` until it finished).
    pub finish: Option<FinishReason>,
}

/// Why a step did not complete.
#[derive(Debug)]
pub enum StepError {
    /// The turn was aborted; what had streamed so far is kept.
    Cancelled(StepOutput),
    /// The provider failed for good (after retries); what had streamed so far is kept.
    Failed(ModelError, StepOutput),
}

/// Runs one model call, retrying failures that happen before anything streamed.
pub async fn run(
    provider: &dyn Provider,
    request: &ModelRequest,
    events: &Events,
    deltas: &mut Deltas,
    policy: &crate::model::RetryPolicy,
    cancel: &CancellationToken,
) -> Result<StepOutput, StepError> {
    let mut attempt = 1;
    loop {
        events.status(LoopStatus::SendingApiRequest, Vec::new()).await;
        let (result, output, streamed) = stream_once(provider, request, events, deltas, cancel).await;
        match result {
            Ok(()) => return Ok(output),
            Err(None) => return Err(StepError::Cancelled(output)),
            // Once text has streamed a retry would show it twice: fail instead.
            Err(Some(err)) if err.is_retryable() && !streamed && attempt < policy.max_attempts => {
                let delay = policy.delay(attempt, retry_after(&err));
                let reason = stop_reason_of(&err);
                let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
                events.delta(deltas.retry(err.to_string(), reason, attempt, policy.max_attempts, delay_ms)).await;
                events.status(LoopStatus::RetryingApiRequest, Vec::new()).await;
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = cancel.cancelled() => return Err(StepError::Cancelled(output)),
                }
                attempt += 1;
            }
            Err(Some(err)) => return Err(StepError::Failed(err, output)),
        }
    }
}

fn retry_after(err: &ModelError) -> Option<Duration> {
    match err {
        ModelError::Http { retry_after, .. } => *retry_after,
        _ => None,
    }
}

/// The wire stop reason for a provider error.
pub fn stop_reason_of(err: &ModelError) -> StopReasonType {
    serde_json::from_value(serde_json::Value::String(err.stop_reason().to_owned())).unwrap_or(StopReasonType::Error)
}

/// One attempt. `Err(None)` means cancelled; the bool says whether anything streamed.
async fn stream_once(
    provider: &dyn Provider,
    request: &ModelRequest,
    events: &Events,
    deltas: &mut Deltas,
    cancel: &CancellationToken,
) -> (Result<(), Option<ModelError>>, StepOutput, bool) {
    let mut stream = provider.stream(request);
    events.status(LoopStatus::WaitingForApiResponse, Vec::new()).await;
    let text_id = new_id("message");
    let reasoning_id = format!("{text_id}-reasoning");
    let mut output = StepOutput { message_id: text_id.clone(), ..StepOutput::default() };
    let mut streamed = false;
    let mut call_ids: Vec<String> = Vec::new();
    loop {
        let event = tokio::select! {
            biased;
            () = cancel.cancelled() => return (Err(None), output, streamed),
            event = stream.next() => event,
        };
        let event = match event {
            None => {
                let err = ModelError::Stream("the model's stream ended before it finished".to_owned());
                return (Err(Some(err)), output, streamed);
            }
            Some(Err(err)) => return (Err(Some(err)), output, streamed),
            Some(Ok(event)) => event,
        };
        if !streamed {
            streamed = true;
            events.status(LoopStatus::ProcessingApiResponse, Vec::new()).await;
        }
        match event {
            ModelEvent::Text(chunk) => {
                output.text.push_str(&chunk);
                events.delta(deltas.assistant(&text_id, chunk)).await;
            }
            ModelEvent::Reasoning(chunk) => {
                output.reasoning.get_or_insert_with(|| Reasoning { text: String::new(), signature: None }).text.push_str(&chunk);
                events.delta(deltas.reasoning(&reasoning_id, chunk)).await;
            }
            ModelEvent::ReasoningSignature(signature) => {
                output.reasoning.get_or_insert_with(|| Reasoning { text: String::new(), signature: None }).signature =
                    Some(signature);
            }
            ModelEvent::ToolCallStart { index, id, name } => {
                while call_ids.len() <= index {
                    call_ids.push(format!("{text_id}-call{}", call_ids.len()));
                }
                while output.tool_calls.len() <= index {
                    output.tool_calls.push(ToolCall { id: String::new(), name: String::new(), arguments: String::new() });
                }
                output.tool_calls[index].id = id.clone();
                output.tool_calls[index].name = name.clone();
                let delta = ToolCallDelta { arguments: None, name: Some(name), tool_call_id: Some(id) };
                events.delta(deltas.tool_call(&call_ids[index], delta)).await;
            }
            ModelEvent::ToolCallArgs { index, fragment } => {
                let (Some(call), Some(message_id)) = (output.tool_calls.get_mut(index), call_ids.get(index)) else {
                    let err = ModelError::Stream(format!("tool call arguments for unknown call #{index}"));
                    return (Err(Some(err)), output, streamed);
                };
                call.arguments.push_str(&fragment);
                let delta = ToolCallDelta { arguments: Some(fragment), name: None, tool_call_id: Some(call.id.clone()) };
                let message_id = message_id.clone();
                events.delta(deltas.tool_call(&message_id, delta)).await;
            }
            ModelEvent::Usage(usage) => output.usage = Some(usage),
            ModelEvent::Finish(reason) => {
                output.finish = Some(reason);
                return (Ok(()), output, streamed);
            }
        }
    }
}
