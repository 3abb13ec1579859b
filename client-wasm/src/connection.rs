//! [`Connection`]: one self-healing WebSocket to a tether runtime.
//!
//! It connects at once, correlates requests with their answers ([`crate::pending`]),
//! reconnects with backoff when the socket drops ([`crate::reconnect`]), and after a
//! reconnect re-starts and re-syncs every runtime it started ([`crate::scopes`]).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures_channel::oneshot;
use serde_json::Value;
use tether_protocol::lifecycle::{RuntimeStartCommand, RuntimeStartResponse};
use tether_protocol::{ClientFrame, ServerFrame};

use crate::error::ClientError;
use crate::pending::{Answer, Incoming, Pending};
use crate::reconnect::backoff_delay_ms;
use crate::scopes::Scopes;
use crate::socket::{CloseInfo, Handlers, Socket, Transport};
use crate::subscription::{Listeners, Subscription};
use crate::timer::{drop_later, Timer};
use crate::url::normalize_url;

/// Default time a request waits for its answer (the reference client's default).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Where and how to connect.
#[derive(Clone, PartialEq)]
pub struct ConnectOptions {
    /// `ws`, `wss`, `http` or `https` base URL; `/ws` is appended when the path is empty or `/`.
    pub url: String,
    /// Bearer token, offered as subprotocols `tether.v1, tether.bearer.<token>`; `None`
    /// for the web UI, which authenticates with its session cookie.
    pub token: Option<String>,
    /// How long a request waits for its answer (including waiting for the socket to open).
    pub request_timeout: Duration,
}

// Hand-written so the token never reaches a log through `{:?}`.
impl std::fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

impl ConnectOptions {
    /// Options for `url` with no token and the default timeout.
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), ..Self::default() }
    }
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self { url: String::new(), token: None, request_timeout: DEFAULT_REQUEST_TIMEOUT }
    }
}

/// Where the connection stands, for status displays.
#[derive(Clone, Debug, PartialEq)]
pub enum ConnectionState {
    /// The socket is opening.
    Connecting,
    /// The socket is open: requests go out at once.
    Open,
    /// The socket dropped; attempt `attempt` starts after `delay_ms`.
    Reconnecting {
        /// 1 for the first retry after a drop.
        attempt: u32,
        /// Milliseconds until that attempt.
        delay_ms: u32,
    },
    /// `close()` was called (or the URL was unusable): nothing more happens.
    Closed,
}

/// A handle on one connection; clones share it (an `Rc` inside, so cheap to clone).
#[derive(Clone)]
pub struct Connection {
    inner: Rc<Inner>,
}

/// A request waiting for the socket to open.
struct Queued {
    request_id: String,
    command_type: String,
    text: String,
    reply: oneshot::Sender<Answer>,
    timeout: Timer,
}

struct Inner {
    url: String,
    token: Option<String>,
    timeout_ms: u32,
    transport: Transport,
    state: RefCell<ConnectionState>,
    socket: RefCell<Option<Socket>>,
    pending: RefCell<Pending>,
    queued: RefCell<Vec<Queued>>,
    states: Rc<Listeners<ConnectionState>>,
    frames: Rc<Listeners<Rc<Incoming>>>,
    disconnects: Rc<Listeners<CloseInfo>>,
    scopes: RefCell<Scopes>,
    attempt: Cell<u32>,
    retry: RefCell<Option<Timer>>,
    next_request: Cell<u64>,
    ever_opened: Cell<bool>,
    error: RefCell<Option<ClientError>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").field("url", &self.inner.url).field("state", &self.state()).finish()
    }
}

impl Connection {
    /// Starts connecting at once; from then on the connection reconnects by itself until
    /// [`Connection::close`]. An unusable URL gives a connection that is already `Closed`
    /// (see [`Connection::last_error`]).
    pub fn connect(options: ConnectOptions) -> Connection {
        Self::try_connect(options).unwrap_or_else(|error| {
            let inner = Inner::new(String::new(), None, DEFAULT_REQUEST_TIMEOUT, Transport::Global);
            *inner.state.borrow_mut() = ConnectionState::Closed;
            *inner.error.borrow_mut() = Some(error);
            Connection { inner: Rc::new(inner) }
        })
    }

