//! Pairing a phone: a one-time code (in a link and QR code) that a browser trades for a
//! device cookie, and the registry of open device sockets that a revoke closes at once
//! (the endpoint is in `devices`).
//!
//! Codes live only in the server's memory, hashed, with their expiry; each works once
//! and for [`CODE_TTL_SECS`]. Expiry uses [`Clock`], which tests can advance (only when
//! `TETHER_TEST_HOOKS=1`) instead of sleeping.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use super::auth::{hash_credential, Refusal};
use super::gate::{refuse, require_token, throttle};
use super::AppState;
use crate::config::random_token;

/// How long a pairing code stays valid (five minutes: time to scan it, not to leak it).
pub const CODE_TTL_SECS: i64 = 5 * 60;

/// Environment variable that enables test-only endpoints (the clock). Never set it in use.
pub const TEST_HOOKS_ENV: &str = "TETHER_TEST_HOOKS";

/// Random bytes in a code (128 bits, hex): unguessable, yet a small QR code.
const CODE_BYTES: usize = 16;

/// The pairing page, its script and its stylesheet: static files, so the CSP needs no
/// inline script or style.
const PAIR_PAGE: &str = include_str!("pair/pair.html");
const PAIR_SCRIPT: &str = include_str!("pair/pair.js");
const PAIR_STYLE: &str = include_str!("pair/pair.css");

/// Wall-clock seconds, plus an offset tests can move forward.
#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    /// Seconds since the Unix epoch, as this runtime sees them.
    pub fn now(&self) -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp() + self.offset_secs.load(Ordering::Relaxed)
    }

    /// Moves the clock forward (tests only).
    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}

/// Outstanding pairing codes: hash → expiry (Unix seconds).
#[derive(Debug, Default)]
pub struct PairingCodes {
    codes: Mutex<HashMap<String, i64>>,
}

impl PairingCodes {
    /// A fresh code and its expiry.
    pub fn issue(&self, clock: &Clock) -> (String, i64) {
        let code: String = random_token().chars().take(CODE_BYTES * 2).collect();
        let expires_at = clock.now() + CODE_TTL_SECS;
        let mut codes = self.codes.lock().unwrap_or_else(PoisonError::into_inner);
        let now = clock.now();
        codes.retain(|_, expiry| *expiry > now);
        codes.insert(hash_credential(&code), expires_at);
        (code, expires_at)
    }

    /// Consumes a code: true once, for an unexpired code this runtime issued.
    pub fn redeem(&self, code: &str, clock: &Clock) -> bool {
        let mut codes = self.codes.lock().unwrap_or_else(PoisonError::into_inner);
        codes.remove(&hash_credential(code)).is_some_and(|expiry| clock.now() < expiry)
    }
}

/// Open sockets per device, so a revoke closes them at once.
#[derive(Debug, Default)]
pub struct DeviceSockets {
    next: AtomicU64,
    open: Mutex<HashMap<String, Vec<(u64, CancellationToken)>>>,
    /// Devices revoked while this server runs: a socket that authenticated just before
    /// the revoke but registers just after is closed too.
    revoked: Mutex<std::collections::HashSet<String>>,
}

/// One registered socket; dropping it unregisters.
#[derive(Debug)]
pub struct DeviceSocket {
    registry: Arc<DeviceSockets>,
    device_id: String,
    key: u64,
    /// Fires when the device is revoked.
    pub revoked: CancellationToken,
}

impl DeviceSockets {
    /// Registers an open socket of `device_id`.
    pub fn register(self: &Arc<Self>, device_id: &str) -> DeviceSocket {
        let key = self.next.fetch_add(1, Ordering::Relaxed);
        let revoked = CancellationToken::new();
        if self.revoked.lock().unwrap_or_else(PoisonError::into_inner).contains(device_id) {
            revoked.cancel();
        }
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(device_id.to_owned())
            .or_default()
            .push((key, revoked.clone()));
        DeviceSocket { registry: self.clone(), device_id: device_id.to_owned(), key, revoked }
    }

