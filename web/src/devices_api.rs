//! The page's calls to the device endpoints on its own origin; the session cookie
//! authenticates them (`credentials: same-origin`), so the page never holds a credential.

use serde_json::{Value, json};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCredentials, RequestInit, Response};

/// Lists the devices that can sign in.
const LIST_PATH: &str = "/auth/devices";
/// Revokes one device.
const REVOKE_PATH: &str = "/auth/devices/revoke";

/// `GET /auth/devices`: the answer, or why it failed (said for the user).
pub async fn list() -> Result<Value, String> {
    call("GET", LIST_PATH, None).await
}

/// `POST /auth/devices/revoke` for `id`: the answer, or why it failed.
pub async fn revoke(id: &str) -> Result<Value, String> {
    call("POST", REVOKE_PATH, Some(json!({ "id": id }).to_string())).await
}

/// One same-origin request with a JSON answer.
async fn call(method: &str, path: &str, body: Option<String>) -> Result<Value, String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    if let Some(body) = &body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| "cannot build the request")?;
    if body.is_some() {
        let _ = request.headers().set("Content-Type", "application/json");
    }
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .ok()
        .and_then(|r| r.dyn_into().ok())
        .ok_or("The runtime cannot be reached.")?;
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    if !response.ok() {
        return Err(match response.status() {
            401 => "This device is not signed in (or was revoked).".to_owned(),
            status => format!("The runtime said {status}: {}", text.trim()),
        });
    }
    serde_json::from_str(&text).map_err(|_| "The runtime's answer was not understood.".to_owned())
}
