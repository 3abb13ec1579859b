//! Running one turn: send an `input`, wait for its acceptance, then for the
//! `turn_finished` of the turn that ran it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_channel::oneshot;
use serde_json::Value;

use crate::connection::{Connection, ConnectionState};
use crate::error::ClientError;
use crate::pending::{Answer, Incoming};

/// Sends the `input` frame `value` (with a `request_id`) and resolves with the
/// `turn_finished` of its turn. A queued input waits for the turn in progress to finish
/// first (inputs queued ahead of it by other clients are not counted).
pub(crate) async fn run_turn(connection: &Connection, value: Value) -> Answer {
    let runtime = value.get("runtime").cloned().unwrap_or(Value::Null);
    let agent_id = runtime.get("agent_id").and_then(Value::as_str).map(str::to_owned);
    let conversation_id = runtime.get("conversation_id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let request_id = value.get("request_id").and_then(Value::as_str).unwrap_or_default().to_owned();

    let (tx, rx) = oneshot::channel::<Answer>();
    let slot = Rc::new(RefCell::new(Some(tx)));
    let settle = |slot: &Rc<RefCell<Option<oneshot::Sender<Answer>>>>, answer: Answer| {
        if let Some(tx) = slot.borrow_mut().take() {
            let _ = tx.send(answer);
        }
    };
    // `None` until accepted; then how many of this runtime's turn_finished to skip.
    let skip: Rc<Cell<Option<u32>>> = Rc::new(Cell::new(None));

    let (frames_slot, frames_skip, frames_id) = (slot.clone(), skip.clone(), request_id.clone());
    let _frames = connection.on_incoming(move |incoming: &Rc<Incoming>| {
        // Armed here, in frame order: `ws` may deliver the acceptance and the turn's end in
        // one task, before the awaiting request below would resume.
        let frame = &incoming.value;
        if incoming.frame_type() == "input_accepted" {
            if incoming.str_field("request_id") == Some(frames_id.as_str()) {
                if frame.get("accepted").and_then(Value::as_bool) == Some(true) {
                    let queued = incoming.str_field("disposition") == Some("queued");
                    frames_skip.set(Some(u32::from(queued)));
                } else {
                    let error = incoming.str_field("error").unwrap_or("the input was not accepted").to_owned();
                    settle(&frames_slot, Err(ClientError::Refused(error)));
                }
            }
            return;
        }
        if incoming.frame_type() != "turn_finished" {
            return;
        }
        let scope = frame.get("runtime").cloned().unwrap_or(Value::Null);
        let same_agent = scope.get("agent_id").and_then(Value::as_str).map(str::to_owned) == agent_id;
        if !same_agent || scope.get("conversation_id").and_then(Value::as_str) != Some(conversation_id.as_str()) {
            return;
        }
        match frames_skip.get() {
            Some(0) => settle(&frames_slot, Ok(incoming.clone())),
            Some(n) => frames_skip.set(Some(n - 1)),
            None => {}
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
