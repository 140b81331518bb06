//! The release voxgate under test: a temp config (SIP on 127.0.0.1, the harness's RTP range,
//! the chosen call logic, log level warn), started as a child process, ready when it answers
//! OPTIONS, stopped with SIGTERM (killed on drop), and its call summaries read afterwards.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::probe::SipClient;

/// Ports and limits of the gateway under test.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GatewayPorts {
    pub(crate) sip: SocketAddr,
    pub(crate) rtp_min: u16,
    pub(crate) rtp_max: u16,
}

/// The flow `--logic flow` runs: the greeting, then a keypad menu whose prompt plays again
/// after every 3 s of silence (the load calls press nothing), so voxgate speaks all call long
/// as the demo script does. Written under `data` with its prompt files; returns the
/// `[flows]` section.
fn keypad_flow(data: &Path) -> Result<String> {
    let flows = data.join("flows");
    fs::create_dir_all(&flows)?;
    let prompts = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/prompts");
    for wav in ["greeting.wav", "you-entered.wav", "goodbye.wav"] {
        fs::copy(prompts.join(wav), flows.join(wav)).context("copy a prompt")?;
    }
    fs::write(
        flows.join("load.yaml"),
        "flow: load\nstart: hello\nnodes:\n  hello:\n    play: greeting.wav\n    next: menu\n\
         \x20 menu:\n    menu:\n      play: you-entered.wav\n      options: {\"1\": bye}\n\
         \x20     speech: false\n      timeout_secs: 3\n\
         \x20     no_input: {retries: 10, then: bye}\n\
         \x20 bye:\n    hangup: {play: goodbye.wav}\n",
    )?;
    Ok("[flows]\ndir = \"flows\"\ndefault_flow = \"load\"\n".into())
}

/// A running voxgate.
pub(crate) struct Gateway {
    child: Child,
    dir: PathBuf,
}

impl Gateway {
    /// Starts voxgate in `dir` and waits (at most 10 s) until it answers OPTIONS.
    pub(crate) fn start(
        dir: &Path,
        ports: GatewayPorts,
        logic: &str,
        max_calls: usize,
        client: &mut SipClient,
    ) -> Result<Gateway> {
        Gateway::start_with(dir, ports, logic, max_calls, "", client)
    }

    /// [`Gateway::start`] with `sip_extra` (TOML lines) added to the `[sip]` section.
    pub(crate) fn start_with(
        dir: &Path,
        ports: GatewayPorts,
        logic: &str,
        max_calls: usize,
        sip_extra: &str,
        client: &mut SipClient,
    ) -> Result<Gateway> {
        let config = format!(
            "data_dir = \"{data}\"\nlog_level = \"warn\"\n[store]\nexport_jsonl = true\n\
             [sip]\nlisten = \"{sip}\"\nudp = true\ntcp = false\n{sip_extra}\n\
             [media]\nrtp_port_min = {min}\nrtp_port_max = {max}\ntimeout_secs = 30\n\
             [calls]\nmax_calls = {max_calls}\nlogic = \"{logic}\"\nshutdown_grace_secs = 1\n",
            data = dir.join("data").display(),
            sip = ports.sip,
            min = ports.rtp_min,
            max = ports.rtp_max,
        );
        let config = if logic == "flow" {
            config + &keypad_flow(&dir.join("data"))?
        } else {
            config
        };
        let file = dir.join("voxgate.toml");
        fs::write(&file, config)?;
        let child = Command::new(env!("CARGO_BIN_EXE_voxgate"))
            .args(["serve", "--config"])
            .arg(&file)
            // `--logic probe` is the test double: allowed for the harness.
            .env("VOXGATE_TEST_DOUBLES", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.join("voxgate.log"))?)
            .spawn()
            .context("start voxgate")?;
        let mut gw = Gateway {
            child,
            dir: dir.to_owned(),
        };
        let end = Instant::now() + Duration::from_secs(10);
        while !client.options(Duration::from_millis(300)) {
            if Instant::now() > end || gw.child.try_wait()?.is_some() {
                bail!("voxgate not ready in 10 s; log:\n{}", gw.log());
            }
        }
        Ok(gw)
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// voxgate's log (warnings and errors).
    pub(crate) fn log(&self) -> String {
        fs::read_to_string(self.dir.join("voxgate.log")).unwrap_or_default()
    }

    /// SIGTERM, then waits up to `timeout` for the exit (killed after that).
    pub(crate) fn stop(&mut self, timeout: Duration) -> Result<()> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill()?;
        bail!("voxgate did not exit within {timeout:?} of SIGTERM")
    }

    /// The call summaries in data/calls.jsonl.
    pub(crate) fn summaries(&self) -> Vec<serde_json::Value> {
        fs::read_to_string(self.dir.join("data/calls.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
