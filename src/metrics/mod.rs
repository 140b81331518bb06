//! The gateway's metrics, exposed in the Prometheus text format at `GET /metrics`.
//!
//! One process-wide registry, [`metrics()`], a `static` of `const`-built atomics: updating a
//! metric is one relaxed atomic add, with no lock, allocation or lookup, so the call, SIP and
//! HTTP paths update it directly. Metrics are the classic case for a global: every layer
//! counts, nobody owns them, and threading a handle through the telephony runtime, the
//! speech pools and the API would touch every constructor for no gain in testability — the
//! text format is tested on a local [`Metrics`] value ([`Metrics::new`] is `const`).
//!
//! Labelled families have fixed label sets (enums), never caller-supplied strings, so the
//! number of series is bounded. Owns: the names, help texts, buckets and the exposition.
//! Must not touch: anything it measures.

mod labels;
mod text;
mod types;

pub use labels::{AgentStage, HttpRefusal, HttpRoute, SipRefusal};
pub use text::CONTENT_TYPE;
pub use types::{
    Counter, Gauge, Histogram, JITTER_BUCKETS, LATENCY_BUCKETS, MAX_BUCKETS, RATIO_BUCKETS,
};

use std::time::Duration;

use labels::{CODE_SLOTS, CODES};
use text::Writer;

/// Every metric of the gateway. Fields are public so each layer updates its own directly.
#[derive(Debug)]
pub struct Metrics {
    http_requests: [[Counter; CODE_SLOTS]; HttpRoute::ALL.len()],
    http_refusals: [Counter; HttpRefusal::ALL.len()],
    /// Open HTTP connections.
    pub http_connections: Gauge,
    /// Questions waiting for an ask slot.
    pub ask_queue_depth: Gauge,
    /// Questions being answered.
    pub ask_running: Gauge,
    /// Knowledge-base requests (search, document writes) waiting for a slot.
    pub kb_queue_depth: Gauge,
    /// Seconds from a question's arrival to its answer (queueing included).
    pub ask_seconds: Histogram,
    agent_stages: [Histogram; AgentStage::ALL.len()],
    /// Calls that reached the call logic (INVITE accepted).
    pub calls_started: Counter,
    /// Calls that ended.
    pub calls_ended: Counter,
    /// Calls in progress.
    pub calls_active: Gauge,
    /// Seconds from INVITE to 200 OK.
    pub call_setup_seconds: Histogram,
    sip_refusals: [Counter; SipRefusal::ALL.len()],
    /// Per ended call: the fraction of RTP packets lost.
    pub rtp_loss_ratio: Histogram,
    /// Per ended call: the interarrival jitter at the end (seconds).
    pub rtp_jitter_seconds: Histogram,
    /// SIP requests received and not yet handled.
    pub sip_inbound_queue_depth: Gauge,
    /// Speech-to-text jobs waiting.
    pub stt_queue_depth: Gauge,
    /// Text-to-speech jobs waiting.
    pub tts_queue_depth: Gauge,
}

static METRICS: Metrics = Metrics::new();

/// The process-wide registry.
pub fn metrics() -> &'static Metrics {
    &METRICS
}

