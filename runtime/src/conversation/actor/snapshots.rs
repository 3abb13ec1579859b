//! The actor's state snapshots (device status, loop status, queue, pending approvals) and
//! the replay a connection gets on `runtime_start` or `sync`.

use tether_protocol::approval::{ControlRequest, ControlRequestBody, PendingControlRequest};
use tether_protocol::input::TurnFinished;
use tether_protocol::letta_message::StopReasonType;
use tether_protocol::status::{DeviceStatusUpdate, LoopStatusUpdate, QueueRemovalTransition, QueueUpdate};
use tether_protocol::stream::{LoopErrorMessage, StreamDelta, StreamDeltaMessage};
use tether_protocol::ServerFrame;

use super::{Actor, Pending};
use crate::agent::model_choice::ModelChoice;
use crate::conversation::device::{self, DeviceParams};
use crate::conversation::queue;
use crate::conversation::Subscriber;
use crate::store::{new_id, now_rfc3339};

impl Actor {
    pub(super) fn device_status_frame(&mut self) -> ServerFrame {
        let model = self.model_choice();
        let status = device::device_status(DeviceParams {
            cwd: &self.cwd,
            boot_cwd: &self.runtime.boot_cwd,
            mode: self.mode,
            is_processing: self.turn.is_some(),
            pending: self.pending_requests(),
            git: self.git.clone(),
            loaded_tools: self.runtime.loaded_tool_names(),
            supported_commands: Vec::new(),
            model,
        });
        ServerFrame::UpdateDeviceStatus(DeviceStatusUpdate { envelope: self.emitter.envelope(), device_status: status })
    }

    /// The conversation's model, cached until the conversation or any agent changes.
    pub(super) fn model_choice(&mut self) -> ModelChoice {
        let version = self.runtime.store.agents_version();
        if let Some((_, choice)) = self.model_choice.as_ref().filter(|(cached, _)| *cached == version) {
            return choice.clone();
        }
        let agent = self.runtime.store.agent(&self.conversation.agent_id).ok().flatten();
        let choice = crate::agent::model_choice::choose(&self.conversation, agent.as_ref(), self.runtime.default_model.as_deref());
        self.model_choice = Some((version, choice.clone()));
        choice
    }

    pub(super) fn loop_status_frame(&mut self) -> ServerFrame {
        ServerFrame::UpdateLoopStatus(LoopStatusUpdate {
            envelope: self.emitter.envelope(),
            loop_status: self.loop_state.clone(),
        })
    }

    pub(super) fn queue_frame(&mut self, removed: Vec<QueueRemovalTransition>) -> ServerFrame {
        ServerFrame::UpdateQueue(QueueUpdate {
            envelope: self.emitter.envelope(),
            queue: self.queue.iter().map(queue::to_wire).collect(),
            removed,
        })
    }

    pub(super) fn pending_requests(&self) -> Vec<PendingControlRequest> {
        self.pending
            .iter()
            .map(|p| PendingControlRequest {
                request_id: p.request_id.clone(),
                request: ControlRequestBody::CanUseTool(p.request.clone()),
            })
            .collect()
    }

    pub(super) fn control_request_frame(&self, pending: &Pending) -> ServerFrame {
        ServerFrame::ControlRequest(ControlRequest {
            request_id: pending.request_id.clone(),
            request: ControlRequestBody::CanUseTool(pending.request.clone()),
            agent_id: Some(self.conversation.agent_id.clone()),
            conversation_id: Some(self.conversation.id.clone()),
        })
    }

    pub(super) fn broadcast_device_status(&mut self) {
        let frame = self.device_status_frame();
        self.emitter.broadcast(&frame);
    }

    pub(super) fn broadcast_loop_status(&mut self) {
        let frame = self.loop_status_frame();
        self.emitter.broadcast(&frame);
    }

    pub(super) fn broadcast_queue(&mut self, removed: Vec<QueueRemovalTransition>) {
        let frame = self.queue_frame(removed);
        self.emitter.broadcast(&frame);
    }

    /// Sends one connection everything it needs to render the conversation now. Device
    /// status is always included (as if `force_device_status` were set): it is cheap.
    pub(super) fn replay(&mut self, sub: &Subscriber) {
        let frame = self.device_status_frame();
        self.emitter.send_to(&sub.outbox, &frame);
        let frame = self.loop_status_frame();
        self.emitter.send_to(&sub.outbox, &frame);
        let frame = self.queue_frame(Vec::new());
        self.emitter.send_to(&sub.outbox, &frame);
        for pending in &self.pending {
            self.emitter.send_to(&sub.outbox, &self.control_request_frame(pending));
        }
        self.report_interrupted_turns(sub);
    }

    /// Turns a previous process left running are reported once, as errors with a reason.
    pub(super) fn report_interrupted_turns(&mut self, sub: &Subscriber) {
        if self.interrupted_reported {
            return;
        }
        let turns = match self.runtime.store.take_unreported_turns(&self.conversation.id) {
            Ok(turns) => {
                self.interrupted_reported = true;
                turns
            }
            Err(err) => {
                tracing::error!("cannot read interrupted turns: {err}");
                return;
            }
        };
        for turn in turns {
            let message = crate::store::INTERRUPTED_REASON.to_owned();
            let delta = StreamDelta::LoopError(LoopErrorMessage {
                id: new_id("loop-error"),
                date: now_rfc3339(),
                run_id: None,
                message: message.clone(),
                stop_reason: StopReasonType::Error,
                is_terminal: true,
                api_error: None,
            });
            let frame = ServerFrame::StreamDelta(StreamDeltaMessage {
                envelope: self.emitter.envelope(),
                delta,
                subagent_id: None,
            });
            self.emitter.send_to(&sub.outbox, &frame);
            let frame = ServerFrame::TurnFinished(TurnFinished {
                envelope: self.emitter.envelope(),
                turn_id: turn.id,
                stop_reason: StopReasonType::Error,
                run_id: None,
                error: Some(message),
                usage: None,
            });
            self.emitter.send_to(&sub.outbox, &frame);
        }
    }

}
