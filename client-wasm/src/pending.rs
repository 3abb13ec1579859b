//! Request correlation: which answer resolves which waiting request.
//!
//! An answer matches when it carries the request's `request_id` AND has the response
//! type the request expects (like the reference client's predicates), so another frame
//! that happens to reuse the id (a `control_request`, an event) never resolves it.
//! tether's `{"type":"error","request_id":…}` frame rejects the request instead.

use std::collections::HashMap;
use std::rc::Rc;

use futures_channel::oneshot;
use serde_json::Value;
use tether_protocol::ServerFrame;

use crate::error::ClientError;
use crate::timer::{drop_later, Timer};

/// tether's frame for a refused command (additive to the reference).
const ERROR_FRAME: &str = "error";

/// A frame as it arrived: its text (for JavaScript, unchanged) and its JSON. Typed
/// decoding happens only where the typed API asks ([`Incoming::frame`]); nothing here
/// holds a typed frame, so raw-JSON users (the npm build, the web UI) link no decoder
/// and no typed frame's drop code.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) text: String,
    pub(crate) value: Value,
}

impl Incoming {
    /// A frame that arrived as `text`, parsed as `value` (an object).
    pub(crate) fn new(text: String, value: Value) -> Self {
        Self { text, value }
    }

    /// The typed frame, decoded now; a frame of a known type that does not decode is
    /// kept raw as [`ServerFrame::Unknown`].
    pub(crate) fn frame(&self) -> ServerFrame {
        ServerFrame::from_value(self.value.clone()).unwrap_or_else(|_| ServerFrame::Unknown(self.value.clone()))
    }

    /// The frame's `type`.
    pub(crate) fn frame_type(&self) -> &str {
        self.str_field("type").unwrap_or_default()
    }

    /// A string member of the frame.
    pub(crate) fn str_field(&self, key: &str) -> Option<&str> {
        self.value.get(key).and_then(Value::as_str)
    }
}

/// What a waiting request receives.
pub(crate) type Answer = Result<Rc<Incoming>, ClientError>;

/// The response `type` that answers a command of type `command_type`.
pub fn expected_response_type(command_type: &str) -> String {
    match command_type {
        "input" => "input_accepted".to_owned(),
        other => format!("{other}_response"),
    }
}

struct Entry {
    expect: String,
    reply: oneshot::Sender<Answer>,
    _timeout: Option<Timer>,
}

/// The requests waiting for an answer, by `request_id`.
#[derive(Default)]
pub(crate) struct Pending {
    entries: HashMap<String, Entry>,
}

impl Pending {
    /// Registers a request; the receiver gets its answer, an error, or a timeout.
    pub(crate) fn insert(&mut self, request_id: String, command_type: &str, reply: oneshot::Sender<Answer>, timeout: Option<Timer>) {
        let entry = Entry { expect: expected_response_type(command_type), reply, _timeout: timeout };
        if let Some(old) = self.entries.insert(request_id.clone(), entry) {
            let _ = old.reply.send(Err(ClientError::Refused(format!("request_id {request_id} was reused"))));
        }
    }

    /// Settles the request `incoming` answers, if any.
    pub(crate) fn resolve(&mut self, incoming: &Rc<Incoming>) {
        let Some(request_id) = incoming.str_field("request_id") else { return };
        let frame_type = incoming.frame_type();
        let Some(entry) = self.entries.get(request_id) else { return };
        let answer = if frame_type == entry.expect {
            Ok(incoming.clone())
        } else if frame_type == ERROR_FRAME {
            Err(ClientError::Refused(incoming.str_field("message").unwrap_or("the runtime refused the request").to_owned()))
        } else {
            return;
        };
        if let Some(entry) = self.entries.remove(request_id) {
            let _ = entry.reply.send(answer);
            // The timer may be the one firing right now (a timeout); free it after.
            drop_later(entry._timeout);
        }
    }

    /// Fails one request (its timeout fired).
    pub(crate) fn fail(&mut self, request_id: &str, error: ClientError) {
        if let Some(entry) = self.entries.remove(request_id) {
            let _ = entry.reply.send(Err(error));
            drop_later(entry._timeout);
        }
    }

    /// Fails every waiting request, `error` built from each `request_id`.
    pub(crate) fn fail_all(&mut self, error: impl Fn(&str) -> ClientError) {
        for (request_id, entry) in self.entries.drain() {
            let _ = entry.reply.send(Err(error(&request_id)));
            drop_later(entry._timeout);
        }
    }
}
