//! The page's state: signals for everything shown, and the handler that folds the
//! runtime's frames into them. The runtime is the source of truth; the page keeps only
//! what it was sent.

use std::collections::HashMap;

use leptos::prelude::*;
use serde_json::{Value, json};

use super::live::LiveTranscript;
use crate::conn::{ConnState, Connection};
use crate::state::approval::{Approval, Decision};
use crate::state::route::Route;
use crate::state::session::Status;

/// How many history messages (the newest) to load when a conversation opens.
const HISTORY_LIMIT: u32 = 500;

/// The sign-in / connection state shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Trading the link's token for a session cookie.
    SigningIn,
    /// The link's token was refused.
    BadToken,
    /// The socket's state.
    Conn(ConnState),
}

/// An agent or conversation in the pickers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// Its id.
    pub id: String,
    /// What to show.
    pub label: String,
}

/// Why a request was sent, to route its response.
#[derive(Debug, Clone)]
enum Purpose {
    /// `runtime_start` that opens (or creates) a conversation.
    Open,
    /// History of a conversation.
    History(String),
}

/// Every signal of the page (cheap to copy into closures).
#[derive(Clone, Copy)]
pub struct Store {
    conn: StoredValue<Option<Connection>, LocalStorage>,
    pending: StoredValue<HashMap<String, Purpose>>,
    /// History was loaded while a turn ran: its message may have streamed partly before
    /// this page saw it (opened mid-turn, or the socket dropped), so when the turn ends
    /// the stored, complete messages are loaded once more.
    reload_after_turn: StoredValue<bool>,
    /// Sign-in and socket state.
    pub link: RwSignal<Link>,
    /// Agents.
    pub agents: RwSignal<Vec<Named>>,
    /// Conversations of the open agent.
    pub conversations: RwSignal<Vec<Named>>,
    /// The open conversation.
    pub route: RwSignal<Option<Route>>,
    /// Its transcript.
    pub live: LiveTranscript,
    /// Its runtime status.
    pub status: RwSignal<Status>,
    /// Its pending approvals.
    pub approvals: RwSignal<Vec<Approval>>,
    /// Models offered by the runtime (`list_models`), if it supports that.
    pub models: RwSignal<Vec<Named>>,
    /// The selected model.
    pub model: RwSignal<String>,
    /// A transient message (errors, "model switching unsupported").
    pub notice: RwSignal<Option<String>>,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// Empty state, not connected.
    pub fn new() -> Self {
        Self {
            conn: StoredValue::new_local(None),
            pending: StoredValue::new(HashMap::new()),
            reload_after_turn: StoredValue::new(false),
            link: RwSignal::new(Link::Conn(ConnState::Connecting)),
            agents: RwSignal::new(Vec::new()),
            conversations: RwSignal::new(Vec::new()),
            route: RwSignal::new(None),
            live: LiveTranscript::new(),
            status: RwSignal::new(Status::default()),
            approvals: RwSignal::new(Vec::new()),
            models: RwSignal::new(Vec::new()),
            model: RwSignal::new(String::new()),
            notice: RwSignal::new(None),
        }
    }

    /// Uses `conn` from now on and listens to it.
    pub fn attach(self, conn: Connection) {
        let store = self;
        conn.on_state(move |state| {
            store.link.set(Link::Conn(state.clone()));
            if *state == ConnState::Open {
                store.on_open();
            }
        });
        conn.on_frame(move |frame| store.handle(frame));
        self.link.set(Link::Conn(conn.state()));
        self.conn.set_value(Some(conn));
    }

    /// The open conversation's scope, `{agent_id, conversation_id}`.
    pub fn runtime(&self) -> Option<Value> {
        self.route
            .get_untracked()
            .map(|r| json!({"agent_id": r.agent_id, "conversation_id": r.conversation_id}))
    }

    fn send(&self, frame: &Value) -> bool {
        let sent = self.conn.with_value(|c| c.as_ref().is_some_and(|c| c.send(frame)));
        if !sent {
            self.notice.set(Some("Not connected — the message was not sent.".into()));
        }
        sent
    }

    fn request_id(&self, prefix: &str) -> String {
        self.conn.with_value(|c| c.as_ref().map(|c| c.next_request_id(prefix))).unwrap_or_default()
    }

    fn request(&self, prefix: &str, purpose: Option<Purpose>, mut frame: Value) -> bool {
        let id = self.request_id(prefix);
        frame["request_id"] = json!(id);
        if let Some(purpose) = purpose {
            self.pending.update_value(|p| {
                p.insert(id, purpose);
            });
        }
        self.send(&frame)
    }

    fn on_open(&self) {
        self.request("agent-list", None, json!({"type": "agent_list"}));
        if let Some(route) = self.route.get_untracked() {
            self.start(&route);
        }
        self.request("list-models", None, json!({"type": "list_models"}));
    }

