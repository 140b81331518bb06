//! Integration tests for `sip::sdp`: real-world round trips, error
//! reporting, property tests and offer/answer.

mod samples;

mod parse_print;

mod errors;

mod props;

mod answer;

mod uac;

mod srtp;
