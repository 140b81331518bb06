//! Config layering and validation.
#![allow(clippy::unwrap_used)]
use super::*;

fn field_of(e: ConfigError) -> &'static str {
    match e {
        ConfigError::Invalid { field, .. } => field,
        other => panic!("expected Invalid, got {other}"),
    }
}

#[test]
fn defaults_are_valid_and_as_documented() {
    let c = Config::default();
    c.validate().unwrap();
    assert_eq!(c.sip.listen, "0.0.0.0:5060".parse().unwrap());
    assert!(c.sip.udp && c.sip.tcp);
    assert_eq!(c.http.listen, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(c.data_dir, PathBuf::from("./data"));
    assert_eq!((c.media.rtp_port_min, c.media.rtp_port_max), (20000, 29999));
    assert_eq!(c.calls.max_calls, 500);
    assert_eq!(c.media_timeout(), Duration::from_secs(30));
    assert_eq!(c.shutdown_grace(), Duration::from_secs(30));
}

#[test]
fn a_file_overrides_only_what_it_names() {
    let c = Config::from_toml(
        "data_dir = \"/tmp/x\"\n[sip]\nlisten = \"127.0.0.5:5070\"\n[calls]\nmax_calls = 3\n",
    )
    .unwrap();
    assert_eq!(c.sip.listen, "127.0.0.5:5070".parse().unwrap());
    assert_eq!(c.calls.max_calls, 3);
    assert_eq!(c.data_dir, PathBuf::from("/tmp/x"));
    assert_eq!(c.media, MediaConfig::default());
    assert_eq!(c.advertise_ip(), "127.0.0.5".parse::<IpAddr>().unwrap());
}

#[test]
fn unknown_keys_and_bad_types_name_the_key() {
    let e = Config::from_toml("[sip]\nlisen = \"1.2.3.4:5\"\n").unwrap_err();
    assert!(e.contains("lisen"), "{e}");
    let e = Config::from_toml("[calls]\nmax_calls = \"many\"\n").unwrap_err();
    assert!(e.contains("max_calls"), "{e}");
}

#[test]
fn env_overrides_file_and_flags_override_env() {
    let mut c = Config::default();
    c.apply_env(|v| match v {
        "VOXGATE_SIP_LISTEN" => Some("127.0.0.9:5999".into()),
        "VOXGATE_RTP_PORTS" => Some("30000-30099".into()),
        "VOXGATE_MEDIA_TIMEOUT_SECS" => Some("2.5".into()),
        _ => None,
    })
    .unwrap();
    assert_eq!(c.sip.listen.port(), 5999);
    assert_eq!(c.media.rtp_port_min, 30000);
    assert_eq!(c.media_timeout(), Duration::from_millis(2500));
    c.apply_overrides(&Overrides {
        sip_listen: Some("127.0.0.1:6000".parse().unwrap()),
        ..Overrides::default()
    });
    assert_eq!(c.sip.listen.port(), 6000);
    let e = Config::default()
        .apply_env(|v| (v == "VOXGATE_MAX_CALLS").then(|| "lots".into()))
        .unwrap_err();
    assert!(e.to_string().contains("VOXGATE_MAX_CALLS"), "{e}");
}

#[test]
fn validation_names_the_field() {
    let mut c = Config::default();
    c.media.rtp_port_max = 100;
    assert_eq!(field_of(c.validate().unwrap_err()), "media.rtp_port_max");
    let mut c = Config::default();
    c.calls.max_calls = 0;
    assert_eq!(field_of(c.validate().unwrap_err()), "calls.max_calls");
    let mut c = Config::default();
    c.media.rtp_port_max = 20009;
    c.calls.max_calls = 6;
    assert_eq!(field_of(c.validate().unwrap_err()), "calls.max_calls");
    let mut c = Config::default();
    c.media.timeout_secs = -1.0;
    assert_eq!(field_of(c.validate().unwrap_err()), "media.timeout_secs");
    let mut c = Config::default();
    c.sip.advertise_ip = Some("0.0.0.0".parse().unwrap());
    assert_eq!(field_of(c.validate().unwrap_err()), "sip.advertise_ip");
    let mut c = Config::default();
    c.calls.logic = CallLogic::Probe;
    if std::env::var("VOXGATE_TEST_DOUBLES").is_err() {
        assert_eq!(field_of(c.validate().unwrap_err()), "calls.logic");
    }
    assert!(
        Config::from_toml("[calls]\nlogic = \"nope\"")
            .unwrap_err()
            .contains("unknown variant")
    );
    assert_eq!(Config::default().calls.logic, CallLogic::Flow);
    let mut c = Config::default();
    c.recordings.max_total_mb = 0;
    assert_eq!(
        field_of(c.validate().unwrap_err()),
        "recordings.max_total_mb"
    );
    let mut c = Config::default();
    c.recordings.retention_days = 36_501;
    assert_eq!(
        field_of(c.validate().unwrap_err()),
        "recordings.retention_days"
    );
    for t1 in [0, 49, 4001] {
        let mut c = Config::default();
        c.sip.t1_ms = t1;
        assert_eq!(field_of(c.validate().unwrap_err()), "sip.t1_ms");
    }
}

#[test]
fn http_limits_are_read_and_checked() {
    let c = Config::from_toml(
        "[http]\nallowed_hosts = [\"gw.example.com\"]\nask_queue = 3\nmax_tokens = 5\n\
         header_read_timeout_secs = 2.5\n",
    )
    .unwrap();
    assert_eq!(c.http.allowed_hosts, ["gw.example.com"]);
    assert_eq!((c.http.ask_queue, c.http.max_tokens), (3, 5));
    assert_eq!(c.http.max_connections, 256, "the rest stays default");
    c.validate().unwrap();
    type Spoil = (&'static str, fn(&mut Config));
    let bad: [Spoil; 6] = [
        ("http.max_connections", |c| c.http.max_connections = 0),
        ("http.max_connections_per_source", |c| {
            c.http.max_connections_per_source = 1000
        }),
        ("http.header_read_timeout_secs", |c| {
            c.http.header_read_timeout_secs = f64::NAN
        }),
        ("http.ask_max_wait_secs", |c| c.http.ask_max_wait_secs = 0.0),
        ("http.allowed_hosts", |c| {
            c.http.allowed_hosts = vec!["a/b".into()]
        }),
        ("http.allowed_origins", |c| {
            c.http.allowed_origins = vec!["https://x.example/path".into()]
        }),
    ];
    for (field, spoil) in bad {
        let mut c = Config::default();
        spoil(&mut c);
        assert_eq!(field_of(c.validate().unwrap_err()), field);
    }
}

#[test]
fn the_transcribe_logic_and_its_models_dir_are_configurable() {
    let mut c =
        Config::from_toml("models_dir = \"/srv/models\"\n[calls]\nlogic = \"transcribe\"").unwrap();
    assert_eq!(c.models_dir, PathBuf::from("/srv/models"));
    c.validate().unwrap();
    c.apply_env(|v| (v == "VOXGATE_MODELS").then(|| "/opt/m".into()))
        .unwrap();
    assert_eq!(c.models_dir, PathBuf::from("/opt/m"));
    assert_eq!(
        Config::default().models_dir,
        crate::models::default_models_dir()
    );
}

#[test]
fn the_agent_block_is_read_and_checked() {
    let c = Config::from_toml(
        "[agent]\nkb_dir = \"/srv/kb\"\nkb_poll_ms = 500\nllm = \"openai\"\nmax_turns = 6\n\
         [agent.openai]\nbase_url = \"http://127.0.0.1:9/v1\"\nmodel = \"qwen\"\nretries = 2\n\
         [[agent.tools]]\nname = \"order_status\"\ndescription = \"Order status\"\n\
         url = \"http://127.0.0.1:8080/demo/orders/{value}\"\ntriggers = [\"order\"]\n\
         parameter_pattern = '\\b\\d{5}\\b'\nask_for = \"What is your order number?\"\n",
    )
    .unwrap();
    c.validate().unwrap();
    assert_eq!(c.agent.kb_dir, PathBuf::from("/srv/kb"));
    assert_eq!(c.agent.kb_poll_ms, 500);
    assert_eq!(c.agent.llm, crate::dialog::LlmBackend::Openai);
    assert_eq!(c.agent.max_turns, 6);
    assert_eq!(c.agent.openai.model, "qwen");
    assert_eq!(c.agent.openai.retries, 2);
    assert_eq!(c.agent.tools.len(), 1);
    assert_eq!(c.agent.tools[0].parameter_pattern, "\\b\\d{5}\\b");
    assert_eq!(c.agent.tools[0].timeout_ms, 2000);
    // Absent, the block has its defaults; unknown keys are refused.
    assert_eq!(
        Config::default().agent,
        Config::from_toml("").unwrap().agent
    );
    assert!(Config::from_toml("[agent]\nmodel = \"x\"").is_err());

    let e = Config::from_toml("[agent]\nllm = \"gpt\"").unwrap_err();
    assert!(
        e.contains("unknown variant `gpt`") && e.contains("llm"),
        "{e}"
    );
    let mut c = Config::default();
    c.agent.max_turns = 0;
    assert_eq!(field_of(c.validate().unwrap_err()), "agent.max_turns");
}

#[test]
fn recordings_have_a_quota_and_a_retention() {
    let c = Config::default();
    assert_eq!(
        (c.recordings.max_total_mb, c.recordings.retention_days),
        (2048, 30)
    );
    let limits = c.recordings.limits();
    assert_eq!(limits.max_total_bytes, 2_048_000_000);
    assert_eq!(limits.retention, Some(Duration::from_secs(30 * 86_400)));
    let c = Config::from_toml("[recordings]\nmax_total_mb = 10\nretention_days = 0\n").unwrap();
    c.validate().unwrap();
    assert_eq!(c.recordings.limits().retention, None);
    assert_eq!(c.recordings.limits().max_total_bytes, 10_000_000);
    let e = Config::from_toml("[recordings]\nmax_total_gb = 1\n").unwrap_err();
    assert!(e.contains("max_total_gb"), "{e}");
}
