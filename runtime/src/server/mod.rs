//! The listener: one port for HTTP (web UI, health) and the v2 WebSocket.

pub mod auth;
pub mod banner;
pub mod connection;
pub mod devices;
pub mod framelog;
pub mod gate;
pub mod headers;
pub mod http;
pub mod limits;
pub mod listener;
pub mod localclient;
pub mod outbox;
pub mod pairing;
pub mod session;
pub mod tls;
pub mod ws;

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;

use crate::config::{resolve_token, Limits, ServerConfig};
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
    /// Failed authentication attempts per address.
    pub failures: limits::FailureLimiter,
    /// Frame and connection caps.
    pub limits: Limits,
    /// Outstanding pairing codes.
    pub pairing: pairing::PairingCodes,
    /// The clock pairing codes expire by.
    pub clock: pairing::Clock,
    /// Open sockets of paired devices, for revocation.
    pub device_sockets: Arc<pairing::DeviceSockets>,
    /// `https://<lan-ip>:<port>`: where pairing links point.
    pub pair_base: Option<String>,
    /// Whether test-only endpoints are on (`TETHER_TEST_HOOKS=1`).
    pub test_hooks: bool,
    /// The Content-Security-Policy sent with every response.
    pub csp: headers::CspCache,
}

/// Starts a tokio runtime and serves until SIGINT or SIGTERM.
pub fn run_blocking(config: ServerConfig) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run(config))
}

/// Refuses configurations that would expose the runtime without protection.
fn check_exposure(config: &ServerConfig) -> anyhow::Result<()> {
    let addr = config.listen.addr;
    if addr.ip().is_loopback() || config.lan.tls {
        return Ok(());
    }
    if !config.token.is_explicit() {
        anyhow::bail!(
            "refusing to listen on non-loopback {addr} without an explicit credential: pass --token or --token-file, or use --lan (TLS and pairing)"
        );
    }
    if !config.lan.insecure_lan {
        anyhow::bail!(
            "refusing to serve plain ws:// on non-loopback {addr}: anyone on the network could read the token; use --lan (TLS), or pass --insecure-lan to accept that"
        );
    }
    eprintln!("WARNING: --insecure-lan: serving plain ws:// on {addr}. The token and every frame cross the network unencrypted.");
    Ok(())
}

