//! The LAN parts of the command line: `app-server`'s TLS, exposure and limit flags, and
//! the `pair` and `devices` subcommands that talk to the running server.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::{json, Value};
use tether::config::{LanConfig, Limits, ListenAddr};
use tether::server::localclient::{self, ClientError};

/// Where `--lan` listens without `--listen`: every interface, a fixed port the phone can bookmark.
const LAN_DEFAULT_LISTEN: &str = "wss://0.0.0.0:8787";

/// Where tether listens by default: loopback, a free port.
const LOCAL_DEFAULT_LISTEN: &str = "ws://127.0.0.1:0";

/// `app-server` flags for LAN exposure, TLS and limits.
#[derive(Debug, Args)]
pub struct LanArgs {
    /// Serve on the LAN: TLS with a self-signed certificate (kept in <data>/tls/), listen
    /// on wss://0.0.0.0:8787 unless --listen says otherwise, and print a pairing QR code.
    #[arg(long)]
    lan: bool,
    /// Your own TLS certificate (PEM; turns TLS on). Needs --tls-key.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Allow plain ws:// on a non-loopback address (still needs --token). Unencrypted: avoid.
    #[arg(long)]
    insecure_lan: bool,
    /// Largest WebSocket frame accepted, in bytes [default: 16 MiB].
    #[arg(long)]
    max_frame_bytes: Option<usize>,
    /// Open connections allowed from one IP address [default: 64].
    #[arg(long)]
    max_conns_per_ip: Option<usize>,
    /// Open connections allowed in total [default: 4096].
    #[arg(long)]
    max_conns: Option<usize>,
}

/// Resolves the listen address, TLS/LAN settings and limits of `app-server`.
pub fn server_options(listen: Option<&str>, args: &LanArgs) -> anyhow::Result<(ListenAddr, LanConfig, Limits)> {
    let default = if args.lan { LAN_DEFAULT_LISTEN } else { LOCAL_DEFAULT_LISTEN };
    let listen = ListenAddr::parse(listen.unwrap_or(default))?;
    let cert = args.tls_cert.clone().zip(args.tls_key.clone());
    let lan = LanConfig { lan: args.lan, tls: args.lan || listen.tls || cert.is_some(), cert, insecure_lan: args.insecure_lan };
    let defaults = Limits::default();
    let limits = Limits {
        max_frame_bytes: args.max_frame_bytes.unwrap_or(defaults.max_frame_bytes),
        max_conns_per_ip: args.max_conns_per_ip.unwrap_or(defaults.max_conns_per_ip),
        max_conns_total: args.max_conns.unwrap_or(defaults.max_conns_total),
    };
    Ok((listen, lan, limits))
}

/// Which server and credential the CLI talks to.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// The running server's data dir [default: $TETHER_HOME or ~/.tether].
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// The server's bearer token [default: <data>/token].
    #[arg(long, global = true, env = "TETHER_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

/// `tether pair`.
#[derive(Debug, Args)]
pub struct PairArgs {
    #[command(flatten)]
    server: ServerArgs,
}

/// `tether devices`.
#[derive(Debug, Args)]
pub struct DevicesArgs {
    #[command(flatten)]
    server: ServerArgs,
    #[command(subcommand)]
    action: Option<DevicesAction>,
}

/// What to do with devices (listing is the default).
#[derive(Debug, Subcommand)]
pub enum DevicesAction {
    /// Revoke a device and close its open sockets at once.
    Revoke {
        /// The device id, as `tether devices` lists it.
        id: String,
    },
}

/// Asks the running server for a pairing code; prints the link and QR code.
pub fn pair(args: PairArgs) -> anyhow::Result<()> {
    let data_dir = tether::config::resolve_data_dir(args.server.data_dir.clone())?;
    let token = token(&args.server, &data_dir)?;
    let server = localclient::read_server_file(&data_dir)?;
    let (status, body) = block_on(localclient::call(&server, "POST", "/auth/pair-code", &token, ""))??;
    if status != 200 {
        anyhow::bail!("the server refused to issue a pairing code ({status}): {}", body.trim());
    }
    let answer: Value = serde_json::from_str(&body)?;
    let link = answer["url"].as_str().unwrap_or_default().to_owned();
    tether::server::banner::print_pairing(
        &mut std::io::stdout().lock(),
        &link,
        tether::server::pairing::CODE_TTL_SECS,
        server.fingerprint.as_deref(),
    );
    Ok(())
}

/// Lists devices (from the store), or revokes one (through the running server when
/// there is one, so its sockets close at once; else in the store).
pub fn devices(args: DevicesArgs) -> anyhow::Result<()> {
    let data_dir = tether::config::resolve_data_dir(args.server.data_dir.clone())?;
    match args.action {
        None => list_devices(&data_dir),
        Some(DevicesAction::Revoke { id }) => revoke_device(&args.server, &data_dir, &id),
    }
}

fn list_devices(data_dir: &std::path::Path) -> anyhow::Result<()> {
    let store = tether::store::Store::open_in(data_dir)?;
    let devices = store.list_devices()?;
    if devices.is_empty() {
        println!("No paired devices. Pair one with `tether pair`.");
        return Ok(());
    }
    println!("{:<44} {:<24} {:<26} {:<26} REVOKED", "ID", "NAME", "FIRST SEEN", "LAST SEEN");
    for device in devices {
        println!(
            "{:<44} {:<24} {:<26} {:<26} {}",
            device.id,
            device.name,
            device.created_at,
            device.last_seen_at,
            device.revoked_at.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

fn revoke_device(server_args: &ServerArgs, data_dir: &std::path::Path, id: &str) -> anyhow::Result<()> {
    match localclient::read_server_file(data_dir) {
        Ok(server) => {
            let token = token(server_args, data_dir)?;
            let body = json!({ "id": id }).to_string();
            match block_on(localclient::call(&server, "POST", "/auth/devices/revoke", &token, &body))? {
                Ok((200, answer)) => {
                    let answer: Value = serde_json::from_str(&answer)?;
                    if answer["revoked"] != true {
                        anyhow::bail!("no unrevoked device {id}");
                    }
                    println!("Revoked {id}; closed {} open socket(s).", answer["closed_sockets"]);
                    return Ok(());
                }
                Ok((status, answer)) => anyhow::bail!("the server refused ({status}): {}", answer.trim()),
                // A stale server file (the server died): revoke in the store.
                Err(ClientError::Io(_)) => {}
                Err(err) => return Err(err.into()),
            }
        }
        Err(ClientError::NotRunning(_)) => {}
        Err(err) => return Err(err.into()),
    }
    let store = tether::store::Store::open_in(data_dir)?;
    if !store.revoke_device(id)? {
        anyhow::bail!("no unrevoked device {id}");
    }
    println!("Revoked {id} (no server running).");
    Ok(())
}

fn token(args: &ServerArgs, data_dir: &std::path::Path) -> anyhow::Result<String> {
    if let Some(token) = &args.token {
        return Ok(token.trim().to_owned());
    }
    let path = data_dir.join("token");
    let text = std::fs::read_to_string(&path)
        .map_err(|err| anyhow::anyhow!("cannot read the token in {}: {err} (pass --token)", path.display()))?;
    Ok(text.trim().to_owned())
}

fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    Ok(rt.block_on(future))
}
