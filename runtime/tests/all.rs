//! One integration-test binary: every suite spawns the real `tether` and talks to it over
//! real sockets.

mod suite;
