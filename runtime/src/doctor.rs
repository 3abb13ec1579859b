//! `tether doctor`: checks what tether needs on this machine and says what to fix.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::model::{self, ProviderEnv};
use crate::store::Store;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// Whether it is fine.
    pub ok: bool,
    /// What was found, or what to do.
    pub detail: String,
}

fn check(name: &str, ok: bool, detail: impl Into<String>) -> Check {
    Check { name: name.to_owned(), ok, detail: detail.into() }
}

/// Runs every check against a data dir and an optional default model.
pub fn run(data_dir: &Path, default_model: Option<&str>, web_dist: Option<&Path>) -> Vec<Check> {
    let default_model = default_model.filter(|m| !m.trim().is_empty());
    let mut checks = Vec::new();
    let mode = std::fs::metadata(data_dir).map(|m| m.permissions().mode() & 0o777);
    checks.push(match mode {
        Ok(0o700) => check("data dir", true, format!("{} (private)", data_dir.display())),
        Ok(mode) => check("data dir", false, format!("{} has mode {mode:o}: run chmod 700 on it", data_dir.display())),
        Err(err) => check("data dir", false, format!("{}: {err}", data_dir.display())),
    });
    checks.push(match Store::open_in(data_dir) {
        Ok(store) => match store.list_agents(1_000_000) {
            Ok(agents) => check("store", true, format!("tether.db opens; {} agent(s)", agents.len())),
            Err(err) => check("store", false, err.to_string()),
        },
        Err(err) => check("store", false, err.to_string()),
    });
    let token = data_dir.join("token");
    if let Ok(meta) = std::fs::metadata(&token) {
        let mode = meta.permissions().mode() & 0o777;
        checks.push(check("token file", mode == 0o600, format!("{} mode {mode:o}", token.display())));
    }
    let env = ProviderEnv::from_env();
    let handle = default_model.map(str::to_owned).unwrap_or_else(|| model::default_handle(&env));
    checks.push(match model::resolve(&handle, &env) {
        Ok(_) if default_model.is_none() => {
            check("model", true, "no --model/TETHER_MODEL: new agents use the scripted demo model")
        }
        Ok(_) => check("model", true, format!("{handle} is configured")),
        Err(err) => check("model", false, err.to_string()),
    });
    checks.push(match web_dist {
        Some(dist) if dist.join("index.html").is_file() => check("web UI", true, format!("{}", dist.display())),
        _ => check("web UI", false, "not built: run scripts/build-web.sh (the protocol still works without it)"),
    });
    let git = std::process::Command::new("git").arg("--version").output();
    checks.push(match git {
        Ok(out) if out.status.success() => check("git", true, String::from_utf8_lossy(&out.stdout).trim().to_owned()),
        _ => check("git", false, "git not found: branch names will not show in device status"),
    });
    let shell = std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".to_owned());
    checks.push(check("shell", Path::new(&shell).exists(), format!("Bash tool runs {shell} -c")));
    checks
}
