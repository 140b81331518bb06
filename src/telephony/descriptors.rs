//! The process's file-descriptor budget: the soft limit is raised to the hard one at start,
//! and the TCP connection cap is what is left once every call's RTP and RTCP sockets, the
//! HTTP API and the gateway's own files are provided for, so idle TCP connections can never
//! starve a call of its sockets.

/// Descriptors kept for the rest of the gateway: the HTTP API's connections, the store,
/// logs, models, the runtime's own (epoll, eventfds, threads) and headroom.
const RESERVED: u64 = 512;
/// The smallest TCP cap worth having; below it the operator is warned.
const MIN_TCP: usize = 32;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; the soft limit now in force (`None`
/// when it cannot be read).
pub(crate) fn raise_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => Some(n),
        Err(e) => {
            tracing::warn!(error = %e, "cannot raise the file-descriptor limit");
            rlimit::Resource::NOFILE.get().ok().map(|(soft, _)| soft)
        }
    }
}

/// The TCP connection cap for `nofile` descriptors and `max_calls` calls (two sockets each);
/// `configured` > 0 is used as an upper bound. With the warning to log when the limit is
/// too low for the configuration.
pub(crate) fn tcp_cap(nofile: u64, max_calls: usize, configured: usize) -> (usize, Option<String>) {
    let calls = 2 * u64::try_from(max_calls).unwrap_or(u64::MAX / 4);
    let left = nofile.saturating_sub(calls).saturating_sub(RESERVED);
    let derived = usize::try_from(left).unwrap_or(usize::MAX);
    let cap = if configured > 0 {
        configured.min(derived.max(MIN_TCP))
    } else {
        derived.max(MIN_TCP)
    };
    let warning = (derived < MIN_TCP).then(|| {
        format!(
            "the file-descriptor limit ({nofile}) is too low for calls.max_calls = {max_calls} \
             (2 sockets per call + {RESERVED} kept); raise `ulimit -n` to at least {}",
            calls + RESERVED + 1024
        )
    });
    (cap, warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_room_for_every_call() {
        // The common default of 1024 with 10 calls: 1024 − 20 − 512.
        assert_eq!(tcp_cap(1024, 10, 0), (492, None));
        // A configured cap is an upper bound only.
        assert_eq!(tcp_cap(1024, 10, 100).0, 100);
        assert_eq!(tcp_cap(1024, 10, 5000).0, 492);
        // Raised limits leave plenty.
        assert_eq!(tcp_cap(1 << 20, 500, 0).0, (1 << 20) - 1000 - 512);
    }

    #[test]
    fn a_limit_too_low_for_the_calls_is_named() {
        let (cap, warning) = tcp_cap(1024, 500, 0);
        assert_eq!(cap, MIN_TCP);
        assert!(warning.is_some_and(|w| w.contains("ulimit -n")));
    }
}
