//! ITU-T G.711 μ-law (PCMU, payload type 0) and A-law (PCMA, payload type 8) conversion of
//! 16-bit linear PCM. Table-driven (tables built at compile time) and allocation-free.

/// μ-law bias added to the magnitude before segmenting.
const ULAW_BIAS: i32 = 0x84;
/// Largest μ-law magnitude before the bias would overflow 15 bits.
const ULAW_CLIP: i32 = 32_635;

/// Linear value of every μ-law code.
static ULAW_DECODE: [i16; 256] = ulaw_decode_table();
/// μ-law code of every magnitude / 4 (sign applied afterwards).
static ULAW_ENCODE: [u8; 8160] = ulaw_encode_table();
/// Linear value of every A-law code.
static ALAW_DECODE: [i16; 256] = alaw_decode_table();
/// A-law code of every 12-bit magnitude (sign applied afterwards).
static ALAW_ENCODE: [u8; 4096] = alaw_encode_table();

/// One of the two G.711 companding laws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum G711 {
    /// μ-law, as used in North America and Japan (PCMU).
    Ulaw,
    /// A-law, as used elsewhere (PCMA).
    Alaw,
}

impl G711 {
    /// The static RTP payload type (RFC 3551): 0 for PCMU, 8 for PCMA.
    pub fn payload_type(self) -> u8 {
        match self {
            G711::Ulaw => 0,
            G711::Alaw => 8,
        }
    }

    /// The law of a static payload type, if it is one of the two.
    pub fn from_payload_type(pt: u8) -> Option<Self> {
        match pt {
            0 => Some(G711::Ulaw),
            8 => Some(G711::Alaw),
            _ => None,
        }
    }

    /// The code for digital silence (a zero sample).
    pub fn silence(self) -> u8 {
        self.encode(0)
    }

    /// Decodes one code.
    pub fn decode(self, code: u8) -> i16 {
        match self {
            G711::Ulaw => ulaw_to_linear(code),
            G711::Alaw => alaw_to_linear(code),
        }
    }

    /// Encodes one sample.
    pub fn encode(self, sample: i16) -> u8 {
        match self {
            G711::Ulaw => linear_to_ulaw(sample),
            G711::Alaw => linear_to_alaw(sample),
        }
    }

    /// Decodes `min(input.len(), out.len())` codes into `out`; returns how many.
    pub fn decode_into(self, input: &[u8], out: &mut [i16]) -> usize {
        let table = match self {
            G711::Ulaw => &ULAW_DECODE,
            G711::Alaw => &ALAW_DECODE,
        };
        for (o, &code) in out.iter_mut().zip(input) {
            *o = table[usize::from(code)];
        }
        input.len().min(out.len())
    }

    /// Encodes `min(input.len(), out.len())` samples into `out`; returns how many.
    pub fn encode_into(self, input: &[i16], out: &mut [u8]) -> usize {
        let encode = match self {
            G711::Ulaw => linear_to_ulaw,
            G711::Alaw => linear_to_alaw,
        };
        for (o, &sample) in out.iter_mut().zip(input) {
            *o = encode(sample);
        }
        input.len().min(out.len())
    }
}

/// Decodes one μ-law code.
pub fn ulaw_to_linear(code: u8) -> i16 {
    ULAW_DECODE[usize::from(code)]
}

/// Encodes one sample as μ-law.
pub fn linear_to_ulaw(sample: i16) -> u8 {
    let magnitude = i32::from(sample).unsigned_abs().min(ULAW_CLIP as u32) as usize;
    let code = ULAW_ENCODE[magnitude >> 2];
    if sample < 0 { code & 0x7f } else { code }
}

/// Decodes one A-law code.
pub fn alaw_to_linear(code: u8) -> i16 {
    ALAW_DECODE[usize::from(code)]
}

/// Encodes one sample as A-law.
pub fn linear_to_alaw(sample: i16) -> u8 {
    let value = sample >> 3;
    if value >= 0 {
        ALAW_ENCODE[value as usize] ^ 0xd5
    } else {
        ALAW_ENCODE[!value as usize] ^ 0x55
    }
}

const fn ulaw_decode(code: u8) -> i16 {
    let u = !code;
    let t = (((u & 0x0f) as i32) << 3) + ULAW_BIAS;
    let t = t << ((u & 0x70) >> 4);
    (if u & 0x80 != 0 {
        ULAW_BIAS - t
    } else {
        t - ULAW_BIAS
    }) as i16
}

/// The μ-law code of a positive magnitude (already clipped), before sign.
const fn ulaw_encode_magnitude(magnitude: i32) -> u8 {
    let biased = magnitude + ULAW_BIAS;
    let mut seg = 0;
    while seg < 8 && biased >= (0x100 << seg) {
        seg += 1;
    }
    let code = ((seg << 4) | ((biased >> (seg + 3)) & 0x0f)) as u8;
    code ^ 0xff
}

const fn alaw_decode(code: u8) -> i16 {
    let a = code ^ 0x55;
    let mut t = ((a & 0x0f) as i32) << 4;
    let seg = ((a & 0x70) >> 4) as i32;
    match seg {
        0 => t += 8,
        1 => t += 0x108,
        _ => t = (t + 0x108) << (seg - 1),
    }
    (if a & 0x80 != 0 { t } else { -t }) as i16
}

/// The A-law code of a 12-bit magnitude index, before the sign/inversion mask.
const fn alaw_encode_index(value: i32) -> u8 {
    let mut seg = 0;
    while seg < 8 && value >= (0x20 << seg) {
        seg += 1;
    }
    if seg >= 8 {
        return 0x7f;
    }
    let shift = if seg < 2 { 1 } else { seg };
    ((seg << 4) | ((value >> shift) & 0x0f)) as u8
}

const fn ulaw_decode_table() -> [i16; 256] {
    let mut table = [0; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = ulaw_decode(i as u8);
        i += 1;
    }
    table
}

const fn ulaw_encode_table() -> [u8; 8160] {
    let mut table = [0; 8160];
    let mut i = 0;
    while i < 8160 {
        table[i] = ulaw_encode_magnitude((i as i32) << 2);
        i += 1;
    }
    table
}

const fn alaw_decode_table() -> [i16; 256] {
    let mut table = [0; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = alaw_decode(i as u8);
        i += 1;
    }
    table
}

const fn alaw_encode_table() -> [u8; 4096] {
    let mut table = [0; 4096];
    let mut i = 0;
    while i < 4096 {
        table[i] = alaw_encode_index(i as i32);
        i += 1;
    }
    table
}
