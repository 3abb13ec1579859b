//! One client connection: reads frames, dispatches commands, writes replies and events.
//!
//! Written over a `Stream` of [`Inbound`] and a `Sink` of [`Outbound`] rather than a
//! concrete socket, so the same handler serves an accepted socket (`tether app-server`),
//! a dialled one (`tether remote`), and channels in unit tests.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use serde_json::{json, Value};
use tether_protocol::{ClientFrame, FrameError};
use tokio::time::Instant;

use super::framelog::{Direction, FrameLog};
use super::outbox::{outbox, Outbox, OutboxReceiver};
pub use super::outbox::Outbound;
use crate::conversation::{Command, ConnectionId, Subscriber};
use crate::runtime::Runtime;

/// Frames a connection may hold unsent before it is judged too slow and closed
/// (override with `TETHER_OUTBOX_CAPACITY`).
const OUTBOX_CAPACITY: usize = 4096;

/// Unsent frames past which a client counts as behind and snapshots start to coalesce.
const COALESCE_AFTER: usize = 64;

/// How often the runtime pings a client.
const PING_INTERVAL: Duration = Duration::from_secs(30);

/// A client silent for this long (no pong, no frame) is considered gone.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Close code for a peer that stopped answering pings (RFC 6455 "going away").
const CLOSE_IDLE: u16 = 1001;

/// Something that arrived on the socket.
#[derive(Debug)]
pub enum Inbound {
    /// A text frame: one JSON protocol frame.
    Text(String),
    /// A binary frame: not part of the protocol.
    Binary,
    /// The peer answered a ping.
    Pong,
    /// The peer closed the socket.
    Close,
    /// The runtime ends this socket for cause (revoked device, oversized frame): closes
    /// it with this code and reason.
    Evict {
        /// The WebSocket close code.
        code: u16,
        /// Why, for the client to show.
        reason: String,
    },
}

/// What a command handler can reach: the runtime and this connection's outbox.
#[derive(Debug)]
pub struct ConnectionCtx {
    /// This connection's id.
    pub id: ConnectionId,
    /// The shared runtime.
    pub runtime: Arc<Runtime>,
    /// Where replies and events for this client go.
    pub outbox: Outbox,
}

impl ConnectionCtx {
    /// This connection as a conversation subscriber.
    pub fn subscriber(&self) -> Subscriber {
        Subscriber { id: self.id, outbox: self.outbox.clone() }
    }

    /// Queues a protocol frame for this client.
    pub fn send(&self, frame: &tether_protocol::ServerFrame) {
        match serde_json::to_string(frame) {
            Ok(text) => self.outbox.push(text),
            Err(err) => tracing::error!("cannot serialize a {} frame: {err}", frame.frame_type()),
        }
    }

    /// Queues raw JSON (tether's own frames, such as `error`).
    pub fn send_json(&self, value: &Value) {
        self.outbox.push(value.to_string());
    }

    /// Answers a frame this runtime does not serve: a `<type>_response` with
    /// `success:false` when it carries a `request_id` (so request/response clients resolve),
    /// else an `error` frame.
    pub fn reply_unsupported(&self, frame_type: &str, request_id: Option<&str>) {
        self.reply_failure(frame_type, request_id, "unsupported_command", &format!("unsupported command: {frame_type}"));
    }

    /// Answers a command that failed, in the same shape as [`Self::reply_unsupported`].
    pub fn reply_failure(&self, frame_type: &str, request_id: Option<&str>, code: &str, message: &str) {
        match request_id {
            Some(request_id) => self.send_json(&json!({
                "type": format!("{frame_type}_response"),
                "request_id": request_id,
                "success": false,
                "error": message,
            })),
            None => self.send_json(&error_frame(code, message, None, Some(frame_type))),
        }
    }

