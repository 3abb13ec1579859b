//! The message box (Enter sends, Shift+Enter breaks the line) and the queue under it.

use leptos::prelude::*;
use serde_json::json;

use super::store::Store;

/// Queue and message box, pinned to the bottom of the screen.
#[component]
pub fn Composer(store: Store) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let send = move || {
        let message = text.get_untracked();
        if message.trim().is_empty() {
            return;
        }
        if store.send_message(message) {
            text.set(String::new());
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    let status = store.status;
    view! {
        <Show when=move || !status.with(|s| s.queue.is_empty())>
            <section class="queue" aria-label="Queue">
                <div class="queue-head">
                    <span>"Queued"</span>
                    <Show when=move || status.with(|s| s.paused())>
                        <button class="btn" on:click=move |_| store.command("resume_queue", json!({}))>"Resume"</button>
                    </Show>
                </div>
                <ul>
                    <For each=move || status.with(|s| s.queue.clone()) key=|item| (item.id.clone(), item.paused) let:item>
                        <li class="queue-item">
                            <span class="queue-text">{item.text.clone()}</span>
                            {item.paused.then(|| view! { <span class="badge">"paused"</span> })}
                            <button class="btn small" aria-label=format!("Remove queued message: {}", item.text)
                                on:click={
                                    let id = item.id.clone();
                                    move |_| store.command("remove_queue_item", json!({"item_id": id}))
                                }>"Remove"</button>
                        </li>
                    </For>
                </ul>
            </section>
        </Show>
        <form class="composer" on:submit=move |ev| { ev.prevent_default(); send(); }>
            <textarea aria-label="Message" rows="1" placeholder="Message…" enterkeyhint="send"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:keydown=on_key></textarea>
            <Show when=move || status.with(|s| s.busy())>
                <button type="button" class="btn stop" on:click=move |_| store.command("abort_message", json!({}))>"Stop"</button>
            </Show>
            <button type="submit" class="btn primary">"Send"</button>
        </form>
    }
}
