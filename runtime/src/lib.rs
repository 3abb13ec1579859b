//! tether's runtime: a coding agent on your machine, steered over Letta Code's v2 protocol.
//!
//! # Layout
//! - [`agent`]: the agent loop: model steps, tool calls, approvals, one turn at a time.
//! - [`conversation`]: one actor per conversation: queue, turn, approvals, subscribers.
//! - [`config`]: what the command line decides (listen address, token, data dir …).
//! - [`remote`]: direct mode (`tether remote`): dial the controller, stay connected, replay after a drop.
//! - [`server`]: the listener, HTTP routes, auth, and the per-connection handler.
//! - [`commands`]: one module per family of v2 commands a connection can send.
//! - [`doctor`]: `tether doctor`, checks of the machine and the data dir.
//! - [`external`]: controller-owned tools: registrations per connection, calls routed back.
//! - [`model`]: model providers (OpenAI-compatible, Anthropic, scripted) behind one trait.
//! - [`process`]: the stderr log and the stop signals of a long-running mode.
//! - [`runtime`]: the state shared by every connection.
//! - [`store`]: the durable SQLite store (agents, conversations, transcript, queue).
//! - [`tools`]: the built-in tools, the permission decision, persistent rules, diff previews.

pub mod agent;
pub mod commands;
pub mod conversation;
pub mod config;
pub mod doctor;
pub mod external;
pub mod model;
pub mod process;
pub mod remote;
pub mod runtime;
pub mod server;
pub mod store;
pub mod tools;