    /// Opens a conversation: attach its runtime, load its history, list its siblings.
    pub fn open(&self, route: Route) {
        if self.route.get_untracked().as_ref() != Some(&route) {
            self.reset(&route);
        }
        self.start(&route);
    }

    /// Shows another conversation: nothing of the previous one is kept.
    fn reset(&self, route: &Route) {
        self.live.clear();
        self.status.set(Status::default());
        self.approvals.set(Vec::new());
        self.reload_after_turn.set_value(false);
        self.route.set(Some(route.clone()));
    }

    fn start(&self, route: &Route) {
        self.request(
            "runtime-start",
            Some(Purpose::Open),
            json!({"type": "runtime_start", "agent_id": route.agent_id, "conversation_id": route.conversation_id}),
        );
        self.request(
            "conversation-list",
            None,
            json!({"type": "conversation_list", "query": {"agent_id": route.agent_id}}),
        );
    }

    /// Creates an agent (with a first conversation) and opens it.
    pub fn new_agent(&self) {
        let name = format!("Agent {}", self.agents.get_untracked().len() + 1);
        self.request(
            "runtime-start",
            Some(Purpose::Open),
            json!({"type": "runtime_start", "create_agent": {"body": {"name": name}}, "create_conversation": {}}),
        );
    }

    /// Creates a conversation for the open (or first) agent and opens it.
    pub fn new_conversation(&self) {
        let agent = self
            .route
            .get_untracked()
            .map(|r| r.agent_id)
            .or_else(|| self.agents.get_untracked().first().map(|a| a.id.clone()));
        match agent {
            Some(agent_id) => {
                self.request(
                    "runtime-start",
                    Some(Purpose::Open),
                    json!({"type": "runtime_start", "agent_id": agent_id, "create_conversation": {}}),
                );
            }
            None => self.new_agent(),
        }
    }

    /// Opens an agent's most recent conversation (or a new one).
    pub fn open_agent(&self, agent_id: String) {
        self.request(
            "runtime-start",
            Some(Purpose::Open),
            json!({"type": "runtime_start", "agent_id": agent_id}),
        );
    }

    /// Sends a user message (the runtime queues it while a turn runs).
    pub fn send_message(&self, text: String) -> bool {
        let Some(runtime) = self.runtime() else { return false };
        let otid = self.request_id("msg");
        self.send(&json!({
            "type": "input",
            "runtime": runtime,
            "payload": {"kind": "create_message", "messages": [{"role": "user", "content": text, "otid": otid}]},
        }))
    }

    /// Answers an approval.
    pub fn answer(&self, approval: &Approval, decision: Decision) {
        let Some(runtime) = self.runtime() else { return };
        if self.send(&approval.answer(&runtime, &decision)) {
            let id = approval.request_id.clone();
            self.approvals.update(|list| list.retain(|a| a.request_id != id));
        }
    }

    /// Sends a runtime-scoped command (`abort_message`, `resume_queue`, …).
    pub fn command(&self, kind: &str, extra: Value) {
        let Some(runtime) = self.runtime() else { return };
        let mut frame = json!({"type": kind, "runtime": runtime});
        if let (Some(frame), Value::Object(extra)) = (frame.as_object_mut(), extra) {
            frame.extend(extra);
        }
        self.request(kind, None, frame);
    }

    /// Folds one frame from the runtime into the signals.
    pub fn handle(&self, frame: &Value) {
        let kind = frame.get("type").and_then(Value::as_str).unwrap_or_default();
        let purpose = frame
            .get("request_id")
            .and_then(Value::as_str)
            .and_then(|id| self.pending.try_update_value(|p| p.remove(id)).flatten());
        let success = frame.get("success").and_then(Value::as_bool).unwrap_or(true);
        match kind {
            "agent_list_response" => self.agents.set(named_list(frame.get("agents"), "name")),
            "conversation_list_response" => {
                self.conversations.set(conversation_list(frame.get("conversations")));
            }
            "runtime_start_response" => self.started(frame, purpose, success),
            "conversation_messages_list_response" => {
                if let Some(Purpose::History(conversation)) = purpose
                    && self.is_current(&conversation) {
                        // Newest first on the wire (so the limit keeps the newest); shown oldest first.
                        let mut messages = frame.get("messages").and_then(Value::as_array).cloned().unwrap_or_default();
                        messages.reverse();
                        self.live.load_history(&messages);
                        if self.status.with_untracked(Status::busy) {
                            self.reload_after_turn.set_value(true);
                        }
                    }
            }
            "list_models_response" => {
                let models = frame.get("models").or_else(|| frame.get("entries"));
                self.models.set(named_list(models, "display_name"));
            }
            "update_model_response" if !success => {
                self.notice.set(Some(format!("Model not changed: {}", error_text(frame))));
            }
            _ if !success => self.notice.set(Some(error_text(frame))),
            _ => {}
        }
        if !self.for_current(frame) {
            return;
        }
        match kind {
            "stream_delta" => {
                self.live.apply_frame(frame);
                if let Some(call) = frame.pointer("/delta/tool_call_id").and_then(Value::as_str) {
                    self.approvals.update(|list| list.retain(|a| a.tool_call_id != call));
                }
            }
            "turn_finished" if self.reload_after_turn.get_value() => {
                self.reload_after_turn.set_value(false);
                if let Some(route) = self.route.get_untracked() {
                    self.request_history(&route.conversation_id);
                }
            }
            "control_request" => {
                if let Some(approval) = Approval::from_wire(frame) {
                    self.approvals.update(|list| {
                        if !list.iter().any(|a| a.request_id == approval.request_id) {
                            list.push(approval);
                        }
                    });
                }
            }
            "update_loop_status" | "update_device_status" | "update_queue" => {
                let mut status = self.status.get_untracked();
                status.apply(frame);
                if let Some(pending) = status.pending.take() {
                    self.approvals.set(pending);
                }
                self.status.set(status);
            }
            _ => {}
        }
    }

