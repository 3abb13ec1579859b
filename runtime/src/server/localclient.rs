//! How `tether pair` and `tether devices revoke` reach the running server: it leaves
//! `<data>/server.json` (address, TLS fingerprint; mode 0600) and the CLI calls its
//! token-authenticated endpoints over loopback, pinning the certificate by fingerprint.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::config::write_private_file;

/// The file a running server leaves in its data dir.
pub const SERVER_FILE: &str = "server.json";

/// Longest a CLI request may take (a local server answers in milliseconds).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a running server can be reached from this machine.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerFile {
    /// A loopback (or bound) address to connect to.
    pub addr: SocketAddr,
    /// Whether it speaks TLS.
    pub tls: bool,
    /// SHA-256 fingerprint of its certificate (`AB:CD:…`), when TLS is on.
    pub fingerprint: Option<String>,
    /// The server's process id.
    pub pid: u32,
}

/// Why the CLI could not talk to the server.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No server file: the server is not running with this data dir.
    #[error("no running tether found in {0} (start `tether app-server` with this data dir)")]
    NotRunning(PathBuf),
    /// Network or TLS failure.
    #[error("cannot reach the running tether: {0}")]
    Io(#[from] std::io::Error),
    /// The server's answer was not HTTP.
    #[error("the running tether sent a malformed response")]
    Malformed,
    /// The server file is unreadable.
    #[error("{0}: {1}")]
    BadFile(PathBuf, String),
}

/// Writes `<data>/server.json` for the CLI; returns its path.
pub fn write_server_file(data_dir: &Path, local: SocketAddr, tls: bool, fingerprint: Option<&str>) -> anyhow::Result<PathBuf> {
    let addr = if local.ip().is_unspecified() {
        let loopback = if local.is_ipv4() { std::net::IpAddr::from([127, 0, 0, 1]) } else { std::net::Ipv6Addr::LOCALHOST.into() };
        SocketAddr::new(loopback, local.port())
    } else {
        local
    };
    let file = ServerFile { addr, tls, fingerprint: fingerprint.map(str::to_owned), pid: std::process::id() };
    let path = data_dir.join(SERVER_FILE);
    write_private_file(&path, serde_json::to_string_pretty(&file)?.as_bytes())?;
    Ok(path)
}

/// Reads the server file of `data_dir`.
pub fn read_server_file(data_dir: &Path) -> Result<ServerFile, ClientError> {
    let path = data_dir.join(SERVER_FILE);
    let text = std::fs::read_to_string(&path).map_err(|_| ClientError::NotRunning(data_dir.to_owned()))?;
    serde_json::from_str(&text).map_err(|err| ClientError::BadFile(path, err.to_string()))
}

/// Sends one request with the bearer token and JSON body; returns (status, body).
pub async fn call(server: &ServerFile, method: &str, path: &str, token: &str, body: &str) -> Result<(u16, String), ClientError> {
    let host = server.addr.to_string();
    let headers = [("Authorization", format!("Bearer {token}")), ("Content-Type", "application/json".to_owned())];
    let exchange = async {
        let tcp = TcpStream::connect(server.addr).await?;
        match (&server.tls, &server.fingerprint) {
            (true, Some(fingerprint)) => {
                let stream = connect_pinned(tcp, fingerprint).await?;
                http_exchange(stream, method, &host, path, &headers, body).await
            }
            _ => http_exchange(tcp, method, &host, path, &headers, body).await,
        }
    };
    tokio::time::timeout(REQUEST_TIMEOUT, exchange)
        .await
        .map_err(|_| ClientError::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer")))?
}

/// A TLS connection accepting only the certificate with this SHA-256 fingerprint.
pub async fn connect_pinned(tcp: TcpStream, fingerprint: &str) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(PinnedCert { fingerprint: fingerprint.to_ascii_uppercase(), provider: provider.clone() });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").map_err(std::io::Error::other)?;
    tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await
}

/// One HTTP/1.1 request over `stream` (`Connection: close`): (status, body).
pub async fn http_exchange<S>(
    mut stream: S,
    method: &str,
    host: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &str,
) -> Result<(u16, String), ClientError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    // A TLS peer may close without close_notify once the body is sent; keep what came.
    if let Err(err) = stream.read_to_end(&mut raw).await
        && raw.is_empty()
    {
        return Err(err.into());
    }
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or(ClientError::Malformed)?;
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or(ClientError::Malformed)?;
    Ok((status, body.to_owned()))
}

/// Trusts exactly one certificate, by fingerprint (the server's self-signed one).
#[derive(Debug)]
struct PinnedCert {
    fingerprint: String,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for PinnedCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if super::tls::fingerprint(end_entity.as_ref()) == self.fingerprint {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("certificate fingerprint does not match the pinned one".into()))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