    /// Like [`Connection::connect`], but an unusable URL is an error.
    pub fn try_connect(options: ConnectOptions) -> Result<Connection, ClientError> {
        Self::connect_with(options, Transport::Global)
    }

    /// Connects through `transport` (the npm package passes a `ws`-style constructor).
    pub(crate) fn connect_with(options: ConnectOptions, transport: Transport) -> Result<Connection, ClientError> {
        let url = normalize_url(&options.url)?;
        let token = options.token.map(|t| t.trim().to_owned());
        if token.as_deref() == Some("") {
            return Err(ClientError::Socket("the auth token must not be empty".into()));
        }
        let inner = Rc::new(Inner::new(url, token, options.request_timeout, transport));
        Inner::open_socket(&inner);
        Ok(Connection { inner })
    }

    /// The current state.
    pub fn state(&self) -> ConnectionState {
        self.inner.state.borrow().clone()
    }

    /// The WebSocket URL in use (after normalisation).
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// Why the connection closed by itself or could not start, if it did.
    pub fn last_error(&self) -> Option<ClientError> {
        self.inner.error.borrow().clone()
    }

    /// Calls `f` on every state change until the subscription is dropped.
    pub fn on_state(&self, f: impl Fn(&ConnectionState) + 'static) -> Subscription {
        self.inner.states.add(Rc::new(f))
    }

    /// Calls `f` with every incoming frame, typed. Unknown types arrive as
    /// [`ServerFrame::Unknown`]; so do frames of a known type that fail to decode
    /// (with their raw JSON), never an error.
    pub fn on_frame(&self, f: impl Fn(&ServerFrame) + 'static) -> Subscription {
        self.inner.frames.add(Rc::new(move |incoming: &Rc<Incoming>| f(&incoming.frame())))
    }

    /// Calls `f` each time the socket drops (not after `close()`), before reconnecting.
    pub fn on_disconnect(&self, f: impl Fn(&CloseInfo) + 'static) -> Subscription {
        self.inner.disconnects.add(Rc::new(f))
    }

    /// Calls `f` with every incoming frame as JSON (an object), before any typed decoding:
    /// callers that look at a few fields link no protocol decoders (the web UI's size).
    pub fn on_json(&self, f: impl Fn(&Value) + 'static) -> Subscription {
        self.inner.frames.add(Rc::new(move |incoming: &Rc<Incoming>| f(&incoming.value)))
    }

    /// Calls `f` with every incoming frame's original text (a JSON object), unchanged.
    pub fn on_text(&self, f: impl Fn(&str) + 'static) -> Subscription {
        self.inner.frames.add(Rc::new(move |incoming: &Rc<Incoming>| f(&incoming.text)))
    }

    /// Every incoming frame with its original text and JSON (for the JavaScript API).
    pub(crate) fn on_incoming(&self, f: impl Fn(&Rc<Incoming>) + 'static) -> Subscription {
        self.inner.frames.add(Rc::new(f))
    }

    /// Sends a frame without waiting for an answer; fails unless the socket is open.
    pub fn send(&self, frame: &ClientFrame) -> Result<(), ClientError> {
        let text = serde_json::to_string(frame).map_err(|e| ClientError::Encode(e.to_string()))?;
        self.inner.send_text(&text)
    }

    /// Sends a frame given as JSON, unchecked (the runtime answers a malformed one with
    /// an `error` frame); fails unless the socket is open.
    pub fn send_json(&self, frame: &Value) -> Result<(), ClientError> {
        self.inner.send_text(&frame.to_string())
    }

    /// Sends raw JSON text, unchecked; fails unless the socket is open.
    pub fn send_text(&self, text: &str) -> Result<(), ClientError> {
        self.inner.send_text(text)
    }

    /// Sends `frame` and waits for its answer: the frame with the same `request_id` and
    /// the expected response type (`input` → `input_accepted`, others → `<type>_response`).
    /// An `error` frame with that id rejects it ([`ClientError::Refused`]); no answer within
    /// the request timeout gives [`ClientError::Timeout`]. While the socket is (re)connecting
    /// the request waits for it, within the same timeout.
    pub async fn request(&self, frame: ClientFrame) -> Result<ServerFrame, ClientError> {
        let value = serde_json::to_value(&frame).map_err(|e| ClientError::Encode(e.to_string()))?;
        Ok(self.request_value(&value).await?.frame())
    }

