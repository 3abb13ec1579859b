//! The UI's logic as plain Rust (no DOM), so it is unit-tested natively and in the browser.

pub mod approval;
pub mod devices;
pub mod markdown;
pub mod route;
pub mod session;
pub mod transcript;