    /// Answers a frame that could not be decoded with an `error` frame saying why.
    pub fn reply_invalid(&self, text: &str, err: &FrameError) {
        // Echo the request_id when the frame was JSON enough to have one.
        let request_id = serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| v.get("request_id").and_then(Value::as_str).map(str::to_owned));
        self.send_json(&error_frame("invalid_frame", &err.to_string(), request_id.as_deref(), err.frame_type()));
    }
}

/// tether's `error` frame (additive to the reference): a typed reason for a refused frame.
pub fn error_frame(code: &str, message: &str, request_id: Option<&str>, frame_type: Option<&str>) -> Value {
    let mut frame = json!({ "type": "error", "code": code, "message": message });
    if let Some(request_id) = request_id {
        frame["request_id"] = json!(request_id);
    }
    if let Some(frame_type) = frame_type.filter(|t| !t.is_empty()) {
        frame["frame_type"] = json!(frame_type);
    }
    frame
}

/// Serves one connection until the peer closes it, goes silent, or is closed for cause.
pub async fn serve<R, W>(mut inbound: R, outbound: W, runtime: Arc<Runtime>)
where
    R: Stream<Item = Inbound> + Unpin,
    W: Sink<Outbound> + Unpin + Send + 'static,
{
    let capacity = std::env::var("TETHER_OUTBOX_CAPACITY").ok().and_then(|v| v.parse().ok()).unwrap_or(OUTBOX_CAPACITY);
    let (outbox, rx) = outbox(capacity, COALESCE_AFTER.min(capacity / 2));
    let ctx = ConnectionCtx { id: runtime.next_connection_id(), runtime, outbox };
    let log = ctx.runtime.framelog.clone();
    log.note(ctx.id, "connected");
    let mut writer = tokio::spawn(write_loop(rx, outbound, log.clone(), ctx.id));
    let mut heartbeat = tokio::time::interval_at(Instant::now() + PING_INTERVAL, PING_INTERVAL);
    let mut last_heard = Instant::now();
    let mut writer_done = false;

    loop {
        tokio::select! {
            item = inbound.next() => {
                last_heard = Instant::now();
                match item {
                    Some(Inbound::Text(text)) => {
                        log.frame(ctx.id, Direction::In, &text);
                        handle_text(&ctx, &text).await;
                    }
                    Some(Inbound::Binary) => ctx.send_json(&error_frame(
                        "invalid_frame", "binary frames are not part of the protocol; send JSON text", None, None)),
                    Some(Inbound::Pong) => {}
                    Some(Inbound::Close) | None => break,
                    Some(Inbound::Evict { code, reason }) => {
                        ctx.outbox.close(code, &reason);
                        break;
                    }
                }
            }
            _ = heartbeat.tick() => {
                if last_heard.elapsed() >= IDLE_TIMEOUT {
                    ctx.outbox.close(CLOSE_IDLE, "no pong for 90 s");
                } else {
                    ctx.outbox.ping();
                }
            }
            _ = &mut writer => {
                writer_done = true;
                break;
            }
            () = ctx.runtime.shutdown.cancelled() => {
                ctx.outbox.close(CLOSE_IDLE, "tether is shutting down");
                break;
            }
        }
    }
    ctx.outbox.close(1000, "bye");
    log.note(ctx.id, "disconnected");
    ctx.runtime.external.drop_connection(ctx.id);
    for conversation in ctx.runtime.conversations.all() {
        conversation.send(Command::Detach(ctx.id)).await;
    }
    // Let the writer flush a pending close frame, but never wait on a dead peer.
    if !writer_done {
        let _ = tokio::time::timeout(Duration::from_secs(1), &mut writer).await;
        writer.abort();
    }
}

/// Handles one text frame: answers JSON pings, swallows pongs, dispatches commands
/// (public so a dialled link in direct mode serves exactly the same commands).
pub async fn handle_text(ctx: &ConnectionCtx, text: &str) {
    match ClientFrame::from_json(text) {
        Ok(ClientFrame::Unknown(value)) if value.get("type").and_then(Value::as_str) == Some("ping") => {
            ctx.send_json(&json!({ "type": "pong" }));
        }
        Ok(ClientFrame::Unknown(value)) if value.get("type").and_then(Value::as_str) == Some("pong") => {}
        Ok(frame) => crate::commands::dispatch(ctx, frame).await,
        Err(err) => ctx.reply_invalid(text, &err),
    }
}

