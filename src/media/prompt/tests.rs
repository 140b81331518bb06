#![allow(clippy::unwrap_used)]

use super::*;

fn wav(spec: hound::WavSpec, seconds: f32, freq: f32) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut w = hound::WavWriter::new(std::io::Cursor::new(&mut bytes), spec).unwrap();
    let frames = (seconds * spec.sample_rate as f32) as usize;
    for i in 0..frames {
        let x =
            0.5 * (2.0 * std::f32::consts::PI * freq * i as f32 / spec.sample_rate as f32).sin();
        for _ in 0..spec.channels {
            match spec.sample_format {
                hound::SampleFormat::Float => w.write_sample(x).unwrap(),
                hound::SampleFormat::Int => {
                    let max = (1i64 << (spec.bits_per_sample - 1)) as f32;
                    w.write_sample((x * max) as i32).unwrap()
                }
            }
        }
    }
    w.finalize().unwrap();
    bytes
}

fn spec(rate: u32, channels: u16, bits: u16, float: bool) -> hound::WavSpec {
    hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    }
}

fn tone_frequency(samples: &[i16]) -> f32 {
    let rising = samples.windows(2).filter(|w| w[0] < 0 && w[1] >= 0).count();
    rising as f32 * 8000.0 / samples.len() as f32
}

#[test]
fn any_rate_width_and_layout_decodes_to_8k_mono() {
    for s in [
        spec(44100, 2, 32, true),
        spec(16000, 1, 24, false),
        spec(11025, 1, 8, false),
        spec(48000, 2, 32, false),
        spec(8000, 1, 16, false),
        spec(22050, 2, 16, false),
    ] {
        let p = Prompt::from_wav_bytes("tone", &wav(s, 1.0, 440.0)).unwrap();
        let n = p.samples().len();
        assert!(n.abs_diff(8000) <= 2, "{s:?}: {n} samples");
        let mid = &p.samples()[400..7600];
        let f = tone_frequency(mid);
        assert!((f - 440.0).abs() < 6.0, "{s:?}: {f} Hz");
        let peak = mid.iter().map(|x| x.unsigned_abs()).max().unwrap();
        assert!((15000..=17800).contains(&peak), "{s:?}: peak {peak}");
    }
}

#[test]
fn garbage_and_unsupported_formats_are_errors() {
    assert!(matches!(
        Prompt::from_wav_bytes("x", b"RIFF\0\0\0\0WAVEjunk"),
        Err(PromptError::Wav { .. })
    ));
    assert!(Prompt::from_wav_file(Path::new("/nonexistent/prompt.wav")).is_err());
}

#[test]
fn built_in_prompts_decode_are_named_and_short() {
    let all = builtin_prompts().unwrap();
    let names: Vec<&str> = builtin_names().collect();
    assert_eq!(all.len(), names.len());
    for (p, name) in all.iter().zip(&names) {
        assert_eq!(p.name(), *name);
    }
    let greeting = all[0].duration();
    assert_eq!(all[0].name(), "greeting");
    assert!(
        greeting > Duration::from_secs(2) && greeting < Duration::from_secs(8),
        "{greeting:?}"
    );
    for key in ["digit-0", "digit-5", "digit-9", "star", "pound"] {
        let p = all.iter().find(|p| p.name() == key).unwrap();
        assert!(p.duration() > Duration::from_millis(150), "{p:?}");
        assert!(p.duration() < Duration::from_millis(1500), "{p:?}");
    }
    let goodbye = all.iter().find(|p| p.name() == "goodbye").unwrap();
    assert!(goodbye.duration() < Duration::from_secs(2));
    // Decoded once: the second call shares the samples.
    assert!(std::ptr::eq(
        builtin_prompts().unwrap()[0].samples().as_ptr(),
        all[0].samples().as_ptr()
    ));
}
