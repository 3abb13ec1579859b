//! The runtimes a connection started, and how they are resumed after a reconnect.
//!
//! Kept as JSON, not typed frames, so a client that only uses the raw-JSON API (the web
//! UI, the npm package) links no protocol encoders or decoders for resuming.

use serde_json::{json, Map, Value};

use crate::connection::Connection;

/// A runtime to resume: its scope (`{agent_id, conversation_id, …}` as the runtime
/// answered it) and the `external_tools` it was started with.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Remembered {
    pub(crate) scope: Value,
    pub(crate) external_tools: Option<Value>,
}

impl Remembered {
    fn agent_id(&self) -> Option<&str> {
        self.scope.get("agent_id").and_then(Value::as_str)
    }

    fn conversation_id(&self) -> Option<&str> {
        self.scope.get("conversation_id").and_then(Value::as_str)
    }
}

/// The runtimes started on a connection, once each.
#[derive(Default, Debug)]
pub(crate) struct Scopes {
    pub(crate) list: Vec<Remembered>,
}

impl Scopes {
    /// Remembers `scope` (replacing an earlier entry for the same agent and conversation);
    /// a scope without a `conversation_id` cannot be resumed and is ignored.
    pub(crate) fn remember(&mut self, scope: Value, external_tools: Option<Value>) {
        let entry = Remembered { scope, external_tools: external_tools.filter(|tools| !tools.is_null()) };
        if entry.conversation_id().is_none() {
            return;
        }
        self.list.retain(|r| !(r.agent_id() == entry.agent_id() && r.conversation_id() == entry.conversation_id()));
        self.list.push(entry);
    }
}

/// After a reconnect: `runtime_start {agent_id, conversation_id}` then `sync` for each
/// remembered runtime, in order. Their answers reach frame listeners like any frame.
pub(crate) async fn resume(connection: Connection) {
    let remembered = connection.scopes_snapshot();
    for entry in remembered {
        let mut start = Map::new();
        start.insert("type".into(), "runtime_start".into());
        start.insert("request_id".into(), connection.next_request_id("resume-runtime-start").into());
        if let Some(agent_id) = entry.agent_id() {
            start.insert("agent_id".into(), agent_id.into());
        }
        if let Some(conversation_id) = entry.conversation_id() {
            start.insert("conversation_id".into(), conversation_id.into());
        }
        if let Some(tools) = &entry.external_tools {
            start.insert("external_tools".into(), tools.clone());
        }
        if connection.request_json(&Value::Object(start)).await.is_err() {
            continue;
        }
        let sync = json!({
            "type": "sync",
            "runtime": entry.scope,
            "request_id": connection.next_request_id("resume-sync"),
        });
        let _ = connection.request_json(&sync).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembering_the_same_runtime_twice_keeps_the_latest_once() {
        let mut scopes = Scopes::default();
        scopes.remember(json!({"agent_id": "a", "conversation_id": "c"}), None);
        scopes.remember(json!({"agent_id": "a", "conversation_id": "d"}), None);
        scopes.remember(json!({"agent_id": "a", "conversation_id": "c"}), Some(json!([{"tools": []}])));
        let kept: Vec<_> = scopes.list.iter().map(|r| (r.conversation_id(), r.external_tools.is_some())).collect();
        assert_eq!(kept, vec![(Some("d"), false), (Some("c"), true)]);
    }

    #[test]
    fn a_scope_without_a_conversation_is_not_remembered() {
        let mut scopes = Scopes::default();
        scopes.remember(json!({"agent_id": "a"}), None);
        scopes.remember(Value::Null, None);
        assert!(scopes.list.is_empty());
    }
}
