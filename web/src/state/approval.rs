//! A pending tool approval (`control_request` with `can_use_tool`), read leniently from the
//! wire, and the `input` frame that answers it.

use serde_json::{Value, json};

/// One line of a diff hunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    /// `context`, `add` or `remove`, as on the wire.
    pub kind: String,
    /// The line's text, without a newline.
    pub content: String,
}

/// A hunk of an advanced diff preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// First line in the old file.
    pub old_start: u64,
    /// First line in the new file.
    pub new_start: u64,
    /// The hunk's lines.
    pub lines: Vec<DiffLine>,
}

/// What a Write/Edit would change in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diff {
    /// A real diff.
    Hunks {
        /// The file it touches.
        file_name: String,
        /// Its hunks.
        hunks: Vec<Hunk>,
    },
    /// No diff could be shown (`fallback` / `unpreviewable`), and why.
    NoPreview {
        /// The file it touches.
        file_name: String,
        /// Why there is no preview.
        reason: String,
    },
}

/// A permission rule the user may accept along with the approval ("Always allow …").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// Sent back in `selected_permission_suggestion_ids`.
    pub id: String,
    /// What the rule allows, for people.
    pub text: String,
}

/// A tool call waiting for the user's decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    /// The control request's id (answered in `payload.request_id`).
    pub request_id: String,
    /// The tool that wants to run.
    pub tool_name: String,
    /// Its arguments.
    pub input: Value,
    /// The tool call it belongs to (the tool card in the transcript).
    pub tool_call_id: String,
    /// Rules the user may accept permanently.
    pub suggestions: Vec<Suggestion>,
    /// A path outside the allowed roots the call touches, if any.
    pub blocked_path: Option<String>,
    /// Previews of file changes.
    pub diffs: Vec<Diff>,
}

/// The user's answer to an approval.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Run the tool, maybe with edited arguments and accepted rules.
    Allow {
        /// Replacement arguments (from "Edit").
        updated_input: Option<Value>,
        /// Accepted permission suggestions.
        suggestion_ids: Vec<String>,
    },
    /// Do not run it; the reason goes to the model.
    Deny {
        /// Why (may be empty).
        message: String,
    },
}

