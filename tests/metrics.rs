//! `GET /metrics` scraped by a real Prometheus (Debian's `prometheus`, from `scripts/setup
//! --test`): the gateway runs one SIPp call with RTP and refuses a second with 503 (`busy`,
//! `max_calls = 1`); a `metrics`-role token made over the API is what Prometheus scrapes with.
//! Prometheus runs as its own process on this test's port, with its own config and storage in
//! the test's directory (killed on drop), and the test reads the series back through its
//! query API: the target is up, and the call, setup-time, refusal and RTP series have counts.
//! A second job without a token is down (401). Skipped (with a message) only when SIPp or
//! Prometheus is missing and CI is not "true".
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Gateway, GatewayOpts, Ports, Sipp, TempDir, have_peer, scenario, ulaw_file};
use serde_json::{Value, json};

const SECS_10: Duration = Duration::from_secs(10);

/// A PromQL query and what its value must satisfy.
type Check = (&'static str, fn(f64) -> bool);

/// A Prometheus server on loopback, killed on drop.
struct Prometheus {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Prometheus {
    /// Starts `prometheus` scraping `target` every second: job `voxgate` with `token`, job
    /// `anonymous` without.
    fn start(dir: &Path, port: u16, target: &str, token: &str) -> Prometheus {
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
                 scrape_configs:\n\
                 \x20 - job_name: voxgate\n\
                 \x20   authorization: {{type: Bearer, credentials: \"{token}\"}}\n\
                 \x20   static_configs: [{{targets: [\"{target}\"]}}]\n\
                 \x20 - job_name: anonymous\n\
                 \x20   static_configs: [{{targets: [\"{target}\"]}}]\n"
            ),
        )
        .unwrap();
        let log = dir.join("prometheus.log");
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start prometheus");
        Prometheus {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The first value of an instant query's result, if it has one.
    fn value(&self, http: &ureq::Agent, query: &str) -> Option<f64> {
        let url = format!("{}/api/v1/query", self.base);
        let mut resp = http.get(url).query("query", query).call().ok()?;
        let body: Value = serde_json::from_str(&resp.body_mut().read_to_string().ok()?).ok()?;
        body["data"]["result"][0]["value"][1].as_str()?.parse().ok()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The admin token the first start wrote, then a `metrics` token made with it over the API.
fn metrics_token(http: &ureq::Agent, base: &str, data: &Path, gw: &Gateway) -> String {
    let end = Instant::now() + SECS_10;
    let admin = loop {
        if let Ok(t) = std::fs::read_to_string(data.join("admin-token")) {
            break t.trim().to_owned();
        }
        assert!(Instant::now() < end, "no admin-token:\n{}", gw.log());
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut resp = http
        .post(format!("{base}/api/v1/tokens"))
        .header("authorization", format!("Bearer {admin}"))
        .send_json(json!({"name": "prometheus", "role": "metrics"}))
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201, "{}", gw.log());
    let body: Value = serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// One loud call held for a few seconds (so RTP flows and its figures are observed), and a
/// second INVITE during it that gets 503.
fn one_call_and_one_busy(dir: &TempDir, ports: Ports, gw: &Gateway) {
    let audio = dir.0.join("tone.ul");
    ulaw_file(&audio, 2.0, true);
    let audio = audio.to_str().unwrap();
    let vars = [
        ("AUDIO", audio),
        ("HOLD_MS", "2000"),
        ("BYE_WAIT_MS", "10000"),
    ];
    let call = scenario(&dir.0, "uac_rtp.xml", &vars);
    let busy = scenario(&dir.0, "uac_expect_503.xml", &vars);
    let first = Sipp::spawn(&dir.0, ports, 0, &call, &["-cid_str", "first-%u"]);
    gw.wait_log("incoming call", SECS_10);
    let (code, out) = Sipp::spawn(&dir.0, ports, 1, &busy, &["-cid_str", "busy-%u"]).wait();
    assert_eq!(code, 0, "the second INVITE:\n{out}\n{}", gw.log());
    let (code, out) = first.wait();
    assert_eq!(code, 0, "the call:\n{out}\n{}", gw.log());
    gw.wait_summaries(2, SECS_10);
}

#[test]
fn a_real_prometheus_scrapes_calls_setup_refusals_and_rtp() {
    if !have_peer("sipp") || !have_peer("prometheus") {
        return;
    }
    let dir = TempDir::new("prometheus");
    let ports = Ports::new(85);
    let (http_port, prom_port) = (ports.base + 5, ports.base + 6);
    let target = format!("127.0.0.1:{http_port}");
    let tail = format!("[http]\nlisten = \"{target}\"\n");
    let opts = GatewayOpts {
        calls: "max_calls = 1",
        tail: &tail,
        ..GatewayOpts::default()
    };
    let gw = Gateway::start_opts(&dir.0, ports, &opts);
    gw.wait_log("HTTP ready", SECS_10);
    let http: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let base = format!("http://{target}");
    let token = metrics_token(&http, &base, &dir.0.join("data"), &gw);

    // Without a token, /metrics is refused (what the `anonymous` job below sees too).
    let anon = http.get(format!("{base}/metrics")).call().unwrap();
    assert_eq!(anon.status().as_u16(), 401);

    let prom = Prometheus::start(&dir.0, prom_port, &target, &token);
    one_call_and_one_busy(&dir, ports, &gw);

    let checks: [Check; 8] = [
        (r#"up{job="voxgate"}"#, |v| v == 1.0),
        (r#"up{job="anonymous"}"#, |v| v == 0.0),
        ("voxgate_calls_started_total", |v| v >= 1.0),
        ("voxgate_calls_ended_total", |v| v >= 1.0),
        ("voxgate_call_setup_seconds_count", |v| v >= 1.0),
        (r#"voxgate_sip_refusals_total{reason="busy"}"#, |v| v >= 1.0),
        ("voxgate_rtp_loss_ratio_count", |v| v >= 1.0),
        ("voxgate_rtp_jitter_seconds_count", |v| v >= 1.0),
    ];
    // Bounded: Prometheus starts in a second or two and scrapes every second.
    let end = Instant::now() + Duration::from_secs(30);
    let values = loop {
        let values: Vec<Option<f64>> = checks.iter().map(|(q, _)| prom.value(&http, q)).collect();
        let ok = checks
            .iter()
            .zip(&values)
            .all(|((_, pass), v)| v.is_some_and(pass));
        if ok || Instant::now() >= end {
            break values;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    for ((query, pass), value) in checks.iter().zip(&values) {
        assert!(
            value.is_some_and(pass),
            "{query} = {value:?}\nprometheus:\n{}\nvoxgate:\n{}",
            prom.log(),
            gw.log()
        );
    }
    // The agent's stage histograms are exposed (observed by calls and /api/v1/ask; this
    // probe call has no agent, so they are at zero here), with a bounded label set.
    let stages = prom.value(
        &http,
        r#"count(voxgate_agent_stage_seconds_count{job="voxgate"})"#,
    );
    assert_eq!(stages, Some(4.0), "one series per stage");
    // No setup took longer than the whole test did.
    let setup = prom.value(&http, "voxgate_call_setup_seconds_sum").unwrap();
    assert!((0.0..30.0).contains(&setup), "setup sum {setup}");
}
