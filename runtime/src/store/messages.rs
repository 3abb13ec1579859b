//! The transcript: every message the model saw or said, in order.

use rusqlite::params;
use serde_json::Value;

use super::{new_id, now_rfc3339, Store, StoreError};

/// One transcript entry; `body` is the provider-neutral message as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRecord {
    /// Order within the whole store (monotonic).
    pub seq: i64,
    /// `message-<uuid>`.
    pub id: String,
    /// Owning conversation.
    pub conversation_id: String,
    /// The run (`run_id` of its deltas) that produced it.
    pub turn_id: Option<String>,
    /// `user`, `assistant`, `tool`, `system`.
    pub role: String,
    /// The message itself.
    pub body: Value,
    /// RFC 3339.
    pub created_at: String,
}

impl Store {
    /// Appends a message to a conversation's transcript, under `id` when given (the id
    /// its deltas were streamed with, so history and live views agree), else a fresh one.
    pub fn append_message(
        &self,
        conversation_id: &str,
        turn_id: Option<&str>,
        role: &str,
        body: &Value,
        id: Option<&str>,
    ) -> Result<MessageRecord, StoreError> {
        let id = id.map(str::to_owned).unwrap_or_else(|| new_id("message"));
        let created_at = now_rfc3339();
        let conn = self.lock()?;
        conn.execute(
            "INSERT INTO messages (id, conversation_id, turn_id, role, body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, conversation_id, turn_id, role, body.to_string(), created_at],
        )?;
        Ok(MessageRecord {
            seq: conn.last_insert_rowid(),
            id,
            conversation_id: conversation_id.to_owned(),
            turn_id: turn_id.map(str::to_owned),
            role: role.to_owned(),
            body: body.clone(),
            created_at,
        })
    }

    /// A conversation's whole transcript, oldest first.
    pub fn transcript(&self, conversation_id: &str) -> Result<Vec<MessageRecord>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare(
            "SELECT seq, id, conversation_id, turn_id, role, body, created_at FROM messages
             WHERE conversation_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([conversation_id], |row| {
                Ok((
                    MessageRecord {
                        seq: row.get(0)?,
                        id: row.get(1)?,
                        conversation_id: row.get(2)?,
                        turn_id: row.get(3)?,
                        role: row.get(4)?,
                        body: Value::Null,
                        created_at: row.get(6)?,
                    },
                    row.get::<_, String>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(mut record, body)| {
                record.body = serde_json::from_str(&body)?;
                Ok(record)
            })
            .collect()
    }
}