/// Binds, prints `Listening on ws://HOST:PORT` (`wss://` under TLS) first, then serves
/// until a shutdown signal.
pub async fn run(config: ServerConfig) -> anyhow::Result<()> {
    crate::process::init_tracing();
    check_exposure(&config)?;
    let addr = config.listen.addr;
    let (token, token_file) = resolve_token(&config.token, &config.data_dir)?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;

    let lan_addrs = tls::lan_addresses();
    let hostnames = tls::hostnames();
    let tls = if config.lan.tls {
        Some(tls::setup(&config.data_dir, config.lan.cert.as_ref(), &hostnames, &lan_addrs).context("cannot set up TLS")?)
    } else {
        None
    };
    let runtime = Runtime::open(config.data_dir.clone(), config.cwd.clone(), config.model.clone())
        .with_context(|| format!("cannot open the store in {}", config.data_dir.display()))?;
    let web_dist = http::find_web_dist(config.web_dist.clone());
    let scheme = if tls.is_some() { "https" } else { "http" };
    let pair_host = if local.ip().is_unspecified() {
        lan_addrs.iter().find(|ip| ip.is_ipv4()).copied().unwrap_or(IpAddr::from([127, 0, 0, 1]))
    } else {
        local.ip()
    };
    let state = Arc::new(AppState {
        runtime,
        auth: auth::Auth::new(token.clone(), config.allowed_origins.clone())
            .with_own_hosts(own_hosts(local, &lan_addrs, &hostnames)),
        csp: headers::CspCache::new(web_dist.clone()),
        web_dist,
        ready: AtomicBool::new(false),
        tls: tls.is_some(),
        failures: limits::FailureLimiter::default(),
        limits: config.limits.clone(),
        pairing: pairing::PairingCodes::default(),
        clock: pairing::Clock::default(),
        device_sockets: Arc::default(),
        pair_base: Some(format!("{scheme}://{}", SocketAddr::new(pair_host, local.port()))),
        test_hooks: std::env::var(pairing::TEST_HOOKS_ENV).is_ok_and(|v| v == "1"),
    });
    print_banner(local, tls.is_some(), &token, token_file.as_deref(), state.web_dist.is_some());
    // The banner's reader may have gone (a script reading only the first line): never fail on it.
    let _ = writeln!(std::io::stdout(), "{}", crate::agent::model_choice::describe_default(state.runtime.default_model.as_deref()));
    let fingerprint = tls.as_ref().map(|t| t.fingerprint.clone());
    if config.lan.lan {
        let (code, _) = state.pairing.issue(&state.clock);
        let link = format!("{}/pair#{code}", state.pair_base.as_deref().unwrap_or_default());
        banner::print_pairing(&mut std::io::stdout().lock(), &link, pairing::CODE_TTL_SECS, fingerprint.as_deref());
    } else if let Some(fingerprint) = &fingerprint {
        let _ = writeln!(std::io::stdout(), "Certificate SHA-256 fingerprint: {fingerprint}");
    }
    let server_file = localclient::write_server_file(&config.data_dir, local, tls.is_some(), fingerprint.as_deref())?;
    state.runtime.resume_queued()?;
    state.ready.store(true, Ordering::Release);

    let shutdown = state.runtime.shutdown.clone();
    let signal_shutdown = shutdown.clone();
    tokio::spawn(async move {
        crate::process::shutdown_signal().await;
        // Open sockets would keep a graceful shutdown waiting forever: close them.
        signal_shutdown.cancel();
    });
    // Room for every allowed connection plus the store, logs and model clients.
    listener::raise_fd_limit(config.limits.max_conns_total as u64 + 1024);
    let tracker = limits::ConnTracker::new(config.limits.max_conns_per_ip, config.limits.max_conns_total);
    listener::serve(listener, http::router(state.clone()), tls.map(|t| t.acceptor), tracker, shutdown).await;
    stop_turns(&state.runtime).await;
    let _ = std::fs::remove_file(server_file);
    // Every acknowledged write is already committed; fold the WAL back for a tidy file.
    if let Err(err) = state.runtime.store.checkpoint() {
        tracing::warn!("store checkpoint at shutdown failed: {err}");
    }
    Ok(())
}

/// The host names a browser may use to reach us: what we bound (every local address
/// when bound to all), loopback names, and this machine's hostname.
fn own_hosts(local: SocketAddr, lan_addrs: &[IpAddr], hostnames: &[String]) -> Vec<String> {
    let show = |ip: &IpAddr| match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    let mut hosts = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "[::1]".to_owned()];
    if local.ip().is_unspecified() {
        hosts.extend(lan_addrs.iter().map(show));
    } else {
        hosts.push(show(&local.ip()));
    }
    hosts.extend(hostnames.iter().cloned());
    hosts
}

fn print_banner(local: SocketAddr, tls: bool, token: &str, token_file: Option<&std::path::Path>, has_ui: bool) {
    let mut out = std::io::stdout().lock();
    let (ws, web) = if tls { ("wss", "https") } else { ("ws", "http") };
    // The first line is a contract: scripts and tests wait for it.
    let _ = writeln!(out, "Listening on {ws}://{local}");
    // Bound to every address: this machine's browser reaches it on loopback.
    let local = if local.ip().is_unspecified() { SocketAddr::from(([127, 0, 0, 1], local.port())) } else { local };
    match token_file {
        Some(path) => {
            let _ = writeln!(out, "Token: stored in {} (send it as Authorization: Bearer <token>)", path.display());
            if has_ui {
                let _ = writeln!(out, "Web UI: {web}://{local}/#token={token}");
            }
        }
        None if has_ui => {
            let _ = writeln!(out, "Web UI: {web}://{local}/#token=<your token>");
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


