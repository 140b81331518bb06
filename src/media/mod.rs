//! Media processing between the RTP leg and the services: resampling, prompts, recording.
//!
//! Owns: sample-rate conversion ([`FrameResampler`]), prompt decoding and the built-in
//! prompts ([`Prompt`], [`builtin_prompts`]), call recording ([`Recorder`]) and the
//! recordings' quota and retention ([`Recordings`]). Works on
//! 16-bit PCM frames handed in by the call task. Must not touch: sockets, RTP packets or codecs
//! (the `rtp` crate), clocks, the store. Per-frame paths do not allocate.

mod prompt;
mod recorder;
mod recordings;
mod resample;

pub use prompt::{Prompt, PromptError, builtin_names, builtin_prompts, read_wav_mono};
pub use recorder::{Recorder, RecorderError, RecordingInfo, recording_path};
pub use recordings::{
    ListedDir, ListedFile, RecordingLimits, Recordings, SWEEP_INTERVAL, SweepPlan, SweepReport,
    WARN_INTERVAL, plan_sweep, warning_due,
};
pub use resample::{FrameResampler, ResampleError, resample_clip};

/// Sample rate of the telephone leg (G.711), Hz.
pub const TELEPHONE_RATE: u32 = 8000;
/// Sample rate speech recognition and synthesis work at, Hz.
pub const WIDEBAND_RATE: u32 = 16_000;
