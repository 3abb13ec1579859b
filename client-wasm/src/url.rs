//! Turns the base URL a user gives into the WebSocket URL of the runtime.

use crate::error::ClientError;

/// Path of the runtime's WebSocket when the URL names only the host (like the reference).
const DEFAULT_PATH: &str = "/ws";

/// Maps `http`/`https` to `ws`/`wss` and appends `/ws` when the path is empty or `/`,
/// like the reference client's `normalizeBaseUrl`; other schemes are refused.
pub fn normalize_url(url: &str) -> Result<String, ClientError> {
    let url = url.trim();
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| ClientError::InvalidUrl(format!("{url}: no scheme")))?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "ws" | "http" => "ws",
        "wss" | "https" => "wss",
        other => return Err(ClientError::InvalidUrl(format!("unsupported protocol {other}:"))),
    };
    // The authority ends at the first '/', '?' or '#'.
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.is_empty() {
        return Err(ClientError::InvalidUrl(format!("{url}: no host")));
    }
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    let (path, suffix) = tail.split_at(path_end);
    let path = if path.is_empty() || path == "/" { DEFAULT_PATH } else { path };
    Ok(format!("{scheme}://{authority}{path}{suffix}"))
}