    /// [`Connection::request`] for a frame given as JSON (it needs `type` and
    /// `request_id`); resolves with the answer as JSON, undecoded.
    pub async fn request_json(&self, frame: &Value) -> Result<Value, ClientError> {
        Ok(self.request_value(frame).await?.value.clone())
    }

    /// [`Connection::request`] for a frame given as JSON, answered with the raw frame.
    pub(crate) async fn request_value(&self, value: &Value) -> Answer {
        let command_type = value.get("type").and_then(Value::as_str).ok_or_else(|| ClientError::Encode("the frame has no type".into()))?;
        let request_id = value.get("request_id").and_then(Value::as_str).ok_or(ClientError::MissingRequestId)?;
        let (reply, answer) = oneshot::channel();
        let weak = Rc::downgrade(&self.inner);
        let id = request_id.to_owned();
        let timeout = Timer::once(self.inner.timeout_ms, move || {
            if let Some(inner) = weak.upgrade() {
                inner.expire(&id);
            }
        });
        let queued = Queued { request_id: request_id.to_owned(), command_type: command_type.to_owned(), text: value.to_string(), reply, timeout };
        Inner::submit(&self.inner, queued);
        answer.await.unwrap_or(Err(ClientError::Closed))
    }

    /// A fresh `request_id`: `<prefix>-<n>`, unique within this connection.
    pub fn next_request_id(&self, prefix: &str) -> String {
        let n = self.inner.next_request.get() + 1;
        self.inner.next_request.set(n);
        format!("{prefix}-{n}")
    }

    /// `runtime_start`, remembering the resolved runtime: after a reconnect the
    /// connection re-runs `runtime_start {agent_id, conversation_id}` (with the same
    /// external tools) for every remembered runtime, then `sync`s it.
    pub async fn runtime_start(&self, cmd: RuntimeStartCommand) -> Result<RuntimeStartResponse, ClientError> {
        let external_tools = cmd.external_tools.clone();
        match self.request(ClientFrame::RuntimeStart(cmd)).await? {
            ServerFrame::RuntimeStartResponse(response) => {
                self.remember(&response, external_tools);
                Ok(response)
            }
            other => Err(ClientError::Unexpected(other.frame_type().to_owned())),
        }
    }

    /// Remembers the runtime a successful `runtime_start_response` names.
    fn remember(&self, response: &RuntimeStartResponse, external_tools: Option<Vec<tether_protocol::external::RuntimeStartExternalToolsGroup>>) {
        if let (true, Some(scope)) = (response.success, &response.runtime) {
            let tools = external_tools.and_then(|tools| serde_json::to_value(tools).ok());
            if let Ok(scope) = serde_json::to_value(scope) {
                self.inner.scopes.borrow_mut().remember(scope, tools);
            }
        }
    }

    /// `runtime_start` given as JSON (it needs a `request_id`; `type` is set here),
    /// remembered like [`Connection::runtime_start`] when it succeeds, so a reconnect
    /// re-attaches the conversation; resolves with the response as JSON, undecoded.
    pub async fn runtime_start_json(&self, mut command: Value) -> Result<Value, ClientError> {
        if let Some(object) = command.as_object_mut() {
            object.insert("type".into(), "runtime_start".into());
        }
        let response = self.request_json(&command).await?;
        self.remember_json(&response, command.get("external_tools").cloned());
        Ok(response)
    }

    /// Remembers the runtime a `runtime_start_response` (as JSON) names, if it succeeded.
    pub(crate) fn remember_json(&self, response: &Value, external_tools: Option<Value>) {
        if let (Some(true), Some(scope)) = (response.get("success").and_then(Value::as_bool), response.get("runtime")) {
            self.inner.scopes.borrow_mut().remember(scope.clone(), external_tools);
        }
    }

    /// The remembered runtimes, for [`crate::scopes::resume`].
    pub(crate) fn scopes_snapshot(&self) -> Vec<crate::scopes::Remembered> {
        self.inner.scopes.borrow().list.clone()
    }

