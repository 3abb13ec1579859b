//! The listener: one port for HTTP (web UI, health) and the v2 WebSocket.

pub mod auth;
pub mod connection;
pub mod framelog;
pub mod http;
pub mod outbox;
pub mod session;
pub mod ws;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;

use crate::config::{resolve_token, ServerConfig};
use crate::runtime::Runtime;

/// What every HTTP and WebSocket handler can reach.
#[derive(Debug)]
pub struct AppState {
    /// The shared runtime.
    pub runtime: Arc<Runtime>,
    /// Who may connect.
    pub auth: auth::Auth,
    /// The built web UI, if any.
    pub web_dist: Option<PathBuf>,
    /// Set once the runtime can serve requests (`/readyz`).
    pub ready: AtomicBool,
    /// Whether this listener speaks TLS (cookies then get `Secure`).
    pub tls: bool,
}

/// Starts a tokio runtime and serves until SIGINT or SIGTERM.
pub fn run_blocking(config: ServerConfig) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run(config))
}

/// Binds, prints `Listening on ws://HOST:PORT` first, then serves until a shutdown signal.
pub async fn run(config: ServerConfig) -> anyhow::Result<()> {
    init_tracing();
    let addr = config.listen.addr;
    if !addr.ip().is_loopback() && !config.token.is_explicit() {
        anyhow::bail!(
            "refusing to listen on non-loopback {addr} without an explicit credential: pass --token or --token-file"
        );
    }
    let (token, token_file) = resolve_token(&config.token, &config.data_dir)?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;

    let runtime = Runtime::open(config.data_dir.clone(), config.cwd.clone(), config.model.clone())
        .with_context(|| format!("cannot open the store in {}", config.data_dir.display()))?;
    let state = Arc::new(AppState {
        runtime,
        auth: auth::Auth::new(token.clone(), config.allowed_origins.clone()),
        web_dist: http::find_web_dist(config.web_dist.clone()),
        ready: AtomicBool::new(false),
        tls: false,
    });
    print_banner(local, &token, token_file.as_deref(), state.web_dist.is_some());
    println!("{}", crate::agent::model_choice::describe_default(config.model.as_deref()));
    state.runtime.resume_queued()?;
    state.ready.store(true, Ordering::Release);

    let shutdown = state.runtime.shutdown.clone();
    let signal = async move {
        shutdown_signal().await;
        // Open sockets would keep a graceful shutdown waiting forever: close them.
        shutdown.cancel();
    };
    axum::serve(listener, http::router(state.clone())).with_graceful_shutdown(signal).await?;
    stop_turns(&state.runtime).await;
    // Every acknowledged write is already committed; fold the WAL back for a tidy file.
    if let Err(err) = state.runtime.store.checkpoint() {
        tracing::warn!("store checkpoint at shutdown failed: {err}");
    }
    Ok(())
}

fn print_banner(local: SocketAddr, token: &str, token_file: Option<&std::path::Path>, has_ui: bool) {
    let mut out = std::io::stdout().lock();
    // The first line is a contract: scripts and tests wait for it.
    let _ = writeln!(out, "Listening on ws://{local}");
    match token_file {
        Some(path) => {
            let _ = writeln!(out, "Token: stored in {} (send it as Authorization: Bearer <token>)", path.display());
            if has_ui {
                let _ = writeln!(out, "Web UI: http://{local}/#token={token}");
            }
        }
        None if has_ui => {
            let _ = writeln!(out, "Web UI: http://{local}/#token=<your token>");
        }
        None => {}
    }
    if !has_ui {
        let _ = writeln!(out, "Web UI: not built (run scripts/build-web.sh)");
    }
    let _ = out.flush();
}

/// Longest a shutdown waits for running turns to stop and record how they ended.
const TURN_STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Interrupts every running turn and waits (bounded) until each has recorded its end,
/// so a restart finds them finished as cancelled rather than cut off.
async fn stop_turns(runtime: &Arc<Runtime>) {
    let mut waiting = Vec::new();
    for conversation in runtime.conversations.all() {
        let (done, finished) = tokio::sync::oneshot::channel();
        if conversation.send(crate::conversation::Command::Shutdown(done)).await {
            waiting.push(finished);
        }
    }
    let all = futures_util::future::join_all(waiting);
    if tokio::time::timeout(TURN_STOP_GRACE, all).await.is_err() {
        tracing::warn!("some turns did not stop within {TURN_STOP_GRACE:?}; they will be reported as interrupted");
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TETHER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
