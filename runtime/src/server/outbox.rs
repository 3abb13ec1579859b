//! A connection's bounded outbound queue, where state snapshots coalesce.
//!
//! Events (deltas, responses) must all arrive, in order. State snapshots
//! (`update_device_status`, `update_loop_status`, `update_queue`) are whole states: once a
//! client falls behind (its queue holds more than a threshold), a newer snapshot of the
//! same kind and scope replaces a still-waiting one in place. A client that keeps up sees
//! every transition. If the queue still fills, the client is not reading: the connection is
//! closed with a reason (it reconnects and `sync`s) rather than stalling the runtime or
//! silently dropping events.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// Close code sent when a client cannot keep up (RFC 6455 "try again later").
pub const CLOSE_TOO_SLOW: u16 = 1013;

/// Something to write on the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// A text frame holding one JSON protocol frame.
    Text(String),
    /// A WebSocket ping (heartbeat).
    Ping,
    /// Close the socket with a code and a reason the client can show.
    Close {
        /// RFC 6455 close code.
        code: u16,
        /// Human-readable reason.
        reason: String,
    },
}

/// Identifies a snapshot that a newer one of the same key may replace.
pub type CoalesceKey = (String, &'static str);

#[derive(Debug)]
struct Item {
    out: Outbound,
    key: Option<CoalesceKey>,
}

#[derive(Debug, Default)]
struct State {
    items: VecDeque<Item>,
    closed: bool,
    /// Frames dropped by [`Overflow::DropOldest`] since the writer last asked.
    dropped: u64,
    /// Open [`Cork`]s: while any is held, queued frames do not wake the writer.
    corked: u32,
}

/// What a full queue does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// Discard the queue and close the connection (an accepted client that stopped reading).
    Close,
    /// Drop the oldest frame and count it (a long-lived link that buffers while it is
    /// down; the writer reports the gap with [`OutboxReceiver::take_dropped`]).
    DropOldest,
}

/// The sending half, cloned into every place that emits frames for this connection.
#[derive(Debug, Clone)]
pub struct Outbox {
    shared: Arc<Shared>,
}

/// The writer's half: drains the queue onto the socket.
#[derive(Debug)]
pub struct OutboxReceiver {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    notify: Notify,
    capacity: usize,
    coalesce_after: usize,
    overflow: Overflow,
}

/// Creates a queue that holds at most `capacity` unsent frames and starts coalescing
/// snapshots once more than `coalesce_after` are waiting.
pub fn outbox(capacity: usize, coalesce_after: usize) -> (Outbox, OutboxReceiver) {
    outbox_with(capacity, coalesce_after, Overflow::Close)
}

/// Like [`outbox`], with a chosen policy for a full queue.
pub fn outbox_with(capacity: usize, coalesce_after: usize, overflow: Overflow) -> (Outbox, OutboxReceiver) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        notify: Notify::new(),
        capacity,
        coalesce_after,
        overflow,
    });
    (Outbox { shared: shared.clone() }, OutboxReceiver { shared })
}

/// Holds back the writer's wake-up until dropped, so that frames queued together (a
/// `sync` replay and its response) leave in one write instead of one per frame.
#[derive(Debug)]
pub struct Cork<'a> {
    outbox: &'a Outbox,
}

impl Drop for Cork<'_> {
    fn drop(&mut self) {
        if let Ok(mut state) = self.outbox.shared.state.lock() {
            state.corked = state.corked.saturating_sub(1);
        }
        self.outbox.shared.notify.notify_one();
    }
}

