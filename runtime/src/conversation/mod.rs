//! Conversations: one actor per `{agent_id, conversation_id}` owns all of its state.
//!
//! Connections never touch a conversation's state directly; they send it a
//! [`Command`] and it answers through their outboxes. The running turn talks to the
//! actor the same way ([`TurnEvent`]), so every event of a conversation is ordered by
//! one owner and gets one `event_seq`.
//!
//! # Layout
//! - [`actor`]: the actor loop and its state (subscribers, queue, turn, approvals);
//!   `actor/snapshots.rs` builds its state snapshots and the replay.
//! - [`emit`]: envelopes and fan-out to subscribers.
//! - [`device`]: `DeviceStatus` and the git context of a working directory.
//! - [`queue`]: queue items, coalescing and snapshots.

pub mod actor;
pub mod device;
pub mod emit;
pub mod queue;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tether_protocol::approval::{ApprovalResponseBody, CanUseToolRequest};
use tether_protocol::input::InputCreateMessagePayload;
use tether_protocol::letta_message::{LettaUsageStatistics, StopReasonType};
use tether_protocol::lifecycle::DevicePermissionMode;
use tether_protocol::status::LoopStatus;
use tether_protocol::stream::StreamDelta;
use tether_protocol::ServerFrame;
use tokio::sync::{mpsc, oneshot};

use crate::runtime::Runtime;
use crate::server::outbox::Outbox;
use crate::store::{ConversationRecord, StoreError};

/// Messages an actor can hold before senders wait (backpressure on a flooding client).
const MAILBOX_CAPACITY: usize = 1024;

/// Identifies one client connection for the life of the process.
pub type ConnectionId = u64;

/// A connection watching a conversation.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// Which connection.
    pub id: ConnectionId,
    /// Where its frames go.
    pub outbox: Outbox,
}

/// What a connection (or the turn) asks of a conversation.
#[derive(Debug)]
pub enum Command {
    /// Subscribe and replay state (`runtime_start`); `before`/`after` are frames to send
    /// around the replay (the response, depending on `wait_for_replay`).
    Attach {
        /// The connection.
        sub: Subscriber,
        /// Sent before the replay.
        before: Option<Box<ServerFrame>>,
        /// Sent after the replay.
        after: Option<Box<ServerFrame>>,
    },
    /// The connection closed.
    Detach(ConnectionId),
    /// `input` with `create_message`.
    Input {
        /// The sender (subscribed implicitly).
        sub: Subscriber,
        /// Correlates `input_accepted`.
        request_id: Option<String>,
        /// The messages and per-turn options.
        payload: InputCreateMessagePayload,
    },
    /// `input` with `approval_response`.
    Approval {
        /// The answering connection.
        sub: Subscriber,
        /// Correlates `input_accepted` for the answer itself.
        request_id: Option<String>,
        /// The answer.
        body: ApprovalResponseBody,
    },
    /// `abort_message`.
    Abort {
        /// The asking connection.
        sub: Subscriber,
        /// Correlates `abort_message_response`.
        request_id: Option<String>,
    },
    /// `resume_queue`.
    ResumeQueue {
        /// The asking connection.
        sub: Subscriber,
        /// Correlates `resume_queue_response`.
        request_id: Option<String>,
    },
    /// `remove_queue_item`.
    RemoveQueueItem {
        /// The asking connection.
        sub: Subscriber,
        /// Correlates the response.
        request_id: String,
        /// The queue item id.
        item_id: String,
    },
    /// `change_device_state` (already validated).
    ChangeState {
        /// The asking connection, subscribed so it sees the new device status.
        sub: Option<Subscriber>,
        /// New permission mode.
        mode: Option<DevicePermissionMode>,
        /// New working directory (exists, absolute).
        cwd: Option<PathBuf>,
    },
    /// `sync`: replay everything to one connection.
    Sync {
        /// The asking connection.
        sub: Subscriber,
        /// Correlates `sync_response`.
        request_id: Option<String>,
    },
    /// The conversation's model changed (`update_model`); refresh device status.
    Refresh,
    /// The git state of a working directory, computed in the background.
    GitContext {
        /// The directory asked about.
        cwd: PathBuf,
        /// What git said (`None`: not a repository).
        git: Option<tether_protocol::status::GitContext>,
    },
    /// The process is stopping: interrupt the running turn and answer once it has ended.
    Shutdown(oneshot::Sender<()>),
    /// Something the running turn reports.
    Turn {
        /// Which turn (events of an older turn are ignored).
        turn_id: String,
        /// What happened.
        event: TurnEvent,
    },
}

