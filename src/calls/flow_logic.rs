//! [`FlowCallLogic`]: a call that runs an operator flow. The flow's interpreter
//! ([`FlowRun`], sans-IO) decides; this shell gives it the call's inputs (keys, what the
//! listen stage heard, prompts finished, webhook answers, the agent's handoffs, the time)
//! and carries out its actions with the shared stages: speak (the dialog engine's playback
//! over the shared TTS, prompt files decoded at load), listen ([`Listener`]), the AI agent
//! (the [`DialogEngine`] in flow mode), webhooks ([`Webhooks`]) and voicemail
//! ([`Recorder`]). Every line said and heard goes to the transcript store. Never blocks.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::TryRecvError;
use std::time::{Instant, SystemTime};

use tokio::sync::mpsc;

use super::recording::CallRecording;
use super::voicemail::{self, Recorder};
use super::webhooks::{self, Pending, Webhooks};
use crate::dialog::voice::{
    AgentWorkers, CallTranscript, DialogEngine, EngineOut, RecordSink, Voice, VoiceConfig,
};
use crate::emotion::{Analyzer, CallMood, Emotion};
use crate::events::{Event, Speaker};
use crate::flows::model::TransferTo;
use crate::flows::{Action, AgentEnd, CallFacts, FlowRun, Input};
use crate::privacy::stable_hash;
use crate::speech::listener::{Heard, Listener};
use crate::speech::stt::SttPool;
use crate::store::{TranscriptMsg, VoicemailRecord};
use crate::telephony::logic::TransferOutcome;
use crate::telephony::{CallAction, CallInfo, CallLogic, HangupCause, LogicFactory};

/// What every flow call shares.
#[derive(Clone)]
pub struct FlowServices {
    /// The flows new calls start on, and the calls in progress.
    pub flows: super::LiveFlows,
    /// Dialled number → flow name.
    pub numbers: Arc<HashMap<String, String>>,
    /// The flow for other numbers.
    pub default_flow: String,
    /// Prompt files (`play:`), decoded to 8 kHz at load.
    pub prompts: Arc<super::PromptFiles>,
    /// The shared STT pool; `None` when no flow listens to speech.
    pub pool: Option<SttPool>,
    /// The shared voice.
    pub voice: Arc<dyn Voice>,
    /// The agent's workers.
    pub workers: AgentWorkers,
    /// Turn and handoff records.
    pub records: RecordSink,
    /// The agent-call settings.
    pub voice_cfg: VoiceConfig,
    /// The agent's greeting (an agent node with `greet: true`).
    pub greeting: String,
    /// The agent's acknowledgement line.
    pub acknowledgement: String,
    /// Webhook requests.
    pub webhooks: Webhooks,
    /// Transcripts and voicemails to the store.
    pub sink: mpsc::Sender<TranscriptMsg>,
    /// Where voicemail files go.
    pub data_dir: PathBuf,
    /// Whole-call recordings (flows with `record: true`).
    pub recordings: Arc<crate::media::Recordings>,
    /// How callers feel, read from what they say and how (`None`: the lexicons are not
    /// fetched; calls go on without).
    pub emotion: Option<Analyzer>,
    /// Said to a caller in crisis before the flow's `on_crisis` node (`agent.emergency_line`).
    pub emergency_line: String,
    /// The human agents (`None`: none configured; transfers to queues fail at once).
    pub center: Option<crate::center::Center>,
    /// Caller numbers answered first (`center.vip_callers`).
    pub vip_callers: Arc<std::collections::HashSet<String>>,
    /// The live event stream.
    pub events: crate::events::Events,
    /// Agent assist on calls with a person (when flows have the AI agent).
    pub assist: Option<super::human::assist::Assistant>,
}

/// A factory of flow calls.
pub fn factory(services: FlowServices) -> LogicFactory {
    let beep = voicemail::beep();
    Arc::new(move |info: &CallInfo| -> Box<dyn CallLogic> {
        match FlowCallLogic::new(&services, info, Arc::clone(&beep)) {
            Some(logic) => Box::new(logic),
            None => Box::new(crate::telephony::logic::DemoLogic::new(info.call_no)),
        }
    })
}

