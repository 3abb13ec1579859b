//! HTTP plumbing the network providers share: the client, error classification, and turning
//! an SSE response body into a stream of [`ModelEvent`]s.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde_json::Value;

use super::error::ModelError;
use super::retry::{parse_retry_after, parse_retry_after_ms};
use super::sse::{SseEvent, SseParser};
use super::types::{EventStream, ModelEvent};

/// Time to establish a connection: past this the provider is not reachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest silence between two reads of a response: reasoning models can think quietly for
/// minutes before streaming, but a connection silent for this long is dead.
const READ_TIMEOUT: Duration = Duration::from_secs(600);
/// How much of an error body we read: any provider's JSON error fits; more is noise.
const MAX_ERROR_BODY: usize = 64 * 1024;
/// How much of a JSON body (a model list) we accept.
const MAX_JSON_BODY: usize = 16 * 1024 * 1024;
/// How much raw text of a non-JSON error body we quote.
const MAX_QUOTED_TEXT: usize = 500;

/// Builds the HTTP client one provider uses for all its calls.
pub(super) fn build_client() -> Result<reqwest::Client, ModelError> {
    // reqwest is built without a default crypto provider; installing ring twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .build()
        .map_err(|e| ModelError::Config(format!("cannot build the HTTP client: {}", chain(&e))))
}

/// Turns one provider's SSE events into [`ModelEvent`]s.
pub(super) trait Decoder: Send + 'static {
    /// Handles one event; returns `true` once the provider's end marker was seen.
    fn event(
        &mut self,
        event: SseEvent,
        out: &mut VecDeque<ModelEvent>,
    ) -> Result<bool, ModelError>;
    /// The body ended without the end marker: finish if that is acceptable, else fail.
    fn end(&mut self, out: &mut VecDeque<ModelEvent>) -> Result<(), ModelError>;
}

/// Sends `request` when first polled and streams the decoded events of its SSE body.
pub(super) fn sse_stream<D: Decoder>(request: reqwest::RequestBuilder, decoder: D) -> EventStream {
    let state = StreamState {
        request: Some(request),
        body: None,
        parser: SseParser::new(),
        decoder,
        pending: VecDeque::new(),
        error: None,
        done: false,
    };
    Box::pin(futures_util::stream::unfold(state, |mut state| async move {
        let item = state.next().await?;
        Some((item, state))
    }))
}

struct StreamState<D> {
    request: Option<reqwest::RequestBuilder>,
    body: Option<BoxStream<'static, reqwest::Result<Bytes>>>,
    parser: SseParser,
    decoder: D,
    pending: VecDeque<ModelEvent>,
    error: Option<ModelError>,
    done: bool,
}

impl<D: Decoder> StreamState<D> {
    async fn next(&mut self) -> Option<Result<ModelEvent, ModelError>> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(Ok(event));
            }
            if let Some(error) = self.error.take() {
                self.done = true;
                return Some(Err(error));
            }
            if self.done {
                return None;
            }
            if let Some(request) = self.request.take() {
                match send(request).await {
                    Ok(response) => self.body = Some(response.bytes_stream().boxed()),
                    Err(error) => self.error = Some(error),
                }
                continue;
            }
            let Some(body) = self.body.as_mut() else {
                self.done = true;
                continue;
            };
            match body.next().await {
                Some(Ok(bytes)) => match self.parser.push(&bytes) {
                    Ok(events) => self.decode(events),
                    Err(too_large) => self.fail(ModelError::Stream(too_large.to_string())),
                },
                Some(Err(error)) => self.fail(ModelError::Stream(format!(
                    "the connection broke mid-response: {}",
                    chain(&error)
                ))),
                None => {
                    self.body = None;
                    let last = self.parser.finish();
                    self.decode(last.into_iter().collect());
                    if !self.done && self.error.is_none() {
                        match self.decoder.end(&mut self.pending) {
                            Ok(()) => self.done = true,
                            Err(error) => self.error = Some(error),
                        }
                    }
                }
            }
        }
    }

    fn decode(&mut self, events: Vec<SseEvent>) {
        for event in events {
            match self.decoder.event(event, &mut self.pending) {
                Ok(false) => {}
                Ok(true) => {
                    // The end marker: stop reading and let the connection go.
                    self.done = true;
                    self.body = None;
                    return;
                }
                Err(error) => return self.fail(error),
            }
        }
    }

    fn fail(&mut self, error: ModelError) {
        self.body = None;
        self.error = Some(error);
    }
}

/// Sends a request; a non-2xx answer becomes [`ModelError::Http`].
pub(super) async fn send(
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, ModelError> {
    let response = request.send().await.map_err(|e| ModelError::Transport(chain(&e)))?;
    if response.status().is_success() { Ok(response) } else { Err(http_error(response).await) }
}

/// Sends a request and parses its JSON answer (for model lists).
pub(super) async fn get_json(request: reqwest::RequestBuilder) -> Result<Value, ModelError> {
    let response = send(request).await?;
    let (body, complete) = read_capped(response, MAX_JSON_BODY).await;
    if !complete {
        return Err(ModelError::Stream("the JSON answer was cut or too large".to_owned()));
    }
    serde_json::from_slice(&body)
        .map_err(|e| ModelError::Stream(format!("the answer is not valid JSON: {e}")))
}

/// Builds the typed error for a non-2xx response from its headers and body.
async fn http_error(response: reqwest::Response) -> ModelError {
    let status = response.status();
    let headers = response.headers();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let retry_after = header("retry-after-ms")
        .and_then(parse_retry_after_ms)
        .or_else(|| header("retry-after").and_then(|v| parse_retry_after(v, SystemTime::now())));
    let (body, _) = read_capped(response, MAX_ERROR_BODY).await;
    let fallback = status.canonical_reason().unwrap_or("unknown error");
    ModelError::Http {
        status: status.as_u16(),
        message: error_message(&body, fallback),
        retry_after,
    }
}

/// Reads at most `cap` bytes of a body; the flag says whether it was read whole.
async fn read_capped(response: reqwest::Response, cap: usize) -> (Vec<u8>, bool) {
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else { return (body, false) };
        let room = cap - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return (body, false);
        }
        body.extend_from_slice(&chunk);
    }
    (body, true)
}

/// The provider's own words from an error body: `error.message`, `error`, `message` or
/// `detail` of a JSON body, else the start of the text, else `fallback`.
pub(super) fn error_message(body: &[u8], fallback: &str) -> String {
    if let Ok(json) = serde_json::from_slice::<Value>(body)
        && let Some(message) = message_in(&json)
    {
        return message;
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return fallback.to_owned();
    }
    match text.char_indices().nth(MAX_QUOTED_TEXT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Finds the human message in a JSON error value.
pub(super) fn message_in(json: &Value) -> Option<String> {
    let candidates = [&json["error"]["message"], &json["error"], &json["message"], &json["detail"]];
    candidates.into_iter().find_map(|v| v.as_str()).map(str::to_owned)
}

/// A quoted prefix of a payload for error messages (never the whole of a huge line).
pub(super) fn snippet(text: &str) -> String {
    const SNIPPET_CHARS: usize = 200;
    match text.char_indices().nth(SNIPPET_CHARS) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
}

/// An error with its chain of causes, since reqwest's top-level message alone says little.
pub(super) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Joins a base URL and a path with exactly one slash.
pub(super) fn join(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}
