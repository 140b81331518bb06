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
fn embedded_prompts_decode_and_are_short() {
    let set = PromptSet::embedded().unwrap();
    assert_eq!(set.greeting.name(), "greeting");
    let greeting = set.greeting.duration();
    assert!(
        greeting > Duration::from_secs(2) && greeting < Duration::from_secs(8),
        "{greeting:?}"
    );
    for key in "0123456789*#".chars() {
        let p = set.for_key(key).unwrap();
        assert!(p.duration() > Duration::from_millis(150), "{p:?}");
        assert!(p.duration() < Duration::from_millis(1500), "{p:?}");
    }
    assert_eq!(set.for_key('7').unwrap().name(), "digit-7");
    assert!(set.for_key('A').is_none());
    assert!(set.goodbye.duration() < Duration::from_secs(2));
}

#[test]
fn player_concatenates_prompts_then_plays_silence() {
    let a = Prompt::from_samples("a", (1..=250).collect());
    let b = Prompt::from_samples("b", (1000..1100).collect());
    let mut player = PromptPlayer::new();
    let mut out = [7i16; 160];
    player.fill(&mut out);
    assert!(out.iter().all(|s| *s == 0), "idle is silence");
    assert_eq!(player.poll_event(), None);
    player.enqueue(a.clone());
    player.enqueue(b.clone());
    let mut heard = Vec::new();
    for _ in 0..3 {
        player.fill(&mut out);
        heard.extend_from_slice(&out);
    }
    let expected: Vec<i16> = a.samples().iter().chain(b.samples()).copied().collect();
    assert_eq!(&heard[..350], expected.as_slice());
    assert!(heard[350..].iter().all(|s| *s == 0));
    assert!(!player.is_playing());
    let events: Vec<_> = std::iter::from_fn(|| player.poll_event()).collect();
    assert_eq!(
        events,
        [
            PlayerEvent::Started("a".into()),
            PlayerEvent::Finished("a".into()),
            PlayerEvent::Started("b".into()),
            PlayerEvent::Finished("b".into()),
        ]
    );
}

#[test]
fn stop_cuts_the_current_prompt_and_drops_the_queue() {
    let mut player = PromptPlayer::new();
    player.enqueue(Prompt::from_samples("long", vec![5; 8000]));
    player.enqueue(Prompt::from_samples("next", vec![6; 100]));
    player.enqueue(Prompt::from_samples("empty", Vec::new()));
    let mut out = [0i16; 240];
    player.fill(&mut out);
    assert!(out.iter().all(|s| *s == 5));
    player.stop();
    player.fill(&mut out);
    assert!(out.iter().all(|s| *s == 0));
    let events: Vec<_> = std::iter::from_fn(|| player.poll_event()).collect();
    assert_eq!(
        events,
        [
            PlayerEvent::Started("long".into()),
            PlayerEvent::Stopped("long".into())
        ]
    );
    // Stopping an idle player reports nothing.
    player.stop();
    assert_eq!(player.poll_event(), None);
}

#[test]
fn a_directory_overrides_single_prompts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("goodbye.wav"),
        wav(spec(16000, 2, 16, false), 0.25, 440.0),
    )
    .unwrap();
    let set = PromptSet::from_dir_or_embedded(dir.path()).unwrap();
    let embedded = PromptSet::embedded().unwrap();
    assert_eq!(set.goodbye.name(), "goodbye");
    assert!(set.goodbye.samples().len().abs_diff(2000) <= 2);
    assert_ne!(set.goodbye, embedded.goodbye);
    assert_eq!(set.greeting, embedded.greeting);
    std::fs::write(dir.path().join("star.wav"), b"not a wav").unwrap();
    assert!(PromptSet::from_dir_or_embedded(dir.path()).is_err());
}