/// The process-wide registry in the text format (the body of `GET /metrics`).
pub fn render() -> String {
    METRICS.render()
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Every metric at zero.
    pub const fn new() -> Metrics {
        Metrics {
            http_requests: [const { [const { Counter::new() }; CODE_SLOTS] }; HttpRoute::ALL.len()],
            http_refusals: [const { Counter::new() }; HttpRefusal::ALL.len()],
            http_connections: Gauge::new(),
            ask_queue_depth: Gauge::new(),
            ask_running: Gauge::new(),
            kb_queue_depth: Gauge::new(),
            ask_seconds: Histogram::new(LATENCY_BUCKETS),
            agent_stages: [const { Histogram::new(LATENCY_BUCKETS) }; AgentStage::ALL.len()],
            calls_started: Counter::new(),
            calls_ended: Counter::new(),
            calls_active: Gauge::new(),
            call_setup_seconds: Histogram::new(LATENCY_BUCKETS),
            sip_refusals: [const { Counter::new() }; SipRefusal::ALL.len()],
            rtp_loss_ratio: Histogram::new(RATIO_BUCKETS),
            rtp_jitter_seconds: Histogram::new(JITTER_BUCKETS),
            sip_inbound_queue_depth: Gauge::new(),
            stt_queue_depth: Gauge::new(),
            tts_queue_depth: Gauge::new(),
        }
    }

    /// Counts one HTTP response.
    pub fn http_request(&self, route: HttpRoute, status: u16) {
        let slot = CODES
            .iter()
            .position(|c| *c == status)
            .unwrap_or(CODES.len());
        self.http_requests[route as usize][slot].inc();
    }

    /// Counts one refusal by the HTTP server.
    pub fn http_refused(&self, why: HttpRefusal) {
        self.http_refusals[why as usize].inc();
    }

    /// How many refusals of this kind so far.
    pub fn http_refusals(&self, why: HttpRefusal) -> u64 {
        self.http_refusals[why as usize].get()
    }

    /// The histogram of one agent stage.
    pub fn agent_stage(&self, stage: AgentStage) -> &Histogram {
        &self.agent_stages[stage as usize]
    }

    /// A call was accepted: `calls_started` and `calls_active` go up.
    pub fn call_started(&self) {
        self.calls_started.inc();
        self.calls_active.inc();
    }

    /// A call ended: `calls_active` goes down, `calls_ended` up, and its RTP figures are
    /// counted (`loss_ratio` in 0–1, `None` when no RTP arrived).
    pub fn call_ended(&self, loss_ratio: Option<f64>, jitter: Option<Duration>) {
        self.calls_ended.inc();
        self.calls_active.dec();
        if let Some(r) = loss_ratio {
            self.rtp_loss_ratio.observe(r.clamp(0.0, 1.0));
        }
        if let Some(j) = jitter {
            self.rtp_jitter_seconds.observe_duration(j);
        }
    }

    /// INVITE to 200 OK took `d`.
    pub fn call_setup(&self, d: Duration) {
        self.call_setup_seconds.observe_duration(d);
    }

    /// One agent turn's stage timings (ms, as `dialog::TurnTimings` has them).
    pub fn agent_turn_ms(
        &self,
        retrieval: f64,
        llm_first_token: Option<f64>,
        first_sentence: Option<f64>,
        total: f64,
    ) {
        let observe = |stage: AgentStage, ms: f64| self.agent_stage(stage).observe(ms / 1000.0);
        observe(AgentStage::Retrieval, retrieval);
        if let Some(ms) = llm_first_token {
            observe(AgentStage::LlmFirstToken, ms);
        }
        if let Some(ms) = first_sentence {
            observe(AgentStage::FirstSentence, ms);
        }
        observe(AgentStage::Total, total);
    }

    /// An inbound SIP request was refused.
    pub fn sip_refused(&self, why: SipRefusal) {
        self.sip_refusals[why as usize].inc();
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut w = Writer::default();
        let name = "voxgate_http_requests_total";
        w.family(
            name,
            "counter",
            "HTTP responses by route class and status code.",
        );
        for route in HttpRoute::ALL {
            for (slot, c) in self.http_requests[route as usize].iter().enumerate() {
                if c.get() == 0 {
                    continue;
                }
                let code = CODES
                    .get(slot)
                    .map_or(String::from("other"), u16::to_string);
                w.counter(
                    name,
                    &[("route", route.as_str()), ("code", code.as_str())],
                    c,
                );
            }
        }
        let name = "voxgate_http_refusals_total";
        w.family(
            name,
            "counter",
            "Requests and connections refused by the HTTP server.",
        );
        for why in HttpRefusal::ALL {
            w.counter(
                name,
                &[("reason", why.as_str())],
                &self.http_refusals[why as usize],
            );
        }
        self.render_gauges(&mut w);
        let name = "voxgate_ask_seconds";
        w.family(name, "histogram", "Questions over HTTP, arrival to answer.");
        w.histogram(name, &[], &self.ask_seconds);
        let name = "voxgate_agent_stage_seconds";
        w.family(name, "histogram", "Agent turn latency by stage.");
        for stage in AgentStage::ALL {
            w.histogram(name, &[("stage", stage.as_str())], self.agent_stage(stage));
        }
        self.render_calls(&mut w);
        w.finish()
    }

    fn render_gauges(&self, w: &mut Writer) {
        let gauges: [(&str, &str, &Gauge); 8] = [
            (
                "voxgate_http_connections",
                "Open HTTP connections.",
                &self.http_connections,
            ),
            (
                "voxgate_ask_queue_depth",
                "Questions waiting for a slot.",
                &self.ask_queue_depth,
            ),
            (
                "voxgate_ask_running",
                "Questions being answered.",
                &self.ask_running,
            ),
            (
                "voxgate_kb_queue_depth",
                "Knowledge-base requests waiting.",
                &self.kb_queue_depth,
            ),
            (
                "voxgate_calls_active",
                "Calls in progress.",
                &self.calls_active,
            ),
            (
                "voxgate_sip_inbound_queue_depth",
                "SIP requests received, not yet handled.",
                &self.sip_inbound_queue_depth,
            ),
            (
                "voxgate_stt_queue_depth",
                "Speech-to-text jobs waiting.",
                &self.stt_queue_depth,
            ),
            (
                "voxgate_tts_queue_depth",
                "Text-to-speech jobs waiting.",
                &self.tts_queue_depth,
            ),
        ];
        for (name, help, g) in gauges {
            w.family(name, "gauge", help);
            w.gauge(name, &[], g);
        }
    }

    fn render_calls(&self, w: &mut Writer) {
        for (name, help, c) in [
            (
                "voxgate_calls_started_total",
                "Calls accepted.",
                &self.calls_started,
            ),
            (
                "voxgate_calls_ended_total",
                "Calls ended.",
                &self.calls_ended,
            ),
        ] {
            w.family(name, "counter", help);
            w.counter(name, &[], c);
        }
        let name = "voxgate_sip_refusals_total";
        w.family(name, "counter", "Inbound SIP requests refused, by reason.");
        for why in SipRefusal::ALL {
            w.counter(
                name,
                &[("reason", why.as_str())],
                &self.sip_refusals[why as usize],
            );
        }
        for (name, help, h) in [
            (
                "voxgate_call_setup_seconds",
                "INVITE to 200 OK.",
                &self.call_setup_seconds,
            ),
            (
                "voxgate_rtp_loss_ratio",
                "RTP loss per ended call.",
                &self.rtp_loss_ratio,
            ),
            (
                "voxgate_rtp_jitter_seconds",
                "RTP interarrival jitter per ended call.",
                &self.rtp_jitter_seconds,
            ),
        ] {
            w.family(name, "histogram", help);
            w.histogram(name, &[], h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_classified_by_prefix_not_substring() {
        assert_eq!(
            HttpRoute::of_path("/api/v1/kb/documents/a.md"),
            HttpRoute::Knowledge
        );
        assert_eq!(HttpRoute::of_path("/api/v1/kbx"), HttpRoute::Other);
        assert_eq!(HttpRoute::of_path("/api/v1/tokens"), HttpRoute::Tokens);
        assert_eq!(HttpRoute::of_path("/demo/orders/1"), HttpRoute::Demo);
        assert_eq!(HttpRoute::of_path("/metrics"), HttpRoute::Metrics);
    }

    #[test]
    fn requests_are_counted_by_route_and_code() {
        let m = Metrics::new();
        m.http_request(HttpRoute::Ask, 429);
        m.http_request(HttpRoute::Ask, 429);
        m.http_request(HttpRoute::Other, 418);
        let text = m.render();
        assert!(text.contains("voxgate_http_requests_total{route=\"ask\",code=\"429\"} 2\n"));
        assert!(text.contains("voxgate_http_requests_total{route=\"other\",code=\"other\"} 1\n"));
        assert!(!text.contains("code=\"200\""), "zero series are left out");
    }

    #[test]
    fn every_sip_refusal_reason_is_a_series_from_the_start() {
        let m = Metrics::new();
        m.sip_refused(SipRefusal::Overloaded);
        let text = m.render();
        for why in SipRefusal::ALL {
            let n = u64::from(why == SipRefusal::Overloaded);
            let line = format!(
                "voxgate_sip_refusals_total{{reason=\"{}\"}} {n}\n",
                why.as_str()
            );
            assert!(text.contains(&line), "{line}");
        }
        assert_eq!(text.matches("voxgate_sip_refusals_total{").count(), 10);
    }
}
