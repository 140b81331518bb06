//! The seam between the telephony runtime and what a call does: [`CallLogic`], a sans-IO
//! trait the per-call task drives with 8 kHz PCM frames, digits and the current time. The
//! built-in call script (src/media) and later the IVR flow engine implement it; this module
//! holds only the trait, a trivial [`DemoLogic`] placeholder, the [`ProbeLogic`] test
//! double and how logics log a key press (never its value). Implementations never block, sleep, spawn or touch a socket: heavy work belongs
//! on other tasks, fed through channels the implementation owns.

use std::sync::Arc;
use std::time::Instant;

use super::summary::HangupCause;
use crate::privacy::Redacted;

/// Something the call logic asks the runtime to do, polled after every input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallAction {
    /// End the call (the runtime sends BYE).
    Hangup,
    /// Send one RFC 4733 key press (`0-9*#A-D`).
    SendDtmf(char),
    /// Blind transfer (RFC 3515): ask the caller's side, by REFER, to call `uri` (`sip:`,
    /// `sips:` or `tel:`). How it went comes back in [`CallLogic::on_transfer`]; the call
    /// goes on until the logic hangs up.
    Transfer(String),
    /// Ring human agent `id` on a second leg (its registered phone or configured address).
    /// How it goes comes back in [`CallLogic::on_leg`]; once answered, the leg's audio
    /// flows through [`CallLogic::on_leg_audio`] and [`CallLogic::fill_leg`]. One leg at a
    /// time: a second dial while one is up fails at once.
    DialAgent(String),
    /// End the second leg: cancel it while it rings, hang it up once answered.
    DropLeg,
}

/// What happened on the call's second leg (the agent's phone).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LegEvent {
    /// The phone rings (a 180 or 183).
    Ringing,
    /// The agent answered; media flows from now on.
    Answered,
    /// It was not answered: the status of the refusal (486 busy, 603 declined, 480, 404…),
    /// `None` when there was no answer at all, nothing to dial, or the leg could not start.
    Failed(Option<u16>),
    /// The answered leg ended (the agent hung up, or its media stopped).
    Ended,
    /// The agent transferred the call (a blind REFER) to agent `id`: the runtime accepted
    /// it and hung the agent's leg up; ringing `id` is the logic's to do.
    Referred(String),
    /// The agent's phone put the call on hold (true) or took it off (false) with a
    /// re-INVITE; the leg's media already follows.
    Held(bool),
}

/// Whether `uri` can go into a SIP header as it is (a transfer's Refer-To): no white space,
/// control characters, quotes, commas or angle brackets, which could end the header or add
/// one. Flows refuse such a URI when checked; the core refuses it again before sending.
pub fn fits_a_header(uri: &str) -> bool {
    !uri.chars()
        .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | '"' | ','))
}

/// How a transfer the logic asked for went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransferOutcome {
    /// The caller's side reached the target (a final 2xx in the REFER's NOTIFY).
    Connected,
    /// It did not: the REFER refused or unanswered, or the target's final failure status.
    Failed(Option<u16>),
}

/// What a call's logic gets to know about the call when it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallInfo {
    /// The runtime's number for this call (unique per process, for logs).
    pub call_no: u64,
    /// The SIP Call-ID (names the call's recording, hashed).
    pub call_id: Redacted<String>,
    /// Codec name as in SDP (`PCMU`, `PCMA`).
    pub codec: &'static str,
    /// Packet time in ms; every frame is `8 * ptime_ms` samples.
    pub ptime_ms: u32,
    /// The number or user dialled (Request-URI user part), e.g. the service number.
    pub dialled: Option<String>,
    /// Who is calling (From user part): personal data, redacted in logs.
    pub caller: Redacted<Option<String>>,
}

