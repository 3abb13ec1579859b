//! The durable store: SQLite in WAL mode in the data dir.
//!
//! Everything a client has been told is accepted lives here before the acknowledgement
//! goes out: agents, conversations (with their cwd, permission mode and model), the
//! transcript the model sees, queued inputs, turns (to report crashes) and pending
//! approvals. WAL with `synchronous=NORMAL` survives `kill -9` of the process (the OS
//! keeps the written pages); only a power cut can lose the last transactions.

mod agents;
mod approvals;
mod checkpointer;
mod conversations;
mod devices;
mod messages;
mod queue;
mod schema;
mod turns;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

/// WAL pages past which a commit checkpoints by itself: only reached when the background
/// checkpointer falls behind (SQLite's default, 1,000, is hit every few dozen turns).
const FALLBACK_AUTOCHECKPOINT_PAGES: i64 = 10_000;

/// Prepared statements kept per connection: every statement the store runs (about 40)
/// stays compiled, so no call pays `sqlite3_prepare` again (rusqlite's default is 16).
const STATEMENT_CACHE: usize = 64;

pub use agents::{AgentPatch, AgentRecord, NewAgent};
pub use approvals::ApprovalRecord;
pub use conversations::{ConversationPatch, ConversationRecord, NewConversation};
pub use devices::DeviceRecord;
pub use messages::{MessageRecord, NewMessage};
pub use queue::QueueRecord;
pub use turns::{TurnRecord, INTERRUPTED_REASON};

/// What can go wrong reading or writing the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused (disk full, corrupt file, constraint …).
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A JSON column could not be read back.
    #[error("store: bad JSON in column: {0}")]
    Json(#[from] serde_json::Error),
    /// A thread panicked while holding the connection.
    #[error("store: connection lock poisoned")]
    Poisoned,
    /// The database was written by a newer tether.
    #[error("store: schema version {found} is newer than this tether understands ({known})")]
    TooNew {
        /// Version in the file.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
}

/// The one handle to the database; cheap calls, each its own transaction (statements
/// prepared once and cached).
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    /// Bumped on every change to an agent, so readers can cache what they derive from one.
    agents_version: AtomicU64,
    /// Folds the WAL back into the file off the command path (`None` in memory).
    _checkpointer: Option<checkpointer::Checkpointer>,
}

impl Store {
    /// Opens (creating if needed) `tether.db` in `dir` and brings its schema up to date.
    pub fn open_in(dir: &Path) -> Result<Self, StoreError> {
        Self::open(&dir.join("tether.db"))
    }

    /// Opens the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        #[cfg(unix)]
        restrict_permissions(path);
        let checkpointer = checkpointer::Checkpointer::start(path);
        if checkpointer.is_some() {
            conn.pragma_update(None, "wal_autocheckpoint", FALLBACK_AUTOCHECKPOINT_PAGES)?;
        }
        let store = Store { conn: Mutex::new(conn), agents_version: AtomicU64::new(0), _checkpointer: checkpointer };
        schema::migrate(&mut *store.lock()?)?;
        Ok(store)
    }

    /// An in-memory store for tests of code that needs one.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        schema::migrate(&mut conn)?;
        Ok(Store { conn: Mutex::new(conn), agents_version: AtomicU64::new(0), _checkpointer: None })
    }

    /// Changes whenever any agent is updated or deleted (a cache key, not a count).
    pub fn agents_version(&self) -> u64 {
        self.agents_version.load(Ordering::Acquire)
    }

    fn agent_changed(&self) {
        self.agents_version.fetch_add(1, Ordering::AcqRel);
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.conn.lock().map_err(|_| StoreError::Poisoned)
    }

    /// Flushes the WAL into the main file (on graceful shutdown).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.lock()?.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

/// Current time as RFC 3339 (UTC), the form every timestamp on the wire takes.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// A fresh id with a Letta-style prefix (`agent-…`, `conv-…`).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4())
}