fn text(value: &Value, key: &str) -> String {
    value.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

impl Approval {
    /// Reads a `control_request` frame (or a `pending_control_requests` entry); `None`
    /// when it is not a `can_use_tool` request.
    pub fn from_wire(frame: &Value) -> Option<Approval> {
        let request = frame.get("request")?;
        if request.get("subtype").and_then(Value::as_str) != Some("can_use_tool") {
            return None;
        }
        let suggestions = request
            .get("permission_suggestions")
            .and_then(Value::as_array)
            .map(|list| list.iter().map(|s| Suggestion { id: text(s, "id"), text: text(s, "text") }).collect())
            .unwrap_or_default();
        let diffs = request
            .get("diffs")
            .and_then(Value::as_array)
            .map(|list| list.iter().map(diff_from_wire).collect())
            .unwrap_or_default();
        Some(Approval {
            request_id: frame.get("request_id")?.as_str()?.to_owned(),
            tool_name: text(request, "tool_name"),
            input: request.get("input").cloned().unwrap_or(Value::Null),
            tool_call_id: text(request, "tool_call_id"),
            suggestions,
            blocked_path: request.get("blocked_path").and_then(Value::as_str).map(str::to_owned),
            diffs,
        })
    }

    /// One line saying what the tool wants to do, e.g. "Write /w/hello.txt".
    pub fn summary(&self) -> String {
        let target = ["command", "file_path", "path", "pattern"]
            .iter()
            .find_map(|key| self.input.get(*key).and_then(Value::as_str));
        match target {
            Some(target) => format!("{} {}", self.tool_name, target),
            None => self.tool_name.clone(),
        }
    }

    /// The `input` frame answering this approval for `runtime` (`{agent_id, conversation_id}`).
    pub fn answer(&self, runtime: &Value, decision: &Decision) -> Value {
        let decision = match decision {
            Decision::Allow { updated_input, suggestion_ids } => {
                let mut allow = json!({"behavior": "allow"});
                if let Some(input) = updated_input {
                    allow["updated_input"] = input.clone();
                }
                if !suggestion_ids.is_empty() {
                    allow["selected_permission_suggestion_ids"] = json!(suggestion_ids);
                }
                allow
            }
            Decision::Deny { message } => json!({"behavior": "deny", "message": message}),
        };
        json!({
            "type": "input",
            "request_id": self.request_id,
            "runtime": runtime,
            "payload": {"kind": "approval_response", "request_id": self.request_id, "decision": decision},
        })
    }
}

fn diff_from_wire(diff: &Value) -> Diff {
    let file_name = text(diff, "fileName");
    if diff.get("mode").and_then(Value::as_str) != Some("advanced") {
        return Diff::NoPreview { file_name, reason: text(diff, "reason") };
    }
    let hunks = diff
        .get("hunks")
        .and_then(Value::as_array)
        .map(|hunks| {
            hunks
                .iter()
                .map(|h| Hunk {
                    old_start: h.get("oldStart").and_then(Value::as_u64).unwrap_or(0),
                    new_start: h.get("newStart").and_then(Value::as_u64).unwrap_or(0),
                    lines: h
                        .get("lines")
                        .and_then(Value::as_array)
                        .map(|lines| {
                            lines.iter().map(|l| DiffLine { kind: text(l, "type"), content: text(l, "content") }).collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Diff::Hunks { file_name, hunks }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_request() -> Value {
        json!({
            "type": "control_request",
            "request_id": "perm-1",
            "request": {
                "subtype": "can_use_tool",
                "tool_name": "Write",
                "input": {"file_path": "/w/hello.txt", "content": "hi\n"},
                "tool_call_id": "call-1",
                "permission_suggestions": [{"id": "s1", "text": "Always allow Write in /w"}],
                "blocked_path": null,
                "diffs": [
                    {"mode": "advanced", "fileName": "/w/hello.txt", "hunks": [
                        {"oldStart": 0, "oldLines": 0, "newStart": 1, "newLines": 1,
                         "lines": [{"type": "add", "content": "hi"}]}]},
                    {"mode": "unpreviewable", "fileName": "/w/big.bin", "reason": "binary"}
                ]
            }
        })
    }

    #[test]
    fn reads_a_can_use_tool_request() {
        let approval = Approval::from_wire(&write_request()).unwrap();
        assert_eq!(approval.summary(), "Write /w/hello.txt");
        assert_eq!(approval.suggestions, vec![Suggestion { id: "s1".into(), text: "Always allow Write in /w".into() }]);
        assert_eq!(
            approval.diffs,
            vec![
                Diff::Hunks {
                    file_name: "/w/hello.txt".into(),
                    hunks: vec![Hunk {
                        old_start: 0,
                        new_start: 1,
                        lines: vec![DiffLine { kind: "add".into(), content: "hi".into() }]
                    }]
                },
                Diff::NoPreview { file_name: "/w/big.bin".into(), reason: "binary".into() }
            ]
        );
    }

    #[test]
    fn answers_allow_with_edits_and_rules() {
        let approval = Approval::from_wire(&write_request()).unwrap();
        let runtime = json!({"agent_id": "a", "conversation_id": "c"});
        let frame = approval.answer(
            &runtime,
            &Decision::Allow { updated_input: Some(json!({"file_path": "/w/x"})), suggestion_ids: vec!["s1".into()] },
        );
        assert_eq!(
            frame,
            json!({"type": "input", "request_id": "perm-1", "runtime": runtime, "payload": {
                "kind": "approval_response", "request_id": "perm-1",
                "decision": {"behavior": "allow", "updated_input": {"file_path": "/w/x"},
                             "selected_permission_suggestion_ids": ["s1"]}}})
        );
    }

    #[test]
    fn answers_deny_with_a_reason() {
        let approval = Approval::from_wire(&write_request()).unwrap();
        let frame = approval.answer(&json!({}), &Decision::Deny { message: "not now".into() });
        assert_eq!(frame["payload"]["decision"], json!({"behavior": "deny", "message": "not now"}));
    }

    #[test]
    fn ignores_other_control_requests() {
        assert_eq!(Approval::from_wire(&json!({"request_id": "x", "request": {"subtype": "other"}})), None);
    }
}
