//! Conversations: one transcript of one agent, with its own cwd, permission mode and model.

use rusqlite::{params, OptionalExtension, Row};

use super::{new_id, now_rfc3339, Store, StoreError};

/// A conversation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationRecord {
    /// `conv-<uuid>`.
    pub id: String,
    /// Owning agent.
    pub agent_id: String,
    /// Short title, if any.
    pub summary: Option<String>,
    /// Working directory override (absolute); `None` uses the runtime's.
    pub cwd: Option<String>,
    /// Permission mode (`standard`, `acceptEdits`, …); `None` is the default.
    pub mode: Option<String>,
    /// Model override (`update_model`); `None` uses the agent's.
    pub model: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// What creating a conversation needs.
#[derive(Debug, Clone, Default)]
pub struct NewConversation {
    /// Owning agent (must exist).
    pub agent_id: String,
    /// Short title.
    pub summary: Option<String>,
}

/// Settings a client may change; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct ConversationPatch {
    /// New title.
    pub summary: Option<String>,
    /// New working directory.
    pub cwd: Option<String>,
    /// New permission mode.
    pub mode: Option<String>,
    /// New model handle.
    pub model: Option<String>,
}

const COLUMNS: &str = "id, agent_id, summary, cwd, mode, model, created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<ConversationRecord> {
    Ok(ConversationRecord {
        id: row.get(0)?,
        agent_id: row.get(1)?,
        summary: row.get(2)?,
        cwd: row.get(3)?,
        mode: row.get(4)?,
        model: row.get(5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
    })
}

impl Store {
    /// Creates a conversation with a fresh id; fails if the agent does not exist.
    pub fn create_conversation(&self, new: NewConversation) -> Result<ConversationRecord, StoreError> {
        let now = now_rfc3339();
        let record = ConversationRecord {
            id: new_id("conv"),
            agent_id: new.agent_id,
            summary: new.summary,
            cwd: None,
            mode: None,
            model: None,
            created_at: now.clone(),
            updated_at: now,
        };
        self.lock()?
            .prepare_cached(&format!("INSERT INTO conversations ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"))?
            .execute(params![
                record.id,
                record.agent_id,
                record.summary,
                record.cwd,
                record.mode,
                record.model,
                record.created_at,
                record.updated_at
            ])?;
        Ok(record)
    }

    /// The conversation with this id, if any.
    pub fn conversation(&self, id: &str) -> Result<Option<ConversationRecord>, StoreError> {
        Ok(self
            .lock()?
            .prepare_cached(&format!("SELECT {COLUMNS} FROM conversations WHERE id = ?1"))?
                .query_row([id], from_row)
            .optional()?)
    }

    /// Conversations, newest first, optionally of one agent.
    pub fn list_conversations(&self, agent_id: Option<&str>, limit: usize) -> Result<Vec<ConversationRecord>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM conversations WHERE (?1 IS NULL OR agent_id = ?1)
             ORDER BY created_at DESC, id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![agent_id, limit as i64], from_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Applies a patch; `None` when there is no such conversation.
    pub fn update_conversation(&self, id: &str, patch: ConversationPatch) -> Result<Option<ConversationRecord>, StoreError> {
        let changed = self
            .lock()?
            .prepare_cached(
                "UPDATE conversations SET summary = COALESCE(?2, summary), cwd = COALESCE(?3, cwd),
                 mode = COALESCE(?4, mode), model = COALESCE(?5, model), updated_at = ?6 WHERE id = ?1",
            )?
            .execute(params![id, patch.summary, patch.cwd, patch.mode, patch.model, now_rfc3339()])?;
        if changed == 0 { Ok(None) } else { self.conversation(id) }
    }
}
