//! Letta Code's v2 WebSocket protocol as Rust types.
//!
//! Shared by tether's runtime, its wasm client and its web UI, so it has no tokio and
//! builds for `wasm32-unknown-unknown`. Wire names follow the reference exactly.
//!
//! # Layout
//! - [`frame`]: the two unions ([`ClientFrame`], [`ServerFrame`]) and decoding.
//! - [`error`]: [`FrameError`], what went wrong decoding a frame.
//! - [`scope`]: [`RuntimeScope`] and the [`RuntimeEnvelope`] of runtime events.
//! - [`lifecycle`]: `app_server_info`, `runtime_start`, `sync`, `abort_message`,
//!   `resume_queue`, `remove_queue_item`, `change_device_state`, `DevicePermissionMode`.
//! - [`input`]: `input` and its payloads, `input_accepted`, `turn_finished`.
//! - [`content`]: message content (string or parts) and `MessageCreate`.
//! - [`status`]: `update_device_status`, `update_loop_status`, `update_queue`.
//! - [`stream`]: `stream_delta` and its lifecycle deltas.
//! - [`letta_message`]: the Letta messages inside deltas and histories, `StopReasonType`.
//! - [`approval`]: `control_request`, diff previews, approval decisions.
//! - [`external`]: external tool registration and calls.
//! - [`agents`], [`conversations`]: agent and conversation management with their bodies.
//! - [`models`]: `list_models`, `update_model`, `update_toolset`.
//! - [`commands`]: `execute_command`, `monitor_stop`.
//! - [`cron`]: `cron_*` commands and responses, `crons_updated`.
//! - [`legacy`]: legacy lifecycle telemetry (`approval_requested`, `tool_execution_*`).
//!
//! # `null` and omitted keys
//! A reference field typed `T | null` (always present) is an `Option<T>` serialised as
//! `null`; a field typed `field?: T` is an `Option<T>` omitted when `None`. On input,
//! `null` and an omitted key mean the same thing — except where the reference gives
//! `null` its own meaning (`runtime_start.cwd`, `update_model.payload.reasoning_effort`,
//! `list_models_response.available_handles`, `cron_update.scheduled_for`): those are
//! `Option<Option<T>>`, with `Some(None)` for `null`.
//!
//! Optional arrays are `Option<Vec<T>>` so that "absent" and "empty" stay distinct
//! (for `client_tool_allowlist` they mean different things).
//!
//! # Unknown data
//! Unknown members are ignored. Unknown frame `type`s, stream delta / Letta
//! `message_type`s, input payload `kind`s, control request `subtype`s and content part
//! `type`s are kept verbatim as raw JSON, never errors; an unknown stop reason is kept in
//! [`letta_message::StopReasonType::Other`]. Letta bodies (agents, conversations) keep
//! untyped members in an `extra` map, so they round-trip unchanged.

#![warn(missing_docs)]

pub mod agents;
pub mod approval;
pub mod commands;
pub mod content;
pub mod conversations;
pub mod cron;
pub mod error;
pub mod external;
pub mod frame;
pub mod input;
pub mod legacy;
pub mod letta_message;
pub mod lifecycle;
pub mod models;
pub mod scope;
pub mod status;
pub mod stream;
mod wire;

pub use error::FrameError;
pub use frame::{ClientFrame, ServerFrame};
pub use scope::{RuntimeEnvelope, RuntimeScope};