/// What a running turn reports to its conversation.
#[derive(Debug)]
pub enum TurnEvent {
    /// A stream delta for every subscriber.
    Delta(StreamDelta),
    /// Another frame for every subscriber that is not enveloped (legacy lifecycle events).
    Frame(Box<ServerFrame>),
    /// The loop moved to another state.
    Status {
        /// The new state.
        status: LoopStatus,
        /// Tool calls executing now (only with `EXECUTING_CLIENT_SIDE_TOOL`).
        executing: Vec<String>,
    },
    /// A tool call needs a human; the answer comes back on `reply`.
    NeedApproval {
        /// The `can_use_tool` body.
        request: CanUseToolRequest,
        /// Where the decision goes.
        reply: oneshot::Sender<ApprovalAnswer>,
    },
    /// The turn ended.
    Finished {
        /// Why.
        stop_reason: StopReasonType,
        /// A human-readable error, if it failed.
        error: Option<String>,
        /// Token counts.
        usage: Option<LettaUsageStatistics>,
        /// The transcript as stored now, for the next turn (`None`: reload it).
        history: Option<Vec<crate::model::ChatMessage>>,
    },
}

/// A human's answer to an approval, as the turn sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum ApprovalAnswer {
    /// Run it (with edited arguments, if given), and persist the selected suggestions.
    Allow {
        /// Arguments to run instead of the model's.
        updated_input: Option<serde_json::Map<String, serde_json::Value>>,
        /// Permission suggestions to turn into rules.
        selected_suggestions: Vec<String>,
    },
    /// Do not run it; the model gets `message`.
    Deny {
        /// Why, for the model.
        message: String,
    },
}

/// A cheap handle to a conversation's actor.
#[derive(Debug, Clone)]
pub struct ConversationHandle {
    tx: mpsc::Sender<Command>,
}

impl ConversationHandle {
    /// Sends a command; `false` if the actor has stopped (process shutting down).
    pub async fn send(&self, command: Command) -> bool {
        self.tx.send(command).await.is_ok()
    }

    /// A sender the turn uses to report events.
    pub fn sender(&self) -> mpsc::Sender<Command> {
        self.tx.clone()
    }
}

/// The live actors, by conversation id.
#[derive(Debug, Default)]
pub struct Registry {
    actors: Mutex<HashMap<String, Live>>,
}

/// A live actor with what a command needs to address it without reading the store.
#[derive(Debug)]
struct Live {
    handle: ConversationHandle,
    agent_id: String,
    /// [`crate::store::Store::agents_version`] when the conversation was last read: once
    /// any agent changes (a deletion removes its conversations), the store is asked again.
    agents_version: u64,
}

impl Registry {
    /// The actor of a stored conversation, spawning it on first use; `agents_version` is
    /// the store's agents version read before `record` was.
    pub fn handle(
        &self,
        runtime: &Arc<Runtime>,
        record: &ConversationRecord,
        agents_version: u64,
    ) -> Result<ConversationHandle, StoreError> {
        let mut actors = self.actors.lock().map_err(|_| StoreError::Poisoned)?;
        if let Some(live) = actors.get_mut(&record.id)
            && !live.handle.tx.is_closed()
        {
            live.agents_version = agents_version;
            return Ok(live.handle.clone());
        }
        let (tx, rx) = mpsc::channel(MAILBOX_CAPACITY);
        let handle = ConversationHandle { tx };
        actor::spawn(runtime.clone(), record.clone(), handle.clone(), rx)?;
        let live = Live { handle: handle.clone(), agent_id: record.agent_id.clone(), agents_version };
        actors.insert(record.id.clone(), live);
        Ok(handle)
    }

    /// The running actor of `conversation_id` and its agent's id, if no agent changed since
    /// the conversation was read (then the caller reads the store instead).
    pub fn live(&self, conversation_id: &str, agents_version: u64) -> Option<(ConversationHandle, String)> {
        let actors = self.actors.lock().ok()?;
        let live = actors.get(conversation_id)?;
        (live.agents_version == agents_version && !live.handle.tx.is_closed())
            .then(|| (live.handle.clone(), live.agent_id.clone()))
    }

    /// Forgets an idle actor if nothing else can reach it: no handle exists outside the
    /// registry and the actor itself, and its mailbox is empty. Checked under the lock that
    /// [`Registry::handle`] takes, so no sender can appear in between; `true` means the
    /// actor is no longer reachable and must stop (the next use spawns a fresh one).
    pub fn retire(&self, id: &str, handle: &ConversationHandle) -> bool {
        let Ok(mut actors) = self.actors.lock() else { return false };
        let Some(current) = actors.get(id) else { return false };
        let idle = current.handle.tx.same_channel(&handle.tx)
            && handle.tx.strong_count() <= 2
            && handle.tx.capacity() == handle.tx.max_capacity();
        if idle {
            actors.remove(id);
        }
        idle
    }

    /// Every live actor (to detach a closing connection from all of them).
    pub fn all(&self) -> Vec<ConversationHandle> {
        self.actors.lock().map(|a| a.values().map(|live| live.handle.clone()).collect()).unwrap_or_default()
    }
}