/// The flow logic of one call.
pub struct FlowCallLogic {
    pub(super) call_no: u64,
    pub(super) call_id_hash: String,
    flow_name: String,
    pub(super) facts: CallFacts,
    pub(super) services: FlowServices,
    pub(super) run: Option<FlowRun>,
    listener: Option<Listener>,
    pub(super) engine: DialogEngine,
    beep: Arc<[i16]>,
    /// In an agent node: finals go to the agent.
    in_agent: bool,
    /// In a transcribe node: partial transcripts are made too.
    transcribing: bool,
    /// A flow prompt is being said: its end is the flow's `PromptDone`.
    pub(super) speaking: bool,
    /// What the flow listens for: keys, speech.
    listening: (bool, bool),
    webhook: Option<Pending>,
    /// The tone is playing; then a recording of this length starts.
    record_after_beep: Option<std::time::Duration>,
    recorder: Option<Recorder>,
    /// The whole call, when its flow records.
    recording: Option<CallRecording>,
    /// The Call-ID (names the recording, hashed).
    call_id: crate::privacy::Redacted<String>,
    /// Samples per frame.
    pub(super) frame: usize,
    pub(super) transcript: CallTranscript,
    /// The caller's mood: baseline, upset turns in a row, trend.
    pub(super) mood: Option<CallMood>,
    /// The call so far, told to the human agent who takes it.
    pub(super) story: super::human::story::Story,
    /// The summary given when the call was queued for a person.
    pub(super) summary: Option<super::human::story::Summary>,
    /// The hand-off to a person, from the queue to the bridge.
    pub(super) human: Option<super::human::Human>,
    /// The agent's side of a bridged call, transcribed.
    pub(super) agent_ears: Option<Listener>,
    /// Agent assist, once caller and agent talk.
    pub(super) assist: Option<super::human::assist::Assist>,
    /// Hang up once what is being said is over.
    pub(super) hang_up_after_speaking: bool,
    /// A transfer to a SIP address to hand to the runtime.
    refer: Option<String>,
    /// A transfer under way counts as failed at this instant.
    transfer_until: Option<Instant>,
    hangup: bool,
}

/// How long a transfer may take (REFER answered and the target's final answer reported)
/// before the flow hears it failed.
const TRANSFER_WAIT: std::time::Duration = std::time::Duration::from_secs(45);

impl std::fmt::Debug for FlowCallLogic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowCallLogic")
            .field("call_no", &self.call_no)
            .field("flow", &self.flow_name)
            .field("node", &self.run.as_ref().map(FlowRun::node))
            .finish_non_exhaustive()
    }
}

impl FlowCallLogic {
    fn new(s: &FlowServices, info: &CallInfo, beep: Arc<[i16]>) -> Option<FlowCallLogic> {
        let now = Instant::now();
        let listener = match s
            .pool
            .clone()
            .map(|p| Listener::new(info.call_no, info.ptime_ms, p))
        {
            None => None,
            Some(Ok(l)) => Some(l),
            Some(Err(e)) => {
                tracing::error!(call = info.call_no, error = %e, "no listener: answering silently");
                return None;
            }
        };
        let call_id_hash = stable_hash(info.call_id.expose());
        let engine = DialogEngine::new(
            s.voice_cfg.clone(),
            call_id_hash.clone(),
            Arc::clone(&s.voice),
            s.workers.clone(),
            s.records.clone(),
            &s.acknowledgement,
            now,
        );
        let flow_name = info
            .dialled
            .as_ref()
            .and_then(|d| s.numbers.get(d))
            .cloned()
            .unwrap_or_else(|| s.default_flow.clone());
        Some(FlowCallLogic {
            call_no: info.call_no,
            call_id_hash: call_id_hash.clone(),
            flow_name,
            facts: CallFacts {
                caller: info.caller.expose().clone(),
                dialled: info.dialled.clone(),
                language: None,
            },
            services: s.clone(),
            run: None,
            listener,
            engine,
            beep,
            in_agent: false,
            transcribing: false,
            speaking: false,
            listening: (false, false),
            webhook: None,
            record_after_beep: None,
            recorder: None,
            recording: None,
            call_id: info.call_id.clone(),
            frame: 8 * info.ptime_ms as usize,
            transcript: CallTranscript::new(
                info.call_no,
                call_id_hash.clone(),
                s.sink.clone(),
                now,
            ),
            mood: s.emotion.clone().map(CallMood::new),
            story: super::human::story::Story::default(),
            summary: None,
            human: None,
            agent_ears: None,
            assist: None,
            hang_up_after_speaking: false,
            refer: None,
            transfer_until: None,
            hangup: false,
        })
    }

