//! tether's web UI, a Leptos client-side app served by `tether app-server`.

use leptos::prelude::*;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <main class="app">
            <header class="bar">
                <h1>"tether"</h1>
                <span class="status">"protocol v" {tether_protocol::lifecycle::PROTOCOL_VERSION}</span>
            </header>
            <p>"Steer your coding agent from here."</p>
        </main>
    }
}
