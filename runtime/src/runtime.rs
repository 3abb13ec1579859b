//! State shared by every connection of one runtime process.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::conversation::{ConnectionId, ConversationHandle, Registry};
use crate::external::ExternalTools;
use crate::server::framelog::FrameLog;
use crate::store::{ConversationRecord, Store, StoreError};

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
    /// The durable store.
    pub store: Store,
    /// Live conversation actors.
    pub conversations: Registry,
    /// Tools controllers registered, and their calls in flight.
    pub external: ExternalTools,
    /// Providers by handle, built once: a provider owns an HTTP client (TLS roots,
    /// connection pool) that is costly to build per turn.
    providers: std::sync::Mutex<std::collections::HashMap<String, Arc<dyn crate::model::Provider>>>,
    /// The transport log of this server session.
    pub framelog: FrameLog,
    /// Cancelled when the process is shutting down: connections close, turns stop.
    pub shutdown: tokio_util::sync::CancellationToken,
    next_connection: AtomicU64,
}

impl Runtime {
    /// Opens the store in `data_dir` and closes turns a previous process left running.
    pub fn open(data_dir: PathBuf, boot_cwd: PathBuf, default_model: Option<String>) -> Result<Arc<Self>, StoreError> {
        let log_dir = data_dir.join("logs").join("remote");
        Self::open_logging_to(data_dir, boot_cwd, default_model, &log_dir)
    }

    /// Like [`Runtime::open`], with the transport log in `log_dir` (`tether remote --log-dir`).
    pub fn open_logging_to(
        data_dir: PathBuf,
        boot_cwd: PathBuf,
        default_model: Option<String>,
        log_dir: &std::path::Path,
    ) -> Result<Arc<Self>, StoreError> {
        // `TETHER_MODEL=` (empty) means no default, not a model named "".
        let default_model = default_model.filter(|m| !m.trim().is_empty());
        let store = Store::open_in(&data_dir)?;
        let interrupted = store.close_interrupted_turns()?;
        store.clear_approvals()?;
        if !interrupted.is_empty() {
            tracing::warn!("{} turn(s) were interrupted by the last shutdown", interrupted.len());
        }
        let framelog = match FrameLog::open_dir(log_dir) {
            Ok((log, _path)) => log,
            Err(err) => {
                tracing::warn!("transport log disabled: cannot open it in {}: {err}", log_dir.display());
                FrameLog::disabled()
            }
        };
        Ok(Arc::new(Runtime {
            framelog,
            data_dir,
            boot_cwd,
            default_model,
            store,
            conversations: Registry::default(),
            external: ExternalTools::default(),
            providers: Default::default(),
            shutdown: tokio_util::sync::CancellationToken::new(),
            next_connection: AtomicU64::new(1),
        }))
    }

    /// Starts the actors of conversations with queued inputs, so they run after a restart.
    pub fn resume_queued(self: &Arc<Self>) -> Result<(), StoreError> {
        for id in self.store.conversations_with_queue()? {
            let version = self.store.agents_version();
            if let Some(record) = self.store.conversation(&id)? {
                self.conversations.handle(self, &record, version)?;
            }
        }
        Ok(())
    }

    /// The provider for a model handle (built on first use, then shared).
    pub fn provider(&self, handle: &str) -> Result<Arc<dyn crate::model::Provider>, crate::model::ModelError> {
        if let Some(provider) = self.providers.lock().ok().and_then(|p| p.get(handle).cloned()) {
            return Ok(provider);
        }
        let provider = crate::model::resolve(handle, &crate::model::ProviderEnv::from_env())?;
        if let Ok(mut providers) = self.providers.lock() {
            providers.insert(handle.to_owned(), provider.clone());
        }
        Ok(provider)
    }

    /// A fresh id for a new connection.
    pub fn next_connection_id(&self) -> ConnectionId {
        self.next_connection.fetch_add(1, Ordering::Relaxed)
    }

    /// The actor of a stored conversation.
    pub fn conversation(self: &Arc<Self>, record: &ConversationRecord) -> Result<ConversationHandle, StoreError> {
        self.conversations.handle(self, record, self.store.agents_version())
    }

    /// Names of the built-in tools a model can be offered (for device status).
    pub fn loaded_tool_names(&self) -> Vec<String> {
        crate::tools::BuiltinTool::ALL.iter().map(|t| t.name().to_owned()).collect()
    }
}
