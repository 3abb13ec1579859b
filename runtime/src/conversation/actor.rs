//! The conversation actor: the one owner of a conversation's queue, turn, approvals,
//! loop status and subscribers.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use tether_protocol::approval::{
    ApprovalOutcome, ApprovalResponseBody, ApprovalResponseDecision, CanUseToolRequest,
};
use tether_protocol::input::{InputAccepted, InputCreateMessagePayload, InputDisposition, TurnFinished};
use tether_protocol::legacy::{ApprovalDecisionKind, ApprovalReceived, ApprovalRequested};
use tether_protocol::letta_message::{LettaUsageStatistics, StopReasonType};
use tether_protocol::lifecycle::{
    AbortMessageResponse, DevicePermissionMode, RemoveQueueItemResponse, ResumeQueueResponse, SyncResponse,
};
use tether_protocol::status::{GitContext, LoopState, LoopStatus, QueueRemovalDisposition, QueueRemovalTransition};
use tether_protocol::stream::StreamDeltaMessage;
use tether_protocol::ServerFrame;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::device;
use super::emit::{legacy_envelope, Emitter};
use super::queue::{self, records_from_input};
use super::{ApprovalAnswer, Command, ConversationHandle, Subscriber, TurnEvent};
use crate::agent::{self, TurnSpec};
use crate::runtime::Runtime;
use crate::store::{new_id, ApprovalRecord, ConversationPatch, ConversationRecord, QueueRecord, StoreError};

mod snapshots;
mod unload;

/// Starts the actor of a stored conversation.
pub fn spawn(
    runtime: Arc<Runtime>,
    record: ConversationRecord,
    handle: ConversationHandle,
    rx: mpsc::Receiver<Command>,
) -> Result<(), StoreError> {
    let queue = runtime.store.queue(&record.id)?;
    let scope = tether_protocol::scope::RuntimeScope::new(Some(record.agent_id.clone()), record.id.clone());
    let mode = parse_mode(record.mode.as_deref());
    let cwd = record.cwd.as_ref().map(PathBuf::from).unwrap_or_else(|| runtime.boot_cwd.clone());
    let actor = Actor {
        runtime,
        conversation: record,
        handle,
        emitter: Emitter::new(scope),
        queue,
        turn: None,
        loop_state: idle_loop_state(),
        mode,
        cwd,
        git: None,
        pending: Vec::new(),
        stopping: None,
        history: None,
        interrupted_reported: false,
        model_choice: None,
    };
    tokio::spawn(actor.run(rx));
    Ok(())
}

/// The wire mode stored as text; unknown text falls back to the safe default.
pub fn parse_mode(text: Option<&str>) -> DevicePermissionMode {
    text.and_then(|t| serde_json::from_value(serde_json::Value::String(t.to_owned())).ok()).unwrap_or_default()
}

