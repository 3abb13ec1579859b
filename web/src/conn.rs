//! The page's WebSocket to its own origin's `/ws`, authenticated by the session cookie.
//! Same shape as `tether-client`'s `Connection` (connect / state / on_frame / send /
//! next_request_id / close) so the UI can switch to it; private until that crate lands.
//! Reconnects by itself (1 s doubling to 30 s) and re-attaches remembered conversations
//! with `runtime_start` + `sync`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// First reconnect delay.
const FIRST_DELAY_MS: u32 = 1_000;
/// Longest reconnect delay.
const MAX_DELAY_MS: u32 = 30_000;
/// Failed opens in a row, with no open ever, that mean "the cookie is missing or wrong"
/// (a browser sees a refused upgrade only as close code 1006).
const SIGNED_OUT_AFTER: u32 = 2;

/// Where the connection is.
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
    /// The server refuses us (no valid session cookie); not retried.
    SignedOut,
    /// Closed on purpose.
    Closed,
}

type FrameHandler = Rc<dyn Fn(&Value)>;
type StateHandler = Rc<dyn Fn(&ConnState)>;

struct Inner {
    url: String,
    socket: RefCell<Option<WebSocket>>,
    state: RefCell<ConnState>,
    attempt: Cell<u32>,
    ever_opened: Cell<bool>,
    closed: Cell<bool>,
    counter: Cell<u64>,
    scopes: RefCell<Vec<Value>>,
    on_frame: RefCell<Vec<FrameHandler>>,
    on_state: RefCell<Vec<StateHandler>>,
    #[allow(clippy::type_complexity)]
    callbacks: RefCell<Vec<Closure<dyn FnMut(web_sys::Event)>>>,
}

/// A self-healing connection to the runtime.
#[derive(Clone)]
pub struct Connection(Rc<Inner>);

impl Connection {
    /// Starts connecting to `url` (e.g. `ws://host/ws`).
    pub fn connect(url: String) -> Connection {
        let conn = Connection(Rc::new(Inner {
            url,
            socket: RefCell::new(None),
            state: RefCell::new(ConnState::Connecting),
            attempt: Cell::new(0),
            ever_opened: Cell::new(false),
            closed: Cell::new(false),
            counter: Cell::new(0),
            scopes: RefCell::new(Vec::new()),
            on_frame: RefCell::new(Vec::new()),
            on_state: RefCell::new(Vec::new()),
            callbacks: RefCell::new(Vec::new()),
        }));
        conn.open();
        conn
    }

    /// The current state.
    pub fn state(&self) -> ConnState {
        self.0.state.borrow().clone()
    }

    /// Calls `f` on every state change.
    pub fn on_state(&self, f: impl Fn(&ConnState) + 'static) {
        self.0.on_state.borrow_mut().push(Rc::new(f));
    }

    /// Calls `f` with every frame (parsed JSON) the runtime sends.
    pub fn on_frame(&self, f: impl Fn(&Value) + 'static) {
        self.0.on_frame.borrow_mut().push(Rc::new(f));
    }

    /// A fresh request id, unique on this page.
    pub fn next_request_id(&self, prefix: &str) -> String {
        let n = self.0.counter.get() + 1;
        self.0.counter.set(n);
        format!("{prefix}-{n}-{}", js_sys::Date::now() as u64)
    }

    /// Sends a frame; false when the socket is not open (the caller shows it).
    pub fn send(&self, frame: &Value) -> bool {
        let socket = self.0.socket.borrow();
        match socket.as_ref() {
            Some(ws) if ws.ready_state() == WebSocket::OPEN => ws.send_with_str(&frame.to_string()).is_ok(),
            _ => false,
        }
    }

    /// Remembers a conversation so a reconnect re-attaches it (`runtime_start` + `sync`).
    pub fn remember(&self, runtime: Value) {
        let mut scopes = self.0.scopes.borrow_mut();
        if !scopes.contains(&runtime) {
            scopes.push(runtime);
        }
    }

    /// Closes for good.
    pub fn close(&self) {
        self.0.closed.set(true);
        if let Some(ws) = self.0.socket.borrow_mut().take() {
            let _ = ws.close();
        }
        self.set_state(ConnState::Closed);
    }

    fn set_state(&self, state: ConnState) {
        *self.0.state.borrow_mut() = state.clone();
        let handlers: Vec<StateHandler> = self.0.on_state.borrow().clone();
        for handler in handlers {
            handler(&state);
        }
    }

    fn open(&self) {
        let ws = match WebSocket::new(&self.0.url) {
            Ok(ws) => ws,
            Err(_) => {
                self.lost();
                return;
            }
        };
        let mut callbacks = Vec::new();
        let this = self.clone();
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| this.opened());
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        callbacks.push(on_open);
        let this = self.clone();
        let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let Some(event) = event.dyn_ref::<MessageEvent>() else { return };
            let Some(text) = event.data().as_string() else { return };
            let Ok(frame) = serde_json::from_str::<Value>(&text) else { return };
            let handlers: Vec<FrameHandler> = this.0.on_frame.borrow().clone();
            for handler in handlers {
                handler(&frame);
            }
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        callbacks.push(on_message);
        let this = self.clone();
        let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let _code = event.dyn_ref::<CloseEvent>().map(CloseEvent::code);
            this.lost();
        });
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        callbacks.push(on_close);
        if let Some(old) = self.0.socket.borrow_mut().replace(ws) {
            old.set_onclose(None);
            let _ = old.close();
        }
        *self.0.callbacks.borrow_mut() = callbacks;
    }

    fn opened(&self) {
        self.0.attempt.set(0);
        self.0.ever_opened.set(true);
        self.set_state(ConnState::Open);
        let scopes = self.0.scopes.borrow().clone();
        for runtime in scopes {
            let mut start = json!({"type": "runtime_start", "request_id": self.next_request_id("runtime-start")});
            for key in ["agent_id", "conversation_id"] {
                start[key] = runtime[key].clone();
            }
            self.send(&start);
            self.send(&json!({"type": "sync", "request_id": self.next_request_id("sync"), "runtime": runtime}));
        }
    }

    fn lost(&self) {
        if self.0.closed.get() {
            return;
        }
        let attempt = self.0.attempt.get() + 1;
        self.0.attempt.set(attempt);
        if !self.0.ever_opened.get() && attempt >= SIGNED_OUT_AFTER {
            self.set_state(ConnState::SignedOut);
            return;
        }
        let delay_ms = FIRST_DELAY_MS.saturating_mul(1 << (attempt - 1).min(5)).min(MAX_DELAY_MS);
        self.set_state(ConnState::Reconnecting { attempt, delay_ms });
        let this = self.clone();
        let retry = Closure::once_into_js(move || {
            if !this.0.closed.get() {
                this.open();
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(retry.unchecked_ref(), delay_ms as i32);
        }
    }
}