    /// Sends an `input` (its `request_id` must be set) and resolves with the
    /// `turn_finished` of the turn that ran it; a refused input is [`ClientError::Refused`].
    pub async fn run_turn(&self, cmd: tether_protocol::input::InputCommand) -> Result<tether_protocol::input::TurnFinished, ClientError> {
        let value = serde_json::to_value(ClientFrame::Input(cmd)).map_err(|e| ClientError::Encode(e.to_string()))?;
        match crate::turn::run_turn(self, value).await?.frame() {
            ServerFrame::TurnFinished(finished) => Ok(finished),
            other => Err(ClientError::Unexpected(other.frame_type().to_owned())),
        }
    }

    /// Whether the socket was ever open (a first failure is then not a "drop").
    pub fn ever_opened(&self) -> bool {
        self.inner.ever_opened.get()
    }

    /// A handle that does not keep the connection alive (for callbacks it owns).
    pub(crate) fn downgrade(&self) -> WeakConnection {
        WeakConnection(Rc::downgrade(&self.inner))
    }

    /// Resolves once the socket is open; fails if the connection is closed first.
    pub async fn opened(&self) -> Result<(), ClientError> {
        loop {
            match self.state() {
                ConnectionState::Open => return Ok(()),
                ConnectionState::Closed => return Err(self.last_error().unwrap_or(ClientError::Closed)),
                _ => {}
            }
            let (tx, rx) = oneshot::channel::<()>();
            let tx = RefCell::new(Some(tx));
            let _subscription = self.on_state(move |_| {
                if let Some(tx) = tx.borrow_mut().take() {
                    let _ = tx.send(());
                }
            });
            let _ = rx.await;
        }
    }

    /// Closes for good: no reconnect; waiting requests fail with [`ClientError::Closed`].
    pub fn close(&self) {
        Inner::shut(&self.inner, None);
    }
}

/// A [`Connection`] that does not keep it alive.
pub(crate) struct WeakConnection(Weak<Inner>);

impl WeakConnection {
    /// The connection, if it still exists.
    pub(crate) fn upgrade(&self) -> Option<Connection> {
        self.0.upgrade().map(|inner| Connection { inner })
    }
}

