//! Who may open the WebSocket.
//!
//! Three credentials, checked in this order:
//! - `Authorization: Bearer <token>`: native clients (the official client, scripts).
//! - `Sec-WebSocket-Protocol: tether.v1, tether.bearer.<token>`: JavaScript in browsers,
//!   which cannot set headers on a WebSocket (tether's addition; the runtime answers
//!   with `tether.v1`).
//! - the `tether_session` cookie of a paired device: the web UI. Only same-origin
//!   requests may use it, so another site can never ride on it.
//!
//! Any request with an `Origin` (a browser) must come from the runtime's own origin or
//! an `--allow-origin`. Tokens are compared in constant time and never logged.

use axum::http::{header, HeaderMap, StatusCode};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::store::Store;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "tether_session";

/// Fetch metadata header browsers send with every request (never settable by a page).
const SEC_FETCH_SITE: &str = "sec-fetch-site";

/// The subprotocol tether selects when a browser client offers it.
pub const SUBPROTOCOL: &str = "tether.v1";

/// Prefix of the subprotocol that carries a bearer token from a browser.
pub const BEARER_PROTOCOL_PREFIX: &str = "tether.bearer.";

/// The credentials and origins one runtime accepts.
#[derive(Clone)]
pub struct Auth {
    token: String,
    allowed_origins: Vec<String>,
    /// Host names (no port) this runtime answers to; empty means any `Host`.
    own_hosts: Vec<String>,
}

// Hand-written so the token never reaches a log through `{:?}`.
impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("token", &"<redacted>")
            .field("allowed_origins", &self.allowed_origins)
            .field("own_hosts", &self.own_hosts)
            .finish()
    }
}

/// Who a request authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// The runtime's bearer token.
    Token,
    /// A paired device (its id), through the session cookie.
    Device(String),
}

/// Why a request was refused: the HTTP status and a reason the client can show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No credential at all.
    #[error("missing credential: send Authorization: Bearer <token>, or open the web UI from its pairing link")]
    MissingCredential,
    /// A bearer token that is not this runtime's.
    #[error("invalid token")]
    WrongToken,
    /// A session cookie that is unknown or revoked.
    #[error("this device is not paired (or was revoked): pair again")]
    InvalidSession,
    /// A pairing code that is unknown, used, or expired.
    #[error("this pairing code is not valid (used or expired): run `tether pair` for a new one")]
    InvalidPairingCode,
    /// A browser page from another site tried to connect.
    #[error("origin {0} is not allowed")]
    ForeignOrigin(String),
}

impl Refusal {
    /// The HTTP status that goes with this refusal.
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::MissingCredential | Refusal::WrongToken | Refusal::InvalidSession | Refusal::InvalidPairingCode => {
                StatusCode::UNAUTHORIZED
            }
            Refusal::ForeignOrigin(_) => StatusCode::FORBIDDEN,
        }
    }
}