/// The call logic of one call. The call task calls, per packet time (20 or 30 ms), first
/// `on_caller_audio` with what the jitter buffer played (silence when nothing arrived), then
/// `fill_outgoing` for the frame to send, then `poll_action` until `None`. Digits come
/// whenever they are detected. Frames are 8 kHz mono and always `8 * ptime_ms` samples; the
/// buffers are the task's own, preallocated: copy, never keep them.
pub trait CallLogic: Send {
    /// The call is answered (200 sent); media starts now.
    fn on_answer(&mut self, now: Instant);
    /// One frame of what the caller said.
    fn on_caller_audio(&mut self, now: Instant, pcm_8k: &[i16]);
    /// A key pressed by the caller (RFC 4733 or SIP INFO).
    fn on_dtmf(&mut self, now: Instant, digit: char);
    /// Fill the frame to send to the caller (it arrives zeroed: silence needs no work).
    fn fill_outgoing(&mut self, now: Instant, pcm_8k: &mut [i16]);
    /// The next thing to do, if any.
    fn poll_action(&mut self) -> Option<CallAction>;
    /// How a [`CallAction::Transfer`] went.
    fn on_transfer(&mut self, _now: Instant, _outcome: TransferOutcome) {}
    /// How the second leg goes ([`CallAction::DialAgent`]).
    fn on_leg(&mut self, _now: Instant, _event: LegEvent) {}
    /// One frame of what the second leg's party (the agent) said.
    fn on_leg_audio(&mut self, _now: Instant, _pcm_8k: &[i16]) {}
    /// A key pressed on the second leg.
    fn on_leg_dtmf(&mut self, _now: Instant, _digit: char) {}
    /// Fill the frame to send to the second leg (it arrives zeroed).
    fn fill_leg(&mut self, _now: Instant, _pcm_8k: &mut [i16]) {}
    /// The next thing to do on the second leg (only [`CallAction::SendDtmf`] applies).
    fn poll_leg_action(&mut self) -> Option<CallAction> {
        None
    }
    /// The call is over (for whatever `cause`); flush what needs flushing. Not called again.
    fn on_end(&mut self, _now: Instant, _cause: HangupCause) {}
}

/// The second leg's view of a call's logic: the leg's media session drives it like a
/// caller, and it hands everything to the leg methods of the logic.
pub(crate) struct LegSide<'a>(pub(crate) &'a mut dyn CallLogic);

impl CallLogic for LegSide<'_> {
    fn on_answer(&mut self, _now: Instant) {}
    fn on_caller_audio(&mut self, now: Instant, pcm_8k: &[i16]) {
        self.0.on_leg_audio(now, pcm_8k);
    }
    fn on_dtmf(&mut self, now: Instant, digit: char) {
        self.0.on_leg_dtmf(now, digit);
    }
    fn fill_outgoing(&mut self, now: Instant, pcm_8k: &mut [i16]) {
        self.0.fill_leg(now, pcm_8k);
    }
    fn poll_action(&mut self) -> Option<CallAction> {
        self.0.poll_leg_action()
    }
}

/// Makes the logic for each new call.
pub type LogicFactory = Arc<dyn Fn(&CallInfo) -> Box<dyn CallLogic> + Send + Sync>;

/// The factory of the telephony layer's own logics: `probe` ([`ProbeLogic`], a test double)
/// and anything else `silent` ([`DemoLogic`]). Every other call logic is a flow.
pub fn factory_for(name: &str) -> LogicFactory {
    match name {
        "probe" => Arc::new(|info: &CallInfo| Box::new(ProbeLogic::new(info.call_no))),
        _ => Arc::new(|info: &CallInfo| Box::new(DemoLogic::new(info.call_no))),
    }
}

/// `calls.logic = "silent"`, and what a call answers with when its logic cannot start: silence
/// out, logs that keys were pressed, hangs up on `#`.
#[derive(Debug)]
pub struct DemoLogic {
    call_no: u64,
    hangup: bool,
}

impl DemoLogic {
    /// The logic for call `call_no`.
    pub fn new(call_no: u64) -> Self {
        DemoLogic {
            call_no,
            hangup: false,
        }
    }
}

impl CallLogic for DemoLogic {
    fn on_answer(&mut self, _now: Instant) {}
    fn on_caller_audio(&mut self, _now: Instant, _pcm_8k: &[i16]) {}
    fn on_dtmf(&mut self, _now: Instant, digit: char) {
        log_key(self.call_no, digit, "silent");
        self.hangup |= digit == '#';
    }
    fn fill_outgoing(&mut self, _now: Instant, _pcm_8k: &mut [i16]) {}
    fn poll_action(&mut self) -> Option<CallAction> {
        std::mem::take(&mut self.hangup).then_some(CallAction::Hangup)
    }
}

/// Logs (debug) that the caller of call `call_no` pressed a key in `logic`, never which
/// key: keys pressed one by one spell PINs and card numbers (each on its own log line), so
/// only `#`, which ends calls, is told apart.
pub(crate) fn log_key(call_no: u64, key: char, logic: &'static str) {
    tracing::debug!(call = call_no, logic, pound = key == '#', "key pressed");
}

/// Mean absolute amplitude above which a frame counts as voiced.
const VOICED_LEVEL: u32 = 200;

/// A test double that measures what it hears and sends a 400 Hz tone. It logs (target
/// `voxgate::probe`) each digit and, at the end, how many frames were voiced, so tests that
/// run the binary can check both. Hangs up on `#`; answers `*` with a `5` key press.
#[derive(Debug)]
pub struct ProbeLogic {
    call_no: u64,
    frames: u64,
    voiced: u64,
    digits: String,
    phase: u32,
    actions: Vec<CallAction>,
}

