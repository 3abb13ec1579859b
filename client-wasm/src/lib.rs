//! tether's client: one implementation of the v2 protocol client, used by the web UI as a
//! Rust crate and by JavaScript as the `tether-client` npm package (built into `pkg/`).

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
