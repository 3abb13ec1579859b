//! The JavaScript API (`tether-client` on npm): `createClient(options)` returns a
//! [`JsClient`] whose methods mirror the official `createAppServerClient`. Frames cross
//! as plain objects with the wire's field names (JSON text in, `JSON.parse` out).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use futures_channel::oneshot;
use js_sys::{Function, Promise, Reflect, JSON};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::connection::{ConnectOptions, Connection, ConnectionState, DEFAULT_REQUEST_TIMEOUT};
use crate::error::ClientError;
use crate::pending::Incoming;
use crate::socket::{describe, Transport};
use crate::subscription::Subscription;

/// The TypeScript types of frames and options, written next to the Rust types they mirror
/// (checked against protocol/tests/golden by tests/client-types.test.mjs).
#[wasm_bindgen(typescript_custom_section)]
const FRAME_TYPES: &str = include_str!("../ts/frames.d.ts");

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str, error: &JsValue);
}

/// A tether client for JavaScript; create it with `createClient`.
#[wasm_bindgen(js_name = TetherClient)]
pub struct JsClient {
    connection: Connection,
    // Keeps the subscription that closes the client on a drop when `reconnect: false`.
    _no_reconnect: Option<Subscription>,
}

/// Creates a client and starts connecting; `await client.connect()` before sending.
#[wasm_bindgen(js_name = createClient, unchecked_return_type = "TetherClient")]
pub fn create_client(#[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: JsValue) -> Result<JsClient, JsError> {
    let url = get(&options, "url").as_string().ok_or_else(|| JsError::new("createClient: options.url must be a string"))?;
    let token = get(&options, "authToken").as_string();
    let timeout = get(&options, "requestTimeoutMs").as_f64().map(|ms| Duration::from_millis(ms.max(0.0) as u64)).unwrap_or(DEFAULT_REQUEST_TIMEOUT);
    let transport = match get(&options, "WebSocket") {
        ctor if ctor.is_function() => Transport::Constructor(ctor.unchecked_into()),
        _ => Transport::Global,
    };
    let connection = Connection::connect_with(ConnectOptions { url, token, request_timeout: timeout }, transport).map_err(js_error)?;
    let no_reconnect = (get(&options, "reconnect").as_bool() == Some(false)).then(|| {
        let weak = connection.downgrade();
        connection.on_disconnect(move |_| {
            if let Some(connection) = weak.upgrade() {
                connection.close();
            }
        })
    });
    Ok(JsClient { connection, _no_reconnect: no_reconnect })
}

