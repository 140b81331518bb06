//! The built-in script behind the runtime's [`CallLogic`] seam, and the factory that makes
//! one per call with the embedded prompts and a recording under the data directory.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use super::{DigitScript, ScriptAction, ScriptConfig};
use crate::media::{PromptSet, Recordings};
use crate::telephony::{CallAction, CallInfo, CallLogic, HangupCause, LogicFactory};

impl CallLogic for DigitScript {
    fn on_answer(&mut self, now: Instant) {
        DigitScript::on_answer(self, now);
    }

    fn on_caller_audio(&mut self, now: Instant, pcm_8k: &[i16]) {
        DigitScript::on_caller_audio(self, now, pcm_8k);
    }

    fn on_dtmf(&mut self, now: Instant, digit: char) {
        DigitScript::on_dtmf(self, now, digit);
    }

    fn fill_outgoing(&mut self, now: Instant, pcm_8k: &mut [i16]) {
        DigitScript::fill_outgoing(self, now, pcm_8k);
    }

    fn poll_action(&mut self) -> Option<CallAction> {
        DigitScript::poll_action(self).map(|ScriptAction::Hangup(_)| CallAction::Hangup)
    }

    fn on_end(&mut self, now: Instant, _cause: HangupCause) {
        DigitScript::on_end(self, now);
    }
}

/// A factory of [`DigitScript`]s recording into `recordings`. A recording that cannot be
/// created is logged and the call goes on unrecorded; over the quota the call goes on
/// unrecorded (`Recordings` warns once per interval).
pub fn factory(recordings: Arc<Recordings>) -> LogicFactory {
    let prompts = PromptSet::embedded();
    Arc::new(move |info: &CallInfo| -> Box<dyn CallLogic> {
        let recorder = recordings
            .start(info.call_id.expose(), SystemTime::now())
            .and_then(|r| {
                r.map_err(|e| tracing::warn!(call = info.call_no, error = %e, "call not recorded"))
                    .ok()
            });
        match &prompts {
            Ok(p) => Box::new(DigitScript::new(
                p.clone(),
                ScriptConfig::default(),
                recorder,
            )),
            Err(e) => {
                tracing::error!(error = %e, "embedded prompts unusable: answering silently");
                Box::new(crate::telephony::logic::DemoLogic::new(info.call_no))
            }
        }
    })
}
