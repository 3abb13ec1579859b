//! `POST /auth/session`: a browser that holds the bearer token (from the `#token=` link)
//! trades it for a device credential in an HttpOnly, SameSite=Strict cookie, so the page
//! never keeps the token and the WebSocket authenticates by cookie.

use std::sync::Arc;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::auth::{hash_credential, SESSION_COOKIE};
use super::gate::require_token;
use super::AppState;
use crate::config::random_token;

/// How long a device stays signed in without pairing again (one year).
const SESSION_MAX_AGE_SECS: u64 = 365 * 24 * 3600;

/// Longest device name kept from a user agent.
const MAX_DEVICE_NAME: usize = 120;

/// Creates a device session for a request carrying the runtime's bearer token.
pub async fn create(State(state): State<Arc<AppState>>, ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap) -> Response {
    if let Err(response) = require_token(&state, peer.ip(), &headers, "session") {
        return response;
    }
    issue_device_cookie(&state, &headers)
}

/// Records a new device named after the request's user agent and sets its cookie
/// (HttpOnly, SameSite=Strict, Secure under TLS).
pub fn issue_device_cookie(state: &AppState, headers: &HeaderMap) -> Response {
    let name = device_name(headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or(""));
    let credential = random_token();
    let device = match state.runtime.store.create_device(&name, &hash_credential(&credential)) {
        Ok(device) => device,
        Err(err) => {
            tracing::error!("cannot record a device: {err}");
            return (StatusCode::INTERNAL_SERVER_ERROR, "cannot record the device\n").into_response();
        }
    };
    let secure = if state.tls { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}={credential}; HttpOnly; SameSite=Strict; Path=/; Max-Age={SESSION_MAX_AGE_SECS}{secure}");
    let body = json!({ "device_id": device.id, "name": device.name }).to_string();
    (
        StatusCode::OK,
        [
            (header::SET_COOKIE, cookie),
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// A short, human name for a device from its user agent ("Chrome on Android" …).
pub fn device_name(user_agent: &str) -> String {
    let browser = ["Edg/", "Firefox/", "Chrome/", "Safari/"]
        .iter()
        .find(|marker| user_agent.contains(**marker))
        .map(|marker| match *marker {
            "Edg/" => "Edge",
            "Firefox/" => "Firefox",
            "Chrome/" => "Chrome",
            _ => "Safari",
        });
    let system = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Mac OS X", "macOS"), ("Windows", "Windows"), ("Linux", "Linux")]
        .iter()
        .find(|(marker, _)| user_agent.contains(marker))
        .map(|(_, name)| *name);
    let name = match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => system.to_owned(),
        (None, None) if !user_agent.trim().is_empty() => user_agent.trim().to_owned(),
        (None, None) => "unknown device".to_owned(),
    };
    name.chars().take(MAX_DEVICE_NAME).collect()
}
