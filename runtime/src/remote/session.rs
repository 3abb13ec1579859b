//! One socket of the link: reads the controller's commands and serves them like
//! `tether app-server` does, writes the link's queued frames, and keeps the heartbeat
//! (JSON `ping` every 30 s; nothing heard for 90 s means the socket is dead).

use std::time::Duration;

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;

use super::buffer::{dropped_notice, Link};
use crate::server::connection::{error_frame, handle_text};
use crate::server::framelog::Direction;
use crate::server::outbox::Outbound;

/// How long one frame may take to write before the socket is judged stuck.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a close frame we send may take to go out before the socket is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Close code for a peer that stopped answering, or for our shutdown (RFC 6455 "going away").
const CLOSE_GOING_AWAY: u16 = 1001;

/// Heartbeat timing.
#[derive(Debug, Clone, Copy)]
pub struct Heartbeat {
    /// How often a ping is sent.
    pub interval: Duration,
    /// Silence (no pong, no frame) after which the socket is dead.
    pub dead_after: Duration,
}

impl Default for Heartbeat {
    fn default() -> Self {
        Self { interval: Duration::from_secs(30), dead_after: Duration::from_secs(90) }
    }
}

/// How a socket ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEnd {
    /// The controller closed it with a code.
    Closed {
        /// RFC 6455 close code (1005 when none was given).
        code: u16,
        /// The controller's reason.
        reason: String,
    },
    /// Nothing was heard for the heartbeat's `dead_after`.
    Dead,
    /// It broke (reset, EOF without a close, a write that failed).
    Failed(String),
    /// The process is shutting down (a 1001 close was sent).
    Shutdown,
}

enum Control {
    Ping,
    Close(u16, String),
}

/// Serves the link over one socket until it ends; frames not yet written stay queued.
pub async fn serve_socket<R, W>(link: &Link, inbound: R, outbound: W, heartbeat: Heartbeat, shutdown: &CancellationToken) -> SocketEnd
where
    R: Stream<Item = Result<Message, WsError>> + Unpin,
    W: Sink<Message> + Unpin,
    W::Error: std::fmt::Display,
{
    let (ctl_tx, ctl_rx) = mpsc::channel(8);
    let stop_writer = CancellationToken::new();
    let writer_done = CancellationToken::new();
    let reader = async {
        let end = read_loop(link, inbound, heartbeat, shutdown, &ctl_tx, &writer_done).await;
        if matches!(end, SocketEnd::Dead | SocketEnd::Shutdown) {
            // Let the close frame go out, but never wait long on a dead peer.
            let _ = tokio::time::timeout(CLOSE_GRACE, writer_done.cancelled()).await;
        }
        stop_writer.cancel();
        end
    };
    let writer = async {
        let result = write_loop(link, outbound, ctl_rx, &stop_writer).await;
        writer_done.cancel();
        result
    };
    let (end, written) = tokio::join!(reader, writer);
    match (end, written) {
        (SocketEnd::Failed(_), Err(error)) => SocketEnd::Failed(error),
        (end, _) => end,
    }
}