fn mode_text(mode: DevicePermissionMode) -> String {
    serde_json::to_value(mode).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn idle_loop_state() -> LoopState {
    LoopState {
        status: LoopStatus::WaitingOnInput,
        active_run_ids: Vec::new(),
        client_message_ids_by_run_id: None,
        executing_tool_call_ids: Vec::new(),
    }
}

#[derive(Debug)]
struct ActiveTurn {
    id: String,
    run_id: String,
    cancel: CancellationToken,
    /// Whether a tool ran (only then can the git branch have changed).
    ran_tools: bool,
}

#[derive(Debug)]
struct Pending {
    request_id: String,
    request: CanUseToolRequest,
    reply: oneshot::Sender<ApprovalAnswer>,
}

struct Actor {
    runtime: Arc<Runtime>,
    conversation: ConversationRecord,
    handle: ConversationHandle,
    emitter: Emitter,
    queue: Vec<QueueRecord>,
    turn: Option<ActiveTurn>,
    loop_state: LoopState,
    mode: DevicePermissionMode,
    cwd: PathBuf,
    git: Option<GitContext>,
    pending: Vec<Pending>,
    /// Set on shutdown: no new turns; answered when the running one has ended.
    stopping: Option<oneshot::Sender<()>>,
    /// The transcript as stored, kept between turns so a turn does not read it back from
    /// the store; lent to the running turn, `None` until first needed or after a failure.
    history: Option<Vec<crate::model::ChatMessage>>,
    /// Whether turns a previous process left running have been looked up (they are
    /// only created at start-up, so once is enough: `sync` then needs no store access).
    interrupted_reported: bool,
    /// The model choice shown in device status, with the store's agents version it was
    /// derived from; cleared when the conversation record changes.
    model_choice: Option<(u64, crate::agent::model_choice::ModelChoice)>,
}

impl Actor {
    async fn run(mut self, mut rx: mpsc::Receiver<Command>) {
        self.git = device::git_context(&self.cwd).await;
        // After a restart, queued inputs run without waiting to be asked.
        self.maybe_start_turn().await;
        let unload_after = unload::idle_limit();
        loop {
            let command = if self.unloadable() {
                tokio::select! {
                    command = rx.recv() => command,
                    () = tokio::time::sleep(unload_after) => {
                        if self.runtime.conversations.retire(&self.conversation.id, &self.handle) {
                            tracing::debug!(conversation = %self.conversation.id, "unloaded after {unload_after:?} idle");
                            return;
                        }
                        continue;
                    }
                }
            } else {
                rx.recv().await
            };
            let Some(command) = command else { break };
            self.handle(command).await;
        }
        if let Some(turn) = &self.turn {
            turn.cancel.cancel();
        }
    }

    async fn handle(&mut self, command: Command) {
        match command {
            Command::Attach { sub, before, after } => {
                let _cork = sub.outbox.cork();
                self.emitter.subscribe(&sub);
                if let Some(frame) = before {
                    self.emitter.send_to(&sub.outbox, &frame);
                }
                self.replay(&sub);
                if let Some(frame) = after {
                    self.emitter.send_to(&sub.outbox, &frame);
                }
            }
            Command::Detach(id) => self.emitter.unsubscribe(id),
            Command::Input { sub, request_id, payload } => self.input(sub, request_id, payload).await,
            Command::Approval { sub, request_id, body } => self.approval(&sub, request_id, body),
            Command::Abort { sub, request_id } => self.abort(&sub, request_id),
            Command::ResumeQueue { sub, request_id } => self.resume_queue(&sub, request_id).await,
            Command::RemoveQueueItem { sub, request_id, item_id } => self.remove_queue_item(&sub, request_id, item_id),
            Command::ChangeState { sub, mode, cwd } => {
                if let Some(sub) = sub {
                    self.emitter.subscribe(&sub);
                }
                self.change_state(mode, cwd).await;
            }
            Command::Sync { sub, request_id } => {
                let _cork = sub.outbox.cork();
                self.emitter.subscribe(&sub);
                self.replay(&sub);
                if let Some(request_id) = request_id {
                    let response = SyncResponse {
                        request_id,
                        runtime: self.emitter.scope().clone(),
                        success: true,
                        error: None,
                    };
                    self.emitter.send_to(&sub.outbox, &ServerFrame::SyncResponse(response));
                }
            }
            Command::Refresh => {
                if let Ok(Some(record)) = self.runtime.store.conversation(&self.conversation.id) {
                    self.conversation = record;
                    self.model_choice = None;
                }
                self.broadcast_device_status();
            }
            Command::GitContext { cwd, git } => {
                // A late answer for a directory the conversation has left is stale.
                if cwd == self.cwd && git != self.git {
                    self.git = git;
                    self.broadcast_device_status();
                }
            }
            Command::Shutdown(done) => {
                match &self.turn {
                    Some(turn) => {
                        turn.cancel.cancel();
                        self.stopping = Some(done);
                    }
                    None => {
                        let _ = done.send(());
                    }
                }
            }
            Command::Turn { turn_id, event } => {
                if self.turn.as_ref().is_some_and(|t| t.id == turn_id) {
                    self.turn_event(event).await;
                }
            }
        }
    }

    // ---- input and the queue ---------------------------------------------------

    async fn input(&mut self, sub: Subscriber, request_id: Option<String>, payload: InputCreateMessagePayload) {
        self.emitter.subscribe(&sub);
        let accept = |this: &mut Self, result: Result<InputDisposition, String>| {
            let Some(request_id) = request_id.clone() else { return };
            let (accepted, disposition, error) = match result {
                Ok(disposition) => (true, Some(disposition), None),
                Err(error) => (false, None, Some(error)),
            };
            let frame = ServerFrame::InputAccepted(InputAccepted {
                request_id,
                runtime: this.emitter.scope().clone(),
                accepted,
                disposition,
                error,
            });
            this.emitter.send_to(&sub.outbox, &frame);
        };
        if payload.messages.is_empty() {
            accept(self, Err("input has no messages".to_owned()));
            return;
        }
        let records = records_from_input(&self.conversation.id, &payload);
        // Persist before acknowledging: an accepted input survives a crash.
        if let Err(err) = self.persist_inputs(&records) {
            accept(self, Err(format!("cannot queue the input: {err}")));
            return;
        }
        // A new input releases a queue parked by an abort.
        self.set_paused(false);
        self.queue.extend(records);
        let starts_now = self.turn.is_none() && queue::next_batch_len(&self.queue) == self.queue.len();
        accept(self, Ok(if starts_now { InputDisposition::Started } else { InputDisposition::Queued }));
        self.broadcast_queue(Vec::new());
        self.maybe_start_turn().await;
    }

    fn persist_inputs(&self, records: &[QueueRecord]) -> Result<(), StoreError> {
        for record in records {
            self.runtime.store.enqueue(record.clone())?;
        }
        Ok(())
    }

    /// Parks or releases the whole queue; true when anything changed.
    fn set_paused(&mut self, paused: bool) -> usize {
        let changed = self.queue.iter().filter(|r| r.paused != paused).count();
        if changed > 0 {
            if let Err(err) = self.runtime.store.set_queue_paused(&self.conversation.id, paused) {
                tracing::error!("cannot persist queue pause state: {err}");
            }
            for record in &mut self.queue {
                record.paused = paused;
            }
        }
        changed
    }

    async fn resume_queue(&mut self, sub: &Subscriber, request_id: Option<String>) {
        let resumed = self.set_paused(false);
        if let Some(request_id) = request_id {
            let frame = ServerFrame::ResumeQueueResponse(ResumeQueueResponse {
                request_id,
                runtime: self.emitter.scope().clone(),
                resumed: u32::try_from(resumed).unwrap_or(u32::MAX),
                success: true,
                error: None,
            });
            self.emitter.send_to(&sub.outbox, &frame);
        }
        if resumed > 0 {
            self.broadcast_queue(Vec::new());
        }
        self.maybe_start_turn().await;
    }

    fn remove_queue_item(&mut self, sub: &Subscriber, request_id: String, item_id: String) {
        let position = self.queue.iter().position(|r| r.id == item_id || r.client_message_id == item_id);
        let success = match position {
            Some(index) => match self.runtime.store.dequeue(&[self.queue[index].id.clone()]) {
                Ok(_) => {
                    let record = self.queue.remove(index);
                    self.broadcast_queue(vec![QueueRemovalTransition {
                        client_message_id: record.client_message_id,
                        disposition: QueueRemovalDisposition::Cancelled,
                    }]);
                    true
                }
                Err(err) => {
                    tracing::error!("cannot remove queue item: {err}");
                    false
                }
            },
            None => false,
        };
        let frame = ServerFrame::RemoveQueueItemResponse(RemoveQueueItemResponse { request_id, success, item_id });
        self.emitter.send_to(&sub.outbox, &frame);
    }

    /// Starts the next turn when idle and the queue has an unparked item.
    async fn maybe_start_turn(&mut self) {
        if let Some(done) = self.stopping.take() {
            // Shutting down: the queue stays stored and runs after the next start.
            let _ = done.send(());
            return;
        }
        if self.turn.is_some() || self.queue.first().is_none_or(|r| r.paused) {
            return;
        }
        let count = queue::next_batch_len(&self.queue);
        let batch: Vec<QueueRecord> = self.queue.drain(..count).collect();
        // The turn itself moves the batch from the stored queue to the transcript, in one
        // transaction before it asks the model.
        let turn_id = new_id("turn");
        let removed = batch
            .iter()
            .map(|r| QueueRemovalTransition {
                client_message_id: r.client_message_id.clone(),
                disposition: QueueRemovalDisposition::Dequeued,
            })
            .collect();
        self.broadcast_queue(removed);

        let run_id = new_id("run");
        let cancel = CancellationToken::new();
        let client_message_ids: Vec<String> = batch.iter().map(|r| r.client_message_id.clone()).collect();
        self.loop_state = LoopState {
            status: LoopStatus::SendingApiRequest,
            active_run_ids: vec![run_id.clone()],
            client_message_ids_by_run_id: Some(BTreeMap::from([(run_id.clone(), client_message_ids)])),
            executing_tool_call_ids: Vec::new(),
        };
        self.turn = Some(ActiveTurn { id: turn_id.clone(), run_id: run_id.clone(), cancel: cancel.clone(), ran_tools: false });
        self.broadcast_loop_status();
        self.broadcast_device_status();
        agent::spawn_turn(TurnSpec {
            runtime: self.runtime.clone(),
            conversation: self.conversation.clone(),
            turn_id,
            run_id,
            inputs: batch,
            cwd: self.cwd.clone(),
            mode: self.mode,
            cancel,
            events: self.handle.sender(),
            history: self.history.take(),
        });
    }

    // ---- the running turn ------------------------------------------------------

    async fn turn_event(&mut self, event: TurnEvent) {
        match event {
            TurnEvent::Delta(delta) => {
                let frame = ServerFrame::StreamDelta(StreamDeltaMessage {
                    envelope: self.emitter.envelope(),
                    delta,
                    subagent_id: None,
                });
                self.emitter.broadcast(&frame);
            }
            TurnEvent::Frame(frame) => self.emitter.broadcast(&frame),
            TurnEvent::Status { status, executing } => {
                if let Some(turn) = self.turn.as_mut().filter(|_| !executing.is_empty()) {
                    turn.ran_tools = true;
                }
                self.loop_state.status = status;
                self.loop_state.executing_tool_call_ids = executing;
                self.broadcast_loop_status();
            }
            TurnEvent::NeedApproval { request, reply } => self.ask(request, reply),
            TurnEvent::Finished { stop_reason, error, usage, history } => {
                self.history = history;
                self.finish(stop_reason, error, usage).await;
            }
        }
    }

    fn ask(&mut self, request: CanUseToolRequest, reply: oneshot::Sender<ApprovalAnswer>) {
        let Some(turn) = &self.turn else { return };
        let pending = Pending { request_id: new_id("perm"), request, reply };
        let record = ApprovalRecord {
            request_id: pending.request_id.clone(),
            conversation_id: self.conversation.id.clone(),
            turn_id: turn.id.clone(),
            tool_call_id: pending.request.tool_call_id.clone(),
            request: serde_json::to_value(&pending.request).unwrap_or_default(),
        };
        if let Err(err) = self.runtime.store.save_approval(&record) {
            tracing::error!("cannot persist a pending approval: {err}");
        }
        let frame = self.control_request_frame(&pending);
        let legacy = ServerFrame::ApprovalRequested(ApprovalRequested {
            envelope: legacy_envelope(&self.conversation.agent_id, &self.conversation.id),
            request_id: pending.request_id.clone(),
            tool_call_id: pending.request.tool_call_id.clone(),
            tool_name: pending.request.tool_name.clone(),
            run_id: Some(turn.run_id.clone()),
        });
        self.pending.push(pending);
        self.loop_state.status = LoopStatus::WaitingOnApproval;
        self.loop_state.executing_tool_call_ids.clear();
        self.emitter.broadcast(&frame);
        self.emitter.broadcast(&legacy);
        self.broadcast_loop_status();
        self.broadcast_device_status();
    }

    /// First answer wins; a late or unknown answer gets a clear refusal.
    fn approval(&mut self, sub: &Subscriber, request_id: Option<String>, body: ApprovalResponseBody) {
        self.emitter.subscribe(sub);
        let Some(index) = self.pending.iter().position(|p| p.request_id == body.request_id) else {
            self.refuse_input(
                sub,
                request_id,
                format!("no pending approval {} (already answered, or its turn ended)", body.request_id),
            );
            return;
        };
        let pending = self.pending.remove(index);
        if let Err(err) = self.runtime.store.delete_approval(&pending.request_id) {
            tracing::error!("cannot forget a settled approval: {err}");
        }
        let answer = match body.outcome {
            ApprovalOutcome::Decision(ApprovalResponseDecision::Allow {
                updated_input,
                selected_permission_suggestion_ids,
                ..
            }) => ApprovalAnswer::Allow {
                updated_input,
                selected_suggestions: selected_permission_suggestion_ids.unwrap_or_default(),
            },
            ApprovalOutcome::Decision(ApprovalResponseDecision::Deny { message }) => ApprovalAnswer::Deny { message },
            ApprovalOutcome::Error(error) => ApprovalAnswer::Deny { message: error },
        };
        let (decision, reason) = match &answer {
            ApprovalAnswer::Allow { .. } => (ApprovalDecisionKind::Allow, None),
            ApprovalAnswer::Deny { message } => (ApprovalDecisionKind::Deny, Some(message.clone())),
        };
        let _ = pending.reply.send(answer);
        let legacy = ServerFrame::ApprovalReceived(ApprovalReceived {
            envelope: legacy_envelope(&self.conversation.agent_id, &self.conversation.id),
            request_id: pending.request_id.clone(),
            tool_call_id: pending.request.tool_call_id.clone(),
            decision,
            reason,
            run_id: self.turn.as_ref().map(|t| t.run_id.clone()),
        });
        self.emitter.broadcast(&legacy);
        if let Some(request_id) = request_id {
            let frame = ServerFrame::InputAccepted(InputAccepted {
                request_id,
                runtime: self.emitter.scope().clone(),
                accepted: true,
                disposition: None,
                error: None,
            });
            self.emitter.send_to(&sub.outbox, &frame);
        }
        self.broadcast_device_status();
    }

    fn refuse_input(&mut self, sub: &Subscriber, request_id: Option<String>, error: String) {
        match request_id {
            Some(request_id) => {
                let frame = ServerFrame::InputAccepted(InputAccepted {
                    request_id,
                    runtime: self.emitter.scope().clone(),
                    accepted: false,
                    disposition: None,
                    error: Some(error),
                });
                self.emitter.send_to(&sub.outbox, &frame);
            }
            None => sub.outbox.push(
                crate::server::connection::error_frame("input_refused", &error, None, Some("input")).to_string(),
            ),
        }
    }

    fn abort(&mut self, sub: &Subscriber, request_id: Option<String>) {
        let aborted = self.turn.is_some();
        if let Some(turn) = &self.turn {
            turn.cancel.cancel();
        }
        for pending in self.pending.drain(..) {
            // Dropping the reply tells the waiting turn the question was withdrawn.
            if let Err(err) = self.runtime.store.delete_approval(&pending.request_id) {
                tracing::error!("cannot forget an aborted approval: {err}");
            }
        }
        // Queued inputs wait for `resume_queue` or a new input after an interrupt.
        if self.set_paused(true) > 0 {
            self.broadcast_queue(Vec::new());
        }
        if let Some(request_id) = request_id {
            let frame = ServerFrame::AbortMessageResponse(AbortMessageResponse {
                request_id,
                runtime: self.emitter.scope().clone(),
                aborted,
                success: true,
                error: None,
            });
            self.emitter.send_to(&sub.outbox, &frame);
        }
        if aborted {
            self.broadcast_device_status();
        }
    }

    async fn finish(&mut self, stop_reason: StopReasonType, error: Option<String>, usage: Option<LettaUsageStatistics>) {
        let Some(turn) = self.turn.take() else { return };
        let stop_text = serde_json::to_value(&stop_reason)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "error".to_owned());
        if let Err(err) = self.runtime.store.finish_turn(&turn.id, &stop_text) {
            tracing::error!("cannot record the end of a turn: {err}");
        }
        // Approvals of a finished turn can no longer be answered.
        for pending in self.pending.drain(..) {
            let _ = self.runtime.store.delete_approval(&pending.request_id);
        }
        self.loop_state = idle_loop_state();
        self.broadcast_loop_status();
        let frame = ServerFrame::TurnFinished(TurnFinished {
            envelope: self.emitter.envelope(),
            turn_id: turn.id,
            stop_reason,
            run_id: Some(turn.run_id),
            error,
            usage,
        });
        self.emitter.broadcast(&frame);
        self.broadcast_device_status();
        // A tool may have switched branches: ask git in the background, so the next input
        // is not kept waiting on a subprocess. A turn without tools cannot have.
        if turn.ran_tools {
            let (cwd, mailbox) = (self.cwd.clone(), self.handle.sender());
            tokio::spawn(async move {
                let git = device::git_context(&cwd).await;
                let _ = mailbox.send(Command::GitContext { cwd, git }).await;
            });
        }
        self.maybe_start_turn().await;
    }

    async fn change_state(&mut self, mode: Option<DevicePermissionMode>, cwd: Option<PathBuf>) {
        let patch = ConversationPatch {
            mode: mode.map(mode_text),
            cwd: cwd.as_ref().map(|c| c.display().to_string()),
            ..ConversationPatch::default()
        };
        match self.runtime.store.update_conversation(&self.conversation.id, patch) {
            Ok(Some(record)) => {
                self.conversation = record;
                self.model_choice = None;
            }
            Ok(None) => {}
            Err(err) => tracing::error!("cannot persist device state: {err}"),
        }
        if let Some(mode) = mode {
            self.mode = mode;
        }
        if let Some(cwd) = cwd {
            self.cwd = cwd;
            self.git = device::git_context(&self.cwd).await;
        }
        self.broadcast_device_status();
    }
}
