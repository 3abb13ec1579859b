//! What the command line decides, resolved into values the server can use.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

/// A configuration the user gave that cannot work, with the reason in their terms.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--listen` could not be understood.
    #[error("--listen {0:?}: expected ws://HOST:PORT or wss://HOST:PORT")]
    BadListen(String),
    /// No data dir was given and no home directory is known.
    #[error("no data dir: pass --data-dir or set TETHER_HOME (HOME is not set)")]
    NoHome,
    /// Reading or creating a file the config points at failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// `--token` or `TETHER_TOKEN` was given but empty.
    #[error("the token given with --token or TETHER_TOKEN is empty")]
    EmptyGivenToken,
    /// The token file exists but holds no token.
    #[error("token file {0} is empty")]
    EmptyToken(PathBuf),
}

/// Where to listen, and whether the scheme asked for TLS (`wss://`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenAddr {
    /// The socket address to bind (port 0 picks a free port).
    pub addr: SocketAddr,
    /// `wss://` was given: serve TLS.
    pub tls: bool,
}

impl ListenAddr {
    /// Parses `ws://HOST:PORT`, `wss://HOST:PORT` (TLS) or a bare `HOST:PORT`.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let tls = text.starts_with("wss://");
        let rest = text.strip_prefix("wss://").or_else(|| text.strip_prefix("ws://")).unwrap_or(text);
        let rest = rest.trim_end_matches('/');
        let addr = rest
            .to_socket_addrs()
            .ok()
            .and_then(|mut addrs| addrs.next())
            .ok_or_else(|| ConfigError::BadListen(text.to_owned()))?;
        Ok(Self { addr, tls })
    }
}

/// How the bearer token is obtained.
#[derive(Debug, Clone)]
pub enum TokenSource {
    /// Given on the command line or in `TETHER_TOKEN`.
    Given(String),
    /// Read from a file (first line).
    File(PathBuf),
    /// Generated once and kept in `<data>/token` (mode 0600).
    Generate,
}

impl TokenSource {
    /// Whether the user chose the token, rather than tether generating one.
    pub fn is_explicit(&self) -> bool {
        !matches!(self, TokenSource::Generate)
    }
}

/// Everything `tether app-server` needs to start.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind.
    pub listen: ListenAddr,
    /// Where the bearer token comes from.
    pub token: TokenSource,
    /// The data dir (store, token, logs).
    pub data_dir: PathBuf,
    /// Default model handle for agents created without one.
    pub model: Option<String>,
    /// Working directory for conversations that set none.
    pub cwd: PathBuf,
    /// Browser origins allowed besides the runtime's own.
    pub allowed_origins: Vec<String>,
    /// Built web UI to serve; `None` looks for `web/dist` beside the sources.
    pub web_dist: Option<PathBuf>,
    /// TLS and LAN exposure (`--lan`, `--tls-cert`, `--insecure-lan`).
    pub lan: LanConfig,
    /// Resource limits against misbehaving or hostile clients.
    pub limits: Limits,
}

/// How the listener is exposed beyond this machine.
#[derive(Debug, Clone, Default)]
pub struct LanConfig {
    /// `--lan`: serve TLS and print a pairing link and QR code.
    pub lan: bool,
    /// Serve TLS (from `--lan`, `wss://`, or `--tls-cert`).
    pub tls: bool,
    /// The user's own certificate and key (PEM), instead of the generated one.
    pub cert: Option<(PathBuf, PathBuf)>,
    /// `--insecure-lan`: allow plain `ws://` on a non-loopback address (still with a token).
    pub insecure_lan: bool,
}

/// Caps on what one client (or all of them) may take from the runtime.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest WebSocket frame or message accepted.
    pub max_frame_bytes: usize,
    /// Open connections allowed from one IP address.
    pub max_conns_per_ip: usize,
    /// Open connections allowed in total.
    pub max_conns_total: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_frame_bytes: 16 * 1024 * 1024, max_conns_per_ip: 64, max_conns_total: 4096 }
    }
}

/// The data dir: `--data-dir`, else `$TETHER_HOME`, else `~/.tether`; created mode 0700.
pub fn resolve_data_dir(given: Option<PathBuf>) -> Result<PathBuf, ConfigError> {
    let dir = match given {
        Some(dir) => dir,
        None => match std::env::var_os("TETHER_HOME") {
            Some(home) if !home.is_empty() => PathBuf::from(home),
            _ => std::env::var_os("HOME")
                .filter(|home| !home.is_empty())
                .map(|home| PathBuf::from(home).join(".tether"))
                .ok_or(ConfigError::NoHome)?,
        },
    };
    create_private_dir(&dir)?;
    Ok(dir)
}

/// Creates a directory (and parents) readable only by the user.
pub fn create_private_dir(dir: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| ConfigError::Io { path: dir.to_owned(), source })
}

/// Resolves the bearer token, generating and storing one when none was given.
///
/// Returns the token and, when it lives in a file tether wrote, that file's path.
pub fn resolve_token(source: &TokenSource, data_dir: &Path) -> Result<(String, Option<PathBuf>), ConfigError> {
    match source {
        // An empty token would let any empty `Bearer` header in: refuse it.
        TokenSource::Given(token) if token.trim().is_empty() => Err(ConfigError::EmptyGivenToken),
        TokenSource::Given(token) => Ok((token.trim().to_owned(), None)),
        TokenSource::File(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|source| ConfigError::Io { path: path.clone(), source })?;
            let token = text.lines().next().unwrap_or("").trim().to_owned();
            if token.is_empty() {
                return Err(ConfigError::EmptyToken(path.clone()));
            }
            Ok((token, None))
        }
        TokenSource::Generate => {
            let path = data_dir.join("token");
            if let Ok(text) = std::fs::read_to_string(&path) {
                let token = text.trim().to_owned();
                if !token.is_empty() {
                    return Ok((token, Some(path)));
                }
            }
            let token = random_token();
            write_private_file(&path, token.as_bytes())?;
            Ok((token, Some(path)))
        }
    }
}

/// 32 random bytes as hex: enough entropy for a bearer credential.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // getrandom only fails when the OS has no entropy source at all; fall back to uuids
    // (also OS-random) rather than start with a weak token.
    if getrandom::fill(&mut bytes).is_err() {
        let a = uuid::Uuid::new_v4();
        let b = uuid::Uuid::new_v4();
        bytes[..16].copy_from_slice(a.as_bytes());
        bytes[16..].copy_from_slice(b.as_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes a file only the user can read (0600), replacing any previous one.
pub fn write_private_file(path: &Path, contents: &[u8]) -> Result<(), ConfigError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let io = |source| ConfigError::Io { path: path.to_owned(), source };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    file.write_all(contents).map_err(io)?;
    file.sync_all().map_err(io)
}