#[wasm_bindgen(js_class = TetherClient)]
impl JsClient {
    /// Resolves once the socket is open; rejects if the first attempt fails (the client
    /// is then closed) or the client was closed.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn connect(&self) -> Promise {
        let connection = self.connection.clone();
        future_to_promise(async move {
            loop {
                match connection.state() {
                    ConnectionState::Open => return Ok(JsValue::UNDEFINED),
                    ConnectionState::Closed => return Err(js_error(connection.last_error().unwrap_or(ClientError::Closed)).into()),
                    ConnectionState::Reconnecting { .. } if !connection.ever_opened() => {
                        connection.close();
                        return Err(JsError::new(&format!("could not open the WebSocket to {}", connection.url())).into());
                    }
                    _ => next_state(&connection).await,
                }
            }
        })
    }

    /// The connection state: `"connecting"`, `"open"`, `"reconnecting"` or `"closed"`.
    #[wasm_bindgen(getter, unchecked_return_type = "\"connecting\" | \"open\" | \"reconnecting\" | \"closed\"")]
    pub fn state(&self) -> String {
        match self.connection.state() {
            ConnectionState::Connecting => "connecting",
            ConnectionState::Open => "open",
            ConnectionState::Reconnecting { .. } => "reconnecting",
            ConnectionState::Closed => "closed",
        }
        .to_owned()
    }

    /// Closes for good; waiting requests reject.
    pub fn close(&self) {
        self.connection.close();
    }

    /// A fresh request id, `<prefix>-<n>`.
    #[wasm_bindgen(js_name = nextRequestId)]
    pub fn next_request_id(&self, prefix: Option<String>) -> String {
        self.connection.next_request_id(prefix.as_deref().unwrap_or("req"))
    }

    /// `app_server_info`: the runtime's identity and capabilities.
    #[wasm_bindgen(unchecked_return_type = "Promise<AppServerInfoResponse>")]
    pub fn info(&self) -> Promise {
        self.request_typed(JsValue::UNDEFINED, "app_server_info", "app-server-info")
    }

    /// `runtime_start`: resolves or creates an agent and conversation and subscribes to
    /// them; remembered so a reconnect resumes it.
    #[wasm_bindgen(js_name = runtimeStart, unchecked_return_type = "Promise<RuntimeStartResponse>")]
    pub fn runtime_start(&self, #[wasm_bindgen(unchecked_param_type = "Omit<RuntimeStartCommand, \"type\" | \"request_id\"> & { request_id?: string }")] command: JsValue) -> Promise {
        let connection = self.connection.clone();
        let value = self.command(command, "runtime_start", Some("runtime-start"));
        future_to_promise(async move {
            let value = value?;
            let incoming = connection.request_value(&value).await.map_err(js_error)?;
            connection.remember_json(&incoming.value, value.get("external_tools").cloned());
            parse(&incoming)
        })
    }

    /// `sync`: replays the runtime's state; resolves on `sync_response`.
    #[wasm_bindgen(unchecked_return_type = "Promise<SyncResponse>")]
    pub fn sync(&self, #[wasm_bindgen(unchecked_param_type = "Omit<SyncCommand, \"type\" | \"request_id\"> & { request_id?: string }")] command: JsValue) -> Promise {
        self.request_typed(command, "sync", "sync")
    }

    /// `abort_message`: interrupts the active turn.
    #[wasm_bindgen(unchecked_return_type = "Promise<AbortMessageResponse>")]
    pub fn abort(&self, #[wasm_bindgen(unchecked_param_type = "Omit<AbortMessageCommand, \"type\" | \"request_id\"> & { request_id?: string }")] command: JsValue) -> Promise {
        self.request_typed(command, "abort_message", "abort")
    }

    /// `resume_queue`: releases queue items parked by an abort.
    #[wasm_bindgen(js_name = resumeQueue, unchecked_return_type = "Promise<ResumeQueueResponse>")]
    pub fn resume_queue(&self, #[wasm_bindgen(unchecked_param_type = "Omit<ResumeQueueCommand, \"type\" | \"request_id\"> & { request_id?: string }")] command: JsValue) -> Promise {
        self.request_typed(command, "resume_queue", "resume-queue")
    }

    /// `conversation_list`: the conversations (all, or filtered).
    #[wasm_bindgen(js_name = conversationList, unchecked_return_type = "Promise<ConversationListResponse>")]
    pub fn conversation_list(&self, #[wasm_bindgen(unchecked_optional_param_type = "Omit<ConversationListCommand, \"type\" | \"request_id\"> & { request_id?: string }")] command: Option<JsValue>) -> Promise {
        self.request_typed(command.unwrap_or(JsValue::UNDEFINED), "conversation_list", "conversation-list")
    }

    /// `input` without waiting: watch progress with `onMessage`.
    pub fn input(&self, #[wasm_bindgen(unchecked_param_type = "Omit<InputCommand, \"type\">")] command: JsValue) -> Result<(), JsError> {
        let value = self.command(command, "input", None).map_err(|e| JsError::new(&describe(&e)))?;
        self.connection.send_text(&value.to_string()).map_err(js_error)
    }

    /// `input`, resolving on its `input_accepted` (never waits for the turn).
    #[wasm_bindgen(js_name = submitInput, unchecked_return_type = "Promise<InputAccepted>")]
    pub fn submit_input(&self, #[wasm_bindgen(unchecked_param_type = "Omit<InputCommand, \"type\" | \"request_id\"> & { request_id?: string }")] command: JsValue) -> Promise {
        self.request_typed(command, "input", "input")
    }

    /// Sends an input and resolves with the `turn_finished` of the turn that ran it
    /// (rejects if the input is refused or the socket drops first).
    #[wasm_bindgen(js_name = runTurn, unchecked_return_type = "Promise<TurnFinished>")]
    pub fn run_turn(&self, #[wasm_bindgen(unchecked_param_type = "Omit<InputCommand, \"type\" | \"request_id\"> & { request_id?: string }")] command: JsValue) -> Promise {
        let connection = self.connection.clone();
        let value = self.command(command, "input", Some("input"));
        future_to_promise(async move {
            let incoming = crate::turn::run_turn(&connection, value?).await.map_err(js_error)?;
            parse(&incoming)
        })
    }

    /// Sends any command and resolves on its answer (same `request_id`, expected type).
    #[wasm_bindgen(unchecked_return_type = "Promise<ServerFrame>")]
    pub fn request(&self, #[wasm_bindgen(unchecked_param_type = "ClientFrame")] command: JsValue) -> Promise {
        let connection = self.connection.clone();
        let value = to_value(&command);
        future_to_promise(async move {
            let value = value?;
            parse(&connection.request_value(&value).await.map_err(js_error)?)
        })
    }

    /// Sends any command without waiting.
    pub fn send(&self, #[wasm_bindgen(unchecked_param_type = "ClientFrame")] command: JsValue) -> Result<(), JsError> {
        let value = to_value(&command).map_err(|e| JsError::new(&describe(&e)))?;
        self.connection.send_text(&value.to_string()).map_err(js_error)
    }

    /// Calls `handler` with every incoming frame; returns the function that unsubscribes.
    #[wasm_bindgen(js_name = onMessage, unchecked_return_type = "() => void")]
    pub fn on_message(&self, #[wasm_bindgen(unchecked_param_type = "(message: ServerFrame) => void")] handler: Function) -> JsValue {
        let subscription = self.connection.on_incoming(move |incoming| {
            if let Ok(message) = parse(incoming) {
                call(&handler, &message);
            }
        });
        unsubscriber(subscription)
    }

    /// Answers every `external_tool_call_request` with `handler`'s result (or its error
    /// message) as `external_tool_call_response`; returns the function that unsubscribes.
    #[wasm_bindgen(js_name = onExternalToolCall, unchecked_return_type = "() => void")]
    pub fn on_external_tool_call(&self, #[wasm_bindgen(unchecked_param_type = "(request: ExternalToolCallRequest) => ExternalToolCallResult | Promise<ExternalToolCallResult>")] handler: Function) -> JsValue {
        let weak = self.connection.downgrade();
        let subscription = self.connection.on_incoming(move |incoming| {
            if incoming.frame_type() != "external_tool_call_request" {
                return;
            }
            let (Some(connection), Some(request_id), Ok(message)) = (weak.upgrade(), incoming.str_field("request_id"), parse(incoming)) else { return };
            let request_id = request_id.to_owned();
            let outcome = handler.call1(&JsValue::NULL, &message);
            wasm_bindgen_futures::spawn_local(async move {
                let settled = match outcome {
                    Ok(value) => JsFuture::from(Promise::resolve(&value)).await,
                    Err(error) => Err(error),
                };
                let response = match settled.and_then(|result| to_value(&result)) {
                    Ok(result) => json!({ "type": "external_tool_call_response", "request_id": request_id, "result": result }),
                    Err(error) => json!({ "type": "external_tool_call_response", "request_id": request_id, "error": describe(&error) }),
                };
                if let Err(error) = connection.send_text(&response.to_string()) {
                    console_error("tether-client: cannot answer an external tool call:", &JsValue::from_str(&error.to_string()));
                }
            });
        });
        unsubscriber(subscription)
    }

    /// Calls `handler` each time the socket drops (before reconnecting, unless the client
    /// was created with `reconnect: false`); returns the function that unsubscribes.
    #[wasm_bindgen(js_name = onDisconnect, unchecked_return_type = "() => void")]
    pub fn on_disconnect(&self, #[wasm_bindgen(unchecked_param_type = "(event: DisconnectEvent) => void")] handler: Function) -> JsValue {
        let subscription = self.connection.on_disconnect(move |info| {
            let event = json!({ "channel": "control", "code": info.code, "reason": info.reason });
            if let Ok(event) = JSON::parse(&event.to_string()) {
                call(&handler, &event);
            }
        });
        unsubscriber(subscription)
    }

    /// Calls `handler` with each new state; returns the function that unsubscribes.
    #[wasm_bindgen(js_name = onStateChange, unchecked_return_type = "() => void")]
    pub fn on_state_change(&self, #[wasm_bindgen(unchecked_param_type = "(state: ConnectionStateName) => void")] handler: Function) -> JsValue {
        let subscription = self.connection.on_state(move |state| {
            let name = match state {
                ConnectionState::Connecting => "connecting",
                ConnectionState::Open => "open",
                ConnectionState::Reconnecting { .. } => "reconnecting",
                ConnectionState::Closed => "closed",
            };
            call(&handler, &JsValue::from_str(name));
        });
        unsubscriber(subscription)
    }
}

