//! The link: direct mode's one long-lived logical connection. Its outbox outlives every
//! socket, so conversation actors keep delivering to it while the controller is away;
//! what they send waits (bounded, oldest dropped first and reported) and goes out in order
//! on the next socket.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::json;

use crate::conversation::Command;
use crate::runtime::Runtime;
use crate::server::connection::ConnectionCtx;
use crate::server::outbox::{outbox_with, Outbound, OutboxReceiver, Overflow};

/// Frames kept while the link is down; beyond this the oldest are dropped (and reported).
pub const LINK_CAPACITY: usize = 10_000;

/// Waiting frames past which state snapshots coalesce (as for accepted connections).
const COALESCE_AFTER: usize = 64;

/// The code of the frame that reports dropped frames (tether's `error` frame).
pub const DROPPED_CODE: &str = "frames_dropped";

/// The long-lived connection the controller's sockets take turns to carry.
#[derive(Debug)]
pub struct Link {
    /// Commands from any socket run in this context (one connection id, one outbox).
    pub ctx: ConnectionCtx,
    /// The writer side of the outbox, drained by whichever socket is up.
    pub rx: OutboxReceiver,
    connected_before: AtomicBool,
}

impl Link {
    /// A link with a large outbox that drops its oldest frames rather than closing.
    pub fn new(runtime: Arc<Runtime>) -> Self {
        Self::with_capacity(runtime, LINK_CAPACITY)
    }

    /// A link holding at most `capacity` unsent frames.
    pub fn with_capacity(runtime: Arc<Runtime>, capacity: usize) -> Self {
        let (outbox, rx) = outbox_with(capacity, COALESCE_AFTER, Overflow::DropOldest);
        let ctx = ConnectionCtx { id: runtime.next_connection_id(), runtime, outbox };
        Self { ctx, rx, connected_before: AtomicBool::new(false) }
    }

    /// Subscribes the link to every live conversation and queues its state (device
    /// status, loop status, queue, pending approvals), as `sync` would.
    pub async fn replay_all(&self) {
        for conversation in self.ctx.runtime.conversations.all() {
            conversation.send(Command::Sync { sub: self.ctx.subscriber(), request_id: None }).await;
        }
    }

    /// Called when a socket is up: from the second socket on, replays every conversation's
    /// state after the frames buffered during the outage, without waiting to be asked.
    pub async fn on_connected(&self) {
        if self.connected_before.swap(true, Ordering::AcqRel) {
            self.replay_all().await;
        }
    }

    /// Puts a frame a socket failed to write back at the front for the next socket.
    pub fn requeue(&self, out: Outbound) {
        self.rx.requeue_front(out);
    }
}

/// tether's report of a gap: `count` frames were dropped because the link was down longer
/// than its buffer lasts; the state replay that follows a reconnect is authoritative.
pub fn dropped_notice(count: u64) -> String {
    json!({
        "type": "error",
        "code": DROPPED_CODE,
        "dropped": count,
        "message": format!(
            "{count} frame(s) were dropped while the controller was unreachable (buffer of {LINK_CAPACITY} full); state is replayed after reconnect"
        ),
    })
    .to_string()
}