async fn write_loop<W>(rx: OutboxReceiver, mut sink: W, log: FrameLog, id: ConnectionId)
where
    W: Sink<Outbound> + Unpin,
{
    // Everything already waiting is written, then flushed once: one syscall per burst
    // rather than per frame when a turn streams fast.
    'outer: while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(out) = next.take() {
            match &out {
                Outbound::Text(text) => log.frame(id, Direction::Out, text),
                Outbound::Close { code, reason } => log.note(id, &format!("closing: {code} {reason}")),
                Outbound::Ping => {}
            }
            let closing = matches!(out, Outbound::Close { .. });
            if sink.feed(out).await.is_err() {
                break 'outer;
            }
            if closing {
                let _ = sink.flush().await;
                break 'outer;
            }
            next = rx.try_recv();
        }
        if sink.flush().await.is_err() {
            break;
        }
    }
    let _ = sink.close().await;
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::{sink, stream};
    use tokio::sync::mpsc;

    use super::*;

    /// Serves a connection over channels; returns (inbound sender, outbound receiver).
    fn serve_over_channels(runtime: Arc<Runtime>) -> (mpsc::Sender<Inbound>, mpsc::Receiver<Outbound>) {
        let (in_tx, in_rx) = mpsc::channel::<Inbound>(16);
        let (out_tx, out_rx) = mpsc::channel::<Outbound>(16);
        let inbound = Box::pin(stream::unfold(in_rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) }));
        let outbound = Box::pin(sink::unfold(out_tx, |tx, item: Outbound| async move {
            tx.send(item).await.map(|()| tx).map_err(|_| std::io::Error::other("closed"))
        }));
        tokio::spawn(serve(inbound, outbound, runtime));
        (in_tx, out_rx)
    }

    fn runtime() -> (tempfile::TempDir, Arc<Runtime>) {
        let dir = tempfile::tempdir().expect("dir");
        let runtime = Runtime::open(dir.path().to_path_buf(), dir.path().to_path_buf(), None).expect("runtime");
        (dir, runtime)
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_peer_is_pinged_then_reaped_after_90_seconds() {
        let (_dir, runtime) = runtime();
        let (_in_tx, mut out_rx) = serve_over_channels(runtime);
        let start = Instant::now();
        assert_eq!(out_rx.recv().await, Some(Outbound::Ping));
        assert_eq!(start.elapsed(), Duration::from_secs(30));
        assert_eq!(out_rx.recv().await, Some(Outbound::Ping));
        match out_rx.recv().await {
            Some(Outbound::Close { code, reason }) => {
                assert_eq!(code, CLOSE_IDLE);
                assert!(reason.contains("no pong"), "{reason}");
            }
            other => panic!("expected a close, got {other:?}"),
        }
        assert_eq!(start.elapsed(), Duration::from_secs(90));
    }

    #[tokio::test(start_paused = true)]
    async fn a_peer_that_answers_pings_stays_connected() {
        let (_dir, runtime) = runtime();
        let (in_tx, mut out_rx) = serve_over_channels(runtime);
        for _ in 0..5 {
            assert_eq!(out_rx.recv().await, Some(Outbound::Ping));
            in_tx.send(Inbound::Pong).await.expect("pong");
        }
        in_tx.send(Inbound::Text(r#"{"type":"ping"}"#.to_owned())).await.expect("json ping");
        loop {
            match out_rx.recv().await {
                Some(Outbound::Text(text)) => {
                    assert_eq!(text, r#"{"type":"pong"}"#);
                    break;
                }
                Some(Outbound::Ping) => {}
                other => panic!("connection should be open, got {other:?}"),
            }
        }
    }
}
