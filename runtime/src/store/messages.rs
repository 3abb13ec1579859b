//! The transcript: every message the model saw or said, in order.

use rusqlite::params;
use serde_json::Value;

use super::{now_rfc3339, Store, StoreError};

/// A message about to join the transcript, already encoded.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    /// The id its deltas were streamed with (history and live views agree).
    pub id: String,
    /// `user`, `assistant`, `tool`, `system`.
    pub role: &'static str,
    /// The provider-neutral message as JSON text.
    pub body: String,
}

/// Inserts `new` inside the caller's transaction (so a step's writes commit together).
pub(super) fn insert_messages(
    conn: &rusqlite::Connection,
    conversation_id: &str,
    run_id: Option<&str>,
    new: &[NewMessage],
) -> Result<(), StoreError> {
    if new.is_empty() {
        return Ok(());
    }
    let created_at = now_rfc3339();
    let mut stmt = conn.prepare_cached(
        "INSERT INTO messages (id, conversation_id, turn_id, role, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for message in new {
        stmt.execute(params![message.id, conversation_id, run_id, message.role, message.body, created_at])?;
    }
    Ok(())
}

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
    /// Appends messages to a conversation's transcript in one transaction.
    pub fn append_messages(&self, conversation_id: &str, run_id: Option<&str>, new: &[NewMessage]) -> Result<(), StoreError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        insert_messages(&tx, conversation_id, run_id, new)?;
        tx.commit()?;
        Ok(())
    }

    /// A conversation's whole transcript, oldest first.
    pub fn transcript(&self, conversation_id: &str) -> Result<Vec<MessageRecord>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(
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

    /// A conversation's transcript as `(id, body JSON)`, oldest first: what the agent loop
    /// decodes straight into its messages, without an intermediate JSON value.
    pub fn transcript_bodies(&self, conversation_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached("SELECT id, body FROM messages WHERE conversation_id = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([conversation_id], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
