//! Who this environment is to the controller: a stable device id and a human name, both
//! kept in the data dir so a restarted runtime is recognised as the same environment.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use crate::config::{write_private_file, ConfigError};

/// File in the data dir holding the device id (created once).
pub const DEVICE_ID_FILE: &str = "device-id";

/// File in the data dir holding the environment name chosen at the first interactive run.
pub const ENV_NAME_FILE: &str = "env-name";

/// Name used when the host has none we can read.
const FALLBACK_NAME: &str = "tether";

/// The environment as the controller sees it (`deviceId`, `connectionName`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Stable across restarts: `<data>/device-id`.
    pub device_id: String,
    /// `--env-name`, else the remembered name, else the host name.
    pub env_name: String,
}

impl Identity {
    /// Resolves both; asks for the name on the first run when stdin is a terminal.
    pub fn resolve(data_dir: &Path, given_name: Option<String>) -> Result<Self, ConfigError> {
        let interactive = std::io::stdin().is_terminal();
        Ok(Self {
            device_id: device_id(data_dir)?,
            env_name: env_name(data_dir, given_name, interactive.then_some(ask_name))?,
        })
    }
}

/// The device id in `<data>/device-id`, created (a random UUID) the first time.
pub fn device_id(data_dir: &Path) -> Result<String, ConfigError> {
    let path = data_dir.join(DEVICE_ID_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let id = text.trim();
        if !id.is_empty() {
            return Ok(id.to_owned());
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    write_private_file(&path, format!("{id}\n").as_bytes())?;
    Ok(id)
}

/// The environment name: the given one; else the one remembered in `<data>/env-name`;
/// else, when `ask` is set (an interactive first run), what the user answers (remembered);
/// else the host name.
pub fn env_name(
    data_dir: &Path,
    given: Option<String>,
    ask: Option<fn(&str) -> Option<String>>,
) -> Result<String, ConfigError> {
    if let Some(name) = given.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()) {
        return Ok(name);
    }
    let path = data_dir.join(ENV_NAME_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let name = text.trim();
        if !name.is_empty() {
            return Ok(name.to_owned());
        }
    }
    let default = hostname();
    let Some(ask) = ask else { return Ok(default) };
    let name = ask(&default).map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).unwrap_or(default);
    write_private_file(&path, format!("{name}\n").as_bytes())?;
    Ok(name)
}

/// This machine's host name, or `tether` if none can be read.
pub fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .map(|text| text.trim().to_owned())
        .find(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|n| !n.trim().is_empty()))
        .unwrap_or_else(|| FALLBACK_NAME.to_owned())
}

fn ask_name(default: &str) -> Option<String> {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "Name this environment (how the controller lists it) [{default}]: ");
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).ok()?;
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_device_id_is_created_once_and_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let first = device_id(dir.path()).expect("id");
        assert_eq!(first.len(), 36);
        assert_eq!(device_id(dir.path()).expect("id"), first);
    }

    #[test]
    fn the_name_is_given_else_remembered_else_asked_once_else_the_host_name() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(env_name(dir.path(), None, None).expect("name"), hostname());
        assert!(!dir.path().join(ENV_NAME_FILE).exists(), "a non-interactive run remembers nothing");
        let asked = env_name(dir.path(), None, Some(|_| Some("laptop\n".to_owned()))).expect("name");
        assert_eq!(asked, "laptop");
        let again = env_name(dir.path(), None, Some(|_| panic!("asked twice"))).expect("name");
        assert_eq!(again, "laptop");
        assert_eq!(env_name(dir.path(), Some("ci-box".to_owned()), None).expect("name"), "ci-box");
    }

    #[test]
    fn an_empty_answer_takes_the_default() {
        let dir = tempfile::tempdir().expect("dir");
        let name = env_name(dir.path(), None, Some(|_| Some("\n".to_owned()))).expect("name");
        assert_eq!(name, hostname());
    }
}
