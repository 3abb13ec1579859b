//! The `tether` command line: parses arguments and hands over to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tether::config::{ListenAddr, ServerConfig, TokenSource};

/// A coding agent on your machine that you steer from anywhere.
#[derive(Debug, Parser)]
#[command(name = "tether", version, about, long_about = None, after_help = tether::model::SCRIPTED_GRAMMAR)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve Letta Code's v2 WebSocket protocol and the web UI on one port.
    #[command(after_help = tether::model::SCRIPTED_GRAMMAR)]
    AppServer(AppServerArgs),
    /// Check the data dir, store, model configuration and tools; say what to fix.
    Doctor(DoctorArgs),
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
        Command::Doctor(args) => doctor(args),
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
