//! The transcript of one conversation as plain data, and the reducer that applies stream
//! deltas and history pages to it. Every change reports which entries it touched, so the
//! view re-renders only those rows (a streaming chunk touches one entry, never the list).

use std::collections::HashMap;

use serde_json::Value;

/// Where a tool call is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolState {
    /// Called, not finished (maybe waiting for approval).
    Running,
    /// Returned successfully.
    Done,
    /// Returned an error.
    Error,
    /// The user (or a rule) refused it.
    Denied,
}

impl ToolState {
    /// The label shown on the card (also its CSS modifier).
    pub fn label(self) -> &'static str {
        match self {
            ToolState::Running => "running",
            ToolState::Done => "done",
            ToolState::Error => "error",
            ToolState::Denied => "denied",
        }
    }
}

/// A tool call card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCard {
    /// The call's id, which its return and live output refer to.
    pub tool_call_id: String,
    /// The tool's name.
    pub name: String,
    /// Its arguments as the model wrote them (JSON text).
    pub arguments: String,
    /// Live output while it runs.
    pub output: String,
    /// Its result, once returned.
    pub result: Option<String>,
    /// Where it is.
    pub state: ToolState,
}

/// One row of the transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Something a user sent (from any device).
    User(String),
    /// The agent's answer (Markdown).
    Assistant(String),
    /// The agent's reasoning (shown collapsed).
    Reasoning(String),
    /// A tool call.
    Tool(ToolCard),
    /// An error, retry or "stopped" notice, where it happened.
    Notice {
        /// `error`, `retry` or `info`.
        level: &'static str,
        /// What happened.
        text: String,
    },
}

/// What an update changed, so the view can touch only those rows.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Change {
    /// Entries added or changed.
    pub touched: Vec<String>,
    /// Whether the order of rows changed (new rows).
    pub order_changed: bool,
}

/// One conversation's transcript.
#[derive(Debug, Default, Clone)]
pub struct Transcript {
    order: Vec<String>,
    entries: HashMap<String, Entry>,
    /// The row of each tool call id (ids repeat across turns with some models).
    tool_keys: HashMap<String, String>,
    last_seq: Option<u64>,
    /// Turns stopped so far (keys their notices, which have no id on the wire).
    stops: u32,
}

/// Text of a Letta `content` (a string or a list of `{type:"text", text}` parts).
fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(parts)) => {
            parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join("")
        }
        _ => String::new(),
    }
}

fn str_of<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// How an incoming message meets an existing entry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A streaming chunk: append to what is there.
    Append,
    /// A whole message from history: replace.
    Replace,
}

impl Transcript {
    /// An empty transcript.
    pub fn new() -> Self {
        Self::default()
    }

    /// Row keys in display order.
    pub fn order(&self) -> &[String] {
        &self.order
    }

    /// One row.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Applies a `stream_delta` frame. Frames at or below the last seen `event_seq` are
    /// replays (after a reconnect and sync) and are dropped.
    pub fn apply_frame(&mut self, frame: &Value) -> Change {
        if let Some(seq) = frame.get("event_seq").and_then(Value::as_u64) {
            if self.last_seq.is_some_and(|last| seq <= last) {
                return Change::default();
            }
            self.last_seq = Some(seq);
        }
        match frame.get("delta") {
            Some(delta) => self.apply_message(delta, Mode::Append),
            None => Change::default(),
        }
    }

    /// Replaces the rows with a history page (`conversation_messages_list_response.messages`,
    /// oldest first). History is the truth: the runtime gives stored messages other ids than
    /// their live stream, so merging by id would duplicate them. Rows streamed after this
    /// call append as usual; replays of older frames are still dropped by `event_seq`.
    pub fn load_history(&mut self, messages: &[Value]) -> Change {
        let old_order = std::mem::take(&mut self.order);
        self.entries.clear();
        self.tool_keys.clear();
        let mut change = Change::default();
        for message in messages {
            change.touched.extend(self.apply_message(message, Mode::Replace).touched);
        }
        change.order_changed = old_order != self.order;
        change
    }

