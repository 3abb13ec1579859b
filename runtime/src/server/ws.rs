//! The WebSocket upgrade: throttling, authentication, then the connection handler over
//! axum's socket. A paired device's socket is registered so a revoke closes it at once.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::{future, stream, SinkExt, StreamExt};

use super::auth::Identity;
use super::connection::{self, Inbound, Outbound};
use super::gate::{refuse, throttle};
use super::listener::HeldSlot;
use super::pairing::DeviceSocket;
use super::AppState;

/// Close code for a socket whose device was revoked (private-use range).
pub const CLOSE_REVOKED: u16 = 4401;

/// Close code for a frame over the size limit (RFC 6455 "message too big").
const CLOSE_TOO_BIG: u16 = 1009;

/// Initial read buffer of a WebSocket; it grows on demand up to the frame limit.
const READ_BUFFER_BYTES: usize = 8 * 1024;

/// `GET /ws` (and `/` with an upgrade): authenticates, then serves the protocol.
pub async fn upgrade(
    State(state): State<Arc<AppState>>,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    slot: Option<axum::Extension<HeldSlot>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let ip = peer.map_or(std::net::IpAddr::from([0, 0, 0, 0]), |axum::Extension(ConnectInfo(addr))| addr.ip());
    if let Err(response) = throttle(&state, ip) {
        return response;
    }
    let identity = match state.auth.check(&headers, &state.runtime.store) {
        Ok(identity) => identity,
        Err(refusal) => return refuse(&state, ip, "upgrade", &refusal),
    };
    let device = match &identity {
        Identity::Device(id) => Some(state.device_sockets.register(id)),
        Identity::Token => None,
    };
    let runtime = state.runtime.clone();
    let max = state.limits.max_frame_bytes;
    ws.protocols([super::auth::SUBPROTOCOL])
        // tungstenite reserves its read buffer per socket (128 KiB by default): idle
        // connections should cost kilobytes, and the buffer grows for big frames anyway.
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            // Held for the socket's life: it counts against the connection limits.
            let _slot = slot;
            serve_socket(socket, runtime, device).await;
        })
}

async fn serve_socket(socket: WebSocket, runtime: Arc<crate::runtime::Runtime>, device: Option<DeviceSocket>) {
    let (sink, socket_stream) = socket.split();
    let inbound = socket_stream.map(|message| match message {
        Ok(Message::Text(text)) => Some(Inbound::Text(text.as_str().to_owned())),
        Ok(Message::Binary(_)) => Some(Inbound::Binary),
        Ok(Message::Pong(_)) => Some(Inbound::Pong),
        Ok(Message::Ping(_)) => None, // axum answers pings itself
        Ok(Message::Close(_)) => Some(Inbound::Close),
        Err(err) => Some(read_error(&err)),
    });
    let revoked = match &device {
        Some(device) => device.revoked.clone(),
        None => tokio_util::sync::CancellationToken::new(),
    };
    let eviction = stream::once(async move {
        revoked.cancelled().await;
        Some(Inbound::Evict { code: CLOSE_REVOKED, reason: "this device was revoked".into() })
    });
    let inbound = stream::select(inbound, eviction).filter_map(future::ready);
    let outbound = sink.with(|out: Outbound| {
        future::ready(Ok::<_, axum::Error>(match out {
            Outbound::Text(text) => Message::Text(text.into()),
            Outbound::Ping => Message::Ping(Default::default()),
            Outbound::Close { code, reason } => {
                Message::Close(Some(axum::extract::ws::CloseFrame { code, reason: reason.into() }))
            }
        }))
    });
    connection::serve(Box::pin(inbound), Box::pin(outbound), runtime).await;
    drop(device);
}

/// A read error ends the socket; an oversized frame says so with 1009.
fn read_error(err: &axum::Error) -> Inbound {
    let text = err.to_string();
    if text.contains("too long") || text.contains("limit exceeded") || text.contains("too big") {
        Inbound::Evict { code: CLOSE_TOO_BIG, reason: "frame too large".into() }
    } else {
        Inbound::Close
    }
}
