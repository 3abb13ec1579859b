//! Versioned schema migrations, applied in order; `PRAGMA user_version` records progress.

use rusqlite::Connection;

use super::StoreError;

/// Each entry upgrades the schema by one version; never edit a shipped entry, append one.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        model TEXT,
        system TEXT NOT NULL DEFAULT '',
        description TEXT,
        body TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        summary TEXT,
        cwd TEXT,
        mode TEXT,
        model TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX conversations_by_agent ON conversations(agent_id, created_at);
    CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        turn_id TEXT,
        role TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX messages_by_conversation ON messages(conversation_id, seq);
    CREATE TABLE queue (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        client_message_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        source TEXT NOT NULL,
        content TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        enqueued_at TEXT NOT NULL,
        paused INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX queue_by_conversation ON queue(conversation_id, seq);
    CREATE TABLE turns (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        stop_reason TEXT,
        reported INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX turns_unfinished ON turns(conversation_id) WHERE finished_at IS NULL;
    CREATE TABLE approvals (
        request_id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        turn_id TEXT NOT NULL,
        tool_call_id TEXT NOT NULL,
        request TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );",
    // 2: browser devices holding a session cookie (credential stored hashed).
    "CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        credential_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        revoked_at TEXT
    );",
];

/// Brings the schema to the newest version, one transaction per step.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > known {
        return Err(StoreError::TooNew { found, known });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
