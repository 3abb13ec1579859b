//! Who may open the WebSocket: a bearer token for native clients, and an `Origin`
//! check for browsers.

use axum::http::{header, HeaderMap, StatusCode};
use subtle::ConstantTimeEq;

/// The credentials and origins one runtime accepts.
#[derive(Clone)]
pub struct Auth {
    token: String,
    allowed_origins: Vec<String>,
}

// Hand-written so the token never reaches a log through `{:?}`.
impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth").field("token", &"<redacted>").field("allowed_origins", &self.allowed_origins).finish()
    }
}

/// Why an upgrade was refused: the HTTP status and a reason the client can show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No `Authorization: Bearer` header.
    #[error("missing credential: send Authorization: Bearer <token>")]
    MissingCredential,
    /// A bearer token that is not this runtime's.
    #[error("invalid token")]
    WrongToken,
    /// A browser page from another site tried to connect.
    #[error("origin {0} is not allowed")]
    ForeignOrigin(String),
}

impl Refusal {
    /// The HTTP status that goes with this refusal.
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::MissingCredential | Refusal::WrongToken => StatusCode::UNAUTHORIZED,
            Refusal::ForeignOrigin(_) => StatusCode::FORBIDDEN,
        }
    }
}

impl Auth {
    /// Accepts `token` as the bearer credential and `allowed_origins` besides our own.
    pub fn new(token: String, allowed_origins: Vec<String>) -> Self {
        let allowed_origins = allowed_origins.into_iter().map(|o| o.trim_end_matches('/').to_owned()).collect();
        Self { token, allowed_origins }
    }

    /// Judges an upgrade request by its headers; the origin is checked first so a
    /// foreign page learns nothing about the token.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        self.check_origin(headers)?;
        let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
            return Err(Refusal::MissingCredential);
        };
        let Some(given) = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")) else {
            return Err(Refusal::MissingCredential);
        };
        if bool::from(given.trim().as_bytes().ct_eq(self.token.as_bytes())) {
            Ok(())
        } else {
            Err(Refusal::WrongToken)
        }
    }

    /// A request with an `Origin` (a browser) must come from our own host or an allowed origin.
    fn check_origin(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let Some(origin) = headers.get(header::ORIGIN) else { return Ok(()) };
        let origin = origin.to_str().unwrap_or("<non-ascii>");
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        let own = !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"));
        if own || self.allowed_origins.iter().any(|allowed| allowed == origin) {
            Ok(())
        } else {
            Err(Refusal::ForeignOrigin(origin.to_owned()))
        }
    }
}