    fn apply_message(&mut self, message: &Value, mode: Mode) -> Change {
        let id = str_of(message, "id").unwrap_or_default();
        match str_of(message, "message_type").unwrap_or_default() {
            "user_message" => {
                let text = content_text(message.get("content"));
                self.upsert_text(format!("user:{id}"), text, mode, Entry::User)
            }
            "assistant_message" => {
                let text = content_text(message.get("content"));
                self.upsert_text(format!("assistant:{id}"), text, mode, Entry::Assistant)
            }
            "reasoning_message" => {
                let text = str_of(message, "reasoning").unwrap_or_default().to_owned();
                self.upsert_text(format!("reasoning:{id}"), text, mode, Entry::Reasoning)
            }
            "tool_call_message" => self.tool_call(message, mode),
            // Repeats the whole call once its arguments are complete.
            "approval_request_message" => self.tool_call(message, Mode::Replace),
            "client_tool_start" => {
                let call = str_of(message, "tool_call_id").unwrap_or_default();
                let args = str_of(message, "tool_args").unwrap_or_default();
                self.update_tool(call, |card| {
                    if card.arguments.is_empty() {
                        card.arguments = args.to_owned();
                    }
                })
            }
            "tool_return_message" => self.tool_return(message),
            "client_tool_output" => {
                let call = str_of(message, "tool_call_id").unwrap_or_default();
                let output = str_of(message, "output").unwrap_or_default();
                self.update_tool(call, |card| card.output.push_str(output))
            }
            "client_tool_end" => {
                let call = str_of(message, "tool_call_id").unwrap_or_default();
                let state = tool_state(str_of(message, "status"));
                self.update_tool(call, |card| {
                    if card.state == ToolState::Running {
                        card.state = state;
                    }
                })
            }
            "loop_error" | "error_message" => {
                let text = str_of(message, "message")
                    .or_else(|| str_of(message, "error"))
                    .map(str::to_owned)
                    .unwrap_or_else(|| "The agent stopped with an error.".to_owned());
                self.insert(format!("notice:{id}"), Entry::Notice { level: "error", text })
            }
            "stop_reason" if str_of(message, "stop_reason") == Some("cancelled") => {
                self.stops += 1;
                let key = format!("notice:stop:{}", self.stops);
                self.insert(key, Entry::Notice { level: "info", text: "Stopped.".to_owned() })
            }
            "retry" => {
                let text = str_of(message, "message").unwrap_or("Retrying…").to_owned();
                self.insert(format!("notice:{id}"), Entry::Notice { level: "retry", text })
            }
            _ => Change::default(),
        }
    }

    fn upsert_text(&mut self, key: String, text: String, mode: Mode, make: fn(String) -> Entry) -> Change {
        match self.entries.get_mut(&key) {
            Some(Entry::User(old) | Entry::Assistant(old) | Entry::Reasoning(old)) => {
                match mode {
                    Mode::Append => old.push_str(&text),
                    Mode::Replace => *old = text,
                }
                Change { touched: vec![key], order_changed: false }
            }
            _ => self.insert(key, make(text)),
        }
    }

    fn insert(&mut self, key: String, entry: Entry) -> Change {
        let new = self.entries.insert(key.clone(), entry).is_none();
        if new {
            self.order.push(key.clone());
        }
        Change { touched: vec![key], order_changed: new }
    }

    fn tool_call(&mut self, message: &Value, mode: Mode) -> Change {
        let Some(call) = message.get("tool_call") else { return Change::default() };
        let Some(call_id) = str_of(call, "tool_call_id") else { return Change::default() };
        let name = str_of(call, "name").unwrap_or_default();
        let arguments = str_of(call, "arguments").unwrap_or_default();
        if let Some(key) = self.tool_keys.get(call_id).cloned()
            && let Some(Entry::Tool(card)) = self.entries.get_mut(&key)
                && card.result.is_none() {
                    if !name.is_empty() {
                        card.name = name.to_owned();
                    }
                    match mode {
                        Mode::Append => card.arguments.push_str(arguments),
                        Mode::Replace => card.arguments = arguments.to_owned(),
                    }
                    return Change { touched: vec![key], order_changed: false };
                }
        let card = ToolCard {
            tool_call_id: call_id.to_owned(),
            name: name.to_owned(),
            arguments: arguments.to_owned(),
            output: String::new(),
            result: None,
            state: ToolState::Running,
        };
        self.new_tool(call_id, card)
    }

