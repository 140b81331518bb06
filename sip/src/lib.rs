//! Sans-IO SIP.

pub mod auth;
