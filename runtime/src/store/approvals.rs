//! Pending approvals: a question to a human that must outlive a disconnect or a restart.

use rusqlite::params;
use serde_json::Value;

use super::{now_rfc3339, Store, StoreError};

/// A `control_request` waiting for an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalRecord {
    /// The control request's `request_id`.
    pub request_id: String,
    /// Owning conversation.
    pub conversation_id: String,
    /// The turn that asked.
    pub turn_id: String,
    /// The tool call awaiting permission.
    pub tool_call_id: String,
    /// The `can_use_tool` body as sent.
    pub request: Value,
}

impl Store {
    /// Records a pending approval.
    pub fn save_approval(&self, record: &ApprovalRecord) -> Result<(), StoreError> {
        self.lock()?
            .prepare_cached(
                "INSERT OR REPLACE INTO approvals (request_id, conversation_id, turn_id, tool_call_id, request, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                record.request_id,
                record.conversation_id,
                record.turn_id,
                record.tool_call_id,
                record.request.to_string(),
                now_rfc3339()
            ])?;
        Ok(())
    }

    /// Forgets a settled approval.
    pub fn delete_approval(&self, request_id: &str) -> Result<(), StoreError> {
        self.lock()?.prepare_cached("DELETE FROM approvals WHERE request_id = ?1")?.execute([request_id])?;
        Ok(())
    }

    /// Forgets every pending approval (at start-up: their turns were interrupted, so
    /// nobody can answer them; the next turn tells the model the calls never ran).
    pub fn clear_approvals(&self) -> Result<usize, StoreError> {
        Ok(self.lock()?.prepare_cached("DELETE FROM approvals")?.execute([])?)
    }

    /// Approvals still pending in a conversation, oldest first.
    pub fn approvals(&self, conversation_id: &str) -> Result<Vec<ApprovalRecord>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(
            "SELECT request_id, conversation_id, turn_id, tool_call_id, request FROM approvals
             WHERE conversation_id = ?1 ORDER BY created_at, request_id",
        )?;
        let rows = stmt
            .query_map([conversation_id], |row| {
                Ok((
                    ApprovalRecord {
                        request_id: row.get(0)?,
                        conversation_id: row.get(1)?,
                        turn_id: row.get(2)?,
                        tool_call_id: row.get(3)?,
                        request: Value::Null,
                    },
                    row.get::<_, String>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(mut record, request)| {
                record.request = serde_json::from_str(&request)?;
                Ok(record)
            })
            .collect()
    }
}