async fn read_loop<R>(
    link: &Link,
    mut inbound: R,
    heartbeat: Heartbeat,
    shutdown: &CancellationToken,
    ctl: &mpsc::Sender<Control>,
    writer_done: &CancellationToken,
) -> SocketEnd
where
    R: Stream<Item = Result<Message, WsError>> + Unpin,
{
    let log = &link.ctx.runtime.framelog;
    let id = link.ctx.id;
    let mut ticks = tokio::time::interval_at(Instant::now() + heartbeat.interval, heartbeat.interval);
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            message = inbound.next() => {
                last_heard = Instant::now();
                match message {
                    Some(Ok(Message::Text(text))) => {
                        log.frame(id, Direction::In, &text);
                        if !is_pong(&text) {
                            handle_text(&link.ctx, &text).await;
                        }
                    }
                    Some(Ok(Message::Binary(_))) => link.ctx.send_json(&error_frame(
                        "invalid_frame", "binary frames are not part of the protocol; send JSON text", None, None)),
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                    Some(Ok(Message::Close(frame))) => {
                        let (code, reason) = frame
                            .map(|f| (u16::from(f.code), f.reason.as_str().to_owned()))
                            .unwrap_or((1005, String::new()));
                        return SocketEnd::Closed { code, reason };
                    }
                    Some(Err(error)) => return SocketEnd::Failed(error.to_string()),
                    None => return SocketEnd::Failed("the socket ended without a close frame".to_owned()),
                }
            }
            _ = ticks.tick() => {
                if last_heard.elapsed() >= heartbeat.dead_after {
                    let reason = format!("no pong for {} s", heartbeat.dead_after.as_secs());
                    let _ = ctl.try_send(Control::Close(CLOSE_GOING_AWAY, reason));
                    return SocketEnd::Dead;
                }
                let _ = ctl.try_send(Control::Ping);
            }
            () = shutdown.cancelled() => {
                let _ = ctl.try_send(Control::Close(CLOSE_GOING_AWAY, "tether is shutting down".to_owned()));
                return SocketEnd::Shutdown;
            }
            () = writer_done.cancelled() => return SocketEnd::Failed("the write side failed".to_owned()),
        }
    }
}

fn is_pong(text: &str) -> bool {
    // Cheap pre-check: most frames are not pongs and need no second parse here.
    text.contains("pong")
        && serde_json::from_str::<Value>(text).is_ok_and(|v| v.get("type").and_then(Value::as_str) == Some("pong"))
}

async fn write_loop<W>(link: &Link, mut sink: W, mut ctl: mpsc::Receiver<Control>, stop: &CancellationToken) -> Result<(), String>
where
    W: Sink<Message> + Unpin,
    W::Error: std::fmt::Display,
{
    let log = &link.ctx.runtime.framelog;
    let id = link.ctx.id;
    loop {
        let out = tokio::select! {
            biased;
            () = stop.cancelled() => return Ok(()),
            control = ctl.recv() => match control {
                Some(Control::Ping) => {
                    send(&mut sink, Message::Text(r#"{"type":"ping"}"#.into())).await?;
                    // A WebSocket-level ping too: any controller's library answers it.
                    send(&mut sink, Message::Ping(Default::default())).await?;
                    continue;
                }
                Some(Control::Close(code, reason)) => {
                    log.note(id, &format!("closing: {code} {reason}"));
                    let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
                    let _ = send(&mut sink, Message::Close(Some(frame))).await;
                    return Ok(());
                }
                None => return Ok(()),
            },
            out = link.rx.recv() => match out {
                Some(out) => out,
                None => return Ok(()),
            },
        };
        let dropped = link.rx.take_dropped();
        if dropped > 0 {
            let notice = dropped_notice(dropped);
            log.note(id, &format!("{dropped} frame(s) dropped while the link was down"));
            if let Err(error) = send(&mut sink, Message::Text(notice.clone().into())).await {
                link.requeue(out);
                link.requeue(Outbound::Text(notice));
                return Err(error);
            }
        }
        let message = match &out {
            Outbound::Text(text) => Message::Text(text.clone().into()),
            Outbound::Ping => Message::Ping(Default::default()),
            // The link's outbox never closes itself (drop-oldest policy); a close queued by
            // someone else still ends only this socket.
            Outbound::Close { code, reason } => {
                Message::Close(Some(CloseFrame { code: CloseCode::from(*code), reason: reason.clone().into() }))
            }
        };
        if let Err(error) = send(&mut sink, message).await {
            link.requeue(out);
            return Err(error);
        }
        if let Outbound::Text(text) = &out {
            log.frame(id, Direction::Out, text);
        }
    }
}

async fn send<W>(sink: &mut W, message: Message) -> Result<(), String>
where
    W: Sink<Message> + Unpin,
    W::Error: std::fmt::Display,
{
    match tokio::time::timeout(SEND_TIMEOUT, sink.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(format!("write failed: {error}")),
        Err(_) => Err(format!("write stuck for {} s", SEND_TIMEOUT.as_secs())),
    }
}
