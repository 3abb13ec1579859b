//! Direct mode (`tether remote`): the user's application is the WebSocket server and
//! tether dials out to it, serving the same v2 commands as `tether app-server` over the
//! dialled socket, and staying on: heartbeats, reconnects with backoff, state replay after
//! a reconnect, work that continues while the link is down.
//!
//! # Layout
//! - [`backoff`]: the waits between attempts (1, 2, 4 … 30 s) and the 5-minute budget.
//! - [`dial`]: the dial loop over an injectable attempt function, and why it stops.
//! - [`identity`]: the stable device id and the environment name (`<data>/device-id`, `<data>/env-name`).
//! - [`target`]: what `--url` names, and the socket URL with the identity in its query.
//! - [`register`]: registration with a Letta-style environments service (`POST /v1/environments/register`).
//! - [`socket`]: opening the socket (TCP/TLS, handshake with the bearer token).
//! - [`buffer`]: the long-lived link whose outbox buffers while no socket is up.
//! - [`session`]: serving one socket: commands in, queued frames out, heartbeat.

pub mod backoff;
pub mod buffer;
pub mod dial;
pub mod identity;
pub mod register;
pub mod session;
pub mod socket;
pub mod target;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;
use url::Url;

use self::buffer::Link;
use self::dial::{dial_loop, Attempt, DialError, RetryPolicy};
use self::identity::Identity;
use self::register::{register, RegisterError};
use self::session::{serve_socket, Heartbeat, SocketEnd};
use self::socket::ConnectError;
use self::target::{socket_url, BadUrl, Target};
use crate::config::{resolve_token, ConfigError, TokenSource};
use crate::runtime::Runtime;
use crate::store::StoreError;

/// Close code with which a controller refuses the credential (RFC 6455 "policy violation").
pub const CLOSE_POLICY_VIOLATION: u16 = 1008;

/// Exit status when the controller refuses the credential (a service manager should not
/// restart on it: systemd `RestartPreventExitStatus=3`).
pub const EXIT_REFUSED: u8 = 3;

/// Exit status for every other failure.
pub const EXIT_FAILURE: u8 = 1;

/// Everything `tether remote` needs to start.
#[derive(Debug, Clone)]
pub struct RemoteConfig {
    /// `--url`: the controller's socket, or an environments service's base URL.
    pub url: String,
    /// `--env-name`; `None` uses the remembered name, asks (first interactive run) or the host name.
    pub env_name: Option<String>,
    /// The bearer credential; `None` sends no `Authorization` header.
    pub token: Option<TokenSource>,
    /// The data dir (store, device id, logs).
    pub data_dir: PathBuf,
    /// Default model handle for new agents.
    pub model: Option<String>,
    /// Working directory for conversations that set none.
    pub cwd: PathBuf,
    /// Keep retrying however long the controller is away.
    pub forever: bool,
    /// Where transport logs go [default: `<data>/logs/remote`].
    pub log_dir: Option<PathBuf>,
    /// PEM certificates trusted for `wss://`/`https://` besides the system's.
    pub ca_file: Option<PathBuf>,
    /// The longest outage tolerated without `--forever`.
    pub budget: Duration,
}

/// Why `tether remote` stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// A configuration problem (token file, data dir).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `--url` is not usable.
    #[error(transparent)]
    Url(#[from] BadUrl),
    /// The store could not be opened.
    #[error("cannot open the store: {0}")]
    Store(#[from] StoreError),
    /// The controller refused us, or stayed away too long.
    #[error(transparent)]
    Dial(#[from] DialError),
    /// Something else at start-up (HTTP client, tokio runtime).
    #[error("{0}")]
    Startup(String),
}

impl RemoteError {
    /// The process exit status for this error ([`EXIT_REFUSED`] or [`EXIT_FAILURE`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            RemoteError::Dial(DialError::Refused(_)) => EXIT_REFUSED,
            _ => EXIT_FAILURE,
        }
    }
}

/// Starts a tokio runtime and stays connected until refused, given up, or signalled.
pub fn run_blocking(config: RemoteConfig) -> Result<(), RemoteError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| RemoteError::Startup(format!("cannot start tokio: {e}")))?;
    rt.block_on(run(config))
}

/// Opens the runtime, then dials the controller and serves it, reconnecting as needed.
pub async fn run(config: RemoteConfig) -> Result<(), RemoteError> {
    crate::process::init_tracing();
    let target = Target::parse(&config.url)?;
    let token = match &config.token {
        Some(source) => Some(resolve_token(source, &config.data_dir)?.0),
        None => None,
    };
    let roots = match &config.ca_file {
        Some(path) => socket::load_roots(path).map_err(RemoteError::Startup)?,
        None => Vec::new(),
    };
    let identity = Identity::resolve(&config.data_dir, config.env_name.clone())?;
    let log_dir = config.log_dir.clone().unwrap_or_else(|| config.data_dir.join("logs").join("remote"));
    let runtime = Runtime::open_logging_to(config.data_dir.clone(), config.cwd.clone(), config.model.clone(), &log_dir)?;
    runtime.resume_queued()?;
    let link = Link::new(runtime.clone());
    // Conversations resumed from the store report to the controller once it is reachable.
    link.replay_all().await;
    let http = match &target {
        Target::Environments(_) => Some(register::http_client(&roots).map_err(|e| RemoteError::Startup(format!("cannot build the HTTP client: {e}")))?),
        Target::Socket(_) => None,
    };

    let shutdown = runtime.shutdown.clone();
    tokio::spawn(async move {
        crate::process::shutdown_signal().await;
        shutdown.cancel();
    });

    let policy = RetryPolicy { budget: (!config.forever).then_some(config.budget), ..RetryPolicy::default() };
    let dialer =
        Dialer { link: &link, target: &target, identity: &identity, token: token.as_deref(), http: http.as_ref(), roots: &roots };
    let shutdown = runtime.shutdown.clone();
    let result = dial_loop(policy, &shutdown, || dialer.attempt(), |end, wait| report_retry(&link, end, wait)).await;
    runtime.shutdown.cancel();
    if let Err(err) = runtime.store.checkpoint() {
        tracing::warn!("store checkpoint at shutdown failed: {err}");
    }
    if let Err(err) = &result {
        link.ctx.runtime.framelog.note(link.ctx.id, &format!("stopped: {err}"));
    }
    Ok(result?)
}

