//! tether's web UI, a Leptos client-side app served by `tether app-server`.
//!
//! Layout:
//! - [`state`]: the logic as plain Rust (transcript reducer, approvals, status, Markdown,
//!   routes), unit-tested natively and in the browser.
//! - `devices_api`: the device list and revoke requests (cookie-authenticated HTTP).
//! - `conn`: `tether-client`'s connection to the page's own origin, as the UI sees it.
//! - [`ui`]: Leptos components and the reactive store that folds frames into signals.
//! - `boot`: sign-in by `#token=…`, then connect and keep the URL in step.

mod boot;
mod conn;
mod devices_api;
pub mod state;
pub mod ui;

pub use conn::{ConnState, Connection};

use leptos::prelude::*;

/// The whole app: builds the store, signs in, connects.
#[component]
pub fn App() -> impl IntoView {
    let store = ui::store::Store::new();
    boot::start(store);
    view! { <ui::Shell store=store/> }
}
