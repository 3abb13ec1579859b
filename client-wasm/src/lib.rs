//! tether's client: one implementation of the v2 protocol client, used by the web UI as a
//! Rust crate and by JavaScript as the `tether-client` npm package (built into `pkg/`).
//!
//! # Layout
//! - [`connection`]: [`Connection`], [`ConnectOptions`], [`ConnectionState`].
//! - [`pending`]: request correlation by `request_id` and expected response type.
//! - [`reconnect`]: the backoff between reconnect attempts.
//! - `scopes`: runtimes to resume after a reconnect; `turn`: `run_turn`.
//! - [`url`]: base URL normalisation. [`error`]: [`ClientError`].
//! - `socket`, `timer`: the host's WebSocket and `setTimeout`. `js`: the npm API.
//!
//! # Raw JSON or typed frames
//! The raw-JSON calls ([`Connection::on_json`], [`Connection::on_text`],
//! [`Connection::send_json`], [`Connection::send_text`], [`Connection::request_json`],
//! [`Connection::runtime_start_json`]) never decode into `tether_protocol` types, so a
//! program that uses only them (the web UI, the npm package) links none of the ~100
//! frame decoders and encoders: that is most of the difference between a 60 KB and a
//! 95 KB gzipped npm wasm, and between a 185 KB and a 490 KB web UI. The typed calls
//! (`on_frame`, `send`, `request`, `runtime_start`, `run_turn`) decode on demand.
//!
//! # Use from Rust (typed)
//! ```no_run
//! # async fn demo() -> Result<(), tether_client::ClientError> {
//! use tether_client::{ConnectOptions, Connection, ConnectionState};
//! use tether_protocol::lifecycle::RuntimeStartCommand;
//!
//! // No token: the web UI authenticates with its session cookie.
//! let connection = Connection::connect(ConnectOptions::new("http://127.0.0.1:4500"));
//! let _status = connection.on_state(|state| if *state == ConnectionState::Open { /* show "online" */ });
//! let _frames = connection.on_frame(|frame| { /* render stream_delta, turn_finished, … */ });
//! let started = connection
//!     .runtime_start(RuntimeStartCommand {
//!         request_id: connection.next_request_id("runtime-start"),
//!         agent_id: Some("agent-1".into()),
//!         conversation_id: Some("default".into()),
//!         ..RuntimeStartCommand::default()
//!     })
//!     .await?; // waits for the socket to open, within the request timeout
//! assert!(started.success);
//! # Ok(()) }
//! ```

pub mod connection;
pub mod error;
mod js;
pub mod pending;
pub mod reconnect;
mod scopes;
mod socket;
mod subscription;
mod timer;
mod turn;
pub mod url;

pub use connection::{ConnectOptions, Connection, ConnectionState, DEFAULT_REQUEST_TIMEOUT};
pub use error::ClientError;
pub use socket::CloseInfo;
pub use subscription::Subscription;

use wasm_bindgen::prelude::*;

/// The client's version, so JavaScript callers can report what they run.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// The protocol version this client speaks, to compare with `app_server_info`.
#[wasm_bindgen(js_name = protocolVersion)]
pub fn protocol_version() -> u32 {
    tether_protocol::lifecycle::PROTOCOL_VERSION
}