impl Outbox {
    /// Defers waking the writer until the returned guard is dropped.
    pub fn cork(&self) -> Cork<'_> {
        if let Ok(mut state) = self.shared.state.lock() {
            state.corked += 1;
        }
        Cork { outbox: self }
    }

    /// Queues an event that must be delivered.
    pub fn push(&self, text: String) {
        self.enqueue(Item { out: Outbound::Text(text), key: None });
    }

    /// Queues a state snapshot; replaces a still-unsent snapshot with the same key.
    pub fn push_snapshot(&self, key: CoalesceKey, text: String) {
        self.enqueue(Item { out: Outbound::Text(text), key: Some(key) });
    }

    /// Queues a heartbeat ping.
    pub fn ping(&self) {
        self.enqueue(Item { out: Outbound::Ping, key: None });
    }

    /// Closes the connection after what is already queued, with a reason.
    pub fn close(&self, code: u16, reason: &str) {
        let Ok(mut state) = self.shared.state.lock() else { return };
        if !state.closed {
            state.closed = true;
            state.items.push_back(Item { out: Outbound::Close { code, reason: reason.to_owned() }, key: None });
        }
        drop(state);
        self.shared.notify.notify_one();
    }

    /// Whether the connection is closing (no more frames will be delivered).
    pub fn is_closed(&self) -> bool {
        self.shared.state.lock().map(|s| s.closed).unwrap_or(true)
    }

    fn enqueue(&self, item: Item) {
        let Ok(mut state) = self.shared.state.lock() else { return };
        if state.closed {
            return;
        }
        if let Some(key) = item.key.as_ref().filter(|_| state.items.len() > self.shared.coalesce_after)
            && let Some(stale) = state.items.iter().position(|i| i.key.as_ref() == Some(key))
        {
            // The stale snapshot goes and the new one joins the end of the queue, so the
            // client still sees `event_seq` only increase.
            state.items.remove(stale);
            state.items.push_back(item);
            let wake = state.corked == 0;
            drop(state);
            if wake {
                self.shared.notify.notify_one();
            }
            return;
        }
        if state.items.len() >= self.shared.capacity && self.shared.overflow == Overflow::DropOldest {
            state.items.pop_front();
            state.dropped += 1;
            state.items.push_back(item);
        } else if state.items.len() >= self.shared.capacity {
            // The client is not reading. Dropping events would corrupt its view, so
            // the queue is discarded and the connection closed; it reconnects and syncs.
            state.items.clear();
            state.closed = true;
            state.items.push_back(Item {
                out: Outbound::Close {
                    code: CLOSE_TOO_SLOW,
                    reason: "client too slow: outbound queue full; reconnect and sync".to_owned(),
                },
                key: None,
            });
        } else {
            state.items.push_back(item);
        }
        // A full queue's close wakes the writer even when corked.
        let wake = state.corked == 0 || state.closed;
        drop(state);
        if wake {
            self.shared.notify.notify_one();
        }
    }
}

impl OutboxReceiver {
    /// The next frame if one is waiting now (lets the writer batch before flushing).
    pub fn try_recv(&self) -> Option<Outbound> {
        self.shared.state.lock().ok()?.items.pop_front().map(|item| item.out)
    }

    /// The next frame to write; `None` once the connection has closed and drained.
    pub async fn recv(&self) -> Option<Outbound> {
        loop {
            {
                let Ok(mut state) = self.shared.state.lock() else { return None };
                if let Some(item) = state.items.pop_front() {
                    return Some(item.out);
                }
                if state.closed {
                    return None;
                }
            }
            self.shared.notify.notified().await;
        }
    }
}

impl OutboxReceiver {
    /// Puts back, at the front, a frame the writer took but could not write (the socket
    /// failed), so it goes out first on the next socket.
    pub fn requeue_front(&self, out: Outbound) {
        if let Ok(mut state) = self.shared.state.lock() {
            state.items.push_front(Item { out, key: None });
        }
        self.shared.notify.notify_one();
    }

    /// How many frames [`Overflow::DropOldest`] dropped since the last call (then zero).
    pub fn take_dropped(&self) -> u64 {
        self.shared.state.lock().map(|mut s| std::mem::take(&mut s.dropped)).unwrap_or(0)
    }

    /// How many frames are waiting.
    pub fn len(&self) -> usize {
        self.shared.state.lock().map(|s| s.items.len()).unwrap_or(0)
    }