    /// Gives the flow an input, then carries out what it asks.
    pub(super) fn give(&mut self, now: Instant, input: Input) {
        if let Some(run) = &mut self.run {
            run.handle(now, input);
        }
        self.act(now);
    }

    fn act(&mut self, now: Instant) {
        while let Some(action) = self.run.as_mut().and_then(FlowRun::poll_action) {
            self.perform(now, action);
        }
    }

    fn perform(&mut self, now: Instant, action: Action) {
        match action {
            Action::Entered(node) => {
                tracing::info!(call = self.call_no, flow = %self.flow_name, %node, "flow node");
                let flow = self
                    .run
                    .as_ref()
                    .map_or(self.flow_name.as_str(), FlowRun::flow_name);
                self.services.flows.entered(self.call_no, flow, &node);
                self.services.events.publish(Event::Node {
                    call: self.call_no,
                    flow: flow.to_owned(),
                    node: node.clone(),
                });
                self.in_agent = false;
            }
            Action::Say(text) => {
                self.engine.say_prompt(&text);
                self.speaking = true;
            }
            Action::Play(file) => {
                match self.services.prompts.get(&file) {
                    Some(pcm) => self.engine.play_prompt(Arc::clone(pcm)),
                    // An empty name is nothing to play (a `spell` of no keys).
                    None if file.is_empty() => {}
                    None => tracing::warn!(call = self.call_no, %file, "prompt file not loaded"),
                }
                self.speaking = true;
            }
            Action::StopSpeaking => self.engine.stop_speaking(),
            Action::Listen { digits, speech } => self.listening = (digits, speech),
            Action::StopListening => {
                self.listening = (false, false);
                self.transcribing = false;
            }
            Action::Webhook {
                method,
                url,
                body,
                timeout,
            } => {
                let req = webhooks::Request {
                    method,
                    url,
                    body,
                    timeout,
                };
                self.webhook = Some(self.services.webhooks.submit(req));
            }
            Action::Agent {
                first_turn,
                greet,
                max_turns,
                ..
            } => {
                self.in_agent = true;
                self.listening = (false, false);
                self.engine.resume(max_turns);
                if greet {
                    self.engine.greet(&self.services.greeting);
                }
                if let Some(text) = first_turn {
                    self.engine.on_final(now, &text, now, now);
                }
            }
            Action::Transfer(TransferTo::Uri(uri)) => {
                // A blind transfer by REFER: the outcome comes in `on_transfer`, or the
                // deadline fails it.
                self.refer = Some(uri);
                self.transfer_until = Some(now + TRANSFER_WAIT);
            }
            Action::Transfer(TransferTo::Queue {
                name,
                priority,
                skills,
            }) => self.enqueue_for_a_person(now, name, priority, skills),
            Action::Transcribe { max } => {
                tracing::info!(
                    call = self.call_no,
                    max_secs = max.as_secs(),
                    "transcribing"
                );
                self.transcribing = true;
            }
            Action::Record { max } => {
                self.engine.play_prompt(Arc::clone(&self.beep));
                self.record_after_beep = Some(max);
            }
            Action::Hangup => self.hangup = true,
        }
    }

