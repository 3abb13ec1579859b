//! Scenarios shared by the Node and the browser test binaries, run against a real
//! `tether app-server` started by `client-wasm/tests/harness.mjs`, which passes its
//! address at compile time (`TETHER_TEST_URL`, `TETHER_TEST_TOKEN`, `TETHER_TEST_CONTROL`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use futures_channel::oneshot;
use serde_json::json;
use tether_client::reconnect::backoff_delay_ms;
use tether_client::url::normalize_url;
use tether_client::{ClientError, ConnectOptions, Connection, ConnectionState};
use tether_protocol::input::InputCommand;
use tether_protocol::letta_message::StopReasonType;
use tether_protocol::lifecycle::{AppServerInfoCommand, RuntimeStartCommand};
use tether_protocol::{ClientFrame, RuntimeScope, ServerFrame};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

const URL: Option<&str> = option_env!("TETHER_TEST_URL");
const TOKEN: Option<&str> = option_env!("TETHER_TEST_TOKEN");
const CONTROL: Option<&str> = option_env!("TETHER_TEST_CONTROL");
/// Guard against hangs while waiting for a frame (a test failure, not a timing claim).
const WAIT_MS: u32 = 20_000;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &js_sys::Function, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = fetch)]
    fn fetch(url: &str) -> js_sys::Promise;
}

fn runtime_url() -> &'static str {
    URL.expect("run these tests through client-wasm/tests/harness.mjs (it starts tether and sets TETHER_TEST_URL)")
}

fn options() -> ConnectOptions {
    ConnectOptions { url: runtime_url().to_owned(), token: TOKEN.map(str::to_owned), request_timeout: Duration::from_secs(20) }
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    let _: Result<JsValue, JsValue> = JsFuture::from(promise).await;
}

/// Waits for the first frame `accept` takes (collecting from the moment of the call).
pub async fn wait_frame(connection: &Connection, accept: impl Fn(&ServerFrame) -> bool + 'static) -> ServerFrame {
    let (tx, rx) = oneshot::channel();
    let tx = RefCell::new(Some(tx));
    let _subscription = connection.on_frame(move |frame| {
        if accept(frame)
            && let Some(tx) = tx.borrow_mut().take()
        {
            let _ = tx.send(frame.clone());
        }
    });
    race(rx, "frame").await
}

/// Waits for the first state `accept` takes.
pub async fn wait_state(connection: &Connection, accept: impl Fn(&ConnectionState) -> bool + 'static) -> ConnectionState {
    if accept(&connection.state()) {
        return connection.state();
    }
    let (tx, rx) = oneshot::channel();
    let tx = RefCell::new(Some(tx));
    let _subscription = connection.on_state(move |state| {
        if accept(state)
            && let Some(tx) = tx.borrow_mut().take()
        {
            let _ = tx.send(state.clone());
        }
    });
    race(rx, "state").await
}

async fn race<T: 'static>(rx: oneshot::Receiver<T>, what: &str) -> T {
    use futures_util::future::{select, Either};
    let guard = Box::pin(sleep(WAIT_MS));
    match select(rx, guard).await {
        Either::Left((Ok(value), _)) => value,
        Either::Left((Err(_), _)) => panic!("{what} channel dropped"),
        Either::Right(_) => panic!("no {what} within {WAIT_MS} ms"),
    }
}

async fn connected() -> Connection {
    let connection = Connection::connect(options());
    connection.opened().await.expect("the connection opens");
    connection
}

fn start_new(connection: &Connection, name: &str) -> RuntimeStartCommand {
    serde_json::from_value(json!({
        "request_id": connection.next_request_id("start"),
        "create_agent": { "body": { "name": name, "model": "scripted" } },
        "create_conversation": {},
    }))
    .unwrap()
}

fn text_input(connection: &Connection, scope: &RuntimeScope, text: &str) -> InputCommand {
    serde_json::from_value(json!({
        "request_id": connection.next_request_id("input"),
        "runtime": scope,
        "payload": { "kind": "create_message", "messages": [{ "role": "user", "content": text }] },
    }))
    .unwrap()
}

