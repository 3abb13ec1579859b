//! The live status of the open conversation's runtime, folded from the snapshot frames
//! (`update_loop_status`, `update_device_status`, `update_queue`).

use serde_json::Value;

use super::approval::Approval;

/// Permission modes offered in the selector, as on the wire.
pub const PERMISSION_MODES: [&str; 4] = ["standard", "acceptEdits", "strict", "unrestricted"];

/// A message waiting in the runtime's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    /// Its id (what `remove_queue_item` names).
    pub id: String,
    /// Its text.
    pub text: String,
    /// Parked after an abort until "Resume".
    pub paused: bool,
}

/// Everything the header and controls show about the runtime.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Status {
    /// The loop's state (`WAITING_ON_INPUT` when idle).
    pub loop_status: String,
    /// The device says it is processing.
    pub processing: bool,
    /// The runtime is online.
    pub online: bool,
    /// Current permission mode.
    pub mode: String,
    /// Working directory.
    pub cwd: Option<String>,
    /// Git branch of the working directory.
    pub branch: Option<String>,
    /// The queue.
    pub queue: Vec<QueueItem>,
    /// Approvals still pending according to the last device status.
    pub pending: Option<Vec<Approval>>,
}

impl Status {
    /// Whether a turn runs (the "Stop" button shows).
    pub fn busy(&self) -> bool {
        self.processing || (!self.loop_status.is_empty() && self.loop_status != "WAITING_ON_INPUT")
    }

    /// Whether any queued item is parked (the "Resume" button shows).
    pub fn paused(&self) -> bool {
        self.queue.iter().any(|item| item.paused)
    }

    /// Folds one snapshot frame in; returns whether it was one.
    pub fn apply(&mut self, frame: &Value) -> bool {
        match frame.get("type").and_then(Value::as_str) {
            Some("update_loop_status") => {
                self.loop_status = frame
                    .pointer("/loop_status/status")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                true
            }
            Some("update_device_status") => {
                let Some(device) = frame.get("device_status") else { return false };
                self.processing = device.get("is_processing").and_then(Value::as_bool).unwrap_or(false);
                self.online = device.get("is_online").and_then(Value::as_bool).unwrap_or(false);
                self.mode = device
                    .get("current_permission_mode")
                    .and_then(Value::as_str)
                    .unwrap_or("standard")
                    .to_owned();
                self.cwd = device.get("current_working_directory").and_then(Value::as_str).map(str::to_owned);
                self.branch = device.pointer("/git_context/branch").and_then(Value::as_str).map(str::to_owned);
                self.pending = device
                    .get("pending_control_requests")
                    .and_then(Value::as_array)
                    .map(|list| list.iter().filter_map(Approval::from_wire).collect());
                true
            }
            Some("update_queue") => {
                self.queue = frame
                    .get("queue")
                    .and_then(Value::as_array)
                    .map(|items| items.iter().map(queue_item).collect())
                    .unwrap_or_default();
                true
            }
            _ => false,
        }
    }
}

fn queue_item(item: &Value) -> QueueItem {
    let text = match item.get("content") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(parts)) => {
            parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join("")
        }
        _ => String::new(),
    };
    QueueItem {
        id: item.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
        text,
        paused: item.get("paused").and_then(Value::as_bool).unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn folds_snapshots() {
        let mut status = Status::default();
        assert!(!status.busy());
        status.apply(&json!({"type": "update_loop_status", "loop_status": {"status": "PROCESSING_API_RESPONSE"}}));
        assert!(status.busy());
        status.apply(&json!({"type": "update_device_status", "device_status": {
            "is_online": true, "is_processing": false, "current_permission_mode": "acceptEdits",
            "current_working_directory": "/w", "git_context": {"branch": "main"},
            "pending_control_requests": [{"request_id": "p1", "request": {"subtype": "can_use_tool",
                "tool_name": "Bash", "input": {"command": "ls"}, "tool_call_id": "c1", "permission_suggestions": []}}]}}));
        status.apply(&json!({"type": "update_loop_status", "loop_status": {"status": "WAITING_ON_INPUT"}}));
        assert!(!status.busy());
        assert_eq!((status.mode.as_str(), status.cwd.as_deref(), status.branch.as_deref()), ("acceptEdits", Some("/w"), Some("main")));
        assert_eq!(status.pending.as_ref().map(|p| p[0].summary()), Some("Bash ls".into()));
        status.apply(&json!({"type": "update_queue", "queue": [
            {"id": "q1", "content": "later", "paused": true}, {"id": "q2", "content": [{"type": "text", "text": "two"}]}]}));
        assert_eq!(
            status.queue,
            vec![
                QueueItem { id: "q1".into(), text: "later".into(), paused: true },
                QueueItem { id: "q2".into(), text: "two".into(), paused: false }
            ]
        );
        assert!(status.paused());
    }
}
