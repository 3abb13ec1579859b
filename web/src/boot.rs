//! Start-up: trade a `#token=…` for the session cookie (`POST /auth/session`), drop the
//! token from the address bar, open `/ws` on our own origin (the cookie authenticates),
//! and keep `#/c/<agent>/<conversation>` in step with the open conversation.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCredentials, RequestInit, Response};

use crate::conn::Connection;
use crate::state::route::{Route, token_from_hash};
use crate::ui::store::{Link, Store};

/// Where the browser trades the token for the cookie (same origin).
const SESSION_PATH: &str = "/auth/session";
/// The socket path on our own origin.
const SOCKET_PATH: &str = "/ws";

/// Signs in if the URL carries a token, then connects; wires the URL to the route.
pub fn start(store: Store) {
    let Some(window) = web_sys::window() else { return };
    let hash = window.location().hash().unwrap_or_default();
    if let Some(route) = Route::parse(&hash) {
        store.route.set(Some(route));
    }
    follow_route(store);
    match token_from_hash(&hash) {
        Some(token) => {
            store.link.set(Link::SigningIn);
            spawn_local(async move {
                let accepted = sign_in(&token).await;
                forget_token();
                if accepted {
                    connect(store);
                } else {
                    store.link.set(Link::BadToken);
                }
            });
        }
        None => connect(store),
    }
}

/// `POST /auth/session` with the bearer token; true when the server set the cookie.
async fn sign_in(token: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_credentials(RequestCredentials::SameOrigin);
    let Ok(request) = Request::new_with_str_and_init(SESSION_PATH, &init) else { return false };
    if request.headers().set("Authorization", &format!("Bearer {token}")).is_err() {
        return false;
    }
    let Ok(response) = JsFuture::from(window.fetch_with_request(&request)).await else { return false };
    response.dyn_into::<Response>().map(|r| r.ok()).unwrap_or(false)
}

/// Removes the token from the address bar and history.
fn forget_token() {
    let Some(window) = web_sys::window() else { return };
    let path = window.location().pathname().unwrap_or_else(|_| "/".into());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}

/// Opens the socket to our own origin.
fn connect(store: Store) {
    let Some(window) = web_sys::window() else { return };
    let location = window.location();
    let scheme = if location.protocol().unwrap_or_default() == "https:" { "wss" } else { "ws" };
    let host = location.host().unwrap_or_default();
    store.attach(Connection::connect(format!("{scheme}://{host}{SOCKET_PATH}")));
}

/// Writes the open conversation into the URL, and opens what a changed URL names.
fn follow_route(store: Store) {
    Effect::new(move |_| {
        let Some(route) = store.route.get() else { return };
        let Some(window) = web_sys::window() else { return };
        let hash = route.to_hash();
        if window.location().hash().unwrap_or_default() != hash {
            let _ = window.location().set_hash(&hash);
        }
    });
    let Some(window) = web_sys::window() else { return };
    let on_hash = Closure::<dyn FnMut()>::new(move || {
        let Some(window) = web_sys::window() else { return };
        let hash = window.location().hash().unwrap_or_default();
        if let Some(route) = Route::parse(&hash)
            && store.route.get_untracked().as_ref() != Some(&route) {
                store.open(route);
            }
    });
    window.set_onhashchange(Some(on_hash.as_ref().unchecked_ref()));
    on_hash.forget();
}
