//! The transcript of one conversation as plain data, and the reducer that applies stream
//! deltas and history pages to it. Every change reports which entries it touched, so the
//! view re-renders only those rows (a streaming chunk touches one entry, never the list).
//!
//! History and the live stream meet by message id: the runtime stores each message under
//! the id its deltas carried, so a history page (after a reconnect, say) completes the rows
//! the page already has instead of replacing them, and keeps the rows history cannot know
//! (a message still streaming, notices) where they were.

use std::collections::{HashMap, HashSet};

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
    /// The row of each tool call message id (streamed and stored under the same id).
    tool_messages: HashMap<String, String>,
    /// Tool rows some tool call message owns (a row made by an approval or a result alone
    /// does not, and the first stored call that names its call id claims it).
    owned_tools: HashSet<String>,
    /// Rows holding a stored message: complete, so a chunk streamed for them arriving late
    /// (after the history page that had them) is a duplicate.
    settled: HashSet<String>,
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

    /// Merges a history page (`conversation_messages_list_response.messages`, oldest
    /// first) by message id: a stored message replaces the row streamed under its id (its
    /// complete text wins over chunks that a dropped socket lost), stored rows take the
    /// stored order, and rows only this page has (a message still streaming, notices) stay
    /// after the stored row they followed — or at the end when they followed none. Chunks
    /// streamed after this call extend the rows history did not have.
    pub fn load_history(&mut self, messages: &[Value]) -> Change {
        let old_order = std::mem::take(&mut self.order);
        let mut change = Change::default();
        let mut stored = Vec::new();
        let mut in_store = HashSet::new();
        for message in messages {
            for key in self.apply_message(message, Mode::Replace).touched {
                if in_store.insert(key.clone()) {
                    stored.push(key.clone());
                }
                change.touched.push(key);
            }
        }
        self.order = merge_order(&old_order, &stored, &in_store);
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
            "tool_call_message" => self.tool_call(message, mode, Some(id)),
            // Repeats the whole call once its arguments are complete.
            "approval_request_message" => self.tool_call(message, Mode::Replace, None),
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
        if mode == Mode::Replace {
            self.settled.insert(key.clone());
        } else if self.settled.contains(&key) {
            return Change::default();
        }
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

    /// A tool call (`message_id` set) or an approval request repeating one (`None`: its
    /// id is its own, never stored).
    fn tool_call(&mut self, message: &Value, mode: Mode, message_id: Option<&str>) -> Change {
        let Some(call) = message.get("tool_call") else { return Change::default() };
        let Some(call_id) = str_of(call, "tool_call_id") else { return Change::default() };
        let name = str_of(call, "name").unwrap_or_default();
        let arguments = str_of(call, "arguments").unwrap_or_default();
        let message_id = message_id.filter(|id| !id.is_empty());
        let change = match self.tool_row(call_id, message_id) {
            Some(key) => {
                let late = mode == Mode::Append && self.settled.contains(&key);
                if let Some(Entry::Tool(card)) = self.entries.get_mut(&key) {
                    if !name.is_empty() {
                        card.name = name.to_owned();
                    }
                    match mode {
                        Mode::Append if late => {}
                        Mode::Append => card.arguments.push_str(arguments),
                        Mode::Replace => card.arguments = arguments.to_owned(),
                    }
                }
                // The current row of its call id again (history walks calls in order).
                self.tool_keys.insert(call_id.to_owned(), key.clone());
                Change { touched: vec![key], order_changed: false }
            }
            None => {
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
        };
        if let (Some(id), Some(key)) = (message_id, change.touched.first()) {
            self.tool_messages.insert(id.to_owned(), key.clone());
            self.owned_tools.insert(key.clone());
            if mode == Mode::Replace {
                self.settled.insert(key.clone());
            }
        }
        change
    }

    /// The existing row a tool call message belongs to: the one its message id made; else
    /// its call id's current row, if no other call message owns it (a row an approval or a
    /// result made first); for an approval request, the call's row while it has no result.
    fn tool_row(&self, call_id: &str, message_id: Option<&str>) -> Option<String> {
        if let Some(key) = message_id.and_then(|id| self.tool_messages.get(id)) {
            return Some(key.clone());
        }
        let key = self.tool_keys.get(call_id)?;
        let open = match (message_id, self.entries.get(key)) {
            (Some(_), Some(Entry::Tool(_))) => !self.owned_tools.contains(key),
            (None, Some(Entry::Tool(card))) => card.result.is_none(),
            _ => false,
        };
        open.then(|| key.clone())
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

/// The row order after a history page: `stored` rows in stored order, each followed by the
/// rows only the page has that followed it in `old`. Rows that followed no stored row are
/// older than the page when the page overlaps what `old` had (they fell out of its window:
/// first), else they streamed while it loaded (last).
fn merge_order(old: &[String], stored: &[String], in_store: &HashSet<String>) -> Vec<String> {
    let mut after: HashMap<&str, Vec<String>> = HashMap::new();
    let mut unanchored = Vec::new();
    let mut anchor: Option<&str> = None;
    for key in old {
        if in_store.contains(key) {
            anchor = Some(key);
        } else {
            match anchor {
                Some(stored_key) => after.entry(stored_key).or_default().push(key.clone()),
                None => unanchored.push(key.clone()),
            }
        }
    }
    let overlaps = anchor.is_some();
    let mut order = Vec::with_capacity(stored.len() + old.len());
    if overlaps {
        order.append(&mut unanchored);
    }
    for key in stored {
        order.push(key.clone());
        if let Some(rows) = after.remove(key.as_str()) {
            order.extend(rows);
        }
    }
    order.extend(unanchored);
    order
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
mod tests;
