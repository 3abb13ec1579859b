//! The checks every authenticated endpoint shares: throttle addresses that keep failing,
//! refuse with the right status, and never echo or log a credential.

// A refusal is a ready HTTP response, as handlers return; its size does not matter here.
#![allow(clippy::result_large_err)]

use std::net::IpAddr;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::auth::{bearer, Identity, Refusal};
use super::AppState;

/// 429 with `Retry-After` when `ip` has failed too often lately.
pub fn throttle(state: &AppState, ip: IpAddr) -> Result<(), Response> {
    state.failures.check(ip).map_err(|retry_after| {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, retry_after.to_string())],
            format!("too many failed attempts from your address: retry in {retry_after} s\n"),
        )
            .into_response()
    })
}

/// Refuses a request; a failed credential counts against its address.
pub fn refuse(state: &AppState, ip: IpAddr, what: &str, refusal: &Refusal) -> Response {
    if refusal.status() == StatusCode::UNAUTHORIZED {
        state.failures.fail(ip);
    }
    tracing::info!("refused {what} from {ip}: {refusal}");
    state.runtime.framelog.note(0, &format!("refused {what}: {refusal}"));
    (refusal.status(), format!("{refusal}\n")).into_response()
}

/// Admits only requests carrying the runtime's bearer token (from an allowed origin, if any).
pub fn require_token(state: &AppState, ip: IpAddr, headers: &HeaderMap, what: &str) -> Result<(), Response> {
    throttle(state, ip)?;
    if let Err(refusal) = state.auth.check_origin(headers) {
        return Err(refuse(state, ip, what, &refusal));
    }
    match bearer(headers) {
        Some(given) if state.auth.token_matches(given) => Ok(()),
        Some(_) => Err(refuse(state, ip, what, &Refusal::WrongToken)),
        None => Err(refuse(state, ip, what, &Refusal::MissingCredential)),
    }
}

/// Admits the bearer token or a paired device's cookie from our own pages, exactly as the
/// WebSocket upgrade does; says who it was.
pub fn require_identity(state: &AppState, ip: IpAddr, headers: &HeaderMap, what: &str) -> Result<Identity, Response> {
    throttle(state, ip)?;
    state.auth.check_http(headers, &state.runtime.store).map_err(|refusal| refuse(state, ip, what, &refusal))
}
