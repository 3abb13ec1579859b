//! Queued inputs: accepted but not yet started, kept so a crash loses none of them.

use rusqlite::{params, Row};
use serde_json::Value;

use super::{new_id, Store, StoreError};

/// One queued input.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRecord {
    /// `queue-<uuid>`; the id `remove_queue_item` names.
    pub id: String,
    /// Owning conversation.
    pub conversation_id: String,
    /// The sender's id for this message (echoed in queue transitions).
    pub client_message_id: String,
    /// `message`, `cron_prompt`, … (`QueueMessageKind`).
    pub kind: String,
    /// `user`, `cron`, … (`QueueMessageSource`).
    pub source: String,
    /// The message content (string or content parts).
    pub content: Value,
    /// Per-input options that shape the turn (tool allowlist, external scopes …).
    pub options: Value,
    /// RFC 3339.
    pub enqueued_at: String,
    /// Parked by an abort until `resume_queue` or a new input.
    pub paused: bool,
}

const COLUMNS: &str = "id, conversation_id, client_message_id, kind, source, content, options, enqueued_at, paused";

fn from_row(row: &Row<'_>) -> rusqlite::Result<(QueueRecord, String, String)> {
    Ok((
        QueueRecord {
            id: row.get(0)?,
            conversation_id: row.get(1)?,
            client_message_id: row.get(2)?,
            kind: row.get(3)?,
            source: row.get(4)?,
            content: Value::Null,
            options: Value::Null,
            enqueued_at: row.get(7)?,
            paused: row.get(8)?,
        },
        row.get(5)?,
        row.get(6)?,
    ))
}

impl Store {
    /// Appends an input to a conversation's queue; `record.id` is filled in if empty.
    pub fn enqueue(&self, mut record: QueueRecord) -> Result<QueueRecord, StoreError> {
        if record.id.is_empty() {
            record.id = new_id("queue");
        }
        self.lock()?
            .prepare_cached(&format!("INSERT INTO queue ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"))?
            .execute(params![
                record.id,
                record.conversation_id,
                record.client_message_id,
                record.kind,
                record.source,
                record.content.to_string(),
                record.options.to_string(),
                record.enqueued_at,
                record.paused
            ])?;
        Ok(record)
    }

    /// A conversation's queue, oldest first.
    pub fn queue(&self, conversation_id: &str) -> Result<Vec<QueueRecord>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM queue WHERE conversation_id = ?1 ORDER BY seq"))?;
        let rows = stmt.query_map([conversation_id], from_row)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(mut record, content, options)| {
                record.content = serde_json::from_str(&content)?;
                record.options = serde_json::from_str(&options)?;
                Ok(record)
            })
            .collect()
    }

    /// Removes queued items by id; how many were removed.
    pub fn dequeue(&self, ids: &[String]) -> Result<usize, StoreError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let mut removed = 0;
        for id in ids {
            removed += tx.prepare_cached("DELETE FROM queue WHERE id = ?1")?
            .execute([id])?;
        }
        tx.commit()?;
        Ok(removed)
    }

    /// Parks or releases every queued item of a conversation.
    pub fn set_queue_paused(&self, conversation_id: &str, paused: bool) -> Result<usize, StoreError> {
        Ok(self.lock()?
            .prepare_cached("UPDATE queue SET paused = ?2 WHERE conversation_id = ?1 AND paused != ?2")?
            .execute(params![conversation_id, paused])?)
    }

    /// Conversations that have queued inputs (to resume them after a restart).
    pub fn conversations_with_queue(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached("SELECT DISTINCT conversation_id FROM queue")?;
        let rows = stmt.query_map([], |row| row.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(rows)
    }
}
