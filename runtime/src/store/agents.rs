//! Agents: a name, a default model, a system prompt, and the create body they came from.

use rusqlite::{params, OptionalExtension, Row};
use serde_json::Value;

use super::{new_id, now_rfc3339, Store, StoreError};

/// An agent as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRecord {
    /// `agent-<uuid>`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Model handle (`provider/model`); `None` uses the runtime default.
    pub model: Option<String>,
    /// System prompt.
    pub system: String,
    /// Free text shown in lists.
    pub description: Option<String>,
    /// The rest of the create body (memory blocks, tags …), kept so nothing is lost.
    pub body: Value,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// What creating an agent needs.
#[derive(Debug, Clone, Default)]
pub struct NewAgent {
    /// Display name.
    pub name: String,
    /// Model handle, if chosen.
    pub model: Option<String>,
    /// System prompt.
    pub system: String,
    /// Free text.
    pub description: Option<String>,
    /// The full create body as received.
    pub body: Value,
}

/// Fields an update may change; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct AgentPatch {
    /// New name.
    pub name: Option<String>,
    /// New model handle.
    pub model: Option<String>,
    /// New system prompt.
    pub system: Option<String>,
    /// New description.
    pub description: Option<String>,
}

const COLUMNS: &str = "id, name, model, system, description, body, created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<(AgentRecord, String)> {
    Ok((
        AgentRecord {
            id: row.get(0)?,
            name: row.get(1)?,
            model: row.get(2)?,
            system: row.get(3)?,
            description: row.get(4)?,
            body: Value::Null,
            created_at: row.get(6)?,
            updated_at: row.get(7)?,
        },
        row.get(5)?,
    ))
}

fn with_body((mut record, body): (AgentRecord, String)) -> Result<AgentRecord, StoreError> {
    record.body = serde_json::from_str(&body)?;
    Ok(record)
}

impl Store {
    /// Creates an agent with a fresh id.
    pub fn create_agent(&self, new: NewAgent) -> Result<AgentRecord, StoreError> {
        let now = now_rfc3339();
        let record = AgentRecord {
            id: new_id("agent"),
            name: new.name,
            model: new.model,
            system: new.system,
            description: new.description,
            body: if new.body.is_null() { Value::Object(Default::default()) } else { new.body },
            created_at: now.clone(),
            updated_at: now,
        };
        self.lock()?
            .prepare_cached(&format!("INSERT INTO agents ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"))?
            .execute(params![
                record.id,
                record.name,
                record.model,
                record.system,
                record.description,
                record.body.to_string(),
                record.created_at,
                record.updated_at
            ])?;
        Ok(record)
    }

    /// The agent with this id, if any.
    pub fn agent(&self, id: &str) -> Result<Option<AgentRecord>, StoreError> {
        let row = self
            .lock()?
            .prepare_cached(&format!("SELECT {COLUMNS} FROM agents WHERE id = ?1"))?.query_row([id], from_row)
            .optional()?;
        row.map(with_body).transpose()
    }

    /// Agents, newest first.
    pub fn list_agents(&self, limit: usize) -> Result<Vec<AgentRecord>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM agents ORDER BY created_at DESC, id LIMIT ?1"))?;
        let rows = stmt.query_map([limit as i64], from_row)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(with_body).collect()
    }

    /// Applies a patch; `None` when there is no such agent.
    pub fn update_agent(&self, id: &str, patch: AgentPatch) -> Result<Option<AgentRecord>, StoreError> {
        let changed = self
            .lock()?
            .prepare_cached(
                "UPDATE agents SET name = COALESCE(?2, name), model = COALESCE(?3, model),
                 system = COALESCE(?4, system), description = COALESCE(?5, description), updated_at = ?6
                 WHERE id = ?1",
            )?
            .execute(params![id, patch.name, patch.model, patch.system, patch.description, now_rfc3339()])?;
        self.agent_changed();
        if changed == 0 { Ok(None) } else { self.agent(id) }
    }

    /// Deletes an agent and (by cascade) its conversations; whether it existed.
    pub fn delete_agent(&self, id: &str) -> Result<bool, StoreError> {
        let deleted = self.lock()?.prepare_cached("DELETE FROM agents WHERE id = ?1")?.execute([id])? > 0;
        self.agent_changed();
        Ok(deleted)
    }
}