/// SHA-256 of a credential, hex: what the store keeps instead of the credential.
pub fn hash_credential(credential: &str) -> String {
    Sha256::digest(credential.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl Auth {
    /// Accepts `token` as the bearer credential and `allowed_origins` besides our own.
    pub fn new(token: String, allowed_origins: Vec<String>) -> Self {
        let allowed_origins = allowed_origins.into_iter().map(|o| o.trim_end_matches('/').to_owned()).collect();
        Self { token, allowed_origins, own_hosts: Vec::new() }
    }

    /// Restricts "our own origin" to these host names or addresses (without port), so a
    /// page on a rebinding DNS name never counts as ours.
    pub fn with_own_hosts(mut self, hosts: Vec<String>) -> Self {
        self.own_hosts = hosts.into_iter().map(|h| h.to_ascii_lowercase()).collect();
        self
    }

    /// Whether `given` is the runtime's token (constant time).
    pub fn token_matches(&self, given: &str) -> bool {
        bool::from(given.trim().as_bytes().ct_eq(self.token.as_bytes()))
    }

    /// Judges an upgrade request by its headers; the origin is checked first so a
    /// foreign page learns nothing about the credential.
    pub fn check(&self, headers: &HeaderMap, store: &Store) -> Result<Identity, Refusal> {
        self.check_as(headers, store, self.is_own_origin(headers))
    }

    /// Judges a plain HTTP request (`fetch` from the web UI) like an upgrade, except that a
    /// same-origin `GET`, which browsers send without `Origin`, may show it is ours with
    /// `Sec-Fetch-Site: same-origin` instead.
    pub fn check_http(&self, headers: &HeaderMap, store: &Store) -> Result<Identity, Refusal> {
        let ours = self.is_own_origin(headers) || self.is_same_origin_fetch(headers);
        self.check_as(headers, store, ours)
    }

    /// A request with no `Origin` that the browser marks same-origin, to a `Host` we answer to.
    fn is_same_origin_fetch(&self, headers: &HeaderMap) -> bool {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        let name = host_name(host).to_ascii_lowercase();
        headers.get(header::ORIGIN).is_none()
            && headers.get(SEC_FETCH_SITE).and_then(|v| v.to_str().ok()) == Some("same-origin")
            && !host.is_empty()
            && (self.own_hosts.is_empty() || self.own_hosts.contains(&name))
    }

    /// The shared judgement; `own_page` says whether the request comes from our own pages,
    /// the only ones that may use the session cookie.
    fn check_as(&self, headers: &HeaderMap, store: &Store, own_page: bool) -> Result<Identity, Refusal> {
        self.check_origin(headers)?;
        if let Some(given) = bearer(headers) {
            return if self.token_matches(given) { Ok(Identity::Token) } else { Err(Refusal::WrongToken) };
        }
        if let Some(given) = protocol_bearer(headers) {
            return if self.token_matches(given) { Ok(Identity::Token) } else { Err(Refusal::WrongToken) };
        }
        if let Some(credential) = cookie(headers, SESSION_COOKIE) {
            // A cookie rides along on any request to our host; only our own pages may use it.
            if !own_page {
                return Err(Refusal::MissingCredential);
            }
            return match store.authenticate_device(&hash_credential(credential)) {
                Ok(Some(device)) => Ok(Identity::Device(device.id)),
                Ok(None) => Err(Refusal::InvalidSession),
                Err(err) => {
                    tracing::error!("cannot check a session cookie: {err}");
                    Err(Refusal::InvalidSession)
                }
            };
        }
        Err(Refusal::MissingCredential)
    }

    /// A request with an `Origin` (a browser) must come from our own host or an allowed origin.
    pub fn check_origin(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let Some(origin) = headers.get(header::ORIGIN) else { return Ok(()) };
        let origin = origin.to_str().unwrap_or("<non-ascii>");
        if origin == "null" {
            return Err(Refusal::ForeignOrigin(origin.to_owned()));
        }
        if self.is_own_origin(headers) || self.allowed_origins.iter().any(|allowed| allowed == origin) {
            Ok(())
        } else {
            Err(Refusal::ForeignOrigin(origin.to_owned()))
        }
    }

    /// Whether the request's `Origin` is this runtime's own (`http(s)://<Host>`, with a
    /// `Host` this runtime answers to).
    pub fn is_own_origin(&self, headers: &HeaderMap) -> bool {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        let name = host_name(host).to_ascii_lowercase();
        is_own_origin(headers) && (self.own_hosts.is_empty() || self.own_hosts.contains(&name))
    }
}

/// The host part of a `Host` header (`[::1]:80` → `[::1]`, `a:80` → `a`).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

/// Whether the request's `Origin` is this runtime's own (`http(s)://<Host>`).
pub fn is_own_origin(headers: &HeaderMap) -> bool {
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).unwrap_or("");
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"))
}

/// The token of an `Authorization: Bearer` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))
}

fn protocol_bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find_map(|p| p.strip_prefix(BEARER_PROTOCOL_PREFIX))
}

/// The value of one cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}
