//! The "Devices" panel: the browsers and phones that can steer this runtime, when each was
//! last seen, which one this is, and a Revoke button (confirmed first) for each.
//! Written with plain reactive closures and `hidden` (no `For`/`Show`): the page's wasm
//! stays small.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::devices_api;
use crate::state::devices::{Device, last_seen_label, parse_devices};

/// The panel's own state (cheap to copy into closures).
#[derive(Clone, Copy)]
struct Panel {
    devices: RwSignal<Vec<Device>>,
    /// What to tell the user (an error, "signed out", "no devices"); empty for nothing.
    message: RwSignal<String>,
    /// The device whose revoke awaits confirmation.
    confirming: RwSignal<Option<String>>,
}

impl Panel {
    /// Fetches the list again.
    fn load(self) {
        spawn_local(async move {
            match devices_api::list().await {
                Ok(answer) => {
                    let devices = parse_devices(&answer);
                    self.message.set(if devices.is_empty() { "No paired devices.".into() } else { String::new() });
                    self.devices.set(devices);
                }
                Err(why) => self.message.set(why),
            }
        });
    }

    /// Revokes `device`; this device's own sockets close and the page shows it signed out.
    fn revoke(self, device: Device) {
        self.confirming.set(None);
        spawn_local(async move {
            match devices_api::revoke(&device.id).await {
                Ok(_) if device.current => {
                    self.devices.set(Vec::new());
                    self.message.set("This device was revoked and is signed out.".into());
                }
                Ok(_) => self.load(),
                Err(why) => self.message.set(why),
            }
        });
    }
}

/// The panel; `open` is cleared by its Close button.
#[component]
pub fn DevicesPanel(open: RwSignal<bool>) -> impl IntoView {
    let panel = Panel { devices: RwSignal::new(Vec::new()), message: RwSignal::new(String::new()), confirming: RwSignal::new(None) };
    panel.load();
    view! {
        <section class="devices" aria-labelledby="devices-title">
            <div class="devices-head">
                <h2 id="devices-title">"Devices"</h2>
                <button class="btn small" on:click=move |_| open.set(false)>"Close"</button>
            </div>
            <p class="devices-note">"Browsers and phones that can steer this runtime. Revoking one signs it out at once; \
                it must pair again (`tether pair`)."</p>
            <p class="devices-message" role="status">{move || panel.message.get()}</p>
            <ul class="device-list">
                {move || panel.devices.get().into_iter().map(|device| device_row(device, panel)).collect_view()}
            </ul>
        </section>
    }
}

/// One device: name, "This device", last seen, Revoke (then confirm or cancel).
fn device_row(device: Device, panel: Panel) -> impl IntoView {
    let seen = last_seen_label(js_sys::Date::now(), Some(js_sys::Date::parse(&device.last_seen)));
    let id = device.id.clone();
    let asking = move || panel.confirming.with(|c| c.as_deref() == Some(id.as_str()));
    let question = if device.current {
        "Revoke this device? You will be signed out here.".to_owned()
    } else {
        format!("Revoke {}? It is signed out at once.", device.name)
    };
    let (ask_id, current) = (device.id.clone(), device.current);
    let revoke_label = format!("Revoke {}", device.name);
    let name = device.name.clone();
    view! {
        <li class="device" class:current=current>
            <div class="device-info">
                <span class="device-name">{name}</span>
                {current.then(|| view! { <span class="badge">"This device"</span> })}
                <span class="device-seen">{seen}</span>
            </div>
            <div class="actions" hidden=asking.clone()>
                <button class="btn deny" aria-label=revoke_label on:click=move |_| panel.confirming.set(Some(ask_id.clone()))>"Revoke"</button>
            </div>
            <div class="confirm" role="group" aria-label="Confirm revoke" hidden=move || !asking()>
                <p class="confirm-question">{question}</p>
                <div class="actions">
                    <button class="btn deny" on:click=move |_| panel.revoke(device.clone())>"Yes, revoke"</button>
                    <button class="btn" on:click=move |_| panel.confirming.set(None)>"Cancel"</button>
                </div>
            </div>
        </li>
    }
}
