//! Sans-IO SIP.

pub mod sdp;