impl JsClient {
    /// `command` as a frame of `command_type`, with a fresh `request_id` (from
    /// `id_prefix`) unless it has one. Not checked here: the runtime answers a bad frame
    /// with an `error` frame naming the field, which rejects the request (and keeps the
    /// protocol's decoders out of the npm build).
    fn command(&self, command: JsValue, command_type: &str, id_prefix: Option<&str>) -> Result<Value, JsValue> {
        let mut value = if command.is_undefined() || command.is_null() { json!({}) } else { to_value(&command)? };
        let object = value.as_object_mut().ok_or_else(|| JsValue::from(JsError::new("a command must be an object")))?;
        object.insert("type".into(), json!(command_type));
        if let (Some(prefix), false) = (id_prefix, object.contains_key("request_id")) {
            object.insert("request_id".into(), json!(self.connection.next_request_id(prefix)));
        }
        Ok(value)
    }

    fn request_typed(&self, command: JsValue, command_type: &str, id_prefix: &str) -> Promise {
        let connection = self.connection.clone();
        let value = self.command(command, command_type, Some(id_prefix));
        future_to_promise(async move { parse(&connection.request_value(&value?).await.map_err(js_error)?) })
    }
}

/// A JS value as JSON.
fn to_value(value: &JsValue) -> Result<Value, JsValue> {
    let text = JSON::stringify(value)?.as_string().unwrap_or_else(|| "null".to_owned());
    serde_json::from_str(&text).map_err(|e| JsError::new(&e.to_string()).into())
}

/// The frame as a fresh plain object, exactly as it arrived.
pub(crate) fn parse(incoming: &Rc<Incoming>) -> Result<JsValue, JsValue> {
    JSON::parse(&incoming.text)
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn call(handler: &Function, argument: &JsValue) {
    if let Err(error) = handler.call1(&JsValue::NULL, argument) {
        console_error("tether-client: a handler threw:", &error);
    }
}

fn js_error(error: ClientError) -> JsError {
    JsError::new(&error.to_string())
}

/// A JS function that drops `subscription` (unsubscribes) when called.
fn unsubscriber(subscription: Subscription) -> JsValue {
    let subscription = RefCell::new(Some(subscription));
    Closure::<dyn FnMut()>::new(move || drop(subscription.borrow_mut().take())).into_js_value()
}

/// Waits for the next state change.
async fn next_state(connection: &Connection) {
    let (tx, rx) = oneshot::channel::<()>();
    let tx = Cell::new(Some(tx));
    let _subscription = connection.on_state(move |_| {
        if let Some(tx) = tx.take() {
            let _ = tx.send(());
        }
    });
    let _ = rx.await;
}