    fn drain_heard(&mut self, now: Instant) {
        while let Some(heard) = self.listener.as_mut().and_then(Listener::poll) {
            match heard {
                Heard::BargeIn { at } => {
                    if self.in_agent || self.listening.1 {
                        self.engine.on_barge_in(at);
                    }
                }
                Heard::Partial { text, stable_words } => {
                    self.publish_partial(Speaker::Caller, &text, stable_words);
                }
                Heard::Final {
                    transcript,
                    started,
                    ended,
                    decided,
                    prosody,
                } => {
                    let text = transcript.text.trim().to_string();
                    self.story.heard(&text);
                    self.publish_line(Speaker::Caller, &text);
                    self.assist_heard(&text);
                    let felt = self.feel(&text, prosody.as_ref(), ended, now);
                    self.transcript.heard(started, ended, &text, felt);
                    // In an agent node the agent's guard judges crisis itself.
                    let crisis = (!self.in_agent)
                        .then(|| crate::dialog::crisis::judge(&text))
                        .flatten();
                    if let Some(kind) = crisis
                        && self.crisis(now, kind.as_str())
                    {
                        // The flow went to its `on_crisis` node.
                    } else if self.in_agent {
                        let upset = self.mood.as_ref().is_some_and(CallMood::wants_a_person);
                        self.engine.set_caller_upset(upset);
                        self.engine
                            .on_final(now, &text, ended, decided.unwrap_or(now));
                    } else if self.listening.1 && !text.is_empty() {
                        self.give(now, Input::Speech(text));
                    }
                }
            }
        }
    }

    /// How the caller sounded saying `text`: logged as the call's emotion event, shown on
    /// the calls in progress, given to the flow (its `emotion` test and variables), and
    /// returned for the transcript.
    fn feel(
        &mut self,
        text: &str,
        prosody: Option<&crate::speech::prosody::UtteranceProsody>,
        ended: Instant,
        now: Instant,
    ) -> Option<crate::store::UtteranceEmotion> {
        let mood = self.mood.as_mut().filter(|_| !text.is_empty())?;
        let e: Emotion = mood.on_utterance(text, prosody);
        let trend = mood.trend();
        tracing::info!(
            call = self.call_no,
            label = %e.label.as_str(),
            valence = e.valence,
            arousal = e.arousal,
            confidence = e.confidence,
            voice = e.voice,
            trend = %trend.as_str(),
            upset_run = mood.upset_run(),
            after_ms = now.saturating_duration_since(ended).as_millis() as u64,
            "emotion"
        );
        self.services
            .flows
            .felt(self.call_no, e.label.as_str(), trend.as_str());
        self.story.emotion = Some((e.label.as_str().to_string(), trend.as_str().to_string()));
        self.services.events.publish(Event::Emotion {
            call: self.call_no,
            label: e.label.as_str().to_string(),
            trend: trend.as_str().to_string(),
        });
        if let Some(run) = &mut self.run {
            run.set_emotion(e.label.as_str(), trend.as_str());
        }
        Some(crate::store::UtteranceEmotion {
            label: e.label.as_str().to_string(),
            valence: e.valence,
            arousal: e.arousal,
            confidence: e.confidence,
        })
    }

    /// Crisis language outside an agent node: the emergency line is said at once and the
    /// flow goes to its `on_crisis` node; false when it has none.
    fn crisis(&mut self, now: Instant, kind: &str) -> bool {
        tracing::warn!(call = self.call_no, kind, "crisis language: handing off");
        self.story.reason = Some("crisis".into());
        let Some(run) = &mut self.run else {
            return false;
        };
        self.engine.stop_speaking();
        self.engine.say_prompt(&self.services.emergency_line);
        self.speaking = true;
        if run.crisis(now, kind) {
            self.act(now);
            true
        } else {
            false
        }
    }

    fn drain_engine(&mut self, now: Instant) {
        while let Some(out) = self.engine.poll_out() {
            match out {
                EngineOut::Said(text) => {
                    self.publish_line(Speaker::Voxgate, &text);
                    // Only the AI agent's answers are "what we told them", not prompts.
                    if self.in_agent {
                        self.story.said(&text);
                    }
                    self.transcript.said(now, now, &text);
                }
                EngineOut::HandedOff(reason) => {
                    self.in_agent = false;
                    self.story.reason = Some(reason.as_str().to_string());
                    let end = AgentEnd::Handoff(reason.as_str().to_string());
                    self.give(now, Input::AgentEnded(end));
                }
            }
        }
    }

