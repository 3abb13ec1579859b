//! The `tether` command line: parses arguments and hands over to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tether::config::{ServerConfig, TokenSource};

/// A coding agent on your machine that you steer from anywhere.
#[derive(Debug, Parser)]
#[command(name = "tether", version, about, long_about = None, after_help = tether::model::SCRIPTED_GRAMMAR)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once at start; boxing buys nothing
enum Command {
    /// Serve Letta Code's v2 WebSocket protocol and the web UI on one port.
    #[command(after_help = tether::model::SCRIPTED_GRAMMAR)]
    AppServer(AppServerArgs),
    /// Check the data dir, store, model configuration and tools; say what to fix.
    Doctor(DoctorArgs),
    /// Print a new one-time pairing link and QR code from the running server.
    Pair(lan_cli::PairArgs),
    /// List paired devices, or revoke one (`tether devices revoke ID`).
    Devices(lan_cli::DevicesArgs),
    /// Direct mode: dial out to your controller's WebSocket and serve it, staying connected.
    Remote(RemoteArgs),
}

#[derive(Debug, Args)]
struct DoctorArgs {
    /// The data dir to check [default: $TETHER_HOME or ~/.tether].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The default model handle to check.
    #[arg(long, env = "TETHER_MODEL")]
    model: Option<String>,
    /// Directory of the built web UI.
    #[arg(long, env = "TETHER_WEB_DIST")]
    web_dist: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct AppServerArgs {
    /// Address to listen on, as ws://HOST:PORT or wss://HOST:PORT (TLS; port 0 picks a
    /// free one) [default: ws://127.0.0.1:0, or wss://0.0.0.0:8787 with --lan].
    #[arg(long)]
    listen: Option<String>,
    /// Bearer token clients must send (Authorization: Bearer <token>).
    #[arg(long, conflicts_with = "token_file", env = "TETHER_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// File holding the bearer token (first line).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Where tether keeps its store, token and logs [default: $TETHER_HOME or ~/.tether].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Default model handle for new agents (provider/model, or `scripted`).
    #[arg(long, env = "TETHER_MODEL")]
    model: Option<String>,
    /// Working directory for conversations that do not set one [default: current directory].
    #[arg(long)]
    cwd: Option<PathBuf>,
    /// Extra browser origin allowed to open the WebSocket (repeatable).
    #[arg(long = "allow-origin")]
    allow_origins: Vec<String>,
    /// Directory of the built web UI [default: web/dist next to the sources, if present].
    #[arg(long, env = "TETHER_WEB_DIST")]
    web_dist: Option<PathBuf>,
    #[command(flatten)]
    lan: lan_cli::LanArgs,
}

mod lan_cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::AppServer(args) => app_server(args),
        Command::Doctor(args) => doctor(args),
        Command::Pair(args) => lan_cli::pair(args),
        Command::Devices(args) => lan_cli::devices(args),
        Command::Remote(args) => remote(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("tether: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn doctor(args: DoctorArgs) -> anyhow::Result<()> {
    let data_dir = tether::config::resolve_data_dir(args.data_dir)?;
    let web_dist = tether::server::http::find_web_dist(args.web_dist);
    let checks = tether::doctor::run(&data_dir, args.model.as_deref(), web_dist.as_deref());
    for check in &checks {
        println!("{} {:<10} {}", if check.ok { "ok  " } else { "FAIL" }, check.name, check.detail);
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    if failed > 0 {
        anyhow::bail!("{failed} check(s) failed");
    }
    Ok(())
}

/// The token the flags name (`--token` wins over `--token-file`), if any.
fn token_source(token: Option<String>, token_file: Option<PathBuf>) -> Option<TokenSource> {
    match (token, token_file) {
        (Some(token), _) => Some(TokenSource::Given(token)),
        (None, Some(path)) => Some(TokenSource::File(path)),
        (None, None) => None,
    }
}

/// `--cwd`, or the directory tether was started in.
fn cwd_or_current(cwd: Option<PathBuf>) -> std::io::Result<PathBuf> {
    match cwd {
        Some(cwd) => Ok(cwd),
        None => std::env::current_dir(),
    }
}

fn app_server(args: AppServerArgs) -> anyhow::Result<()> {
    let token = token_source(args.token, args.token_file).unwrap_or(TokenSource::Generate);
    let (listen, lan, limits) = lan_cli::server_options(args.listen.as_deref(), &args.lan)?;
    let config = ServerConfig {
        listen,
        token,
        data_dir: tether::config::resolve_data_dir(args.data_dir)?,
        model: args.model,
        cwd: cwd_or_current(args.cwd)?,
        allowed_origins: args.allow_origins,
        web_dist: args.web_dist,
        lan,
        limits,
    };
    tether::server::run_blocking(config)
}

#[derive(Debug, Args)]
struct RemoteArgs {
    /// The controller's WebSocket (ws[s]://HOST:PORT/PATH), or an http[s]:// environments
    /// service base URL to register with (POST /v1/environments/register).
    #[arg(long)]
    url: String,
    /// How the controller lists this environment [default: remembered, asked on the first
    /// interactive run, else the host name].
    #[arg(long)]
    env_name: Option<String>,
    /// Bearer token sent to the controller (Authorization: Bearer <token>).
    #[arg(long, conflicts_with = "token_file", env = "TETHER_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// File holding the bearer token (first line).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Default model handle for new agents (provider/model, or `scripted`).
    #[arg(long, env = "TETHER_MODEL")]
    model: Option<String>,
    /// Working directory for conversations that do not set one [default: current directory].
    #[arg(long)]
    cwd: Option<PathBuf>,
    /// Where tether keeps its store, device id and logs [default: $TETHER_HOME or ~/.tether].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Keep reconnecting however long the controller is away (default: give up after 5 minutes).
    #[arg(long)]
    forever: bool,
    /// Directory for transport logs [default: <data>/logs/remote].
    #[arg(long)]
    log_dir: Option<PathBuf>,
    /// PEM file of certificates to trust for wss:// (and https://) besides the system's:
    /// a private CA, or the controller's self-signed certificate.
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// Outage budget in seconds before giving up (tests; the default is 300).
    #[arg(long, hide = true, env = "TETHER_REMOTE_BUDGET_SECS", default_value_t = 300)]
    retry_budget_secs: u64,
}

fn remote(args: RemoteArgs) -> anyhow::Result<()> {
    let token = token_source(args.token, args.token_file);
    let config = tether::remote::RemoteConfig {
        url: args.url,
        env_name: args.env_name,
        token,
        data_dir: tether::config::resolve_data_dir(args.data_dir)?,
        model: args.model,
        cwd: cwd_or_current(args.cwd)?,
        forever: args.forever,
        log_dir: args.log_dir,
        ca_file: args.ca_file,
        budget: std::time::Duration::from_secs(args.retry_budget_secs),
    };
    match tether::remote::run_blocking(config) {
        Ok(()) => Ok(()),
        Err(err) => {
            // A refused credential has its own status, so service managers stop restarting.
            eprintln!("tether: {err}");
            std::process::exit(i32::from(err.exit_code()));
        }
    }
}