    /// Closes every open socket of `device_id`; how many there were.
    pub fn revoke(&self, device_id: &str) -> usize {
        self.revoked.lock().unwrap_or_else(PoisonError::into_inner).insert(device_id.to_owned());
        let sockets = self.open.lock().unwrap_or_else(PoisonError::into_inner).remove(device_id).unwrap_or_default();
        for (_, token) in &sockets {
            token.cancel();
        }
        sockets.len()
    }
}

impl Drop for DeviceSocket {
    fn drop(&mut self) {
        let mut open = self.registry.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(list) = open.get_mut(&self.device_id) {
            list.retain(|(key, _)| *key != self.key);
            if list.is_empty() {
                open.remove(&self.device_id);
            }
        }
    }
}

/// `GET /pair`: the pairing page.
pub async fn page() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], PAIR_PAGE).into_response()
}

/// `GET /pair.js`: the pairing page's script.
pub async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], PAIR_SCRIPT).into_response()
}

/// `GET /pair.css`: the pairing page's stylesheet.
pub async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], PAIR_STYLE).into_response()
}

/// `POST /auth/pair-code` (bearer token): issues a code; `tether pair` calls it.
pub async fn issue_code(State(state): State<Arc<AppState>>, ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap) -> Response {
    if let Err(response) = require_token(&state, peer.ip(), &headers, "pair-code") {
        return response;
    }
    let (code, expires_at) = state.pairing.issue(&state.clock);
    let url = state.pair_base.as_ref().map(|base| format!("{base}/pair#{code}"));
    json_response(&json!({ "code": code, "url": url, "expires_at": expires_at }))
}

/// `POST /auth/pair` with `{"code": …}`: trades a valid code for a device cookie.
pub async fn redeem(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let ip = peer.ip();
    if let Err(response) = throttle(&state, ip) {
        return response;
    }
    if let Err(refusal) = state.auth.check_origin(&headers) {
        return refuse(&state, ip, "pairing", &refusal);
    }
    let code = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("code").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    if code.is_empty() {
        return refuse(&state, ip, "pairing", &Refusal::MissingCredential);
    }
    if !state.pairing.redeem(&code, &state.clock) {
        return refuse(&state, ip, "pairing", &Refusal::InvalidPairingCode);
    }
    super::session::issue_device_cookie(&state, &headers)
}

/// `POST /test/clock` (bearer token, only with `TETHER_TEST_HOOKS=1`) with
/// `{"advance_secs": N}`: moves the pairing clock forward so tests need not sleep.
pub async fn advance_clock(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !state.test_hooks {
        return StatusCode::NOT_FOUND.into_response();
    }
    if let Err(response) = require_token(&state, peer.ip(), &headers, "test clock") {
        return response;
    }
    let secs = serde_json::from_slice::<Value>(&body).ok().and_then(|v| v.get("advance_secs").and_then(Value::as_i64)).unwrap_or(0);
    state.clock.advance(secs);
    json_response(&json!({ "now": state.clock.now() }))
}

/// A JSON answer that is never cached (it may carry a code).
fn json_response(value: &Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")], value.to_string()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_works_once_and_not_after_expiry() {
        let clock = Clock::default();
        let codes = PairingCodes::default();
        let (code, _) = codes.issue(&clock);
        assert!(codes.redeem(&code, &clock));
        assert!(!codes.redeem(&code, &clock));
        let (late, _) = codes.issue(&clock);
        clock.advance(CODE_TTL_SECS);
        assert!(!codes.redeem(&late, &clock));
        assert!(!codes.redeem("not-a-code", &clock));
    }

    #[test]
    fn revoking_cancels_open_sockets_and_drop_unregisters() {
        let registry = Arc::new(DeviceSockets::default());
        let a = registry.register("device-a");
        let b = registry.register("device-b");
        drop(b);
        assert_eq!(registry.revoke("device-b"), 0);
        assert_eq!(registry.revoke("device-a"), 1);
        assert!(a.revoked.is_cancelled());
        assert!(registry.register("device-a").revoked.is_cancelled(), "a late registration is closed too");
        assert!(!registry.register("device-c").revoked.is_cancelled());
    }
}