    /// A line said on the call, on the event stream (numbers masked).
    pub(super) fn publish_line(&self, speaker: Speaker, text: &str) {
        if text.is_empty() || self.services.events.subscribers() == 0 {
            return;
        }
        self.services.events.publish(Event::Transcript {
            call: self.call_no,
            speaker,
            text: crate::privacy::mask_numbers(text),
        });
    }

    /// Publishes an utterance in progress, when someone listens.
    pub(super) fn publish_partial(&self, speaker: Speaker, text: &str, stable_words: usize) {
        if text.trim().is_empty() || self.services.events.subscribers() == 0 {
            return;
        }
        self.services.events.publish(Event::Partial {
            call: self.call_no,
            speaker,
            text: crate::privacy::mask_numbers(text.trim()),
            stable_words,
        });
    }

    fn poll_webhook(&mut self, now: Instant) {
        let Some(rx) = &self.webhook else { return };
        let result = match rx.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => Err("the request was lost".into()),
        };
        self.webhook = None;
        self.give(now, Input::Webhook(result));
    }

    fn finish_recording(&mut self, now: Instant) {
        let Some(rec) = self.recorder.take() else {
            return;
        };
        if rec.has_message() {
            let created = SystemTime::now();
            let record = VoicemailRecord {
                call_id_hash: self.call_id_hash.clone(),
                flow: self.flow_name.clone(),
                node: self
                    .run
                    .as_ref()
                    .map(|r| r.node().to_string())
                    .unwrap_or_default(),
                created,
                duration_ms: 0,
                path: voicemail::file_name(&self.call_id_hash, created),
            };
            let (dir, sink) = (self.services.data_dir.clone(), self.services.sink.clone());
            rec.save(dir, record, sink);
        }
        self.give(now, Input::RecordingDone);
    }
}

impl CallLogic for FlowCallLogic {
    fn on_answer(&mut self, now: Instant) {
        let wall = jiff::Timestamp::now();
        // The flows of this moment: a version activated later applies to later calls.
        let flows = self.services.flows.current();
        if flows.get(&self.flow_name).is_some_and(|f| f.record) {
            self.recording = CallRecording::start(
                &self.services.recordings,
                self.call_id.expose(),
                self.call_no,
                self.frame,
            );
        }
        self.run = FlowRun::start(flows, &self.flow_name, &self.facts, now, wall);
        if self.run.is_none() {
            tracing::error!(call = self.call_no, flow = %self.flow_name, "no such flow: hanging up");
            self.hangup = true;
        }
        self.act(now);
    }

    fn on_caller_audio(&mut self, now: Instant, pcm_8k: &[i16]) {
        if let Some(rec) = &mut self.recording {
            rec.on_caller(pcm_8k);
        }
        if let Some(rec) = &mut self.recorder
            && rec.on_frame(now, pcm_8k)
        {
            self.finish_recording(now);
        }
        if let Some(h) = &mut self.human {
            h.on_caller_audio(pcm_8k);
        }
        let playing = self.engine.playing();
        // Partials cost decodes: asked for when an agent node uses them, when transcribing,
        // or when someone watches the event stream.
        let finals_only =
            !self.in_agent && !self.transcribing && self.services.events.subscribers() == 0;
        if let Some(listener) = &mut self.listener {
            listener.on_frame(now, pcm_8k, playing, finals_only);
            self.drain_heard(now);
        }
    }

    fn on_dtmf(&mut self, now: Instant, digit: char) {
        crate::telephony::logic::log_key(self.call_no, digit, "flow");
        if self.human.as_mut().is_some_and(|h| h.caller_key(digit)) {
            return;
        }
        if self.recorder.is_some() {
            if digit == '#' {
                self.finish_recording(now);
            }
            return;
        }
        if self.listening.0 {
            self.give(now, Input::Digit(digit));
        }
    }

