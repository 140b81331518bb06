//! Drives baresip as a caller: writes its config directory from `baresip.conf` (ports from
//! the test's block: SIP base+20 (TLS base+21 is taken by baresip itself), control base+25,
//! RTP base+30..base+49), dials at start, and talks to it over ctrl_tcp (JSON netstrings).
//! The process is killed on drop; every wait is bounded.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::Ports;

/// A running baresip with one outgoing call.
pub(crate) struct Baresip {
    child: Child,
    out: PathBuf,
    ctrl_port: u16,
    ctrl: Option<Ctrl>,
}

impl Baresip {
    /// Writes the config into `dir/baresip` and dials the gateway (TCP when `tcp`).
    #[allow(dead_code)]
    pub(crate) fn dial(dir: &Path, ports: Ports, tcp: bool) -> Baresip {
        let mic = dir.join("mic.wav");
        silent_wav(&mic, 60);
        Baresip::dial_with_mic(dir, ports, tcp, &mic)
    }

    /// As [`Baresip::dial`], with `mic` (an 8 kHz mono WAV file) as the microphone.
    #[allow(dead_code)]
    pub(crate) fn dial_with_mic(dir: &Path, ports: Ports, tcp: bool, mic: &Path) -> Baresip {
        Baresip::dial_as(dir, ports, tcp, mic, "caller")
    }

    /// As [`Baresip::dial_with_mic`], calling from `user` (the From URI's user part).
    #[allow(dead_code)]
    pub(crate) fn dial_as(dir: &Path, ports: Ports, tcp: bool, mic: &Path, user: &str) -> Baresip {
        let uri = format!(
            "sip:svc@127.0.0.1:{}{}",
            ports.base,
            if tcp { ";transport=tcp" } else { "" }
        );
        Baresip::launch(
            dir,
            ports,
            Some(&uri),
            ("", ""),
            &format!("{user}@127.0.0.1>;regint=0"),
            mic,
        )
    }

    /// A caller from its own port block `own`, as `user`, dialling `number` at voxgate's
    /// SIP port `gateway` (several callers at once each need a block).
    #[allow(dead_code)]
    pub(crate) fn call_from(
        dir: &Path,
        own: Ports,
        gateway: u16,
        (user, number): (&str, &str),
        mic: &Path,
    ) -> Baresip {
        let uri = format!("sip:{number}@127.0.0.1:{gateway}");
        let account = format!("{user}@127.0.0.1>;regint=0");
        Baresip::launch(dir, own, Some(&uri), ("", ""), &account, mic)
    }

    /// Transfers the call under way (blind, REFER) to `uri`.
    #[allow(dead_code)]
    pub(crate) fn transfer(&mut self, uri: &str) {
        let reply = self.ctrl().command("transfer", Some(uri));
        assert_eq!(reply["ok"], true, "transfer: {reply}");
    }

    /// Puts the call on hold (a re-INVITE with `sendonly`), or takes it off (`resume`).
    #[allow(dead_code)]
    pub(crate) fn hold(&mut self, on: bool) {
        let command = if on { "hold" } else { "resume" };
        let reply = self.ctrl().command(command, None);
        assert_eq!(reply["ok"], true, "{command}: {reply}");
    }

    /// A human agent's phone: registers as `user` with `password` at voxgate's SIP port
    /// `registrar` (digest), answers every call at once (`auto`; else it only rings) and
    /// plays `mic`. Its config and recordings are in `dir/baresip`; its own ports are
    /// `ports`' block.
    #[allow(dead_code)]
    pub(crate) fn agent(
        dir: &Path,
        ports: Ports,
        (registrar, auto): (u16, bool),
        (user, password): (&str, &str),
        mic: &Path,
    ) -> Baresip {
        let mode = if auto { "auto" } else { "manual" };
        let account = format!(
            "{user}@127.0.0.1:{registrar}>;auth_pass={password};regint=600;answermode={mode}"
        );
        Baresip::launch(dir, ports, None, ("", ""), &account, mic)
    }

    /// Switches the microphone to `wav` (8 kHz mono) in the call under way.
    #[allow(dead_code)]
    pub(crate) fn play(&mut self, wav: &Path) {
        let reply = self
            .ctrl()
            .command("ausrc", Some(&format!("aufile,{}", wav.display())));
        assert_eq!(reply["ok"], true, "ausrc: {reply}");
    }

