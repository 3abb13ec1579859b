//! One turn: inputs into the transcript, then model steps and tool calls until the
//! model stops, the step limit is hit, the user aborts, or something fails for good.

use tether_protocol::content::MessageContent;
use tether_protocol::letta_message::{LettaUsageStatistics, StopReasonType};
use tether_protocol::scope::RuntimeScope;

use super::calls::{self, CallCtx, CallResult};
use super::deltas::Deltas;
use super::events::Events;
use super::step::{self, StepError, StepOutput};
use super::{prompt, transcript, TurnSpec};
use crate::conversation::actor::parse_mode;
use crate::conversation::queue::{self as queue_items, TurnOptions};
use crate::model::{self, ChatMessage, ModelRequest, RetryPolicy, Usage};
use crate::store::{new_id, StoreError};
use crate::tools::{BuiltinTool, PermissionMode};

/// Model steps one turn may take before it stops with `max_steps` (override with
/// `TETHER_MAX_STEPS`).
const DEFAULT_MAX_STEPS: u32 = 50;

/// How a turn ended.
struct Ending {
    stop_reason: StopReasonType,
    error: Option<String>,
}

impl Ending {
    fn ok(stop_reason: StopReasonType) -> Self {
        Self { stop_reason, error: None }
    }

    fn failed(stop_reason: StopReasonType, error: String) -> Self {
        Self { stop_reason, error: Some(error) }
    }
}

impl From<StoreError> for Ending {
    fn from(err: StoreError) -> Self {
        Ending::failed(StopReasonType::Error, format!("cannot update the transcript: {err}"))
    }
}

/// Runs the turn and reports its end (always exactly one `Finished`, which hands the
/// transcript back to the conversation for the next turn).
pub async fn run(mut spec: TurnSpec) {
    let events = Events::new(spec.events.clone(), &spec.turn_id, &spec.conversation.agent_id, &spec.conversation.id);
    let mut deltas = Deltas::new(&spec.run_id);
    let mut usage = Usage::default();
    let mut steps = 0u64;
    let mut history = spec.history.take();
    let ending = match drive(&spec, &events, &mut deltas, &mut usage, &mut steps, &mut history).await {
        Ok(ending) | Err(ending) => ending,
    };
    // Whatever happened, every tool call in the transcript must have an answer.
    if let Some(Err(err)) = history
        .as_mut()
        .map(|messages| transcript::settle_unanswered(&spec.runtime.store, &spec.conversation.id, &spec.run_id, messages))
    {
        tracing::error!("cannot settle unanswered tool calls: {err}");
        // The next turn reloads the stored transcript and settles them then.
        history = None;
    }
    if let Some(error) = &ending.error {
        events.delta(deltas.loop_error(error.clone(), ending.stop_reason.clone())).await;
    }
    events.delta(deltas.stop_reason(ending.stop_reason.clone())).await;
    let usage = LettaUsageStatistics {
        completion_tokens: Some(usage.completion_tokens),
        prompt_tokens: Some(usage.prompt_tokens),
        total_tokens: Some(usage.total_tokens),
        step_count: Some(steps),
        cached_input_tokens: usage.cached_input_tokens,
        cache_write_tokens: None,
        reasoning_tokens: usage.reasoning_tokens,
        context_tokens: None,
        run_ids: Some(vec![spec.run_id.clone()]),
    };
    events.delta(deltas.usage(usage.clone())).await;
    events.finished(ending.stop_reason, ending.error, Some(usage), history).await;
}

/// Starts the turn and runs its steps. `history` is the conversation's transcript (loaded
/// here when the conversation had none in memory); it stays equal to the stored one.
async fn drive(
    spec: &TurnSpec,
    events: &Events,
    deltas: &mut Deltas,
    usage: &mut Usage,
    steps: &mut u64,
    history: &mut Option<Vec<ChatMessage>>,
) -> Result<Ending, Ending> {
    let store = &spec.runtime.store;
    let conversation_id = &spec.conversation.id;
    let agent = store
        .agent(&spec.conversation.agent_id)?
        .ok_or_else(|| Ending::failed(StopReasonType::Error, format!("agent {} no longer exists", spec.conversation.agent_id)))?;

    let messages = match history {
        Some(messages) => messages,
        None => history.insert(transcript::load(store, conversation_id)?),
    };
    // Repairs of an earlier interruption first, then the inputs; stored together with the
    // inputs leaving the queue, before the model is asked.
    let mut new = transcript::repairs(messages);
    for input in &spec.inputs {
        let content: MessageContent =
            serde_json::from_value(input.content.clone()).unwrap_or_else(|_| MessageContent::Text(String::new()));
        let id = new_id("message");
        events.delta(deltas.user(&id, content, Some(input.client_message_id.clone()))).await;
        new.push((ChatMessage::User { content: queue_items::text_of(input) }, id));
    }
    let dequeued: Vec<String> = spec.inputs.iter().map(|r| r.id.clone()).collect();
    transcript::start_turn(store, conversation_id, &spec.turn_id, &spec.run_id, &dequeued, messages, new)?;

    let conversation = store.conversation(conversation_id)?.unwrap_or_else(|| spec.conversation.clone());
    let handle = super::model_choice::choose(&conversation, Some(&agent), spec.runtime.default_model.as_deref()).handle;
    let provider = spec
        .runtime
        .provider(&handle)
        .map_err(|err| Ending::failed(step::stop_reason_of(&err), err.to_string()))?;

    let options: TurnOptions = spec.inputs.first().map(queue_items::options).unwrap_or_default();
    let visible: Vec<BuiltinTool> = BuiltinTool::ALL
        .into_iter()
        .filter(|t| options.client_tool_allowlist.as_ref().is_none_or(|allow| allow.iter().any(|n| n == t.name())))
        .collect();
    let external: Vec<_> = spec
        .runtime
        .external
        .visible(conversation_id, options.external_tool_scope_ids.as_deref())
        .into_iter()
        .filter(|t| BuiltinTool::from_name(&t.definition.name).is_none())
        .collect();
    let tools = visible
        .iter()
        .map(|t| model::ToolSpec { name: t.name().to_owned(), description: t.description().to_owned(), parameters: t.parameters() })
        .chain(external.iter().map(|t| model::ToolSpec {
            name: t.definition.name.clone(),
            description: t.definition.description.clone(),
            parameters: serde_json::Value::Object(t.definition.parameters.clone()),
        }))
        .collect();
    let model_name = handle.split_once('/').map(|(_, name)| name.to_owned()).unwrap_or_else(|| handle.clone());
    // The request holds the transcript while the steps run (no copy per step) and hands it
    // back, however they end.
    let mut request = ModelRequest {
        model: model_name,
        system: prompt::system_prompt(&agent.system, &spec.cwd),
        messages: history.take().unwrap_or_default(),
        tools,
        max_tokens: None,
    };
    let tools = Tools { visible: &visible, external: &external, scope: RuntimeScope::new(Some(agent.id.clone()), conversation_id.clone()) };
    let ending = run_steps(spec, events, deltas, usage, steps, provider.as_ref(), &mut request, &tools).await;
    *history = Some(std::mem::take(&mut request.messages));
    ending
}

