//! Registration with a Letta-style environments service: `POST <base>/v1/environments/register`
//! with `{deviceId, connectionName, metadata}` answers `{connectionId, wsUrl}`; the runtime
//! then dials `wsUrl` (with its identity in the query).

use serde::Deserialize;
use serde_json::json;
use url::Url;

use super::identity::Identity;
use crate::runtime::VERSION;

/// Why registration did not produce a socket URL.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RegisterError {
    /// 401/403: the credential is not accepted.
    #[error("registration refused: HTTP {status}: {detail}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The service's message.
        detail: String,
    },
    /// Network failure, 429 or 5xx: worth retrying.
    #[error("registration failed: {0}")]
    Transient(String),
    /// Any other answer (404, malformed body …): retrying will not help.
    #[error("registration rejected: {0}")]
    Rejected(String),
}

/// What the service answered.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    /// The service's id for this connection.
    pub connection_id: String,
    /// The WebSocket to dial.
    pub ws_url: String,
}

/// Registers this environment and returns where to connect.
pub async fn register(
    client: &reqwest::Client,
    base: &Url,
    token: Option<&str>,
    identity: &Identity,
) -> Result<Registration, RegisterError> {
    let endpoint = format!("{}/v1/environments/register", base.as_str().trim_end_matches('/'));
    let body = json!({
        "deviceId": identity.device_id,
        "connectionName": identity.env_name,
        "metadata": { "tetherVersion": VERSION, "os": std::env::consts::OS },
    });
    let mut request = client.post(&endpoint).header("X-Letta-Source", "tether").json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| RegisterError::Transient(format!("network error: {e}")))?;
    let status = response.status().as_u16();
    if !response.status().is_success() {
        let text = response.text().await.unwrap_or_default();
        let detail = error_detail(&text).unwrap_or_else(|| format!("HTTP {status}"));
        return Err(match status {
            401 | 403 => RegisterError::Refused { status, detail },
            429 | 500.. => RegisterError::Transient(format!("HTTP {status}: {detail}")),
            _ => RegisterError::Rejected(format!("HTTP {status}: {detail}")),
        });
    }
    response
        .json::<Registration>()
        .await
        .map_err(|e| RegisterError::Rejected(format!("unexpected response (want connectionId and wsUrl): {e}")))
}

/// The human part of an error body (`message`, else `error`), if it is JSON.
fn error_detail(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    ["message", "error"].iter().find_map(|key| value.get(key).and_then(|v| v.as_str()).map(str::to_owned))
}

/// An HTTP client for registration (rustls with the platform verifier, like the model
/// providers), also trusting `--ca-file`'s certificates.
pub fn http_client(roots: &[rustls::pki_types::CertificateDer<'static>]) -> Result<reqwest::Client, reqwest::Error> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder().timeout(std::time::Duration::from_secs(30));
    for root in roots {
        builder = builder.add_root_certificate(reqwest::Certificate::from_der(root.as_ref())?);
    }
    builder.build()
}
