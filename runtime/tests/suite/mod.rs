mod harness;
mod info;
mod transport;
