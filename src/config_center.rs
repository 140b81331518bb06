//! `[center]`: the human agents (who they are, how their phones are reached, what they can
//! take) and the queues' settings. A queue flows name (`flows.queues`) without settings here
//! gets the defaults.

use serde::Deserialize;

/// `[center]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CenterConfig {
    /// The agents.
    pub agents: Vec<AgentConfig>,
    /// Queue settings by name.
    pub queues: Vec<QueueConfig>,
    /// Caller numbers (From user part, as dialled in) treated as VIP: answered first.
    pub vip_callers: Vec<String>,
    /// Credentials voxgate answers with when an agent's PBX challenges its INVITE.
    pub outbound: Option<OutboundAuth>,
    /// Digest algorithms the agents' phones are challenged with when they register, in
    /// order. MD5 alone by default: phones built on libre 1.x (baresip 1.0) fail on any
    /// other challenge even when an MD5 one comes with it; add "SHA-256" for phones that
    /// take it.
    pub register_algorithms: Vec<String>,
}

impl Default for CenterConfig {
    fn default() -> Self {
        CenterConfig {
            agents: Vec::new(),
            queues: Vec::new(),
            vip_callers: Vec::new(),
            outbound: None,
            register_algorithms: vec!["MD5".into()],
        }
    }
}

/// One human agent.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    /// The agent's id: its SIP user name and its name in the API.
    pub id: String,
    /// How the agent is shown (summaries, reports).
    #[serde(default)]
    pub name: Option<String>,
    /// The digest password its SIP phone registers with (at least 8 characters).
    #[serde(default)]
    pub password: Option<String>,
    /// A fixed SIP address instead of (or besides) registering: a PBX extension, say.
    #[serde(default)]
    pub uri: Option<String>,
    /// What the agent can handle (`billing`, `vip`…): a queue's and a call's skills must all
    /// be among them.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Languages spoken (`en`, `zh`); empty: any.
    #[serde(default)]
    pub languages: Vec<String>,
}

impl std::fmt::Debug for AgentConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentConfig")
            .field("id", &self.id)
            .field("uri", &self.uri)
            .field("skills", &self.skills)
            .field("languages", &self.languages)
            .finish_non_exhaustive()
    }
}

/// Digest credentials for outgoing INVITEs.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboundAuth {
    /// The user name.
    pub user: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for OutboundAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboundAuth")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// What happens to a caller who has waited too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OverflowTo {
    /// The transfer fails and the flow goes on (`on_fail`: the demo records a message).
    #[default]
    Voicemail,
    /// As voicemail, with the reason `callback` for the flow.
    Callback,
    /// The call ends after an apology.
    Hangup,
}

/// One queue's settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// The queue's name (as flows write it).
    pub name: String,
    /// Skills every agent taking this queue's calls needs.
    pub skills: Vec<String>,
    /// How long an agent's phone rings before the next agent is tried.
    pub ring_secs: f64,
    /// How long a caller waits at most before the overflow.
    pub max_wait_secs: f64,
    /// Callers waiting at most; the next one overflows at once.
    pub max_queued: usize,
    /// How often a waiting caller hears its position.
    pub announce_secs: f64,
    /// After-call work: how long an agent is left alone after a call.
    pub wrap_up_secs: f64,
    /// Where a caller goes after `max_wait_secs`.
    pub overflow: OverflowTo,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            name: String::new(),
            skills: Vec::new(),
            ring_secs: 20.0,
            max_wait_secs: 300.0,
            max_queued: 50,
            announce_secs: 45.0,
            wrap_up_secs: 30.0,
            overflow: OverflowTo::Voicemail,
        }
    }
}

impl CenterConfig {
    /// Checks names, addresses and times; the error names the field.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let mut ids = std::collections::BTreeSet::new();
        for a in &self.agents {
            if !crate::flows::valid_name(&a.id) || a.id.contains('.') {
                return Err(("center.agents.id", format!("`{}` is not a name", a.id)));
            }
            if !ids.insert(a.id.as_str()) {
                return Err(("center.agents.id", format!("`{}` twice", a.id)));
            }
            match (&a.password, &a.uri) {
                (None, None) => {
                    let why = format!("agent `{}` needs a password (to register) or a uri", a.id);
                    return Err(("center.agents", why));
                }
                (Some(p), _) if p.chars().count() < 8 => {
                    let why = format!("agent `{}`: at least 8 characters", a.id);
                    return Err(("center.agents.password", why));
                }
                _ => {}
            }
            if let Some(uri) = &a.uri {
                check_uri(uri).map_err(|why| ("center.agents.uri", format!("`{uri}`: {why}")))?;
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for q in &self.queues {
            if !crate::flows::valid_name(&q.name) || !names.insert(q.name.as_str()) {
                return Err((
                    "center.queues.name",
                    format!("`{}`: not a name, or twice", q.name),
                ));
            }
            for (field, v) in [
                ("center.queues.ring_secs", q.ring_secs),
                ("center.queues.max_wait_secs", q.max_wait_secs),
                ("center.queues.announce_secs", q.announce_secs),
                ("center.queues.wrap_up_secs", q.wrap_up_secs),
            ] {
                if !(v.is_finite() && (0.0..=86_400.0).contains(&v)) {
                    return Err((field, format!("queue `{}`: 0 to 86400 seconds", q.name)));
                }
            }
            if q.ring_secs < 1.0 {
                return Err(("center.queues.ring_secs", "at least 1 second".into()));
            }
        }
        Ok(())
    }

    /// The settings of queue `name` (the defaults when it has none).
    pub fn queue(&self, name: &str) -> QueueConfig {
        self.queues
            .iter()
            .find(|q| q.name == name)
            .cloned()
            .unwrap_or_else(|| QueueConfig {
                name: name.to_owned(),
                ..QueueConfig::default()
            })
    }
}

/// Whether `uri` is a SIP address voxgate can dial: `sip:`/`sips:`, fits a header.
pub(crate) fn check_uri(uri: &str) -> Result<(), &'static str> {
    if !crate::telephony::logic::fits_a_header(uri) {
        return Err("has characters a SIP header cannot carry");
    }
    match sip::Uri::parse(uri) {
        Ok(u) if u.as_sip().is_some() => Ok(()),
        Ok(_) => Err("must be a sip: or sips: URI"),
        Err(_) => Err("is not a URI"),
    }
}
