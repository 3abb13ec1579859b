//! Paired devices over HTTP: `GET /auth/devices` lists them and `POST /auth/devices/revoke`
//! cuts one off, closing its open sockets at once. Both take the bearer token (the CLI) or
//! a paired device's cookie from our own pages (the web UI): a device already controls the
//! agent, so seeing or revoking another device grants it nothing new.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::auth::{Identity, SESSION_COOKIE};
use super::gate::require_identity;
use super::AppState;

/// Expires the session cookie: sent when a device revokes itself.
const CLEAR_COOKIE_ATTRIBUTES: &str = "HttpOnly; SameSite=Strict; Path=/; Max-Age=0";

/// `GET /auth/devices`: `{devices: [{id, name, first_seen, last_seen, current}]}`, the
/// devices that can still sign in, oldest first; `current` marks the caller's own.
pub async fn list(State(state): State<Arc<AppState>>, ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap) -> Response {
    let identity = match require_identity(&state, peer.ip(), &headers, "device list") {
        Ok(identity) => identity,
        Err(response) => return response,
    };
    let devices = match state.runtime.store.list_devices() {
        Ok(devices) => devices,
        Err(err) => {
            tracing::error!("cannot list devices: {err}");
            return (StatusCode::INTERNAL_SERVER_ERROR, "cannot list the devices\n").into_response();
        }
    };
    let devices: Vec<Value> = devices
        .into_iter()
        .filter(|d| d.revoked_at.is_none())
        .map(|d| {
            let current = identity == Identity::Device(d.id.clone());
            json!({ "id": d.id, "name": d.name, "first_seen": d.created_at, "last_seen": d.last_seen_at, "current": current })
        })
        .collect();
    json_response(&json!({ "devices": devices }), None)
}

/// `POST /auth/devices/revoke` with `{"id": …}`: revokes a device and closes its sockets
/// now (close code 4401). A device revoking itself also gets its cookie cleared.
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let identity = match require_identity(&state, peer.ip(), &headers, "revoke") {
        Ok(identity) => identity,
        Err(response) => return response,
    };
    let Some(id) = serde_json::from_slice::<Value>(&body).ok().and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned))
    else {
        return (StatusCode::BAD_REQUEST, "expected {\"id\": \"device-…\"}\n").into_response();
    };
    let revoked = match state.runtime.store.revoke_device(&id) {
        Ok(revoked) => revoked,
        Err(err) => {
            tracing::error!("cannot revoke a device: {err}");
            return (StatusCode::INTERNAL_SERVER_ERROR, "cannot revoke the device\n").into_response();
        }
    };
    let closed = state.device_sockets.revoke(&id);
    let own = identity == Identity::Device(id.clone());
    let clear = own.then(|| {
        let secure = if state.tls { "; Secure" } else { "" };
        format!("{SESSION_COOKIE}=; {CLEAR_COOKIE_ATTRIBUTES}{secure}")
    });
    json_response(&json!({ "id": id, "revoked": revoked, "closed_sockets": closed, "current": own }), clear)
}

/// A JSON answer that is never cached, with an optional `Set-Cookie`.
fn json_response(value: &Value, set_cookie: Option<String>) -> Response {
    let mut response =
        ([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")], value.to_string()).into_response();
    if let Some(cookie) = set_cookie.and_then(|c| header::HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}