impl ProbeLogic {
    /// The probe for call `call_no`.
    pub fn new(call_no: u64) -> Self {
        ProbeLogic {
            call_no,
            frames: 0,
            voiced: 0,
            digits: String::new(),
            phase: 0,
            actions: Vec::with_capacity(4),
        }
    }

    /// Frames heard, and how many of them were voiced.
    pub fn heard(&self) -> (u64, u64) {
        (self.frames, self.voiced)
    }

    /// Digits received so far.
    pub fn digits(&self) -> &str {
        &self.digits
    }
}

impl CallLogic for ProbeLogic {
    fn on_answer(&mut self, _now: Instant) {
        tracing::info!(target: "voxgate::probe", call = self.call_no, "probe answered");
    }

    fn on_caller_audio(&mut self, _now: Instant, pcm_8k: &[i16]) {
        self.frames += 1;
        let sum: u64 = pcm_8k.iter().map(|s| u64::from(s.unsigned_abs())).sum();
        let n = u64::try_from(pcm_8k.len().max(1)).unwrap_or(1);
        if sum / n > u64::from(VOICED_LEVEL) {
            self.voiced += 1;
        }
    }

    fn on_dtmf(&mut self, _now: Instant, digit: char) {
        tracing::info!(target: "voxgate::probe", call = self.call_no, %digit, "probe digit");
        self.digits.push(digit);
        match digit {
            '#' => self.actions.push(CallAction::Hangup),
            '*' => self.actions.push(CallAction::SendDtmf('5')),
            _ => {}
        }
    }

    fn fill_outgoing(&mut self, _now: Instant, pcm_8k: &mut [i16]) {
        // 400 Hz at 8 kHz: a period of 20 samples; a triangle wave is enough for a probe.
        for s in pcm_8k.iter_mut() {
            let p = i32::try_from(self.phase % 20).unwrap_or(0);
            let tri = if p < 10 { p * 2 - 10 } else { 30 - p * 2 };
            *s = i16::try_from(tri * 800).unwrap_or(0);
            self.phase = self.phase.wrapping_add(1);
        }
    }

    fn poll_action(&mut self) -> Option<CallAction> {
        (!self.actions.is_empty()).then(|| self.actions.remove(0))
    }

    fn on_end(&mut self, _now: Instant, cause: HangupCause) {
        tracing::info!(
            target: "voxgate::probe",
            call = self.call_no,
            frames = self.frames,
            voiced = self.voiced,
            digits = %self.digits,
            cause = cause.as_str(),
            "probe heard"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_hangs_up_on_pound_only() {
        let now = Instant::now();
        let mut l = DemoLogic::new(1);
        l.on_dtmf(now, '1');
        assert_eq!(l.poll_action(), None);
        l.on_dtmf(now, '#');
        assert_eq!(l.poll_action(), Some(CallAction::Hangup));
        assert_eq!(l.poll_action(), None);
        let mut out = [0i16; 160];
        l.fill_outgoing(now, &mut out);
        assert!(out.iter().all(|&s| s == 0), "demo sends silence");
    }

    /// What `f` logs at every level, without timestamps.
    fn logged(f: impl FnOnce()) -> String {
        use std::sync::Mutex;
        #[derive(Clone, Default)]
        struct Capture(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Capture {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                let mut out = self.0.lock().unwrap_or_else(|p| p.into_inner());
                out.extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .without_time()
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        let bytes = capture.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn keys_are_logged_without_their_value() {
        let now = Instant::now();
        let mut l = DemoLogic::new(1);
        // A card number keyed in: the log says a key was pressed, never which.
        let log = logged(|| "4539148803436467".chars().for_each(|k| l.on_dtmf(now, k)));
        assert_eq!(log.matches("key pressed").count(), 16, "{log}");
        let digits: String = log
            .lines()
            .flat_map(|line| line.replace("call=1", "").into_bytes())
            .filter(u8::is_ascii_digit)
            .map(char::from)
            .collect();
        assert_eq!(digits, "", "{log}");
        let log = logged(|| l.on_dtmf(now, '#'));
        assert!(log.contains("pound=true"), "{log}");
    }

    #[test]
    fn probe_counts_voiced_frames_and_digits() {
        let now = Instant::now();
        let mut p = ProbeLogic::new(2);
        p.on_caller_audio(now, &[0; 160]);
        p.on_caller_audio(now, &[3000; 160]);
        assert_eq!(p.heard(), (2, 1));
        p.on_dtmf(now, '*');
        p.on_dtmf(now, '#');
        assert_eq!(p.digits(), "*#");
        assert_eq!(p.poll_action(), Some(CallAction::SendDtmf('5')));
        assert_eq!(p.poll_action(), Some(CallAction::Hangup));
        let mut out = [0i16; 240];
        p.fill_outgoing(now, &mut out);
        assert!(
            out.iter().any(|&s| s.unsigned_abs() > 1000),
            "probe sends a tone"
        );
    }
}
