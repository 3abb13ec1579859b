//! The conversation's controls: Stop, permission mode, model, and where it runs.

use leptos::prelude::*;
use serde_json::json;

use super::store::Store;
use crate::state::session::PERMISSION_MODES;

/// Mode, model, cwd and branch (a compact row under the header).
#[component]
pub fn Controls(store: Store) -> impl IntoView {
    let status = store.status;
    let on_mode = move |ev| {
        let mode = event_target_value(&ev);
        store.command("change_device_state", json!({"payload": {"mode": mode}}));
    };
    let on_model = move |ev| {
        let model = event_target_value(&ev);
        store.model.set(model.clone());
        store.command("update_model", json!({"payload": {"model_handle": model}}));
    };
    view! {
        <div class="controls">
            <label class="control">
                <span class="control-label">"Mode"</span>
                <select aria-label="Permission mode" on:change=on_mode
                    prop:value=move || status.with(|s| if s.mode.is_empty() { "standard".to_owned() } else { s.mode.clone() })>
                    {PERMISSION_MODES.iter().map(|m| view! { <option value=*m>{*m}</option> }).collect_view()}
                </select>
            </label>
            <label class="control">
                <span class="control-label">"Model"</span>
                <Show when=move || !store.models.with(Vec::is_empty)
                    fallback=move || view! { <span class="model-fixed">{move || store.model.get()}</span> }>
                    <select aria-label="Model" on:change=on_model prop:value=move || store.model.get()>
                        <For each=move || store.models.get() key=|m| m.id.clone() let:model>
                            <option value=model.id.clone()>{model.label.clone()}</option>
                        </For>
                    </select>
                </Show>
            </label>
            <span class="where" title="Working directory and git branch">
                {move || status.with(|s| s.cwd.clone().unwrap_or_default())}
                {move || status.with(|s| s.branch.clone().map(|b| format!(" · {b}")))}
            </span>
        </div>
    }
}
