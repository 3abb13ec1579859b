#![allow(dead_code)] // shared by the model suites; not every suite uses every helper
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed expect is a failed test
//! A fake model API: a local axum server that records each request and answers with a
//! scripted reply (fixed SSE chunks, a body the test feeds piece by piece, or an error).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::Value;
use tether::model::{EventStream, ModelError, ModelEvent};
use tokio::sync::mpsc;

/// Guard against a hung test (not a timing assertion).
const WAIT: Duration = Duration::from_secs(30);

type Chunk = Result<Bytes, std::io::Error>;

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query, e.g. `/v1/chat/completions`.
    pub path: String,
    pub headers: HeaderMap,
    /// The JSON body (`Null` when there was none).
    pub body: Value,
}

/// How the fake answers one request.
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: ReplyBody,
}

enum ReplyBody {
    Fixed(Vec<Bytes>),
    Fed(mpsc::Receiver<Chunk>),
}

impl Reply {
    /// A 200 SSE answer written as these chunks (one network write each, as far as the
    /// server can tell), then a clean end.
    pub fn sse<S: Into<String>>(chunks: impl IntoIterator<Item = S>) -> Self {
        let chunks = chunks.into_iter().map(|c| Bytes::from(c.into())).collect();
        Reply::new(200, ReplyBody::Fixed(chunks)).header("content-type", "text/event-stream")
    }

    /// A JSON answer with this status.
    pub fn json(status: u16, body: Value) -> Self {
        let chunks = vec![Bytes::from(body.to_string())];
        Reply::new(status, ReplyBody::Fixed(chunks)).header("content-type", "application/json")
    }

    /// A 200 SSE answer whose body the test writes through the returned [`Feed`].
    pub fn fed() -> (Self, Feed) {
        let (tx, rx) = mpsc::channel(1);
        let reply = Reply::new(200, ReplyBody::Fed(rx)).header("content-type", "text/event-stream");
        (reply, Feed { tx })
    }

    /// Answers with this status instead.
    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn new(status: u16, body: ReplyBody) -> Self {
        Reply { status, headers: Vec::new(), body }
    }

    fn into_response(self) -> Response {
        let body = match self.body {
            ReplyBody::Fixed(chunks) => Body::from_stream(futures_util::stream::iter(
                chunks.into_iter().map(Ok::<_, std::io::Error>),
            )),
            ReplyBody::Fed(rx) => {
                Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async {
                    let chunk = rx.recv().await?;
                    Some((chunk, rx))
                }))
            }
        };
        let mut response = Response::new(body);
        *response.status_mut() = axum::http::StatusCode::from_u16(self.status).expect("status");
        for (name, value) in self.headers {
            let name = axum::http::HeaderName::from_bytes(name.as_bytes()).expect("header name");
            response.headers_mut().append(name, value.parse().expect("header value"));
        }
        response
    }
}

/// The test's end of a fed reply body.
pub struct Feed {
    tx: mpsc::Sender<Chunk>,
}

impl Feed {
    /// Writes the next piece of the body; false once the server dropped the body.
    pub async fn send(&self, text: &str) -> bool {
        self.tx.send(Ok(Bytes::from(text.to_owned()))).await.is_ok()
    }

    /// Aborts the connection mid-body.
    pub async fn cut(self) {
        let _ = self.tx.send(Err(std::io::Error::other("fake: connection cut"))).await;
    }

    /// Resolves once the server dropped the body (the client went away).
    pub async fn closed(&self) {
        self.tx.closed().await
    }
}

#[derive(Clone, Default)]
struct FakeState {
    requests: Arc<Mutex<Vec<Recorded>>>,
    replies: Arc<Mutex<VecDeque<Reply>>>,
}

/// A running fake API; stops when dropped.
pub struct FakeServer {
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub url: String,
    state: FakeState,
    task: tokio::task::JoinHandle<()>,
}

impl FakeServer {
    /// Starts a server that answers successive requests with `replies`, in order.
    pub async fn start(replies: Vec<Reply>) -> Self {
        let state = FakeState::default();
        state.replies.lock().unwrap().extend(replies);
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeServer { url, state, task }
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// The one request received (fails if there were more or none).
    pub fn only_request(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "expected exactly one request: {requests:#?}");
        requests.into_iter().next().unwrap()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(State(state): State<FakeState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let path = parts.uri.path_and_query().map(|p| p.to_string()).unwrap_or_default();
    state.requests.lock().unwrap().push(Recorded {
        method: parts.method.to_string(),
        path,
        headers: parts.headers,
        body,
    });
    let reply = state.replies.lock().unwrap().pop_front();
    match reply {
        Some(reply) => reply.into_response(),
        None => Reply::json(
            500,
            serde_json::json!({ "error": { "message": "fake: no reply scripted" } }),
        )
        .into_response(),
    }
}

/// Drains a stream: every event, then the error that ended it (if one did).
pub async fn collect(mut stream: EventStream) -> (Vec<ModelEvent>, Option<ModelError>) {
    let mut events = Vec::new();
    let drain = async {
        while let Some(item) = stream.next().await {
            match item {
                Ok(event) => events.push(event),
                Err(error) => return Some(error),
            }
        }
        None
    };
    let error = tokio::time::timeout(WAIT, drain).await.expect("stream hung");
    (events, error)
}

/// Drains a stream that must succeed.
pub async fn collect_ok(stream: EventStream) -> Vec<ModelEvent> {
    let (events, error) = collect(stream).await;
    assert_eq!(error, None, "stream failed after {events:#?}");
    events
}

/// The next item of a stream, with a hang guard.
pub async fn next(stream: &mut EventStream) -> Option<Result<ModelEvent, ModelError>> {
    tokio::time::timeout(WAIT, stream.next()).await.expect("stream hung")
}

/// The response's tool calls reassembled from their events: (id, name, arguments).
pub fn tool_calls(events: &[ModelEvent]) -> Vec<(String, String, String)> {
    let mut calls: Vec<(String, String, String)> = Vec::new();
    for event in events {
        match event {
            ModelEvent::ToolCallStart { index, id, name } => {
                assert_eq!(*index, calls.len(), "tool call indices count from 0 in order");
                calls.push((id.clone(), name.clone(), String::new()));
            }
            ModelEvent::ToolCallArgs { index, fragment } => calls[*index].2.push_str(fragment),
            _ => {}
        }
    }
    calls
}

/// The response's text reassembled.
pub fn text(events: &[ModelEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            ModelEvent::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

/// A guard for waits that must end (not a timing assertion).
pub async fn within<F: std::future::Future>(future: F) -> F::Output {
    tokio::time::timeout(WAIT, future).await.expect("timed out")
}

/// A URL on which nothing listens (a port just bound and released).
pub async fn dead_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}
