//! The HTTP side of the one port: health checks, the web UI, and the WebSocket routes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use super::AppState;

/// Shown when the web UI has not been built, instead of a bare 404.
const NO_UI_PAGE: &str = "<!doctype html><meta charset=utf-8><title>tether</title>\
<h1>tether is running</h1><p>The web UI is not built. Run <code>scripts/build-web.sh</code> \
(or pass <code>--web-dist DIR</code>) and reload.</p>";

/// Builds the router: `/healthz`, `/readyz`, `/ws`, `/` (UI or upgrade), static files.
pub fn router(state: Arc<AppState>) -> Router {
    let ui: Router<Arc<AppState>> = match &state.web_dist {
        Some(dist) => Router::new().fallback_service(
            ServeDir::new(dist).fallback(ServeFile::new(dist.join("index.html"))),
        ),
        None => Router::new().fallback(|| async { Html(NO_UI_PAGE) }),
    };
    let for_headers = state.clone();
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/ws", get(super::ws::upgrade))
        .route("/auth/session", post(super::session::create))
        .route("/auth/pair-code", post(super::pairing::issue_code))
        .route("/auth/pair", post(super::pairing::redeem))
        .route("/auth/devices", get(super::devices::list))
        .route("/auth/devices/revoke", post(super::devices::revoke))
        .route("/test/clock", post(super::pairing::advance_clock))
        .route("/pair", get(super::pairing::page))
        .route("/pair.js", get(super::pairing::script))
        .route("/pair.css", get(super::pairing::style))
        .route("/", get(root))
        .merge(ui)
        .layer(axum::middleware::map_response(move |response: Response| {
            let csp = for_headers.csp.current();
            async move { super::headers::apply(&csp, response) }
        }))
        .with_state(state)
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.ready.load(std::sync::atomic::Ordering::Acquire) {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "starting\n").into_response()
    }
}

/// `/` serves the WebSocket when asked to upgrade (the reference client may use it), else the UI.
async fn root(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let wants_upgrade = parts.headers.get(header::UPGRADE).is_some();
    if wants_upgrade {
        let headers = parts.headers.clone();
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().cloned().map(axum::Extension);
        let slot = parts.extensions.get::<super::listener::HeldSlot>().cloned().map(axum::Extension);
        return match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
            Ok(ws) => super::ws::upgrade(State(state), peer, slot, headers, ws).await,
            Err(rejection) => rejection.into_response(),
        };
    }
    match &state.web_dist {
        Some(dist) => match tokio::fs::read(dist.join("index.html")).await {
            Ok(bytes) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], bytes).into_response(),
            Err(_) => Html(NO_UI_PAGE).into_response(),
        },
        None => {
            drop(body);
            Html(NO_UI_PAGE).into_response()
        }
    }
}

/// The built UI to serve: the one given, else `web/dist` in the source tree, if built.
pub fn find_web_dist(given: Option<PathBuf>) -> Option<PathBuf> {
    if let Some(dir) = given {
        return Some(dir);
    }
    let source_tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist");
    source_tree.join("index.html").is_file().then_some(source_tree)
}
