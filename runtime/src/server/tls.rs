//! TLS for the LAN listener: a self-signed certificate made on first use (kept in
//! `<data>/tls/`, key mode 0600, reused after) or the user's own, served by rustls (ring).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

use crate::config::{create_private_dir, write_private_file};

/// Name in the generated certificate's subject, so a user recognises it in a browser warning.
const CERT_COMMON_NAME: &str = "tether (self-signed)";

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Reading or writing a certificate or key file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A PEM file holds no usable certificate or key.
    #[error("{path}: {reason}")]
    Pem {
        /// The file involved.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// Generating the certificate failed.
    #[error("cannot generate a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the certificate or key.
    #[error("cannot use the certificate: {0}")]
    Rustls(#[from] rustls::Error),
    /// Writing a file tether keeps failed.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

/// A loaded certificate chain and key, ready to serve.
pub struct TlsSetup {
    /// The rustls acceptor.
    pub acceptor: tokio_rustls::TlsAcceptor,
    /// SHA-256 of the leaf certificate, `AB:CD:…`: what a user compares on the phone.
    pub fingerprint: String,
    /// Where the certificate lives.
    pub cert_path: PathBuf,
}

impl std::fmt::Debug for TlsSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSetup").field("fingerprint", &self.fingerprint).field("cert_path", &self.cert_path).finish()
    }
}

/// Loads the user's certificate, or the generated one in `<data>/tls/` (made if missing).
pub fn setup(data_dir: &Path, given: Option<&(PathBuf, PathBuf)>, hostnames: &[String], addrs: &[IpAddr]) -> Result<TlsSetup, TlsError> {
    let (cert_path, key_path) = match given {
        Some((cert, key)) => (cert.clone(), key.clone()),
        None => ensure_generated(data_dir, hostnames, addrs)?,
    };
    let certs = CertificateDer::pem_file_iter(&cert_path)
        .map_err(|err| pem_error(&cert_path, &err))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| pem_error(&cert_path, &err))?;
    let Some(leaf) = certs.first() else {
        return Err(TlsError::Pem { path: cert_path, reason: "no certificate in the file".into() });
    };
    let fingerprint = fingerprint(leaf.as_ref());
    let key = PrivateKeyDer::from_pem_file(&key_path).map_err(|err| pem_error(&key_path, &err))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsSetup { acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)), fingerprint, cert_path })
}

/// SHA-256 of a DER certificate as colon-separated upper-case hex.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

fn pem_error(path: &Path, err: &rustls::pki_types::pem::Error) -> TlsError {
    TlsError::Pem { path: path.to_owned(), reason: err.to_string() }
}

/// The generated pair's paths, creating it (dir 0700, key 0600) when missing.
fn ensure_generated(data_dir: &Path, hostnames: &[String], addrs: &[IpAddr]) -> Result<(PathBuf, PathBuf), TlsError> {
    let dir = data_dir.join("tls");
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    if cert_path.is_file() && key_path.is_file() {
        return Ok((cert_path, key_path));
    }
    create_private_dir(&dir)?;
    let mut names: Vec<String> = vec!["localhost".into()];
    names.extend(hostnames.iter().cloned());
    names.extend(["127.0.0.1".to_owned(), "::1".to_owned()]);
    names.extend(addrs.iter().map(IpAddr::to_string));
    names.dedup();
    let mut params = rcgen::CertificateParams::new(names)?;
    params.distinguished_name.push(rcgen::DnType::CommonName, CERT_COMMON_NAME);
    let key = rcgen::KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    write_private_file(&key_path, key.serialize_pem().as_bytes())?;
    write_private_file(&cert_path, cert.pem().as_bytes())?;
    Ok((cert_path, key_path))
}

/// This machine's non-loopback IP addresses (IPv4 first), for the certificate and the link.
pub fn lan_addresses() -> Vec<IpAddr> {
    let Ok(ifaddrs) = nix::ifaddrs::getifaddrs() else { return Vec::new() };
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    for ifaddr in ifaddrs {
        let Some(address) = ifaddr.address else { continue };
        if let Some(sin) = address.as_sockaddr_in() {
            let ip = sin.ip();
            if !ip.is_loopback() && !ip.is_unspecified() {
                v4.push(IpAddr::V4(ip));
            }
        } else if let Some(sin6) = address.as_sockaddr_in6() {
            let ip = sin6.ip();
            // Link-local addresses need a zone id a URL cannot carry well; skip them.
            if !ip.is_loopback() && !ip.is_unspecified() && (ip.segments()[0] & 0xffc0) != 0xfe80 {
                v6.push(IpAddr::V6(ip));
            }
        }
    }
    v4.dedup();
    v6.dedup();
    v4.extend(v6);
    v4
}

/// This machine's hostname and its mDNS name (`NAME.local`), if known.
pub fn hostnames() -> Vec<String> {
    let Ok(name) = nix::unistd::gethostname() else { return Vec::new() };
    let name = name.to_string_lossy().trim().to_owned();
    if name.is_empty() || name == "localhost" {
        return Vec::new();
    }
    let local = format!("{name}.local");
    vec![name, local]
}
