//! A whole call recorded (a flow with `record: true`): each tick the caller's frame (left)
//! and what voxgate sent (right) go to a stereo WAV under the recordings quota and
//! retention ([`Recordings`]). A recording that cannot be made or written is logged and the
//! call goes on unrecorded; over the quota calls go on unrecorded (`Recordings` warns).

use std::time::SystemTime;

use crate::media::{Recorder, Recordings};

/// The recording of one call.
#[derive(Debug)]
pub struct CallRecording {
    call_no: u64,
    rec: Option<Recorder>,
    /// The caller's frame of this tick, until voxgate's is known.
    caller: Vec<i16>,
}

impl CallRecording {
    /// Starts recording call `call_no` (named after its Call-ID, hashed); `None` when it
    /// cannot be recorded (quota, file error: logged).
    pub fn start(
        recordings: &Recordings,
        call_id: &str,
        call_no: u64,
        frame: usize,
    ) -> Option<CallRecording> {
        let rec = match recordings.start(call_id, SystemTime::now())? {
            Ok(rec) => rec,
            Err(e) => {
                tracing::warn!(call = call_no, error = %e, "call not recorded");
                return None;
            }
        };
        Some(CallRecording {
            call_no,
            rec: Some(rec),
            caller: Vec::with_capacity(frame),
        })
    }

    /// The caller's frame of this tick.
    pub fn on_caller(&mut self, pcm_8k: &[i16]) {
        self.caller.clear();
        self.caller.extend_from_slice(pcm_8k);
    }

    /// What voxgate sends this tick: the tick is written.
    pub fn on_ours(&mut self, pcm_8k: &[i16]) {
        if let Some(rec) = &mut self.rec
            && let Err(e) = rec.write_tick(&self.caller, pcm_8k)
        {
            tracing::warn!(call = self.call_no, error = %e, "recording stopped");
            self.rec = None;
        }
        self.caller.clear();
    }

    /// The call is over: what the caller said since the last tick is written and the file
    /// closed.
    pub fn finish(mut self) {
        if !self.caller.is_empty() {
            self.on_ours(&[]);
        }
        match self.rec.take().map(Recorder::finish) {
            Some(Ok(info)) => tracing::info!(
                call = self.call_no,
                secs = info.duration().as_secs(),
                "call recorded"
            ),
            Some(Err(e)) => tracing::warn!(call = self.call_no, error = %e, "recording not closed"),
            None => {}
        }
    }
}
