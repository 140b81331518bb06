//! Session keys (RFC 3711 §4.3, key derivation rate 0), the AES-CM keystream (§4.1.1) and
//! the HMAC-SHA1 tag (§4.2). Owns the cipher and MAC state; knows nothing of packet layout.

use aes::Aes128Enc;
use aes::cipher::{InnerIvInit, KeyInit, KeyIvInit, StreamCipher};
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::{MASTER_KEY_LEN, MASTER_SALT_LEN};

type AesCtr = ctr::Ctr128BE<Aes128Enc>;
type HmacSha1 = Hmac<Sha1>;

/// Length of a full HMAC-SHA1 output.
pub(crate) const SHA1_LEN: usize = 20;

/// Key derivation labels for one of SRTP or SRTCP (RFC 3711 §4.3.1, §4.3.2).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Labels {
    encryption: u8,
    auth: u8,
    salt: u8,
}

/// Labels 0, 1, 2: the SRTP session keys.
pub(crate) const SRTP_LABELS: Labels = Labels {
    encryption: 0,
    auth: 1,
    salt: 2,
};
/// Labels 3, 4, 5: the SRTCP session keys.
pub(crate) const SRTCP_LABELS: Labels = Labels {
    encryption: 3,
    auth: 4,
    salt: 5,
};

/// The session encryption key, salt and authentication key of one direction of SRTP or
/// SRTCP, expanded once (AES key schedule, HMAC pads) so packets only clone small state.
#[derive(Clone)]
pub(crate) struct SessionKeys {
    aes: Aes128Enc,
    salt: [u8; MASTER_SALT_LEN],
    mac: HmacSha1,
}

impl SessionKeys {
    /// Derives the session keys for `labels` from a master key and salt.
    pub(crate) fn derive(
        master_key: &[u8; MASTER_KEY_LEN],
        master_salt: &[u8; MASTER_SALT_LEN],
        labels: Labels,
    ) -> Self {
        let mut key = [0u8; 16];
        let mut salt = [0u8; MASTER_SALT_LEN];
        let mut auth = [0u8; SHA1_LEN];
        prf(master_key, master_salt, labels.encryption, &mut key);
        prf(master_key, master_salt, labels.salt, &mut salt);
        prf(master_key, master_salt, labels.auth, &mut auth);
        Self::from_parts(&key, salt, &auth)
    }

    /// Builds keys from already-derived session values.
    pub(crate) fn from_parts(
        key: &[u8; 16],
        salt: [u8; MASTER_SALT_LEN],
        auth: &[u8; SHA1_LEN],
    ) -> Self {
        Self {
            aes: Aes128Enc::new(key.into()),
            salt,
            mac: new_hmac(auth),
        }
    }

    /// The counter-mode IV for a packet: (salt·2^16) ⊕ (SSRC·2^64) ⊕ (index·2^16).
    pub(crate) fn iv(&self, ssrc: u32, index: u64) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv[..MASTER_SALT_LEN].copy_from_slice(&self.salt);
        for (b, s) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
            *b ^= s;
        }
        // The index is at most 48 bits: bytes 2..8 of its big-endian form.
        for (b, s) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..]) {
            *b ^= s;
        }
        iv
    }

    /// XORs the AES-CM keystream starting at `iv` into `data` (encrypts or decrypts).
    pub(crate) fn apply_keystream(&self, iv: &[u8; 16], data: &mut [u8]) {
        let core = ctr::CtrCore::inner_iv_init(self.aes.clone(), iv.into());
        let mut ctr = AesCtr::from_core(core);
        ctr.apply_keystream(data);
    }

    /// The full HMAC-SHA1 of `head` followed by `tail`.
    pub(crate) fn tag(&self, head: &[u8], tail: &[u8]) -> [u8; SHA1_LEN] {
        let mut mac = self.mac.clone();
        mac.update(head);
        mac.update(tail);
        mac.finalize().into_bytes().into()
    }

    /// Whether `tag` is the leading bytes of the HMAC of `head` ‖ `tail` (constant time).
    pub(crate) fn verify(&self, head: &[u8], tail: &[u8], tag: &[u8]) -> bool {
        let mut mac = self.mac.clone();
        mac.update(head);
        mac.update(tail);
        mac.verify_truncated_left(tag).is_ok()
    }
}