    /// Whether no frame is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for OutboxReceiver {
    fn drop(&mut self) {
        // Once the writer is gone nothing will drain the queue: stop accepting frames.
        if let Ok(mut state) = self.shared.state.lock() {
            state.closed = true;
            state.items.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(out: Option<Outbound>) -> String {
        match out {
            Some(Outbound::Text(t)) => t,
            other => panic!("expected text, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn snapshots_coalesce_to_the_latest_and_order_is_kept() {
        let (tx, rx) = outbox(8, 0);
        let key = || ("conv-1".to_owned(), "update_queue");
        tx.push("e1".into());
        tx.push_snapshot(key(), "q1".into());
        tx.push("e2".into());
        tx.push_snapshot(key(), "q2".into());
        assert_eq!(text(rx.recv().await), "e1");
        assert_eq!(text(rx.recv().await), "e2");
        assert_eq!(text(rx.recv().await), "q2");
        tx.push_snapshot(key(), "q3".into());
        assert_eq!(text(rx.recv().await), "q3");
    }

    #[tokio::test]
    async fn snapshots_are_all_delivered_while_the_client_keeps_up() {
        let (tx, rx) = outbox(8, 4);
        let key = || ("conv-1".to_owned(), "update_loop_status");
        tx.push_snapshot(key(), "s1".into());
        tx.push_snapshot(key(), "s2".into());
        assert_eq!(text(rx.recv().await), "s1");
        assert_eq!(text(rx.recv().await), "s2");
    }

    #[tokio::test]
    async fn a_full_queue_closes_the_connection_with_a_reason() {
        let (tx, rx) = outbox(2, 0);
        tx.push("a".into());
        tx.push("b".into());
        tx.push("c".into());
        assert!(tx.is_closed());
        match rx.recv().await {
            Some(Outbound::Close { code, reason }) => {
                assert_eq!(code, CLOSE_TOO_SLOW);
                assert!(reason.contains("too slow"));
            }
            other => panic!("expected close, got {other:?}"),
        }
        assert_eq!(rx.recv().await, None);
    }

    #[tokio::test]
    async fn drop_oldest_keeps_the_newest_frames_and_counts_the_rest() {
        let (tx, rx) = outbox_with(2, 8, Overflow::DropOldest);
        for frame in ["a", "b", "c", "d"] {
            tx.push(frame.into());
        }
        assert!(!tx.is_closed());
        assert_eq!(rx.take_dropped(), 2);
        assert_eq!(rx.take_dropped(), 0);
        assert_eq!(text(rx.recv().await), "c");
        assert_eq!(text(rx.recv().await), "d");
    }

    #[tokio::test]
    async fn a_requeued_frame_goes_out_first() {
        let (tx, rx) = outbox(8, 8);
        tx.push("a".into());
        tx.push("b".into());
        let first = rx.recv().await.expect("a");
        rx.requeue_front(first);
        assert_eq!(rx.len(), 2);
        assert_eq!(text(rx.recv().await), "a");
        assert_eq!(text(rx.recv().await), "b");
        assert!(rx.is_empty());
    }

    /// Counts how often the writer is woken.
    #[derive(Default)]
    struct Wakes(std::sync::atomic::AtomicUsize);

    impl futures_util::task::ArcWake for Wakes {
        fn wake_by_ref(arc_self: &Arc<Self>) {
            arc_self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[test]
    fn a_cork_wakes_the_writer_once_for_everything_queued_under_it() {
        use std::future::Future;
        use std::sync::atomic::Ordering;
        use std::task::{Context, Poll};

        let (tx, rx) = outbox(8, 4);
        let wakes = Arc::new(Wakes::default());
        let waker = futures_util::task::waker(wakes.clone());
        let mut cx = Context::from_waker(&waker);
        let mut recv = Box::pin(rx.recv());
        assert!(recv.as_mut().poll(&mut cx).is_pending(), "nothing queued yet");
        let cork = tx.cork();
        tx.push("a".into());
        tx.push_snapshot(("conv-1".to_owned(), "update_queue"), "b".into());
        assert_eq!(wakes.0.load(Ordering::SeqCst), 0, "corked: the writer sleeps");
        drop(cork);
        assert_eq!(wakes.0.load(Ordering::SeqCst), 1, "uncorked: one wake-up");
        assert_eq!(recv.as_mut().poll(&mut cx), Poll::Ready(Some(Outbound::Text("a".into()))));
        assert_eq!(text(rx.try_recv()), "b");
        // Without a cork every frame wakes a waiting writer at once.
        let mut recv = Box::pin(rx.recv());
        assert!(recv.as_mut().poll(&mut cx).is_pending());
        tx.push("c".into());
        assert_eq!(wakes.0.load(Ordering::SeqCst), 2);
    }
}
