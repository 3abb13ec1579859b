//! Turns: when each started and how it ended, so a crash mid-turn is reported, not lost.

use rusqlite::params;

use super::messages::{insert_messages, NewMessage};
use super::{now_rfc3339, Store, StoreError};

/// Why a turn that was running when tether stopped is reported as finished.
pub const INTERRUPTED_REASON: &str = "interrupted: tether stopped while this turn was running";

/// A turn as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnRecord {
    /// `turn-<uuid>`.
    pub id: String,
    /// Owning conversation.
    pub conversation_id: String,
    /// RFC 3339.
    pub started_at: String,
    /// `None` while running.
    pub finished_at: Option<String>,
    /// The wire `StopReasonType`, once finished.
    pub stop_reason: Option<String>,
}

impl Store {
    /// Starts a turn in one transaction: its inputs leave the queue, the turn is recorded
    /// and `messages` (repairs and the inputs as user messages) join the transcript, so a
    /// crash leaves each input either queued or in the transcript, never neither.
    pub fn start_turn(
        &self,
        conversation_id: &str,
        turn_id: &str,
        run_id: &str,
        dequeued: &[String],
        messages: &[NewMessage],
    ) -> Result<(), StoreError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        {
            let mut delete = tx.prepare_cached("DELETE FROM queue WHERE id = ?1")?;
            for id in dequeued {
                delete.execute([id])?;
            }
        }
        tx.prepare_cached("INSERT INTO turns (id, conversation_id, started_at) VALUES (?1, ?2, ?3)")?
            .execute(params![turn_id, conversation_id, now_rfc3339()])?;
        insert_messages(&tx, conversation_id, Some(run_id), messages)?;
        tx.commit()?;
        Ok(())
    }

    /// Records how a turn ended.
    pub fn finish_turn(&self, turn_id: &str, stop_reason: &str) -> Result<(), StoreError> {
        self.lock()?
            .prepare_cached("UPDATE turns SET finished_at = ?2, stop_reason = ?3 WHERE id = ?1")?
            .execute(params![turn_id, now_rfc3339(), stop_reason])?;
        Ok(())
    }

    /// At start-up: closes every turn a previous process left running, marking it
    /// unreported so the next `sync` of its conversation tells the client.
    pub fn close_interrupted_turns(&self) -> Result<Vec<TurnRecord>, StoreError> {
        let conn = self.lock()?;
        let mut stmt =
            conn.prepare_cached("SELECT id, conversation_id, started_at FROM turns WHERE finished_at IS NULL")?;
        let open = stmt
            .query_map([], |row| {
                Ok(TurnRecord {
                    id: row.get(0)?,
                    conversation_id: row.get(1)?,
                    started_at: row.get(2)?,
                    finished_at: None,
                    stop_reason: None,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        drop(stmt);
        conn.prepare_cached("UPDATE turns SET finished_at = ?1, stop_reason = 'error', reported = 0 WHERE finished_at IS NULL")?
            .execute([now_rfc3339()])?;
        Ok(open)
    }

    /// Interrupted turns of a conversation not yet reported to any client; marks them reported.
    pub fn take_unreported_turns(&self, conversation_id: &str) -> Result<Vec<TurnRecord>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, conversation_id, started_at, finished_at, stop_reason FROM turns
             WHERE conversation_id = ?1 AND reported = 0 ORDER BY started_at",
        )?;
        let turns = stmt
            .query_map([conversation_id], |row| {
                Ok(TurnRecord {
                    id: row.get(0)?,
                    conversation_id: row.get(1)?,
                    started_at: row.get(2)?,
                    finished_at: row.get(3)?,
                    stop_reason: row.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        drop(stmt);
        conn.prepare_cached("UPDATE turns SET reported = 1 WHERE conversation_id = ?1 AND reported = 0")?
            .execute([conversation_id])?;
        Ok(turns)
    }
}
