//! G.711: the standard reference points, code round trips, agreement with the reference
//! (Sun/CCITT) algorithm for every 16-bit sample, and the SNR of a 1 kHz sine.
#![allow(clippy::unwrap_used)]

use rtp::{G711, alaw_to_linear, linear_to_alaw, linear_to_ulaw, ulaw_to_linear};

#[test]
fn ulaw_reference_points() {
    for (code, linear) in [(0xff, 0), (0x7f, 0), (0x00, -32124), (0x80, 32124)] {
        assert_eq!(ulaw_to_linear(code), linear, "code {code:#04x}");
    }
    assert_eq!(linear_to_ulaw(0), 0xff);
    assert_eq!(linear_to_ulaw(-32124), 0x00);
    assert_eq!(linear_to_ulaw(32124), 0x80);
    assert_eq!(linear_to_ulaw(i16::MAX), 0x80);
    assert_eq!(linear_to_ulaw(i16::MIN), 0x00);
}

#[test]
fn alaw_reference_points() {
    for (code, linear) in [(0xd5, 8), (0x55, -8), (0xaa, 32256), (0x2a, -32256)] {
        assert_eq!(alaw_to_linear(code), linear, "code {code:#04x}");
    }
    assert_eq!(linear_to_alaw(8), 0xd5);
    assert_eq!(linear_to_alaw(0), 0xd5);
    assert_eq!(linear_to_alaw(-8), 0x55);
    assert_eq!(linear_to_alaw(32256), 0xaa);
    assert_eq!(linear_to_alaw(-32256), 0x2a);
    assert_eq!(linear_to_alaw(i16::MAX), 0xaa);
    assert_eq!(linear_to_alaw(i16::MIN), 0x2a);
}

#[test]
fn every_code_round_trips() {
    for code in 0..=255u8 {
        if code != 0x7f {
            assert_eq!(
                linear_to_ulaw(ulaw_to_linear(code)),
                code,
                "μ-law {code:#04x}"
            );
        }
        assert_eq!(
            linear_to_alaw(alaw_to_linear(code)),
            code,
            "A-law {code:#04x}"
        );
    }
    // μ-law has two zeros; both decode to 0, which encodes as the positive one.
    assert_eq!(linear_to_ulaw(ulaw_to_linear(0x7f)), 0xff);
}

/// The CCITT reference μ-law encoder (Sun g711.c, 16-bit input).
fn reference_ulaw(sample: i16) -> u8 {
    let (mut pcm, mask) = if sample < 0 {
        (-i32::from(sample), 0x7f)
    } else {
        (i32::from(sample), 0xff)
    };
    pcm = pcm.min(32635) + 0x84;
    let seg = [0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff, 0x3fff, 0x7fff]
        .iter()
        .position(|&end| pcm <= end)
        .unwrap();
    let code = (seg << 4) as i32 | ((pcm >> (seg + 3)) & 0xf);
    code as u8 ^ mask
}

/// The CCITT reference A-law encoder (Sun g711.c).
fn reference_alaw(sample: i16) -> u8 {
    let mut pcm = i32::from(sample) >> 3;
    let mask = if pcm >= 0 {
        0xd5
    } else {
        pcm = -pcm - 1;
        0x55
    };
    let Some(seg) = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff]
        .iter()
        .position(|&end| pcm <= end)
    else {
        return 0x7f ^ mask;
    };
    let shift = if seg < 2 { 1 } else { seg };
    ((seg << 4) as i32 | ((pcm >> shift) & 0xf)) as u8 ^ mask
}

#[test]
fn tables_match_the_reference_encoders_for_every_sample() {
    for s in i16::MIN..=i16::MAX {
        assert_eq!(linear_to_ulaw(s), reference_ulaw(s), "μ-law {s}");
        assert_eq!(linear_to_alaw(s), reference_alaw(s), "A-law {s}");
    }
}

/// One second of a 1 kHz sine. At 8 kHz a 1 kHz tone only ever hits 8 phases, which makes
/// its SNR depend on where those land; the phase therefore moves by an irrational fraction of
/// a period (the golden ratio's) every 8-sample period, so the second covers 1000 phase sets.
fn sine(amplitude: f64) -> Vec<i16> {
    (0..8000)
        .map(|n| {
            let phase = (n / 8) as f64 * 0.618_033_988_75;
            let cycles = n as f64 * 1000.0 / 8000.0 + phase;
            (amplitude * (2.0 * std::f64::consts::PI * cycles).sin()).round() as i16
        })
        .collect()
}

fn snr_db(law: G711, input: &[i16]) -> f64 {
    let mut codes = vec![0u8; input.len()];
    let mut output = vec![0i16; input.len()];
    assert_eq!(law.encode_into(input, &mut codes), input.len());
    assert_eq!(law.decode_into(&codes, &mut output), input.len());
    let signal: f64 = input.iter().map(|&x| f64::from(x).powi(2)).sum();
    let noise: f64 = input
        .iter()
        .zip(&output)
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum();
    10.0 * (signal / noise).log10()
}

#[test]
fn sine_snr_above_35_db() {
    for law in [G711::Ulaw, G711::Alaw] {
        for amplitude in [1000.0, 4000.0, 11000.0, 16000.0, 30000.0] {
            let snr = snr_db(law, &sine(amplitude));
            assert!(snr > 35.0, "{law:?} at {amplitude}: {snr:.1} dB");
        }
    }
}

#[test]
fn slices_convert_the_common_length() {
    let mut out = [0i16; 2];
    assert_eq!(G711::Ulaw.decode_into(&[0x00, 0x80, 0xff], &mut out), 2);
    assert_eq!(out, [-32124, 32124]);
    let mut codes = [0u8; 4];
    assert_eq!(G711::Alaw.encode_into(&[8, -8], &mut codes), 2);
    assert_eq!(codes, [0xd5, 0x55, 0, 0]);
    assert_eq!(G711::Ulaw.silence(), 0xff);
    assert_eq!(G711::Alaw.silence(), 0xd5);
    assert_eq!(G711::from_payload_type(8), Some(G711::Alaw));
    assert_eq!(G711::Ulaw.payload_type(), 0);
    assert_eq!(G711::from_payload_type(9), None);
}
