//! Entry point: mounts the app; everything else lives in the library so tests can mount parts.

fn main() {
    leptos::mount::mount_to_body(tether_web::App);
}