    fn started(&self, frame: &Value, purpose: Option<Purpose>, success: bool) {
        if !success {
            self.notice.set(Some(error_text(frame)));
            return;
        }
        let runtime = frame.get("runtime").cloned().unwrap_or(Value::Null);
        let (Some(agent), Some(conversation)) = (
            runtime.get("agent_id").and_then(Value::as_str),
            runtime.get("conversation_id").and_then(Value::as_str),
        ) else {
            return;
        };
        let route = Route { agent_id: agent.to_owned(), conversation_id: conversation.to_owned() };
        if let Some(model) = frame.pointer("/agent/model").and_then(Value::as_str) {
            self.model.set(model.to_owned());
        }
        if !matches!(purpose, Some(Purpose::Open)) {
            return;
        }
        let created = frame.pointer("/created/agent").and_then(Value::as_bool).unwrap_or(false);
        if self.route.get_untracked().as_ref() != Some(&route) {
            self.reset(&route);
            self.request(
                "conversation-list",
                None,
                json!({"type": "conversation_list", "query": {"agent_id": route.agent_id}}),
            );
        }
        if created {
            self.request("agent-list", None, json!({"type": "agent_list"}));
        }
        self.request_history(&route.conversation_id);
        self.request("sync", None, json!({"type": "sync", "runtime": runtime}));
    }

    /// Asks for a conversation's newest messages; the answer merges into the transcript.
    fn request_history(&self, conversation_id: &str) {
        self.request(
            "conversation-messages",
            Some(Purpose::History(conversation_id.to_owned())),
            json!({"type": "conversation_messages_list", "conversation_id": conversation_id,
                   "query": {"order": "desc", "limit": HISTORY_LIMIT}}),
        );
    }

    fn is_current(&self, conversation: &str) -> bool {
        self.route.with_untracked(|r| r.as_ref().is_some_and(|r| r.conversation_id == conversation))
    }

    /// Whether a runtime-scoped frame belongs to the open conversation.
    fn for_current(&self, frame: &Value) -> bool {
        let conversation = frame
            .pointer("/runtime/conversation_id")
            .or_else(|| frame.get("conversation_id"))
            .and_then(Value::as_str);
        conversation.is_some_and(|c| self.is_current(c))
    }
}

/// A human error message from a failed response.
fn error_text(frame: &Value) -> String {
    frame
        .get("error")
        .and_then(|e| e.as_str().map(str::to_owned).or_else(|| e.get("message").and_then(Value::as_str).map(str::to_owned)))
        .unwrap_or_else(|| "The runtime refused the request.".to_owned())
}

/// Conversations labelled by their summary, else when they started ("2026-11-22 00:45").
fn conversation_list(list: Option<&Value>) -> Vec<Named> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    let id = item.get("id").and_then(Value::as_str)?;
                    let summary = item.get("summary").and_then(Value::as_str).filter(|s| !s.is_empty());
                    let started = item.get("created_at").and_then(Value::as_str).map(|t| {
                        format!("Conversation · {}", t.get(..16).unwrap_or(t).replace('T', " "))
                    });
                    let label = summary.map(str::to_owned).or(started).unwrap_or_else(|| id.to_owned());
                    Some(Named { id: id.to_owned(), label })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `[{id, <label_key>}]` as pickers' entries.
fn named_list(list: Option<&Value>, label_key: &str) -> Vec<Named> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    let id = item.get("id").or_else(|| item.get("handle")).and_then(Value::as_str)?;
                    let label = item
                        .get(label_key)
                        .or_else(|| item.get("name"))
                        .and_then(Value::as_str)
                        .filter(|l| !l.is_empty())
                        .unwrap_or(id);
                    Some(Named { id: id.to_owned(), label: label.to_owned() })
                })
                .collect()
        })
        .unwrap_or_default()
}
