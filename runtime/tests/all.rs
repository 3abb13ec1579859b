//! One integration-test binary: every suite spawns the real `tether` and talks to it over
//! real sockets.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers may fail loudly, as tests do

mod suite;