impl Inner {
    fn new(url: String, token: Option<String>, timeout: Duration, transport: Transport) -> Self {
        Inner {
            url,
            token,
            timeout_ms: u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX),
            transport,
            state: RefCell::new(ConnectionState::Connecting),
            socket: RefCell::new(None),
            pending: RefCell::new(Pending::default()),
            queued: RefCell::new(Vec::new()),
            states: Listeners::new(),
            frames: Listeners::new(),
            disconnects: Listeners::new(),
            scopes: RefCell::new(Scopes::default()),
            attempt: Cell::new(0),
            retry: RefCell::new(None),
            next_request: Cell::new(0),
            ever_opened: Cell::new(false),
            error: RefCell::new(None),
        }
    }

    fn set_state(&self, state: ConnectionState) {
        if *self.state.borrow() == state {
            return;
        }
        *self.state.borrow_mut() = state.clone();
        self.states.emit(&state);
    }

    fn open_socket(this: &Rc<Inner>) {
        this.set_state(ConnectionState::Connecting);
        let (open, text, close) = (Rc::downgrade(this), Rc::downgrade(this), Rc::downgrade(this));
        let handlers = Handlers {
            on_open: Box::new(move || with(&open, Inner::on_open)),
            on_text: Box::new(move |t| with(&text, |inner| Inner::on_text(inner, t))),
            on_close: Box::new(move |info| with(&close, |inner| Inner::on_close(inner, info))),
        };
        match Socket::open(&this.transport, &this.url, this.token.as_deref(), handlers) {
            Ok(socket) => *this.socket.borrow_mut() = Some(socket),
            // A missing or refusing WebSocket implementation will not fix itself.
            Err(error) => Inner::shut(this, Some(error)),
        }
    }

    fn on_open(this: &Rc<Inner>) {
        this.attempt.set(0);
        let reopened = this.ever_opened.replace(true);
        this.set_state(ConnectionState::Open);
        let queued = std::mem::take(&mut *this.queued.borrow_mut());
        for request in queued {
            Inner::submit(this, request);
        }
        if reopened {
            let connection = Connection { inner: this.clone() };
            wasm_bindgen_futures::spawn_local(crate::scopes::resume(connection));
        }
    }

    fn on_text(this: &Rc<Inner>, text: String) {
        let Ok(value) = serde_json::from_str::<Value>(&text) else { return };
        if !value.is_object() {
            return;
        }
        let incoming = Rc::new(Incoming::new(text, value));
        this.pending.borrow_mut().resolve(&incoming);
        this.frames.emit(&incoming);
    }

    fn on_close(this: &Rc<Inner>, info: CloseInfo) {
        if let Some(socket) = this.socket.borrow_mut().take() {
            socket.retire();
        }
        if *this.state.borrow() == ConnectionState::Closed {
            return;
        }
        this.pending.borrow_mut().fail_all(|id| ClientError::Disconnected(id.to_owned()));
        this.disconnects.emit(&info);
        // A disconnect listener may have closed the connection for good.
        if *this.state.borrow() == ConnectionState::Closed {
            return;
        }
        let attempt = this.attempt.get() + 1;
        this.attempt.set(attempt);
        let delay_ms = backoff_delay_ms(attempt);
        this.set_state(ConnectionState::Reconnecting { attempt, delay_ms });
        let weak = Rc::downgrade(this);
        let timer = Timer::once(delay_ms, move || with(&weak, Inner::open_socket));
        if let Some(old) = this.retry.borrow_mut().replace(timer) {
            drop_later(old);
        }
    }

    /// Sends a request now if the socket is open, else queues it until it opens.
    fn submit(this: &Rc<Inner>, request: Queued) {
        if *this.state.borrow() == ConnectionState::Closed {
            let _ = request.reply.send(Err(ClientError::Closed));
            drop_later(request.timeout);
            return;
        }
        if *this.state.borrow() != ConnectionState::Open {
            this.queued.borrow_mut().push(request);
            return;
        }
        let Queued { request_id, command_type, text, reply, timeout } = request;
        this.pending.borrow_mut().insert(request_id.clone(), &command_type, reply, Some(timeout));
        if let Err(error) = this.send_text(&text) {
            this.pending.borrow_mut().fail(&request_id, error);
        }
    }

    fn send_text(&self, text: &str) -> Result<(), ClientError> {
        match (&*self.state.borrow(), self.socket.borrow().as_ref()) {
            (ConnectionState::Open, Some(socket)) => socket.send(text),
            (ConnectionState::Closed, _) => Err(ClientError::Closed),
            _ => Err(ClientError::NotConnected),
        }
    }

    /// The request's timeout fired.
    fn expire(&self, request_id: &str) {
        self.pending.borrow_mut().fail(request_id, ClientError::Timeout(request_id.to_owned()));
        let mut queued = self.queued.borrow_mut();
        if let Some(index) = queued.iter().position(|q| q.request_id == request_id) {
            let request = queued.remove(index);
            let _ = request.reply.send(Err(ClientError::Timeout(request_id.to_owned())));
            drop_later(request.timeout);
        }
    }

    /// Closes for good, recording `error` as the reason when there is one.
    fn shut(this: &Rc<Inner>, error: Option<ClientError>) {
        if error.is_some() {
            *this.error.borrow_mut() = error;
        }
        this.set_state(ConnectionState::Closed);
        if let Some(timer) = this.retry.borrow_mut().take() {
            drop_later(timer);
        }
        if let Some(socket) = this.socket.borrow_mut().take() {
            socket.retire();
        }
        this.pending.borrow_mut().fail_all(|_| ClientError::Closed);
        for request in std::mem::take(&mut *this.queued.borrow_mut()) {
            let _ = request.reply.send(Err(ClientError::Closed));
            drop_later(request.timeout);
        }
    }
}

/// Runs `f` on the connection if it still exists.
fn with(weak: &Weak<Inner>, f: impl FnOnce(&Rc<Inner>)) {
    if let Some(inner) = weak.upgrade() {
        f(&inner);
    }
}
