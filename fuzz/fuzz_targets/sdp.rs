//! `SessionDescription::parse` on arbitrary text. Must never panic; a description that
//! parses must print to text that parses back to an equal description; offer/answer on it
//! must not panic either, under each SRTP policy (the input length picks one).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::sdp::{
    LocalCaps, SdesKey, SessionDescription, SrtpPolicy, accept_answer, answer, offer,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(sd) = SessionDescription::parse(&text) else {
        return;
    };
    let printed = sd.to_string();
    let again = SessionDescription::parse(&printed);
    assert_eq!(again.as_ref(), Ok(&sd), "reprinted SDP differs:\n{printed}");
    let key = SdesKey::new([7; 30]);
    let policy = match data.len() % 3 {
        0 => SrtpPolicy::Off,
        1 => SrtpPolicy::Optional(key),
        _ => SrtpPolicy::Required(key),
    };
    let caps = LocalCaps::new("192.0.2.1", 20000, 1)
        .with_opus(data.len() % 2 == 0)
        .with_srtp(policy);
    let _ = answer(&sd, &caps);
    let _ = accept_answer(&offer(&caps), &sd);
});