    /// Dials `sip:svc@127.0.0.1:TLS_PORT;transport=tls` with SRTP required (baresip's srtp
    /// module, `mediaenc=srtp-mand`), trusting the certificates of `ca` (PEM).
    #[allow(dead_code)]
    pub(crate) fn dial_tls_srtp(dir: &Path, ports: Ports, tls_port: u16, ca: &Path) -> Baresip {
        let mic = dir.join("mic.wav");
        silent_wav(&mic, 60);
        let uri = format!("sip:svc@127.0.0.1:{tls_port};transport=tls");
        // srtp.so must load before account.so reads the account that names it.
        let extra = format!("sip_cafile\t\t{}\n", ca.display());
        let conf = (&extra[..], "module\t\t\tsrtp.so\n");
        let account = "caller@127.0.0.1>;regint=0;mediaenc=srtp-mand";
        Baresip::launch(dir, ports, Some(&uri), conf, account, &mic)
    }

    /// Writes the config (the template plus `extra.0` lines at the end and `extra.1` module
    /// lines before the accounts are read; the account `<sip:ACCOUNT`, where `account` is
    /// `USER@HOST>` and its parameters) and dials `uri`, if any.
    fn launch(
        dir: &Path,
        ports: Ports,
        uri: Option<&str>,
        extra: (&str, &str),
        account: &str,
        mic: &Path,
    ) -> Baresip {
        let conf = dir.join("baresip");
        fs::create_dir_all(conf.join("rec")).unwrap();
        let ctrl_port = ports.base + 25;
        let template = include_str!("baresip.conf");
        let text = [
            ("@SIP@", ports.base + 20),
            ("@CTRL@", ctrl_port),
            ("@RTP_MIN@", ports.base + 30),
            ("@RTP_MAX@", ports.base + 49),
        ]
        .iter()
        .fold(template.to_owned(), |t, (k, v)| {
            t.replace(k, &v.to_string())
        })
        .replace("@MIC@", mic.to_str().unwrap())
        .replace("@DIR@", conf.to_str().unwrap())
        .replace(
            "module_tmp\t\tuuid.so",
            &format!("{}module_tmp\t\tuuid.so", extra.1),
        ) + extra.0;
        fs::write(conf.join("config"), text).unwrap();
        // `account` is `USER@HOST>` then the account's parameters.
        let (addr, params) = account.split_once('>').unwrap_or((account, ""));
        let line = format!("<sip:{addr}>{params}\n");
        fs::write(conf.join("accounts"), line).unwrap();
        let out = dir.join("baresip.out");
        let mut cmd = Command::new("baresip");
        cmd.arg("-f").arg(&conf).args(["-s", "-t", "120"]);
        if let Some(uri) = uri {
            cmd.args(["-e", &format!("/dial {uri}")]);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(fs::File::create(&out).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("start baresip");
        Baresip {
            child,
            out,
            ctrl_port,
            ctrl: None,
        }
    }

    /// What baresip printed so far (with `-s`, every SIP message and its transport).
    pub(crate) fn output(&self) -> String {
        fs::read_to_string(&self.out)
            .unwrap_or_default()
            .replace('\r', "")
    }

    fn ctrl(&mut self) -> &mut Ctrl {
        if self.ctrl.is_none() {
            let end = Instant::now() + Duration::from_secs(10);
            let stream = loop {
                match TcpStream::connect(("127.0.0.1", self.ctrl_port)) {
                    Ok(s) => break s,
                    Err(e) => assert!(
                        Instant::now() < end,
                        "baresip ctrl_tcp: {e}\n{}",
                        self.output()
                    ),
                }
                std::thread::sleep(Duration::from_millis(100));
            };
            stream
                .set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            self.ctrl = Some(Ctrl {
                stream,
                buf: Vec::new(),
                events: Vec::new(),
                token: 0,
            });
        }
        self.ctrl.as_mut().unwrap()
    }

    /// Waits until `listcalls` shows the call established.
    pub(crate) fn wait_established(&mut self, timeout: Duration) {
        let end = Instant::now() + timeout;
        loop {
            let reply = self.ctrl().command("listcalls", None);
            if reply["data"].as_str().unwrap_or("").contains("ESTABLISHED") {
                return;
            }
            assert!(
                Instant::now() < end,
                "no established call after {timeout:?}: {reply}\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends one key as RFC 4733 (press and release).
    pub(crate) fn send_digit(&mut self, key: char) {
        let reply = self.ctrl().command("sndcode", Some(&key.to_string()));
        assert_eq!(reply["ok"], true, "sndcode {key}: {reply}");
    }

    /// Waits for the CALL_CLOSED event (the gateway hung up).
    pub(crate) fn wait_closed(&mut self, timeout: Duration) {
        let end = Instant::now() + timeout;
        let out = self.out.clone();
        let ctrl = self.ctrl();
        while !ctrl.events.iter().any(|e| e["type"] == "CALL_CLOSED") {
            if Instant::now() >= end {
                let events = format!("{:?}", ctrl.events);
                let output = fs::read_to_string(out).unwrap_or_default();
                panic!("call not closed after {timeout:?}: {events}\n{output}");
            }
            if let Some(msg) = ctrl.next(Instant::now() + Duration::from_millis(200)) {
                ctrl.events.push(msg);
            }
        }
    }

    /// Asks baresip to quit (killing it after 5 s); returns its output.
    pub(crate) fn quit(mut self) -> String {
        let ctrl = self.ctrl();
        ctrl.send("quit", None);
        let end = Instant::now() + Duration::from_secs(5);
        while self.child.try_wait().unwrap().is_none() && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.output()
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A ctrl_tcp connection: JSON netstrings both ways; events are kept in `events`.
struct Ctrl {
    stream: TcpStream,
    buf: Vec<u8>,
    events: Vec<Value>,
    token: u32,
}

impl Ctrl {
    fn send(&mut self, command: &str, params: Option<&str>) -> String {
        self.token += 1;
        let token = format!("t{}", self.token);
        let mut msg = json!({"command": command, "token": token});
        if let Some(p) = params {
            msg["params"] = json!(p);
        }
        let body = msg.to_string();
        let frame = format!("{}:{body},", body.len());
        self.stream.write_all(frame.as_bytes()).unwrap();
        token
    }

    /// Sends a command and returns its response (at most 5 s).
    fn command(&mut self, command: &str, params: Option<&str>) -> Value {
        let token = self.send(command, params);
        let end = Instant::now() + Duration::from_secs(5);
        loop {
            let msg = self
                .next(end)
                .unwrap_or_else(|| panic!("no answer to {command} in 5 s"));
            if msg["response"] == true && msg["token"] == token.as_str() {
                return msg;
            }
            self.events.push(msg);
        }
    }

    /// The next message, or None at `deadline`.
    fn next(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            if let Some(msg) = self.take_frame() {
                return Some(msg);
            }
            if Instant::now() >= deadline {
                return None;
            }
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => panic!("ctrl_tcp read: {e}"),
            }
        }
    }

    /// One complete `LEN:JSON,` frame from the buffer.
    fn take_frame(&mut self) -> Option<Value> {
        let colon = self.buf.iter().position(|&b| b == b':')?;
        let len: usize = std::str::from_utf8(&self.buf[..colon])
            .ok()?
            .trim()
            .parse()
            .expect("netstring length");
        let end = colon + 1 + len;
        if self.buf.len() <= end {
            return None;
        }
        assert_eq!(self.buf[end], b',', "netstring without ','");
        let msg = serde_json::from_slice(&self.buf[colon + 1..end]).expect("ctrl_tcp JSON");
        self.buf.drain(..=end);
        Some(msg)
    }
}

/// The one `dump-…-dec.wav` (what baresip heard) in `dir/baresip/rec`.
pub(crate) fn decoded_recording(dir: &Path) -> PathBuf {
    let rec = dir.join("baresip/rec");
    let found: Vec<PathBuf> = fs::read_dir(&rec)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("-dec.wav"))
        .collect();
    assert_eq!(found.len(), 1, "recordings in {}: {found:?}", rec.display());
    found.into_iter().next().unwrap()
}

/// Checks baresip's SIP trace (`-s`): the INVITE went to `port` over `transport` ("UDP" or
/// "TCP") and voxgate's BYE came back the same way.
pub(crate) fn assert_transport(trace: &str, transport: &str, port: u16) {
    let lines: Vec<&str> = trace.lines().filter(|l| !l.trim().is_empty()).collect();
    let seen = |to_gateway: bool, method: &str| {
        lines.windows(2).any(|w| {
            let Some(route) = w[0]
                .strip_prefix(transport)
                .and_then(|r| r.strip_prefix(' '))
            else {
                return false;
            };
            let matches = if to_gateway {
                route.ends_with(&format!("-> 127.0.0.1:{port}"))
            } else {
                route.starts_with(&format!("127.0.0.1:{port} ->"))
            };
            matches && w[1].starts_with(method)
        })
    };
    assert!(
        seen(true, "INVITE "),
        "no INVITE over {transport}:\n{trace}"
    );
    assert!(
        seen(false, "BYE "),
        "no BYE from voxgate over {transport}:\n{trace}"
    );
}

/// `secs` of 8 kHz mono silence: baresip's microphone.
fn silent_wav(path: &Path, secs: u32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for _ in 0..secs * 8000 {
        w.write_sample(0i16).unwrap();
    }
    w.finalize().unwrap();
}