/// The tools a turn may call.
struct Tools<'a> {
    visible: &'a [BuiltinTool],
    external: &'a [crate::external::ExternalTool],
    scope: RuntimeScope,
}

/// Model steps and tool calls until the model stops; `request.messages` is the transcript.
#[allow(clippy::too_many_arguments)]
async fn run_steps(
    spec: &TurnSpec,
    events: &Events,
    deltas: &mut Deltas,
    usage: &mut Usage,
    steps: &mut u64,
    provider: &dyn model::Provider,
    request: &mut ModelRequest,
    tools: &Tools<'_>,
) -> Result<Ending, Ending> {
    let store = &spec.runtime.store;
    let conversation_id = &spec.conversation.id;
    let max_steps = std::env::var("TETHER_MAX_STEPS").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_MAX_STEPS);
    let policy = RetryPolicy::default();
    for _ in 0..max_steps {
        deltas.next_step();
        *steps += 1;
        let outcome = step::run(provider, request, events, deltas, &policy, &spec.cancel).await;
        let (output, failure) = match outcome {
            Ok(output) => (output, None),
            Err(StepError::Cancelled(partial)) => (partial, Some(Ending::ok(StopReasonType::Cancelled))),
            Err(StepError::Failed(err, partial)) => {
                (partial, Some(Ending::failed(step::stop_reason_of(&err), err.to_string())))
            }
        };
        add_usage(usage, output.usage.as_ref());
        let calls = if failure.is_some() { Vec::new() } else { output.tool_calls.clone() };
        record_answer(spec, &mut request.messages, output, failure.is_some())?;
        if let Some(ending) = failure {
            return Ok(ending);
        }
        if calls.is_empty() {
            return Ok(Ending::ok(StopReasonType::EndTurn));
        }
        let mode = store
            .conversation(conversation_id)?
            .map(|c| parse_mode(c.mode.as_deref()))
            .unwrap_or(spec.mode);
        let ctx = CallCtx {
            events,
            cancel: &spec.cancel,
            cwd: &spec.cwd,
            data_dir: &spec.runtime.data_dir,
            mode: PermissionMode::from(mode),
            visible: tools.visible,
            external: tools.external,
            registry: &spec.runtime.external,
            scope: &tools.scope,
        };
        for call in &calls {
            let result_id = new_id("message");
            let (output, interrupted) = match calls::run(&ctx, deltas, call, &result_id).await {
                CallResult::Answered(output) => (output, false),
                CallResult::Interrupted(output) => (output, true),
            };
            let message =
                ChatMessage::Tool { tool_call_id: call.id.clone(), name: call.name.clone(), content: output.content, is_error: output.is_error };
            transcript::append(store, conversation_id, &spec.run_id, &mut request.messages, message, Some(&result_id))?;
            if interrupted {
                return Ok(Ending::ok(StopReasonType::Cancelled));
            }
        }
    }
    Ok(Ending::ok(StopReasonType::MaxSteps))
}

/// Persists what the model said; a step cut short keeps its text but not its half-made
/// tool calls (they never ran and cannot be answered).
fn record_answer(spec: &TurnSpec, messages: &mut Vec<ChatMessage>, output: StepOutput, cut_short: bool) -> Result<(), StoreError> {
    let tool_calls = if cut_short { Vec::new() } else { output.tool_calls };
    if output.text.is_empty() && tool_calls.is_empty() && output.reasoning.is_none() {
        return Ok(());
    }
    let message = ChatMessage::Assistant { content: output.text, reasoning: output.reasoning, tool_calls };
    transcript::append(&spec.runtime.store, &spec.conversation.id, &spec.run_id, messages, message, Some(&output.message_id))
}

fn add_usage(total: &mut Usage, step: Option<&Usage>) {
    let Some(step) = step else { return };
    total.prompt_tokens += step.prompt_tokens;
    total.completion_tokens += step.completion_tokens;
    total.total_tokens += step.total_tokens;
    if let Some(cached) = step.cached_input_tokens {
        *total.cached_input_tokens.get_or_insert(0) += cached;
    }
    if let Some(reasoning) = step.reasoning_tokens {
        *total.reasoning_tokens.get_or_insert(0) += reasoning;
    }
}
