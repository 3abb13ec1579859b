//! Opening the controller's WebSocket: TCP (and TLS for `wss://`), then the handshake
//! with `Authorization: Bearer <token>`.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::WebSocketStream;
use url::Url;

/// A connect (TCP, TLS and handshake together) slower than this counts as failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Largest frame accepted from the controller (as `tether app-server` accepts).
const MAX_FRAME_BYTES: usize = 16 * 1024 * 1024;

/// A byte stream the socket runs over: plain TCP or TLS.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// The controller's socket, ready for frames.
pub type Socket = WebSocketStream<Box<dyn Io>>;

/// Why the socket could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConnectError {
    /// HTTP 401/403 on the handshake: the credential is not accepted.
    #[error("handshake refused: HTTP {0}")]
    Refused(u16),
    /// Anything else (connection refused, DNS, TLS, another status, timeout).
    #[error("{0}")]
    Failed(String),
}

/// Certificates trusted for `wss://` besides the system's (`--ca-file`: a private CA or a
/// controller's self-signed certificate).
pub type ExtraRoots = Vec<CertificateDer<'static>>;

/// Reads every certificate of a PEM file (`--ca-file`).
pub fn load_roots(path: &std::path::Path) -> Result<ExtraRoots, String> {
    let roots: Result<ExtraRoots, _> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("--ca-file {}: {e}", path.display()))?
        .collect();
    let roots = roots.map_err(|e| format!("--ca-file {}: {e}", path.display()))?;
    if roots.is_empty() {
        return Err(format!("--ca-file {}: no certificate in it", path.display()));
    }
    Ok(roots)
}

/// Dials `url` and completes the WebSocket handshake.
pub async fn connect(url: &Url, token: Option<&str>, roots: &ExtraRoots) -> Result<Socket, ConnectError> {
    tokio::time::timeout(CONNECT_TIMEOUT, connect_inner(url, token, roots))
        .await
        .map_err(|_| ConnectError::Failed(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())))?
}

async fn connect_inner(url: &Url, token: Option<&str>, roots: &ExtraRoots) -> Result<Socket, ConnectError> {
    let failed = |what: &str, e: &dyn std::fmt::Display| ConnectError::Failed(format!("{what}: {e}"));
    let host = match url.host() {
        Some(url::Host::Domain(domain)) => domain.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(ConnectError::Failed("the URL has no host".to_owned())),
    };
    let port = url.port_or_known_default().unwrap_or(80);
    let tcp = TcpStream::connect((host.as_str(), port)).await.map_err(|e| failed(&format!("cannot connect to {host}:{port}"), &e))?;
    let _ = tcp.set_nodelay(true);
    let stream: Box<dyn Io> = if url.scheme() == "wss" {
        Box::new(tls(&host, tcp, roots).await?)
    } else {
        Box::new(tcp)
    };
    let mut request = url.as_str().into_client_request().map_err(|e| failed("bad request", &e))?;
    if let Some(token) = token {
        let value = format!("Bearer {token}").parse().map_err(|e| failed("token is not a valid header value", &e))?;
        request.headers_mut().insert("Authorization", value);
    }
    let config = WebSocketConfig::default().max_message_size(Some(MAX_FRAME_BYTES)).max_frame_size(Some(MAX_FRAME_BYTES));
    match tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await {
        Ok((socket, _response)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => match response.status().as_u16() {
            status @ (401 | 403) => Err(ConnectError::Refused(status)),
            status => Err(ConnectError::Failed(format!("handshake answered HTTP {status}"))),
        },
        Err(e) => Err(failed("handshake failed", &e)),
    }
}

async fn tls(host: &str, tcp: TcpStream, roots: &ExtraRoots) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ConnectError> {
    let setup = |e: rustls::Error| ConnectError::Failed(format!("TLS setup failed: {e}"));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(roots.iter().cloned(), provider.clone())
        .map_err(setup)?;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(setup)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| ConnectError::Failed(format!("bad TLS server name {host}: {e}")))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| ConnectError::Failed(format!("TLS handshake with {host} failed: {e}")))
}
