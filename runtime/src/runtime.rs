//! State shared by every connection of one runtime process.

use std::path::PathBuf;

/// tether's version, reported in `app_server_info` and device status.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The runtime every connection talks to.
#[derive(Debug)]
pub struct Runtime {
    /// The data dir (store, token, logs).
    pub data_dir: PathBuf,
    /// Working directory for conversations that set none.
    pub boot_cwd: PathBuf,
    /// Default model handle for agents created without one.
    pub default_model: Option<String>,
}
