//! The WebSocket upgrade: authentication, then the connection handler over axum's socket.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::{future, SinkExt, StreamExt};

use super::connection::{self, Inbound, Outbound};
use super::AppState;

/// Largest frame accepted from a client; bigger ones close the socket (1009).
const MAX_FRAME_BYTES: usize = 16 * 1024 * 1024;

/// `GET /ws` (and `/` with an upgrade): authenticates, then serves the protocol.
pub async fn upgrade(State(state): State<Arc<AppState>>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    if let Err(refusal) = state.auth.check(&headers, &state.runtime.store) {
        tracing::info!("refused WebSocket upgrade: {refusal}");
        state.runtime.framelog.note(0, &format!("refused upgrade: {refusal}"));
        return (refusal.status(), format!("{refusal}\n")).into_response();
    }
    let runtime = state.runtime.clone();
    ws.protocols([super::auth::SUBPROTOCOL])
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| serve_socket(socket, runtime))
}

async fn serve_socket(socket: WebSocket, runtime: Arc<crate::runtime::Runtime>) {
    let (sink, stream) = socket.split();
    let inbound = stream.filter_map(|message| {
        future::ready(match message {
            Ok(Message::Text(text)) => Some(Inbound::Text(text.as_str().to_owned())),
            Ok(Message::Binary(_)) => Some(Inbound::Binary),
            Ok(Message::Pong(_)) => Some(Inbound::Pong),
            Ok(Message::Ping(_)) => None, // axum answers pings itself
            Ok(Message::Close(_)) | Err(_) => Some(Inbound::Close),
        })
    });
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
}
