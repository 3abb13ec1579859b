//! The turn's line to its conversation actor: deltas, loop status, approvals, the end.

use tether_protocol::approval::CanUseToolRequest;
use tether_protocol::legacy::MessageEnvelope;
use tether_protocol::letta_message::{LettaUsageStatistics, StopReasonType};
use tether_protocol::status::LoopStatus;
use tether_protocol::stream::StreamDelta;
use tether_protocol::ServerFrame;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::conversation::{ApprovalAnswer, Command, TurnEvent};
use crate::model::ChatMessage;

/// Sends one turn's events to its conversation (which ignores them once the turn ended).
#[derive(Debug, Clone)]
pub struct Events {
    tx: mpsc::Sender<Command>,
    turn_id: String,
    conversation_id: String,
    agent_id: String,
}

impl Events {
    /// Events of `turn_id` in the given conversation.
    pub fn new(tx: mpsc::Sender<Command>, turn_id: &str, agent_id: &str, conversation_id: &str) -> Self {
        Self { tx, turn_id: turn_id.to_owned(), agent_id: agent_id.to_owned(), conversation_id: conversation_id.to_owned() }
    }

    async fn send(&self, event: TurnEvent) {
        // The actor only stops with the process; a failed send means nobody is listening.
        let _ = self.tx.send(Command::Turn { turn_id: self.turn_id.clone(), event }).await;
    }

    /// Streams a delta to every subscriber.
    pub async fn delta(&self, delta: StreamDelta) {
        self.send(TurnEvent::Delta(delta)).await;
    }

    /// Sends a frame that carries no runtime envelope (legacy lifecycle events).
    pub async fn frame(&self, frame: ServerFrame) {
        self.send(TurnEvent::Frame(Box::new(frame))).await;
    }

    /// Moves the loop to `status`.
    pub async fn status(&self, status: LoopStatus, executing: Vec<String>) {
        self.send(TurnEvent::Status { status, executing }).await;
    }

    /// Asks a human; `None` when the question was withdrawn (abort) or the turn cancelled.
    pub async fn ask(&self, request: CanUseToolRequest, cancel: &CancellationToken) -> Option<ApprovalAnswer> {
        let (reply, answer) = oneshot::channel();
        self.send(TurnEvent::NeedApproval { request, reply }).await;
        tokio::select! {
            answer = answer => answer.ok(),
            () = cancel.cancelled() => None,
        }
    }

    /// Ends the turn.
    pub async fn finished(
        &self,
        stop_reason: StopReasonType,
        error: Option<String>,
        usage: Option<LettaUsageStatistics>,
        history: Option<Vec<ChatMessage>>,
    ) {
        self.send(TurnEvent::Finished { stop_reason, error, usage, history }).await;
    }

    /// The legacy envelope (`protocol.d.ts`) for lifecycle telemetry frames.
    pub fn legacy_envelope(&self) -> MessageEnvelope {
        crate::conversation::emit::legacy_envelope(&self.agent_id, &self.conversation_id)
    }
}
