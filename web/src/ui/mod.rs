//! The page: header, conversation picker, transcript, approvals and the message box, and
//! the Devices panel from the picker.

pub mod approval;
pub mod composer;
pub mod controls;
pub mod devices;
pub mod live;
pub mod store;
pub mod transcript;

use leptos::prelude::*;

use self::approval::ApprovalCard;
use self::composer::Composer;
use self::controls::Controls;
use self::devices::DevicesPanel;
use self::store::{Link, Store};
use self::transcript::TranscriptView;
use crate::conn::ConnState;
use crate::state::route::Route;

/// How close to the bottom (px) counts as "following" the stream.
const FOLLOW_SLACK_PX: i32 = 120;

/// The whole page for a store (the caller connects it).
#[component]
pub fn Shell(store: Store) -> impl IntoView {
    let menu_open = RwSignal::new(false);
    let devices_open = RwSignal::new(false);
    let scroller = NodeRef::<leptos::html::Main>::new();
    // Follow the stream while the user is at the bottom; stop when they scroll up.
    let following = StoredValue::new(true);
    Effect::new(move |_| {
        store.live.version.track();
        store.route.track();
        // After the DOM has taken the change in.
        request_animation_frame(move || {
            if let Some(el) = scroller.get_untracked()
                && following.get_value()
            {
                el.set_scroll_top(el.scroll_height());
            }
        });
    });
    let on_scroll = move |_| {
        if let Some(el) = scroller.get_untracked() {
            following.set_value(el.scroll_height() - el.scroll_top() - el.client_height() < FOLLOW_SLACK_PX);
        }
    };
    view! {
        <div class="app" class:menu-open=move || menu_open.get() class:devices-open=move || devices_open.get()>
            <header class="bar">
                <button class="btn icon menu" aria-label="Menu" aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| menu_open.update(|o| *o = !*o)>"☰"</button>
                <h1 class="title">{move || title(store)}</h1>
                <span class=move || online_class(store)
                    title="Runtime online state">
                    {move || if is_online(store) { "online" } else { "offline" }}
                </span>
            </header>
            <LinkBanner store=store/>
            <nav class="picker" aria-label="Agents and conversations" on:click=move |_| menu_open.set(false)>
                <Picker store=store devices_open=devices_open/>
            </nav>
            <Show when=move || store.route.with(Option::is_some)>
                <Controls store=store/>
            </Show>
            <main class="scroller" node_ref=scroller on:scroll=on_scroll>
                <Show when=move || devices_open.get()>
                    <DevicesPanel open=devices_open/>
                </Show>
                <Show when=move || store.route.with(Option::is_none)>
                    <Welcome store=store/>
                </Show>
                <TranscriptView live=store.live/>
            </main>
            <footer class="dock">
                {move || store.notice.get().map(|n| view! {
                    <p class="notice error" role="alert">{n}
                        <button class="btn small" on:click=move |_| store.notice.set(None)>"Dismiss"</button></p>
                })}
                <section class="approvals" aria-label="Approvals">
                    <For each=move || store.approvals.get() key=|a| a.request_id.clone() let:approval>
                        <ApprovalCard approval=approval.clone()
                            on_answer=move |decision| store.answer(&approval, decision)/>
                    </For>
                </section>
                <Show when=move || store.route.with(Option::is_some)>
                    <Composer store=store/>
                </Show>
            </footer>
        </div>
    }
}

/// CSS class of the online badge.
fn online_class(store: Store) -> &'static str {
    if is_online(store) { "online on" } else { "online off" }
}

/// The runtime is online and we are connected to it.
fn is_online(store: Store) -> bool {
    store.link.with(|l| *l == Link::Conn(ConnState::Open)) && store.status.with(|s| s.online)
}

/// The header title: the open agent's name.
fn title(store: Store) -> String {
    let agent = store.route.with(|r| r.as_ref().map(|r| r.agent_id.clone()));
    match agent {
        Some(id) => store
            .agents
            .with(|agents| agents.iter().find(|a| a.id == id).map(|a| a.label.clone()))
            .unwrap_or_else(|| "tether".to_owned()),
        None => "tether".to_owned(),
    }
}