/// HMAC-SHA1 keyed with `key` (any length is a valid HMAC key).
fn new_hmac(key: &[u8]) -> HmacSha1 {
    match <HmacSha1 as Mac>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

/// The AES-CM PRF of RFC 3711 §4.3.1 with key derivation rate 0: `out` is filled with the
/// keystream of the master key at IV (master_salt ⊕ label·2^48)·2^16.
pub(crate) fn prf(
    master_key: &[u8; MASTER_KEY_LEN],
    master_salt: &[u8; MASTER_SALT_LEN],
    label: u8,
    out: &mut [u8],
) {
    let mut iv = [0u8; 16];
    iv[..MASTER_SALT_LEN].copy_from_slice(master_salt);
    iv[7] ^= label;
    out.fill(0);
    AesCtr::new(master_key.into(), &iv.into()).apply_keystream(out);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    const MASTER_KEY: &str = "E1F97A0D3E018BE0D64FA32C06DE4139";
    const MASTER_SALT: &str = "0EC675AD498AFEEBB6960B3AABE6";

    fn master() -> ([u8; 16], [u8; 14]) {
        (
            hex(MASTER_KEY).try_into().unwrap(),
            hex(MASTER_SALT).try_into().unwrap(),
        )
    }

    #[test]
    fn rfc3711_b3_key_derivation() {
        let (key, salt) = master();
        let mut out = [0u8; 16];
        prf(&key, &salt, 0, &mut out);
        assert_eq!(out[..], hex("C61E7A93744F39EE10734AFE3FF7A087")[..]);
        let mut out = [0u8; 14];
        prf(&key, &salt, 2, &mut out);
        assert_eq!(out[..], hex("30CBBC08863D8C85D49DB34A9AE1")[..]);
        let mut out = [0u8; 94];
        prf(&key, &salt, 1, &mut out);
        let expected = hex(
            "CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE
             E049646C43D9327AD175578EF7227098 6371C10C9A369AC2F94A8C5FBCDDDC25
             6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2",
        );
        assert_eq!(out[..], expected[..]);
    }

    #[test]
    fn rfc3711_b2_aes_cm_keystream() {
        let key: [u8; 16] = hex("2B7E151628AED2A6ABF7158809CF4F3C").try_into().unwrap();
        let salt: [u8; 14] = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD").try_into().unwrap();
        let keys = SessionKeys::from_parts(&key, salt, &[0; 20]);
        let iv = keys.iv(0, 0);
        assert_eq!(iv[..], hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000")[..]);
        let mut stream = vec![0u8; 1_044_512];
        keys.apply_keystream(&iv, &mut stream);
        let start = hex(
            "E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB
             41E95B3BB0A2E8DD477901E4FCA894C0",
        );
        let end = hex(
            "EC8CDF7398607CB0F2D21675EA9EA1E4 362B7C3C6773516318A077D7FC5073AE
             6A2CC3787889374FBEB4C81B17BA6C44",
        );
        assert_eq!(stream[..48], start[..]);
        assert_eq!(stream[stream.len() - 48..], end[..]);
    }

    #[test]
    fn iv_mixes_ssrc_and_index_as_libsrtp_does() {
        let key: [u8; 16] = hex("C61E7A93744F39EE10734AFE3FF7A087").try_into().unwrap();
        let salt: [u8; 14] = hex("30CBBC08863D8C85D49DB34A9AE1").try_into().unwrap();
        let keys = SessionKeys::from_parts(&key, salt, &[0; 20]);
        let iv = keys.iv(0xcafe_babe, 0x1234);
        assert_eq!(iv[..], hex("30CBBC084CC3363BD49DB34A88D50000")[..]);
    }

    #[test]
    fn truncated_tags_verify_and_wrong_ones_do_not() {
        let keys = SessionKeys::from_parts(&[1; 16], [2; 14], &[3; 20]);
        let tag = keys.tag(b"header", b"roc!");
        assert!(keys.verify(b"header", b"roc!", &tag[..10]));
        assert!(keys.verify(b"header", b"roc!", &tag[..4]));
        let mut bad = tag;
        bad[3] ^= 1;
        assert!(!keys.verify(b"header", b"roc!", &bad[..4]));
        assert!(!keys.verify(b"header", b"roc?", &tag[..10]));
    }
}
