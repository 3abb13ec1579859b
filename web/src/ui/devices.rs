//! The "Devices" panel: the browsers and phones that can steer this runtime, when each was
//! last seen, which one this is, and a Revoke button (confirmed first) for each.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::devices_api;
use crate::state::devices::{Device, last_seen_label, parse_devices};

/// The panel's own state (cheap to copy into closures).
#[derive(Clone, Copy)]
struct Panel {
    devices: RwSignal<Vec<Device>>,
    /// Loaded at least once (so "no devices" is not shown while loading).
    loaded: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    /// The device whose revoke awaits confirmation.
    confirming: RwSignal<Option<String>>,
    /// This device revoked itself: it is signed out.
    signed_out: RwSignal<bool>,
}

impl Panel {
    fn new() -> Self {
        Self {
            devices: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(false),
            error: RwSignal::new(None),
            confirming: RwSignal::new(None),
            signed_out: RwSignal::new(false),
        }
    }

    /// Fetches the list again.
    fn load(self) {
        spawn_local(async move {
            match devices_api::list().await {
                Ok(answer) => {
                    self.devices.set(parse_devices(&answer));
                    self.error.set(None);
                }
                Err(why) => self.error.set(Some(why)),
            }
            self.loaded.set(true);
        });
    }

    /// Revokes `device`; this device's own sockets close and the page shows it signed out.
    fn revoke(self, device: Device) {
        self.confirming.set(None);
        spawn_local(async move {
            match devices_api::revoke(&device.id).await {
                Ok(_) if device.current => {
                    self.devices.set(Vec::new());
                    self.signed_out.set(true);
                }
                Ok(_) => self.load(),
                Err(why) => self.error.set(Some(why)),
            }
        });
    }
}

/// The panel; `open` is cleared by its Close button.
#[component]
pub fn DevicesPanel(open: RwSignal<bool>) -> impl IntoView {
    let panel = Panel::new();
    panel.load();
    view! {
        <section class="devices" aria-labelledby="devices-title">
            <div class="devices-head">
                <h2 id="devices-title">"Devices"</h2>
                <button class="btn small" on:click=move |_| open.set(false)>"Close"</button>
            </div>
            <p class="devices-note">"Browsers and phones that can steer this runtime. Revoking one signs it out at once; \
                it must pair again (`tether pair`)."</p>
            {move || panel.error.get().map(|e| view! { <p class="notice error" role="alert">{e}</p> })}
            {move || panel.signed_out.get().then(|| view! {
                <p class="notice info" role="status">"This device was revoked and is signed out."</p>
            })}
            {move || (panel.loaded.get() && !panel.signed_out.get() && panel.error.with(Option::is_none)
                && panel.devices.with(Vec::is_empty)).then(|| view! { <p class="devices-note">"No paired devices."</p> })}
            <ul class="device-list">
                <For each=move || panel.devices.get() key=|d| (d.id.clone(), d.last_seen.clone()) let:device>
                    <DeviceRow device=device panel=panel/>
                </For>
            </ul>
        </section>
    }
}

/// One device: name, "This device", last seen, Revoke (then confirm or cancel).
#[component]
fn DeviceRow(device: Device, panel: Panel) -> impl IntoView {
    let seen = last_seen_label(js_sys::Date::now(), Some(js_sys::Date::parse(&device.last_seen)));
    let id = device.id.clone();
    let confirming = move || panel.confirming.with(|c| c.as_deref() == Some(id.as_str()));
    let ask = {
        let id = device.id.clone();
        move |_| panel.confirming.set(Some(id.clone()))
    };
    let name = device.name.clone();
    let question = if device.current {
        "Revoke this device? You will be signed out here.".to_owned()
    } else {
        format!("Revoke {name}? It is signed out at once.")
    };
    let confirm = {
        let device = device.clone();
        move |_| panel.revoke(device.clone())
    };
    view! {
        <li class="device" class:current=device.current>
            <div class="device-info">
                <span class="device-name">{device.name.clone()}</span>
                {device.current.then(|| view! { <span class="badge">"This device"</span> })}
                <span class="device-seen">{seen}</span>
            </div>
            <Show when=confirming.clone()
                fallback=move || view! {
                    <div class="actions"><button class="btn deny" aria-label=format!("Revoke {}", name) on:click=ask.clone()>"Revoke"</button></div>
                }>
                <div class="confirm" role="group" aria-label="Confirm revoke">
                    <p class="confirm-question">{question.clone()}</p>
                    <div class="actions">
                        <button class="btn deny" on:click=confirm.clone()>"Yes, revoke"</button>
                        <button class="btn" on:click=move |_| panel.confirming.set(None)>"Cancel"</button>
                    </div>
                </div>
            </Show>
        </li>
    }
}