/// Sign-in and connection problems, said plainly.
#[component]
fn LinkBanner(store: Store) -> impl IntoView {
    move || {
        let (class, text) = match store.link.get() {
            Link::SigningIn => ("info", "Signing in…".to_owned()),
            Link::BadToken => (
                "error",
                "That sign-in link is wrong or expired — open the link printed by `tether app-server` again.".to_owned(),
            ),
            Link::Conn(ConnState::Connecting) => ("info", "Connecting…".to_owned()),
            Link::Conn(ConnState::Open) => return None,
            Link::Conn(ConnState::Reconnecting { attempt, delay_ms }) => (
                "warn",
                format!("Connection lost — reconnecting in {} s (try {attempt})…", delay_ms.div_ceil(1000)),
            ),
            Link::Conn(ConnState::SignedOut) => (
                "error",
                "Not signed in — open the link printed by `tether app-server`, or run `tether pair` and scan \
                 the new code (a revoked device must pair again)."
                    .to_owned(),
            ),
            Link::Conn(ConnState::Closed) => ("warn", "Disconnected.".to_owned()),
        };
        Some(view! { <p class=format!("banner {class}") role="status">{text}</p> })
    }
}

/// Agents and their conversations, with "New" buttons.
#[component]
fn Picker(store: Store, devices_open: RwSignal<bool>) -> impl IntoView {
    let current_agent = move || store.route.with(|r| r.as_ref().map(|r| r.agent_id.clone()));
    let current_conv = move || store.route.with(|r| r.as_ref().map(|r| r.conversation_id.clone()));
    view! {
        <div class="picker-section">
            <div class="picker-head"><h2>"Agents"</h2>
                <button class="btn small" aria-label="New agent" on:click=move |_| store.new_agent()>"+ New"</button></div>
            <ul>
                <For each=move || store.agents.get() key=|a| a.id.clone() let:agent>
                    <li><button class="pick" aria-current={ let id = agent.id.clone(); move || (current_agent().as_deref() == Some(id.as_str())).then_some("true") }
                        on:click={ let id = agent.id.clone(); move |_| { devices_open.set(false); store.open_agent(id.clone()) } }>{agent.label.clone()}</button></li>
                </For>
            </ul>
        </div>
        <div class="picker-section">
            <div class="picker-head"><h2>"Conversations"</h2>
                <button class="btn small" aria-label="New conversation" on:click=move |_| store.new_conversation()>"+ New"</button></div>
            <ul>
                <For each=move || store.conversations.get() key=|c| c.id.clone() let:conv>
                    <li><button class="pick" aria-current={ let id = conv.id.clone(); move || (current_conv().as_deref() == Some(id.as_str())).then_some("true") }
                        on:click={
                            let id = conv.id.clone();
                            move |_| {
                                devices_open.set(false);
                                if let Some(agent_id) = current_agent() {
                                    store.open(Route { agent_id, conversation_id: id.clone() })
                                }
                            }
                        }>{short(&conv.label)}</button></li>
                </For>
            </ul>
        </div>
        <div class="picker-section">
            <div class="picker-head"><h2>"This runtime"</h2></div>
            <ul>
                <li><button class="pick" aria-current=move || devices_open.get().then_some("true")
                    on:click=move |_| devices_open.set(true)>"Devices"</button></li>
            </ul>
        </div>
    }
}

/// Long ids shortened for the picker.
fn short(label: &str) -> String {
    if label.chars().count() > 40 { format!("{}…", label.chars().take(39).collect::<String>()) } else { label.to_owned() }
}

/// What shows before a conversation is open.
#[component]
fn Welcome(store: Store) -> impl IntoView {
    view! {
        <div class="welcome">
            <h2>"Steer your coding agent"</h2>
            <Show when=move || store.link.get() == Link::Conn(ConnState::Open)
                fallback=|| view! { <p>"Sign in with the link that `tether app-server` printed to see your agents."</p> }>
                <p>"Open a conversation from the list, or start one."</p>
                <button class="btn primary" on:click=move |_| store.new_conversation()>"Start a conversation"</button>
            </Show>
        </div>
    }
}
