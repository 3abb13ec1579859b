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
