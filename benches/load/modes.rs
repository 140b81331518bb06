//! The modes issue #10 added to the load harness (`--srtp`, `--flood`, `--soak`): each builds
//! its plan from the command line and the harness's ports, runs, and keeps its work directory
//! when it fails.
//!
//! Owns: the wiring of the modes. Must not touch: the step harness.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Result, bail};

use super::gateway::GatewayPorts;
use super::{
    Args, DEMO_MAX_CALL_SECS, GEN_MEDIA, GEN_SIP, MAX_CALLS, PROBE_MEDIA, PROBE_SIP, RTP_MAX,
    RTP_MIN, SIP, SIPP_CONTROL, SIPP_MEDIA, SIPP_SIP,
};
use super::{flood, procfs, soak, srtp_run};

/// The SRTP steps (`--srtp`).
pub(crate) fn srtp(args: &Args, root: &Path, steps: &[usize]) -> Result<()> {
    let plan = srtp_run::SrtpPlan {
        gateway: GatewayPorts {
            sip: SocketAddr::from(([127, 0, 0, 1], SIP)),
            rtp_min: RTP_MIN,
            rtp_max: RTP_MAX,
        },
        max_calls: MAX_CALLS + 50,
        rate: args.rate,
        hold_secs: args.hold_secs,
        probe_sip: PROBE_SIP,
        probe_media: PROBE_MEDIA,
        gen_sip: GEN_SIP,
        gen_media: GEN_MEDIA,
    };
    let mut results = Vec::new();
    for &n in steps {
        for _ in 0..args.repeat.max(1) {
            for srtp in [true, false] {
                let dir = root.join(format!("srtp-{n}-{srtp}-{}", results.len()));
                std::fs::create_dir_all(&dir)?;
                results.push(srtp_run::step(&plan, n, srtp, &dir)?);
                srtp_run::print_table(&results);
            }
        }
    }
    let passed = results.iter().all(srtp_run::SrtpStep::passed);
    println!(
        "\n{}",
        if passed {
            "all SRTP/RTP steps passed"
        } else {
            "SOME STEPS FAILED"
        }
    );
    if !args.keep && passed {
        let _ = std::fs::remove_dir_all(root);
    } else {
        println!("work directory kept: {}", root.display());
    }
    Ok(())
}

/// The flood (`--flood`).
pub(crate) fn flood(args: &Args, root: &Path) -> Result<()> {
    let plan = flood::FloodPlan {
        gateway: GatewayPorts {
            sip: SocketAddr::from(([127, 0, 0, 1], SIP)),
            rtp_min: RTP_MIN,
            rtp_max: RTP_MAX,
        },
        rate: args.flood_rate,
        secs: args.hold_secs,
        probes: args.probes,
        probe_sip: PROBE_SIP,
        probe_media: PROBE_MEDIA,
        sipp_sip: SIPP_SIP,
        sipp_media: SIPP_MEDIA,
        sipp_control: SIPP_CONTROL,
    };
    let results = flood::run(&plan, root)?;
    let answered = results.iter().all(|r| r.probe_failures == 0);
    println!(
        "trusted calls during the flood: {}",
        if answered {
            "all answered"
        } else {
            "SOME FAILED"
        }
    );
    if !args.keep && answered {
        let _ = std::fs::remove_dir_all(root);
    } else {
        println!("work directory kept: {}", root.display());
    }
    Ok(())
}

/// The soak (`--soak`): its work directory is kept when it fails.
pub(crate) fn soak(args: &Args, root: &Path, audio: &Path) -> Result<()> {
    if args.logic == "demo" && args.call_secs + 8 > DEMO_MAX_CALL_SECS {
        bail!("the demo script ends calls 60 s after the answer: lower --call-secs");
    }
    let plan = soak::SoakPlan {
        calls: args.calls,
        minutes: args.minutes,
        call_secs: args.call_secs,
        sample_secs: args.sample_secs,
        logic: args.logic.clone(),
    };
    let ports = soak::SoakPorts {
        gateway: GatewayPorts {
            sip: SocketAddr::from(([127, 0, 0, 1], SIP)),
            rtp_min: RTP_MIN,
            rtp_max: RTP_MAX,
        },
        max_calls: MAX_CALLS + 50,
        probe_sip: PROBE_SIP,
        probe_media: PROBE_MEDIA,
        sipp_sip: SIPP_SIP,
        sipp_media: SIPP_MEDIA,
        sipp_control: SIPP_CONTROL,
    };
    let dir = root.join("soak");
    std::fs::create_dir_all(&dir)?;
    let passed = soak::run(&plan, &dir, audio, ports)?;
    println!("load avg at the end {:.2}", procfs::load_avg());
    if passed && !args.keep {
        let _ = std::fs::remove_dir_all(root);
    } else {
        let _ = std::fs::remove_dir_all(dir.join("data/recordings"));
        println!("work directory kept: {}", root.display());
    }
    Ok(())
}