pub fn url_normalisation() {
    assert_eq!(normalize_url("http://127.0.0.1:4500").unwrap(), "ws://127.0.0.1:4500/ws");
    assert_eq!(normalize_url("https://host.example/").unwrap(), "wss://host.example/ws");
    assert_eq!(normalize_url("ws://h:1/custom?x=1").unwrap(), "ws://h:1/custom?x=1");
    assert_eq!(normalize_url("wss://h?x=1").unwrap(), "wss://h/ws?x=1");
    assert!(matches!(normalize_url("ftp://h"), Err(ClientError::InvalidUrl(_))));
    assert!(matches!(normalize_url("no-scheme"), Err(ClientError::InvalidUrl(_))));
    let closed = Connection::connect(ConnectOptions::new("ftp://h"));
    assert_eq!(closed.state(), ConnectionState::Closed);
    assert!(matches!(closed.last_error(), Some(ClientError::InvalidUrl(_))));
}

pub fn backoff() {
    let delays: Vec<u32> = (1..=7).map(backoff_delay_ms).collect();
    assert_eq!(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    assert_eq!(backoff_delay_ms(u32::MAX), 30_000);
}

/// Concurrent requests each get their own answer, matched by id and expected type.
pub async fn request_correlation() {
    let connection = connected().await;
    let info = |id: &str| ClientFrame::AppServerInfo(AppServerInfoCommand { request_id: id.to_owned() });
    let unknown = ClientFrame::Unknown(json!({ "type": "frobnicate", "request_id": "corr-3" }));
    let (a, b, c) = futures_util::future::join3(
        connection.request(info("corr-1")),
        connection.request(unknown),
        connection.request(info("corr-2")),
    )
    .await;
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert!(matches!(a, ServerFrame::AppServerInfoResponse(ref r) if r.request_id == "corr-1"), "{a:?}");
    assert!(matches!(c, ServerFrame::AppServerInfoResponse(ref r) if r.request_id == "corr-2"), "{c:?}");
    // An unknown command's answer is an unknown frame, still correlated.
    assert_eq!(b.frame_type(), "frobnicate_response");
    assert_eq!(b.request_id(), Some("corr-3"));
    assert!(matches!(b, ServerFrame::Unknown(_)));
    // A request without a request_id cannot be correlated.
    let anonymous = ClientFrame::Unknown(json!({ "type": "frobnicate" }));
    assert_eq!(connection.request(anonymous).await, Err(ClientError::MissingRequestId));
    connection.close();
}

/// tether's `error` frame carrying the request's id rejects it with its message.
pub async fn error_frame_refuses() {
    let connection = connected().await;
    let bad = ClientFrame::Unknown(json!({ "type": "input", "request_id": "bad-1", "runtime": 42 }));
    match connection.request(bad).await {
        Err(ClientError::Refused(message)) => assert!(message.contains("runtime"), "{message}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    connection.close();
}

/// No answer within the request timeout is a Timeout; the connection stays usable.
pub async fn timeout() {
    let connection = Connection::connect(ConnectOptions { request_timeout: Duration::from_millis(300), ..options() });
    connection.opened().await.unwrap();
    // tether ignores `pong`, so nothing ever answers this.
    let silent = ClientFrame::Unknown(json!({ "type": "pong", "request_id": "silent-1" }));
    assert_eq!(connection.request(silent).await, Err(ClientError::Timeout("silent-1".into())));
    let info = ClientFrame::AppServerInfo(AppServerInfoCommand { request_id: "after-timeout".into() });
    assert!(matches!(connection.request(info).await, Ok(ServerFrame::AppServerInfoResponse(_))));
    connection.close();
    let late = ClientFrame::AppServerInfo(AppServerInfoCommand { request_id: "after-close".into() });
    assert_eq!(connection.request(late).await, Err(ClientError::Closed));
    assert_eq!(connection.send(&ClientFrame::Unknown(json!({ "type": "ping" }))), Err(ClientError::Closed));
}

/// Frames of a type the protocol crate does not know arrive as `Unknown`, never errors.
pub async fn unknown_frames() {
    let connection = connected().await;
    let pong = wait_frame(&connection, |f| f.frame_type() == "pong");
    connection.send(&ClientFrame::Unknown(json!({ "type": "ping" }))).unwrap();
    let frame = pong.await;
    assert_eq!(frame, ServerFrame::Unknown(json!({ "type": "pong" })));
    connection.close();
}

/// A wrong token never opens; the connection keeps retrying with backoff until closed.
pub async fn wrong_token_never_opens() {
    let connection = Connection::connect(ConnectOptions { token: Some("wrong-token".into()), ..options() });
    let state = wait_state(&connection, |s| matches!(s, ConnectionState::Reconnecting { .. })).await;
    assert_eq!(state, ConnectionState::Reconnecting { attempt: 1, delay_ms: 1_000 });
    assert!(!connection.ever_opened());
    connection.close();
    assert_eq!(connection.state(), ConnectionState::Closed);
}

/// A runtime restart drops the socket: the client reconnects with backoff, re-starts the
/// runtime it started (with its external tools) and syncs it, and turns work again.
pub async fn reconnect_then_sync() {
    let connection = connected().await;
    let states = Rc::new(RefCell::new(Vec::new()));
    let seen = states.clone();
    let _states = connection.on_state(move |s| seen.borrow_mut().push(s.clone()));
    let mut start = start_new(&connection, "reconnect agent");
    start.mode = Some(tether_protocol::lifecycle::DevicePermissionMode::Unrestricted);
    start.external_tools = Some(serde_json::from_value(json!([{ "tools": [{ "name": "lookup", "description": "Looks a word up",
        "parameters": { "type": "object", "properties": { "q": { "type": "string" } } } }] }])).unwrap());
    let started = connection.runtime_start(start).await.unwrap();
    assert!(started.success, "{started:?}");
    let scope = started.runtime.clone().unwrap();

    let restarted_scope = scope.clone();
    let restarted = wait_frame(&connection, move |f| {
        matches!(f, ServerFrame::RuntimeStartResponse(r) if r.success && r.runtime.as_ref().map(|s| &s.conversation_id) == Some(&restarted_scope.conversation_id))
    });
    let synced_scope = scope.clone();
    let synced = wait_frame(&connection, move |f| matches!(f, ServerFrame::SyncResponse(r) if r.success && r.runtime == synced_scope));
    let control = CONTROL.expect("TETHER_TEST_CONTROL");
    let _: JsValue = JsFuture::from(fetch(&format!("{control}/restart"))).await.expect("the harness restarts tether");
    restarted.await;
    synced.await;
    assert!(states.borrow().contains(&ConnectionState::Reconnecting { attempt: 1, delay_ms: 1_000 }), "{:?}", states.borrow());
    assert_eq!(connection.state(), ConnectionState::Open);

    let finished = connection.run_turn(text_input(&connection, &scope, "hello again")).await.unwrap();
    assert_eq!(finished.stop_reason, StopReasonType::EndTurn);
    assert_eq!(finished.envelope.runtime.conversation_id, scope.conversation_id);

    // The external tool was registered again on the new socket: the model can call it.
    let calls = Rc::new(RefCell::new(Vec::new()));
    let (answering, seen_calls) = (connection.clone(), calls.clone());
    let _tools = connection.on_frame(move |frame| {
        if let ServerFrame::ExternalToolCallRequest(request) = frame {
            seen_calls.borrow_mut().push(request.input.clone());
            let response = json!({ "type": "external_tool_call_response", "request_id": request.request_id,
                "result": { "content": [{ "type": "text", "text": "found x" }] } });
            answering.send(&serde_json::from_value(response).unwrap()).unwrap();
        }
    });
    let finished = connection.run_turn(text_input(&connection, &scope, r#"tool: lookup {"q":"x"}"#)).await.unwrap();
    assert_eq!(finished.stop_reason, StopReasonType::EndTurn);
    assert_eq!(calls.borrow().len(), 1);
    assert_eq!(calls.borrow()[0].get("q"), Some(&json!("x")));
    connection.close();
}

/// Subscribes at once (before the caller sends anything) to the first JSON frame
/// `accept` takes, and returns the wait for it.
fn wait_json(connection: &Connection, accept: impl Fn(&serde_json::Value) -> bool + 'static) -> impl std::future::Future<Output = serde_json::Value> {
    let (tx, rx) = oneshot::channel();
    let tx = RefCell::new(Some(tx));
    let subscription = connection.on_json(move |frame| {
        if accept(frame)
            && let Some(tx) = tx.borrow_mut().take()
        {
            let _ = tx.send(frame.clone());
        }
    });
    async move {
        let frame = race(rx, "json frame").await;
        drop(subscription);
        frame
    }
}

/// The raw-JSON API (the web UI's): requests, sends and frames as JSON, and a
/// `runtime_start_json` remembered so a reconnect re-attaches the conversation.
pub async fn raw_json_api() {
    let connection = connected().await;
    let texts = Rc::new(RefCell::new(Vec::<String>::new()));
    let seen = texts.clone();
    let _texts = connection.on_text(move |text| seen.borrow_mut().push(text.to_owned()));

    let info = connection.request_json(&json!({ "type": "app_server_info", "request_id": connection.next_request_id("info") })).await.unwrap();
    assert_eq!(info["type"], "app_server_info_response");
    assert!(texts.borrow().iter().any(|t| t.contains("\"app_server_info_response\"")), "{:?}", texts.borrow());
    let missing = connection.request_json(&json!({ "type": "app_server_info" })).await;
    assert!(matches!(missing, Err(ClientError::MissingRequestId)), "{missing:?}");

    let started = connection
        .runtime_start_json(json!({
            "request_id": connection.next_request_id("start"),
            "create_agent": { "body": { "name": "raw json agent", "model": "scripted" } },
            "create_conversation": {},
            "mode": "unrestricted",
        }))
        .await
        .unwrap();
    assert_eq!(started["type"], "runtime_start_response");
    assert_eq!(started["success"], true, "{started}");
    let scope = started["runtime"].clone();
    let conversation = scope["conversation_id"].clone();
    assert!(conversation.is_string(), "{started}");

    // After a restart the remembered runtime is started again and synced, unasked.
    let restarted_conversation = conversation.clone();
    let restarted = wait_json(&connection, move |f| {
        f["type"] == "runtime_start_response" && f["success"] == true && f["runtime"]["conversation_id"] == restarted_conversation
    });
    let synced_scope = scope.clone();
    let synced = wait_json(&connection, move |f| f["type"] == "sync_response" && f["success"] == true && f["runtime"] == synced_scope);
    let control = CONTROL.expect("TETHER_TEST_CONTROL");
    let _: JsValue = JsFuture::from(fetch(&format!("{control}/restart"))).await.expect("the harness restarts tether");
    restarted.await;
    synced.await;
    assert_eq!(connection.state(), ConnectionState::Open);

    // A frame sent as JSON runs a turn on the re-attached conversation.
    let finished_conversation = conversation.clone();
    let finished = wait_json(&connection, move |f| f["type"] == "turn_finished" && f["runtime"]["conversation_id"] == finished_conversation);
    connection
        .send_json(&json!({
            "type": "input",
            "request_id": connection.next_request_id("input"),
            "runtime": scope,
            "payload": { "kind": "create_message", "messages": [{ "role": "user", "content": "hello raw" }] },
        }))
        .unwrap();
    assert_eq!(finished.await["stop_reason"], "end_turn");
    connection.close();
    assert!(matches!(connection.send_json(&json!({ "type": "app_server_info" })), Err(ClientError::Closed)));
}
