//! Running one turn: send an `input`, wait for its acceptance, then for the
//! `turn_finished` of the turn that ran it.
//!
//! Turns of one runtime run one after another, so "the turn that ran it" is the first
//! `turn_finished` of that runtime once the input started: at once when accepted as
//! `started`; for a `queued` input, once `update_queue` reports its message dequeued
//! (matched by `client_message_id`, which is filled in when the caller left it out).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_channel::oneshot;
use serde_json::{json, Value};

use crate::connection::{Connection, ConnectionState};
use crate::error::ClientError;
use crate::pending::{Answer, Incoming};

/// Where a turn stands, as seen from its frames.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Progress {
    /// Not accepted yet.
    Sent,
    /// Accepted into the queue; waiting for it to leave.
    Queued,
    /// Running: the runtime's next `turn_finished` is this turn's.
    Started,
}

/// Sends the `input` frame `value` (with a `request_id`) and resolves with the
/// `turn_finished` of its turn.
pub(crate) async fn run_turn(connection: &Connection, mut value: Value) -> Answer {
    let runtime = value.get("runtime").cloned().unwrap_or(Value::Null);
    let agent_id = runtime.get("agent_id").and_then(Value::as_str).map(str::to_owned);
    let conversation_id = runtime.get("conversation_id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let request_id = value.get("request_id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let message_id = client_message_id(&mut value, &request_id);

    let (tx, rx) = oneshot::channel::<Answer>();
    let slot = Rc::new(RefCell::new(Some(tx)));
    let settle = |slot: &Rc<RefCell<Option<oneshot::Sender<Answer>>>>, answer: Answer| {
        if let Some(tx) = slot.borrow_mut().take() {
            let _ = tx.send(answer);
        }
    };
    let progress = Rc::new(Cell::new(Progress::Sent));
    let dequeued = Rc::new(Cell::new(false));

    let (frames_slot, frames_progress, frames_id) = (slot.clone(), progress.clone(), request_id.clone());
    // Followed here, in frame order: `ws` may deliver the acceptance and the turn's end in
    // one task, before the awaiting request below would resume.
    let _frames = connection.on_incoming(move |incoming: &Rc<Incoming>| {
        let frame = &incoming.value;
        match incoming.frame_type() {
            "input_accepted" if incoming.str_field("request_id") == Some(frames_id.as_str()) => {
                if frame.get("accepted").and_then(Value::as_bool) != Some(true) {
                    let error = incoming.str_field("error").unwrap_or("the input was not accepted").to_owned();
                    settle(&frames_slot, Err(ClientError::Refused(error)));
                } else if incoming.str_field("disposition") == Some("queued") && !dequeued.get() {
                    // Without a message id the queue cannot be followed: the turn in
                    // progress is assumed to be the only one ahead (see `turn_finished`).
                    frames_progress.set(Progress::Queued);
                } else {
                    frames_progress.set(Progress::Started);
                }
            }
            "update_queue" if same_runtime(frame, agent_id.as_deref(), &conversation_id) => {
                let Some(id) = message_id.as_deref() else { return };
                let removed = frame.get("removed").and_then(Value::as_array).into_iter().flatten();
                for item in removed.filter(|r| r.get("client_message_id").and_then(Value::as_str) == Some(id)) {
                    match item.get("disposition").and_then(Value::as_str) {
                        Some("dequeued") => {
                            dequeued.set(true);
                            if frames_progress.get() == Progress::Queued {
                                frames_progress.set(Progress::Started);
                            }
                        }
                        _ => settle(&frames_slot, Err(ClientError::Refused("the queued input was removed".into()))),
                    }
                }
            }
            "turn_finished" if same_runtime(frame, agent_id.as_deref(), &conversation_id) => match frames_progress.get() {
                Progress::Started => settle(&frames_slot, Ok(incoming.clone())),
                // The turn in progress ended; without queue tracking ours runs next.
                Progress::Queued if message_id.is_none() => frames_progress.set(Progress::Started),
                _ => {}
            },
            _ => {}
        }
    });
    let (drop_slot, drop_id) = (slot.clone(), request_id.clone());
    let _drops = connection.on_disconnect(move |_| settle(&drop_slot, Err(ClientError::Disconnected(drop_id.clone()))));
    let close_slot = slot.clone();
    let _closes = connection.on_state(move |state| {
        if *state == ConnectionState::Closed {
            settle(&close_slot, Err(ClientError::Closed));
        }
    });

    // The acceptance itself is handled by the listener; here only failures matter
    // (timeout, refusal by an `error` frame, a drop).
    connection.request_value(&value).await?;
    rx.await.unwrap_or(Err(ClientError::Closed))
}

/// Whether a runtime event belongs to the given runtime.
fn same_runtime(frame: &Value, agent_id: Option<&str>, conversation_id: &str) -> bool {
    let scope = frame.get("runtime");
    let field = |key| scope.and_then(|s| s.get(key)).and_then(Value::as_str);
    field("agent_id") == agent_id && field("conversation_id") == Some(conversation_id)
}

/// The `client_message_id` the queue will know this input by: the first message's,
/// filled in (`cm-<request_id>`) when absent. `None` for payloads without messages.
fn client_message_id(value: &mut Value, request_id: &str) -> Option<String> {
    let message = value.get_mut("payload")?.get_mut("messages")?.as_array_mut()?.first_mut()?.as_object_mut()?;
    let id = message.entry("client_message_id").or_insert_with(|| json!(format!("cm-{request_id}")));
    id.as_str().map(str::to_owned)
}