    fn fill_outgoing(&mut self, now: Instant, pcm_8k: &mut [i16]) {
        self.engine.fill(now, pcm_8k);
        self.human_tick(now);
        if let Some(h) = self.human.as_mut().filter(|_| !self.engine.playing()) {
            h.fill_caller(pcm_8k);
        }
        if self.hang_up_after_speaking && !self.engine.playing() {
            self.hangup = true;
        }
        if let Some(rec) = &mut self.recording {
            rec.on_ours(pcm_8k);
        }
        self.drain_engine(now);
        let playing = self.engine.playing();
        if let Some(max) = self.record_after_beep.filter(|_| !playing) {
            self.record_after_beep = None;
            self.recorder = Some(Recorder::new(now, max));
        }
        if self.speaking && !playing {
            self.speaking = false;
            self.give(now, Input::PromptDone);
        }
        self.poll_webhook(now);
        if self.transfer_until.is_some_and(|until| until <= now) {
            self.on_transfer(now, TransferOutcome::Failed(None));
        }
        if let Some(run) = &mut self.run
            && run.poll_timeout().is_some_and(|t| t <= now)
        {
            run.handle_timeout(now);
            self.act(now);
        }
    }

    fn poll_action(&mut self) -> Option<CallAction> {
        if let Some(a) = self
            .human
            .as_mut()
            .and_then(super::human::Human::poll_action)
        {
            return Some(a);
        }
        if let Some(uri) = self.refer.take() {
            return Some(CallAction::Transfer(uri));
        }
        std::mem::take(&mut self.hangup).then_some(CallAction::Hangup)
    }

    fn on_transfer(&mut self, now: Instant, outcome: TransferOutcome) {
        if self.transfer_until.take().is_none() {
            return;
        }
        tracing::info!(call = self.call_no, ?outcome, "transfer outcome");
        match outcome {
            // The caller is with the target now: voxgate's leg ends (RFC 5589 §6).
            TransferOutcome::Connected => self.hangup = true,
            _ => self.give(now, Input::TransferFailed),
        }
    }

    fn on_leg(&mut self, now: Instant, event: crate::telephony::LegEvent) {
        if let Some(h) = &mut self.human {
            h.on_leg(now, event);
        }
    }

    fn on_leg_audio(&mut self, now: Instant, pcm_8k: &[i16]) {
        self.agent_audio(now, pcm_8k);
    }

    fn on_leg_dtmf(&mut self, _now: Instant, digit: char) {
        if let Some(h) = &mut self.human {
            h.agent_key(digit);
        }
    }

    fn poll_leg_action(&mut self) -> Option<CallAction> {
        self.human
            .as_mut()
            .and_then(super::human::Human::poll_leg_action)
    }

    fn fill_leg(&mut self, now: Instant, pcm_8k: &mut [i16]) {
        if let Some(h) = &mut self.human {
            h.fill_agent(now, pcm_8k);
        }
    }

    fn on_end(&mut self, now: Instant, cause: HangupCause) {
        self.end_human(now);
        if let Some(listener) = &mut self.listener {
            let unfinished = listener.finish(now);
            // What came back is stored; nobody acts on it any more.
            (self.in_agent, self.listening) = (false, (false, false));
            self.drain_heard(now);
            for u in unfinished {
                self.transcript.unfinished(u);
            }
        }
        self.services.flows.ended(self.call_no);
        self.services
            .events
            .publish(Event::CallEnded { call: self.call_no });
        if self.recorder.is_some() {
            self.finish_recording(now);
        }
        self.engine.end();
        self.drain_engine(now);
        if let Some(rec) = self.recording.take() {
            rec.finish();
        }
        tracing::info!(
            call = self.call_no,
            flow = %self.flow_name,
            node = self.run.as_ref().map_or("", FlowRun::node),
            lines = self.transcript.lines(),
            cause = cause.as_str(),
            "flow call ended"
        );
    }
}
