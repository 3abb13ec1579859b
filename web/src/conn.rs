//! The page's link to the runtime: `tether-client`'s [`tether_client::Connection`] to our
//! own origin's `/ws` (no token: the session cookie authenticates), seen by the UI as JSON
//! values. It adds what the UI needs on top: the "not signed in" state (a browser sees a
//! refused upgrade only as a failed open, so repeated failures before any open mean that),
//! and `runtime_start` through the client so reconnects re-attach the conversation.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde_json::Value;
use tether_client::{ConnectOptions, ConnectionState, Subscription};

/// The runtime closes a revoked device's sockets with this code: stop reconnecting, the
/// device is signed out for good.
const CLOSE_REVOKED: u16 = 4401;

/// Failed opens in a row, with no open ever, that mean "the cookie is missing or wrong".
const SIGNED_OUT_AFTER: u32 = 2;

/// Where the connection is, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnState {
    /// Opening the first socket.
    Connecting,
    /// Open and usable.
    Open,
    /// Lost; the next try is scheduled.
    Reconnecting {
        /// Which try this is.
        attempt: u32,
        /// How long until it.
        delay_ms: u32,
    },
    /// The server keeps refusing us before any open (no valid session cookie), or it
    /// closed the socket because this device was revoked.
    SignedOut,
    /// Closed on purpose.
    Closed,
}

/// The UI's handle on the connection (cheap to clone).
#[derive(Clone)]
pub struct Connection {
    client: tether_client::Connection,
    subscriptions: Rc<RefCell<Vec<Subscription>>>,
    /// This device was revoked (close code 4401).
    revoked: Rc<Cell<bool>>,
}

impl Connection {
    /// Starts connecting to `url` (e.g. `ws://host/ws`); reconnects by itself.
    pub fn connect(url: String) -> Connection {
        let client = tether_client::Connection::connect(ConnectOptions::new(url));
        let revoked = Rc::new(Cell::new(false));
        let on_drop = {
            let (client, revoked) = (client.clone(), revoked.clone());
            client.clone().on_disconnect(move |info| {
                if info.code == CLOSE_REVOKED {
                    revoked.set(true);
                    client.close();
                }
            })
        };
        Connection { client, subscriptions: Rc::new(RefCell::new(vec![on_drop])), revoked }
    }

    /// The current state.
    pub fn state(&self) -> ConnState {
        ui_state(&self.client.state(), self.client.ever_opened(), self.revoked.get())
    }

    /// Calls `f` on every state change.
    pub fn on_state(&self, f: impl Fn(&ConnState) + 'static) {
        let (client, revoked) = (self.client.clone(), self.revoked.clone());
        let subscription = self.client.on_state(move |state| f(&ui_state(state, client.ever_opened(), revoked.get())));
        self.subscriptions.borrow_mut().push(subscription);
    }

    /// Calls `f` with every frame the runtime sends, as JSON (never decoded into typed
    /// frames: that keeps every protocol decoder out of the page's wasm).
    pub fn on_frame(&self, f: impl Fn(&Value) + 'static) {
        let subscription = self.client.on_json(f);
        self.subscriptions.borrow_mut().push(subscription);
    }

    /// A fresh request id.
    pub fn next_request_id(&self, prefix: &str) -> String {
        self.client.next_request_id(prefix)
    }

    /// Sends a frame; false when it has no `type` or the socket is not open.
    /// `runtime_start` goes through the client so the conversation is re-attached after a
    /// reconnect; its response reaches `on_frame` like every other frame.
    pub fn send(&self, frame: &Value) -> bool {
        match frame.get("type").and_then(Value::as_str) {
            None => false,
            Some("runtime_start") => {
                if self.client.state() != ConnectionState::Open {
                    return false;
                }
                let (client, frame) = (self.client.clone(), frame.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = client.runtime_start_json(frame).await;
                });
                true
            }
            Some(_) => self.client.send_json(frame).is_ok(),
        }
    }

    /// Closes for good.
    pub fn close(&self) {
        self.client.close();
    }
}

/// The client's state as the UI shows it.
fn ui_state(state: &ConnectionState, ever_opened: bool, revoked: bool) -> ConnState {
    match state {
        _ if revoked => ConnState::SignedOut,
        ConnectionState::Connecting => ConnState::Connecting,
        ConnectionState::Open => ConnState::Open,
        ConnectionState::Reconnecting { attempt, .. } if !ever_opened && *attempt >= SIGNED_OUT_AFTER => {
            ConnState::SignedOut
        }
        ConnectionState::Reconnecting { attempt, delay_ms } => {
            ConnState::Reconnecting { attempt: *attempt, delay_ms: *delay_ms }
        }
        ConnectionState::Closed => ConnState::Closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revoked_device_is_signed_out_whatever_the_socket_does() {
        assert_eq!(ui_state(&ConnectionState::Closed, true, true), ConnState::SignedOut);
        assert_eq!(ui_state(&ConnectionState::Reconnecting { attempt: 1, delay_ms: 1000 }, true, true), ConnState::SignedOut);
        assert_eq!(ui_state(&ConnectionState::Closed, true, false), ConnState::Closed);
        assert_eq!(
            ui_state(&ConnectionState::Reconnecting { attempt: 3, delay_ms: 4000 }, true, false),
            ConnState::Reconnecting { attempt: 3, delay_ms: 4000 },
            "a plain drop after an open keeps reconnecting"
        );
        assert_eq!(ui_state(&ConnectionState::Reconnecting { attempt: 2, delay_ms: 2000 }, false, false), ConnState::SignedOut);
    }
}
