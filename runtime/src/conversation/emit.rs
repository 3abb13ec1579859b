//! Envelopes and fan-out: every frame of a conversation gets the next `event_seq` and
//! goes to every subscriber's outbox (snapshots coalescing there).

use tether_protocol::legacy::MessageEnvelope;
use tether_protocol::scope::{RuntimeEnvelope, RuntimeScope};
use tether_protocol::ServerFrame;

use super::{ConnectionId, Subscriber};
use crate::server::outbox::Outbox;
use crate::store::{new_id, now_rfc3339};

/// The legacy envelope (`protocol.d.ts`) that lifecycle telemetry frames carry.
pub fn legacy_envelope(agent_id: &str, conversation_id: &str) -> MessageEnvelope {
    MessageEnvelope {
        session_id: conversation_id.to_owned(),
        uuid: new_id("event"),
        timestamp: Some(now_rfc3339()),
        event_seq: None,
        agent_id: Some(agent_id.to_owned()),
        conversation_id: Some(conversation_id.to_owned()),
    }
}

/// Event numbers start from the start-up time in microseconds, so they keep increasing
/// across restarts without a write per event (a client may order and de-duplicate by them).
fn initial_seq() -> u64 {
    let micros = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000;
    u64::try_from(micros).unwrap_or(0)
}

/// Numbers and delivers one conversation's frames.
#[derive(Debug)]
pub struct Emitter {
    scope: RuntimeScope,
    seq: u64,
    subscribers: Vec<Subscriber>,
}

impl Emitter {
    /// An emitter for one scope with no subscribers yet.
    pub fn new(scope: RuntimeScope) -> Self {
        Self { scope, seq: initial_seq(), subscribers: Vec::new() }
    }

    /// The scope every envelope carries.
    pub fn scope(&self) -> &RuntimeScope {
        &self.scope
    }

    /// The envelope for the next frame.
    pub fn envelope(&mut self) -> RuntimeEnvelope {
        self.seq += 1;
        RuntimeEnvelope {
            runtime: self.scope.clone(),
            event_seq: self.seq,
            emitted_at: now_rfc3339(),
            idempotency_key: format!("{}:{}", self.scope.conversation_id, self.seq),
        }
    }

    /// Adds a subscriber (idempotent per connection).
    pub fn subscribe(&mut self, sub: &Subscriber) {
        if !self.subscribers.iter().any(|s| s.id == sub.id) {
            self.subscribers.push(sub.clone());
        }
    }

    /// Removes a connection's subscription.
    pub fn unsubscribe(&mut self, id: ConnectionId) {
        self.subscribers.retain(|s| s.id != id);
    }

    /// Whether any connection that is still open is watching (closed ones are dropped).
    pub fn is_watched(&mut self) -> bool {
        self.subscribers.retain(|s| !s.outbox.is_closed());
        !self.subscribers.is_empty()
    }

    /// How many connections are watching.
    pub fn subscriber_count(&self) -> usize {
        self.subscribers.len()
    }

    /// Sends a frame to every subscriber; drops subscribers whose connection closed.
    pub fn broadcast(&mut self, frame: &ServerFrame) {
        self.subscribers.retain(|s| !s.outbox.is_closed());
        let Some(text) = encode(frame) else { return };
        let key = snapshot_kind(frame);
        for sub in &self.subscribers {
            deliver(&sub.outbox, &self.scope, key, text.clone());
        }
    }

    /// Sends a frame to one connection.
    pub fn send_to(&self, outbox: &Outbox, frame: &ServerFrame) {
        if let Some(text) = encode(frame) {
            deliver(outbox, &self.scope, snapshot_kind(frame), text);
        }
    }
}

fn deliver(outbox: &Outbox, scope: &RuntimeScope, key: Option<&'static str>, text: String) {
    match key {
        Some(kind) => outbox.push_snapshot((scope.conversation_id.clone(), kind), text),
        None => outbox.push(text),
    }
}

fn encode(frame: &ServerFrame) -> Option<String> {
    match serde_json::to_string(frame) {
        Ok(text) => Some(text),
        Err(err) => {
            tracing::error!("cannot serialize a {} frame: {err}", frame.frame_type());
            None
        }
    }
}

/// State snapshots, which a newer one of the same kind may replace while unsent. A queue
/// update that reports removals is an event: its transitions must not be lost.
fn snapshot_kind(frame: &ServerFrame) -> Option<&'static str> {
    match frame {
        ServerFrame::UpdateDeviceStatus(_) => Some("update_device_status"),
        ServerFrame::UpdateLoopStatus(_) => Some("update_loop_status"),
        ServerFrame::UpdateQueue(update) if update.removed.is_empty() => Some("update_queue"),
        _ => None,
    }
}