    /// Adds a tool card under a fresh row key and makes it the call id's current row.
    fn new_tool(&mut self, call_id: &str, card: ToolCard) -> Change {
        let mut key = format!("tool:{call_id}");
        let mut n = 1;
        while self.entries.contains_key(&key) {
            n += 1;
            key = format!("tool:{call_id}#{n}");
        }
        self.tool_keys.insert(call_id.to_owned(), key.clone());
        self.insert(key, Entry::Tool(card))
    }

    fn tool_return(&mut self, message: &Value) -> Change {
        let call_id = str_of(message, "tool_call_id").unwrap_or_default();
        let result = str_of(message, "tool_return").unwrap_or_default().to_owned();
        let mut state = tool_state(str_of(message, "status"));
        let lower = result.to_lowercase();
        if state == ToolState::Error && (lower.contains("denied") || lower.contains("rejected")) {
            state = ToolState::Denied;
        }
        let mut change = Change::default();
        if !self.tool_keys.contains_key(call_id) {
            let card = ToolCard {
                tool_call_id: call_id.to_owned(),
                name: str_of(message, "name").unwrap_or_default().to_owned(),
                arguments: String::new(),
                output: String::new(),
                result: None,
                state,
            };
            change = self.new_tool(call_id, card);
        }
        let update = self.update_tool(call_id, |card| {
            card.state = state;
            card.result = Some(result);
        });
        change.touched = update.touched;
        change
    }

    fn update_tool(&mut self, call_id: &str, edit: impl FnOnce(&mut ToolCard)) -> Change {
        let Some(key) = self.tool_keys.get(call_id).cloned() else { return Change::default() };
        match self.entries.get_mut(&key) {
            Some(Entry::Tool(card)) => {
                edit(card);
                Change { touched: vec![key], order_changed: false }
            }
            _ => Change::default(),
        }
    }
}

