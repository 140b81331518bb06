//! voxgate: a voice contact-center gateway. The binary's subsystems (telephony, media,
//! speech, dialog, agents, store, API) live here as they land; the SIP stack is the
//! sans-IO `sip` crate in the workspace, re-exported for convenience.
#![forbid(unsafe_code)]

pub mod api;
pub mod calls;
pub mod center;
pub mod config;
pub mod dialog;
pub mod emotion;
pub mod events;
pub mod flows;
pub mod fsutil;
pub mod media;
pub mod metrics;
pub mod models;
pub mod privacy;
pub mod speech;
pub mod store;
pub mod telephony;

pub use rtp;
pub use sip;
