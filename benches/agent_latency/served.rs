//! A release `voxgate serve` run by a harness: its config written into the work directory,
//! its log in `voxgate.log` there, ready when it answers SIP OPTIONS, stopped with SIGTERM
//! (killed after 10 s, and on drop).

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// A running voxgate.
pub(crate) struct Served {
    pub(crate) child: Child,
    pub(crate) dir: PathBuf,
}

impl Served {
    /// Starts voxgate in `dir` with `config`; ready when SIP at `sip` answers OPTIONS sent
    /// from port `probe` (at most 120 s).
    pub(crate) fn start(dir: &Path, config: &str, sip: SocketAddr, probe: u16) -> Result<Served> {
        let file = dir.join("voxgate.toml");
        fs::write(&file, config)?;
        let child = Command::new(env!("CARGO_BIN_EXE_voxgate"))
            .args(["serve", "--config"])
            .arg(&file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.join("voxgate.log"))?)
            .spawn()
            .context("start voxgate")?;
        let mut served = Served {
            child,
            dir: dir.to_owned(),
        };
        let end = Instant::now() + Duration::from_secs(120);
        while !crate::uac::options(probe, sip, Duration::from_millis(500)) {
            if Instant::now() > end || served.child.try_wait()?.is_some() {
                bail!("voxgate not ready; log:\n{}", served.log());
            }
        }
        Ok(served)
    }

    /// Its log so far.
    pub(crate) fn log(&self) -> String {
        fs::read_to_string(self.dir.join("voxgate.log")).unwrap_or_default()
    }

    /// SIGTERM, then kill after 10 s.
    pub(crate) fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `text` spoken at 8 kHz by `voxgate say`, cached by text.
pub(crate) fn spoken(models: &Path, cache: &Path, text: &str) -> Result<Vec<i16>> {
    let name: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let path = cache.join(format!("{name}.wav"));
    if !path.exists() {
        let status = Command::new(env!("CARGO_BIN_EXE_voxgate"))
            .args(["say", text, "--rate", "8000", "--out"])
            .arg(&path)
            .arg("--models-dir")
            .arg(models)
            .stdout(Stdio::null())
            .status()?;
        if !status.success() {
            bail!("voxgate say failed for {text:?}");
        }
    }
    let r = hound::WavReader::open(&path)?;
    Ok(r.into_samples::<i16>().collect::<Result<_, _>>()?)
}
