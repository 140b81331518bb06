//! The transaction layer in virtual time: one `Instant::now()` plus Durations, no sleeps,
//! no sockets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client;
mod props;
mod server;
mod support;
