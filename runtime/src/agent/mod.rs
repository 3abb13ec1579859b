//! The agent loop: one turn of a conversation, from the user's input to the model's
//! last word, with tool calls (and their approvals) in between.
//!
//! A turn runs as its own task and reports everything to its conversation's actor
//! ([`crate::conversation::TurnEvent`]), which numbers and fans the events out.
//!
//! # Layout
//! - [`deltas`]: builders for the Letta message deltas a turn streams.
//! - [`events`]: the turn's line to its conversation actor.
//! - [`model_choice`]: which model a conversation uses (conversation, agent, default).
//! - [`prompt`]: the system prompt (agent prompt, cwd, `AGENTS.md`).
//! - [`transcript`]: loading, appending and repairing the stored transcript.
//! - [`step`]: one model call, streamed, with retries.
//! - [`calls`]: tool calls: permission, approval, execution, results.
//! - [`turn`]: the loop that ties them together.

pub mod calls;
pub mod deltas;
pub mod events;
pub mod model_choice;
pub mod prompt;
pub mod step;
pub mod transcript;
pub mod turn;

use std::path::PathBuf;
use std::sync::Arc;

use tether_protocol::lifecycle::DevicePermissionMode;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::conversation::Command;
use crate::runtime::Runtime;
use crate::store::{ConversationRecord, QueueRecord};

/// Everything a turn needs, handed over by the conversation actor.
#[derive(Debug)]
pub struct TurnSpec {
    /// The shared runtime (store, model config).
    pub runtime: Arc<Runtime>,
    /// The conversation as stored when the turn started.
    pub conversation: ConversationRecord,
    /// This turn's id (`turn_finished.turn_id`).
    pub turn_id: String,
    /// This turn's run id (on every delta).
    pub run_id: String,
    /// The queued inputs this turn answers (coalesced).
    pub inputs: Vec<QueueRecord>,
    /// Working directory at the start of the turn.
    pub cwd: PathBuf,
    /// Permission mode at the start of the turn (re-read before each tool call).
    pub mode: DevicePermissionMode,
    /// Cancelled by `abort_message` or shutdown.
    pub cancel: CancellationToken,
    /// The conversation actor's mailbox.
    pub events: mpsc::Sender<Command>,
    /// The transcript the conversation keeps in memory (`None`: load it from the store);
    /// handed back with `Finished`.
    pub history: Option<Vec<crate::model::ChatMessage>>,
}

/// Runs a turn in its own task; it always ends with a `Finished` event.
pub fn spawn_turn(spec: TurnSpec) {
    tokio::spawn(turn::run(spec));
}
