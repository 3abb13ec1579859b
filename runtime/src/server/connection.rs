//! One client connection: reads frames, dispatches commands, writes replies and events.
//!
//! Written over a `Stream` of [`Inbound`] and a `Sink` of [`Outbound`] rather than a
//! concrete socket, so the same handler serves an accepted socket (`tether app-server`),
//! a dialled one (`tether remote`), and channels in unit tests.

use std::sync::Arc;

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use serde_json::{json, Value};
use tether_protocol::{ClientFrame, FrameError, ServerFrame};
use tokio::sync::mpsc;

use crate::runtime::Runtime;

/// Frames a connection may hold unsent before it is judged too slow and closed.
const OUTBOX_CAPACITY: usize = 1024;

/// Close code sent when a client cannot keep up (RFC 6455 "try again later").
pub const CLOSE_TOO_SLOW: u16 = 1013;

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
}

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

/// A bounded queue of frames for one connection; a full queue closes the connection.
#[derive(Debug, Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Outbound>,
}

impl Outbox {
    /// Queues a protocol frame; never blocks the caller.
    pub fn send_frame(&self, frame: &ServerFrame) {
        match serde_json::to_string(frame) {
            Ok(text) => self.send(Outbound::Text(text)),
            Err(err) => tracing::error!("cannot serialize {frame:?}: {err}"),
        }
    }

    /// Queues raw JSON (frames this build has no type for).
    pub fn send_json(&self, value: &Value) {
        self.send(Outbound::Text(value.to_string()));
    }

    fn send(&self, out: Outbound) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(out) {
            // The writer drains this queue; if it is full the client is not reading.
            // Dropping frames would corrupt its view, so the connection is closed instead.
            let _ = self.tx.try_send(Outbound::Close {
                code: CLOSE_TOO_SLOW,
                reason: "client too slow: outbound queue full; reconnect and sync".to_owned(),
            });
        }
    }
}

/// What a command handler can reach: the runtime and this connection's outbox.
#[derive(Debug)]
pub struct ConnectionCtx {
    /// The shared runtime.
    pub runtime: Arc<Runtime>,
    /// Where replies and events for this client go.
    pub outbox: Outbox,
}

impl ConnectionCtx {
    /// Answers a frame this runtime does not serve: a `<type>_response` with
    /// `success:false` when it carries a `request_id` (so request/response clients resolve),
    /// else an `error` frame.
    pub fn reply_unsupported(&self, frame_type: &str, request_id: Option<&str>) {
        let message = format!("unsupported command: {frame_type}");
        match request_id {
            Some(request_id) => self.outbox.send_json(&json!({
                "type": format!("{frame_type}_response"),
                "request_id": request_id,
                "success": false,
                "error": message,
            })),
            None => self.outbox.send_json(&error_frame("unsupported_command", &message, None, Some(frame_type))),
        }
    }

    /// Answers a frame that could not be decoded with an `error` frame saying why.
    pub fn reply_invalid(&self, text: &str, err: &FrameError) {
        // Echo the request_id when the frame was JSON enough to have one.
        let request_id = serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| v.get("request_id").and_then(Value::as_str).map(str::to_owned));
        self.outbox
            .send_json(&error_frame("invalid_frame", &err.to_string(), request_id.as_deref(), err.frame_type()));
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

/// Serves one connection until the peer closes it or it is closed for cause.
pub async fn serve<R, W>(mut inbound: R, outbound: W, runtime: Arc<Runtime>)
where
    R: Stream<Item = Inbound> + Unpin,
    W: Sink<Outbound> + Unpin + Send + 'static,
{
    let (tx, rx) = mpsc::channel(OUTBOX_CAPACITY);
    let ctx = ConnectionCtx { runtime, outbox: Outbox { tx } };
    let mut writer = tokio::spawn(write_loop(rx, outbound));

    loop {
        tokio::select! {
            item = inbound.next() => match item {
                Some(Inbound::Text(text)) => handle_text(&ctx, &text).await,
                Some(Inbound::Binary) => ctx.outbox.send_json(&error_frame(
                    "invalid_frame", "binary frames are not part of the protocol; send JSON text", None, None)),
                Some(Inbound::Pong) => {}
                Some(Inbound::Close) | None => break,
            },
            _ = &mut writer => break,
        }
    }
    writer.abort();
}

async fn handle_text(ctx: &ConnectionCtx, text: &str) {
    match ClientFrame::from_json(text) {
        Ok(ClientFrame::Unknown(value)) if value.get("type").and_then(Value::as_str) == Some("ping") => {
            ctx.outbox.send_json(&json!({ "type": "pong" }));
        }
        Ok(frame) => crate::commands::dispatch(ctx, frame).await,
        Err(err) => ctx.reply_invalid(text, &err),
    }
}

async fn write_loop<W>(mut rx: mpsc::Receiver<Outbound>, mut sink: W)
where
    W: Sink<Outbound> + Unpin,
{
    while let Some(out) = rx.recv().await {
        let closing = matches!(out, Outbound::Close { .. });
        if sink.send(out).await.is_err() || closing {
            break;
        }
    }
    let _ = sink.close().await;
}