/// One attempt's ingredients.
struct Dialer<'a> {
    link: &'a Link,
    target: &'a Target,
    identity: &'a Identity,
    token: Option<&'a str>,
    http: Option<&'a reqwest::Client>,
    roots: &'a socket::ExtraRoots,
}

impl Dialer<'_> {
    /// Registers if needed, connects, and serves until the socket ends.
    async fn attempt(&self) -> Attempt {
        let shutdown = self.link.ctx.runtime.shutdown.clone();
        // A shutdown while connecting abandons the attempt; once connected, the socket
        // handles it (it closes with 1001 first).
        let connected = tokio::select! {
            connected = self.connect() => connected,
            () = shutdown.cancelled() => return Attempt::Shutdown,
        };
        match connected {
            Ok((socket, url)) => self.serve(socket, &url, &shutdown).await,
            Err(outcome) => outcome,
        }
    }

    async fn connect(&self) -> Result<(socket::Socket, Url), Attempt> {
        let base = self.resolve().await?;
        let url = socket_url(&base, self.identity);
        match socket::connect(&url, self.token, self.roots).await {
            Ok(socket) => Ok((socket, url)),
            Err(ConnectError::Refused(status)) => Err(Attempt::Refused(format!("HTTP {status} on the handshake"))),
            Err(ConnectError::Failed(error)) => Err(Attempt::Failed(error)),
        }
    }

    async fn serve(&self, socket: socket::Socket, url: &Url, shutdown: &CancellationToken) -> Attempt {
        let log = &self.link.ctx.runtime.framelog;
        log.note(self.link.ctx.id, &format!("connected to {}", redacted(url)));
        say(&format!("Connected to {} as {:?} (device {})", redacted(url), self.identity.env_name, self.identity.device_id));
        self.link.on_connected().await;
        let (sink, stream) = socket.split();
        let end = serve_socket(self.link, stream, sink, Heartbeat::default(), shutdown).await;
        log.note(self.link.ctx.id, &format!("socket ended: {end:?}"));
        match end {
            SocketEnd::Closed { code: CLOSE_POLICY_VIOLATION, reason } => {
                Attempt::Refused(format!("closed with {CLOSE_POLICY_VIOLATION} {reason}").trim_end().to_owned())
            }
            SocketEnd::Closed { code, reason } => Attempt::Dropped(format!("closed by the controller: {code} {reason}").trim_end().to_owned()),
            SocketEnd::Dead => Attempt::Dropped("no pong for 90 s".to_owned()),
            SocketEnd::Failed(error) => Attempt::Dropped(error),
            SocketEnd::Shutdown => Attempt::Shutdown,
        }
    }

    /// The socket URL: `--url` itself, or what registration returns.
    async fn resolve(&self) -> Result<Url, Attempt> {
        let (Target::Environments(base), Some(http)) = (self.target, self.http) else {
            return match self.target {
                Target::Socket(url) | Target::Environments(url) => Ok(url.clone()),
            };
        };
        match register(http, base, self.token, self.identity).await {
            Ok(registration) => Url::parse(&registration.ws_url)
                .map_err(|e| Attempt::Failed(format!("registration returned a bad wsUrl {:?}: {e}", registration.ws_url))),
            Err(RegisterError::Refused { status, detail }) => Err(Attempt::Refused(format!("registration answered HTTP {status}: {detail}"))),
            Err(RegisterError::Transient(error)) => Err(Attempt::Failed(error)),
            // A wrong base URL will not fix itself, but the service may be mid-deploy:
            // retry within the budget rather than give up at once.
            Err(error @ RegisterError::Rejected(_)) => Err(Attempt::Failed(error.to_string())),
        }
    }
}

fn report_retry(link: &Link, end: &Attempt, wait: Duration) {
    let why = match end {
        Attempt::Dropped(reason) => format!("link lost ({reason})"),
        Attempt::Failed(reason) => format!("cannot connect ({reason})"),
        Attempt::Refused(reason) => reason.clone(),
        Attempt::Shutdown => "shutting down".to_owned(),
    };
    let line = format!("{why}; retrying in {:.1} s", wait.as_secs_f64());
    link.ctx.runtime.framelog.note(link.ctx.id, &line);
    eprintln!("tether: {line}");
}

/// The URL without credentials a user might have put in it.
fn redacted(url: &Url) -> String {
    let mut url = url.clone();
    let _ = url.set_password(None);
    let _ = url.set_username("");
    url.to_string()
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}


