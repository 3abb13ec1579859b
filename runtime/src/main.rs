//! The `tether` command line: parses arguments and hands over to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tether::config::{ListenAddr, ServerConfig, TokenSource};

/// A coding agent on your machine that you steer from anywhere.
#[derive(Debug, Parser)]
#[command(name = "tether", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve Letta Code's v2 WebSocket protocol and the web UI on one port.
    AppServer(AppServerArgs),
    /// Direct mode: dial out to your controller's WebSocket and serve it, staying connected.
    Remote(RemoteArgs),
}

#[derive(Debug, Args)]
struct AppServerArgs {
    /// Address to listen on, as ws://HOST:PORT (port 0 picks a free one).
    #[arg(long, default_value = "ws://127.0.0.1:0")]
    listen: String,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::AppServer(args) => app_server(args),
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

fn app_server(args: AppServerArgs) -> anyhow::Result<()> {
    let token = match (args.token, args.token_file) {
        (Some(token), _) => TokenSource::Given(token),
        (None, Some(path)) => TokenSource::File(path),
        (None, None) => TokenSource::Generate,
    };
    let config = ServerConfig {
        listen: ListenAddr::parse(&args.listen)?,
        token,
        data_dir: tether::config::resolve_data_dir(args.data_dir)?,
        model: args.model,
        cwd: match args.cwd {
            Some(cwd) => cwd,
            None => std::env::current_dir()?,
        },
        allowed_origins: args.allow_origins,
        web_dist: args.web_dist,
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
    let token = match (args.token, args.token_file) {
        (Some(token), _) => Some(TokenSource::Given(token)),
        (None, Some(path)) => Some(TokenSource::File(path)),
        (None, None) => None,
    };
    let config = tether::remote::RemoteConfig {
        url: args.url,
        env_name: args.env_name,
        token,
        data_dir: tether::config::resolve_data_dir(args.data_dir)?,
        model: args.model,
        cwd: match args.cwd {
            Some(cwd) => cwd,
            None => std::env::current_dir()?,
        },
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
