//! A protocol client over a real WebSocket (tokio-tungstenite, `Authorization: Bearer`).

use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::runtime::TOKEN;

/// Clients send with TCP_NODELAY, like browsers: the latency measured is the runtime's.
const DISABLE_NAGLE: bool = true;

/// Read buffer of an idle client (tungstenite's default is 128 KiB).
const IDLE_READ_BUFFER: usize = 4096;

/// Longest wait for one frame before the run is abandoned (a hang guard, not a measurement).
const FRAME_WAIT: Duration = Duration::from_secs(60);

/// The few members of a server frame the benchmark looks at (the rest is skipped).
#[derive(Debug, Deserialize)]
pub struct Head {
    /// The frame's `type`.
    #[serde(rename = "type")]
    pub frame_type: String,
    /// The request this answers, if any.
    #[serde(default)]
    pub request_id: Option<String>,
    /// The per-scope event sequence number, on runtime events.
    #[serde(default)]
    pub event_seq: Option<u64>,
    /// The delta of a `stream_delta`.
    #[serde(default)]
    pub delta: Option<DeltaHead>,
}

/// The `message_type` of a `stream_delta`'s delta.
#[derive(Debug, Deserialize)]
pub struct DeltaHead {
    /// E.g. `assistant_message`, `tool_call_message`, `user_message`.
    #[serde(default)]
    pub message_type: Option<String>,
}

impl Head {
    /// The delta's message_type, or "".
    pub fn message_type(&self) -> &str {
        self.delta.as_ref().and_then(|d| d.message_type.as_deref()).unwrap_or("")
    }
}

/// A (conversation) scope: the agent and conversation ids.
#[derive(Debug, Clone)]
pub struct Scope {
    /// `agent_id`.
    pub agent_id: String,
    /// `conversation_id`.
    pub conversation_id: String,
}

impl Scope {
    /// The `runtime` member of a frame.
    pub fn json(&self) -> Value {
        json!({ "agent_id": self.agent_id, "conversation_id": self.conversation_id })
    }
}

/// One authenticated WebSocket.
pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    /// Connects with the bench token, Nagle off (as browsers and native clients do).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::connect_with(url, None).await
    }

    /// Connects a client that will only sit idle: a small read buffer, so that 10,000 of
    /// them do not cost the harness gigabytes (the runtime's side is what is measured).
    pub async fn connect_idle(url: &str) -> anyhow::Result<Self> {
        Self::connect_with(url, Some(WebSocketConfig::default().read_buffer_size(IDLE_READ_BUFFER))).await
    }

    async fn connect_with(url: &str, config: Option<WebSocketConfig>) -> anyhow::Result<Self> {
        let mut request = url.into_client_request()?;
        request.headers_mut().insert("Authorization", format!("Bearer {TOKEN}").parse()?);
        let (ws, _) = tokio_tungstenite::connect_async_with_config(request, config, DISABLE_NAGLE).await?;
        Ok(Self { ws })
    }

    /// Sends one JSON frame.
    pub async fn send(&mut self, frame: &Value) -> anyhow::Result<()> {
        self.ws.send(Message::Text(frame.to_string().into())).await?;
        Ok(())
    }

    /// The next text frame, as raw text.
    pub async fn recv_text(&mut self) -> anyhow::Result<String> {
        loop {
            let message = tokio::time::timeout(FRAME_WAIT, self.ws.next())
                .await
                .context("timed out waiting for a frame")?
                .context("socket closed")??;
            match message {
                Message::Text(text) => return Ok(text.as_str().to_owned()),
                Message::Close(frame) => bail!("closed by the runtime: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// The next frame's head.
    pub async fn recv_head(&mut self) -> anyhow::Result<Head> {
        let text = self.recv_text().await?;
        Ok(serde_json::from_str(&text)?)
    }

    /// Sends a command and waits for the frame answering its `request_id`; returns it whole.
    pub async fn request(&mut self, frame: &Value) -> anyhow::Result<Value> {
        let request_id = frame["request_id"].as_str().context("request without request_id")?.to_owned();
        self.send(frame).await?;
        loop {
            let text = self.recv_text().await?;
            let head: Head = serde_json::from_str(&text)?;
            if head.request_id.as_deref() == Some(&request_id) && head.frame_type != "control_request" {
                return Ok(serde_json::from_str(&text)?);
            }
        }
    }

    /// `runtime_start` creating an agent and a conversation in unrestricted mode.
    pub async fn start_new(&mut self, request_id: &str) -> anyhow::Result<Scope> {
        let response = self
            .request(&json!({ "type": "runtime_start", "request_id": request_id,
                "create_agent": { "body": { "name": "bench agent" } },
                "create_conversation": {}, "mode": "unrestricted" }))
            .await?;
        if response["success"] != true {
            bail!("runtime_start failed: {response}");
        }
        let scope = &response["runtime"];
        Ok(Scope {
            agent_id: scope["agent_id"].as_str().context("agent_id")?.to_owned(),
            conversation_id: scope["conversation_id"].as_str().context("conversation_id")?.to_owned(),
        })
    }

    /// `sync` of a scope (subscribes this connection to it).
    pub async fn sync(&mut self, scope: &Scope, request_id: &str) -> anyhow::Result<()> {
        let response = self.request(&json!({ "type": "sync", "request_id": request_id, "runtime": scope.json() })).await?;
        if response["success"] != true {
            bail!("sync failed: {response}");
        }
        Ok(())
    }

    /// Sends a text `input` to a scope.
    pub async fn say(&mut self, scope: &Scope, request_id: &str, text: &str) -> anyhow::Result<()> {
        self.send(&json!({ "type": "input", "request_id": request_id, "runtime": scope.json(),
            "payload": { "kind": "create_message",
                "messages": [{ "role": "user", "content": text, "client_message_id": format!("cm-{request_id}") }] } }))
            .await
    }
}
