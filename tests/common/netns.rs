//! A test host the gateway does not trust: a network namespace the test creates, joined to
//! this one by a veth pair (`10.213.SLOT.1` here, `10.213.SLOT.2` there). Attack tools run
//! inside it with [`Netns::command`]; the host side's byte counters tell how much went each
//! way. Traffic never leaves the machine: the pair is all the namespace has. Needs root and
//! iproute2; without them the test skips (fails under CI=true). Removed on drop.
#![allow(dead_code)]

use std::net::Ipv4Addr;
use std::process::{Command, Stdio};

/// A namespace with one veth link to this host.
pub struct Netns {
    name: String,
    veth: String,
    /// This host's address on the link (where the gateway listens for the namespace).
    pub host: Ipv4Addr,
    /// The namespace's address.
    pub peer: Ipv4Addr,
}

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Netns {
    /// Creates namespace `slot` (1–250), or `None` when this machine cannot (not root, no
    /// iproute2): the caller skips, except under CI=true where it fails.
    pub fn create(slot: u8) -> Option<Netns> {
        let name = format!("vgtest{slot}");
        let veth = format!("vgh{slot}");
        let peer_if = format!("vgn{slot}");
        // Leftovers of an interrupted run.
        ip(&["netns", "del", &name]);
        ip(&["link", "del", &veth]);
        let host = Ipv4Addr::new(10, 213, slot, 1);
        let peer = Ipv4Addr::new(10, 213, slot, 2);
        let ok = ip(&["netns", "add", &name])
            && ip(&[
                "link", "add", &veth, "type", "veth", "peer", "name", &peer_if,
            ])
            && ip(&["link", "set", &peer_if, "netns", &name])
            && ip(&["addr", "add", &format!("{host}/30"), "dev", &veth])
            && ip(&["link", "set", &veth, "up"])
            && ip(&[
                "-n",
                &name,
                "addr",
                "add",
                &format!("{peer}/30"),
                "dev",
                &peer_if,
            ])
            && ip(&["-n", &name, "link", "set", &peer_if, "up"])
            && ip(&["-n", &name, "link", "set", "lo", "up"]);
        let ns = Netns {
            name,
            veth,
            host,
            peer,
        };
        if ok {
            return Some(ns);
        }
        drop(ns);
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "network namespaces are required under CI=true (root and iproute2)"
        );
        eprintln!("SKIPPED: cannot create a network namespace (needs root and iproute2)");
        None
    }

    /// `program` run inside the namespace.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name, program]);
        c
    }

    /// Bytes the host side received from the namespace and sent to it so far.
    pub fn bytes(&self) -> (u64, u64) {
        let read = |what: &str| {
            std::fs::read_to_string(format!("/sys/class/net/{}/statistics/{what}", self.veth))
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0)
        };
        (read("rx_bytes"), read("tx_bytes"))
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        ip(&["netns", "del", &self.name]);
        ip(&["link", "del", &self.veth]);
    }
}