/// A wire tool status (`success` / `error`) as a card state.
fn tool_state(status: Option<&str>) -> ToolState {
    match status {
        Some("error") => ToolState::Error,
        Some("denied") => ToolState::Denied,
        _ => ToolState::Done,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn delta(seq: u64, delta: Value) -> Value {
        json!({"type": "stream_delta", "event_seq": seq, "runtime": {"agent_id": "a", "conversation_id": "c"}, "delta": delta})
    }

    fn texts(t: &Transcript) -> Vec<Entry> {
        t.order().iter().filter_map(|k| t.get(k).cloned()).collect()
    }

    #[test]
    fn streaming_chunks_append_to_one_row() {
        let mut t = Transcript::new();
        let first = t.apply_frame(&delta(1, json!({"message_type": "assistant_message", "id": "m1", "content": "Hel"})));
        assert_eq!(first, Change { touched: vec!["assistant:m1".into()], order_changed: true });
        let second = t.apply_frame(&delta(2, json!({"message_type": "assistant_message", "id": "m1", "content": "lo"})));
        assert_eq!(second, Change { touched: vec!["assistant:m1".into()], order_changed: false });
        assert_eq!(texts(&t), vec![Entry::Assistant("Hello".into())]);
    }

    #[test]
    fn replayed_frames_are_dropped() {
        let mut t = Transcript::new();
        let chunk = delta(5, json!({"message_type": "assistant_message", "id": "m1", "content": "x"}));
        t.apply_frame(&chunk);
        assert_eq!(t.apply_frame(&chunk), Change::default());
        assert_eq!(texts(&t), vec![Entry::Assistant("x".into())]);
    }

    #[test]
    fn a_tool_call_streams_waits_runs_and_returns() {
        let mut t = Transcript::new();
        t.apply_frame(&delta(1, json!({"message_type": "tool_call_message", "id": "m", "tool_call": {"name": "Write", "tool_call_id": "call_1"}})));
        t.apply_frame(&delta(2, json!({"message_type": "tool_call_message", "id": "m", "tool_call": {"arguments": "{\"a\":", "tool_call_id": "call_1"}})));
        t.apply_frame(&delta(3, json!({"message_type": "tool_call_message", "id": "m", "tool_call": {"arguments": "1}", "tool_call_id": "call_1"}})));
        t.apply_frame(&delta(4, json!({"message_type": "approval_request_message", "id": "m2", "tool_call": {"arguments": "{\"a\":1}", "name": "Write", "tool_call_id": "call_1"}})));
        t.apply_frame(&delta(5, json!({"message_type": "client_tool_output", "tool_call_id": "call_1", "output": "line\n"})));
        t.apply_frame(&delta(6, json!({"message_type": "tool_return_message", "id": "r", "tool_call_id": "call_1", "status": "success", "tool_return": "Created"})));
        t.apply_frame(&delta(7, json!({"message_type": "client_tool_end", "tool_call_id": "call_1", "status": "success"})));
        assert_eq!(
            texts(&t),
            vec![Entry::Tool(ToolCard {
                tool_call_id: "call_1".into(),
                name: "Write".into(),
                arguments: "{\"a\":1}".into(),
                output: "line\n".into(),
                result: Some("Created".into()),
                state: ToolState::Done,
            })]
        );
    }

    #[test]
    fn a_denied_call_and_a_reused_call_id_get_their_own_cards() {
        let mut t = Transcript::new();
        t.apply_frame(&delta(1, json!({"message_type": "tool_call_message", "id": "m", "tool_call": {"name": "Bash", "arguments": "{}", "tool_call_id": "call_1"}})));
        t.apply_frame(&delta(2, json!({"message_type": "tool_return_message", "id": "r", "tool_call_id": "call_1", "status": "error", "tool_return": "Denied by user"})));
        t.apply_frame(&delta(3, json!({"message_type": "tool_call_message", "id": "m3", "tool_call": {"name": "Read", "arguments": "{}", "tool_call_id": "call_1"}})));
        let states: Vec<_> = texts(&t)
            .into_iter()
            .map(|e| match e {
                Entry::Tool(card) => (card.name, card.state),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(states, vec![("Bash".into(), ToolState::Denied), ("Read".into(), ToolState::Running)]);
    }

    #[test]
    fn history_replaces_rows_without_duplicates() {
        let mut t = Transcript::new();
        t.apply_frame(&delta(1, json!({"message_type": "user_message", "id": "live-u", "content": "hi"})));
        t.apply_frame(&delta(2, json!({"message_type": "assistant_message", "id": "live-a", "content": "yo"})));
        let history = [
            json!({"message_type": "user_message", "id": "u1", "content": "hi"}),
            json!({"message_type": "reasoning_message", "id": "r1", "reasoning": "think"}),
            json!({"message_type": "assistant_message", "id": "a1", "content": [{"type": "text", "text": "yo"}]}),
        ];
        let change = t.load_history(&history);
        assert!(change.order_changed);
        assert_eq!(
            texts(&t),
            vec![Entry::User("hi".into()), Entry::Reasoning("think".into()), Entry::Assistant("yo".into())]
        );
        t.load_history(&history);
        assert_eq!(t.len(), 3);
        // A replay of a frame seen before the reload does not come back.
        t.apply_frame(&delta(2, json!({"message_type": "assistant_message", "id": "live-a", "content": "yo"})));
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn errors_and_retries_show_where_they_happened() {
        let mut t = Transcript::new();
        t.apply_frame(&delta(1, json!({"message_type": "retry", "id": "x1", "message": "Rate limited, retrying"})));
        t.apply_frame(&delta(2, json!({"message_type": "loop_error", "id": "x2", "message": "model unreachable"})));
        t.apply_frame(&delta(3, json!({"type": "message", "message_type": "stop_reason", "stop_reason": "end_turn"})));
        t.apply_frame(&delta(4, json!({"type": "message", "message_type": "stop_reason", "stop_reason": "cancelled"})));
        assert_eq!(
            texts(&t),
            vec![
                Entry::Notice { level: "retry", text: "Rate limited, retrying".into() },
                Entry::Notice { level: "error", text: "model unreachable".into() },
                Entry::Notice { level: "info", text: "Stopped.".into() }
            ]
        );
    }
}
