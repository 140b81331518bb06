//! Header fields: names, the generic header list, and the typed values the rest of the
//! crate reads (Via, name-addr, CSeq, media types, option tags, numbers). Each typed value
//! parses from and prints to the text after `Name:`.

mod cseq;
mod error;
mod list;
mod misc;
mod name;
mod name_addr;
mod via;

pub use cseq::CSeq;
pub use error::HeaderError;
pub use list::{Header, Headers};
pub use misc::{MediaType, RetryAfter, parse_delta_seconds, parse_max_forwards, parse_token_list};
pub use name::HeaderName;
pub use name_addr::{Contact, NameAddr};
pub use via::{BRANCH_MAGIC, Via};
