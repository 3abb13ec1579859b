//! The Rust client in headless Chromium (a real browser WebSocket, token as subprotocol).

mod common;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn url_normalisation() {
    common::url_normalisation();
}

#[wasm_bindgen_test]
fn backoff() {
    common::backoff();
}

#[wasm_bindgen_test]
async fn request_correlation() {
    common::request_correlation().await;
}

#[wasm_bindgen_test]
async fn error_frame_refuses() {
    common::error_frame_refuses().await;
}

#[wasm_bindgen_test]
async fn timeout() {
    common::timeout().await;
}

#[wasm_bindgen_test]
async fn unknown_frames() {
    common::unknown_frames().await;
}

#[wasm_bindgen_test]
async fn wrong_token_never_opens() {
    common::wrong_token_never_opens().await;
}

#[wasm_bindgen_test]
async fn reconnect_then_sync() {
    common::reconnect_then_sync().await;
}

#[wasm_bindgen_test]
async fn raw_json_api() {
    common::raw_json_api().await;
}
