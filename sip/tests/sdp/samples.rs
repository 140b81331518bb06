//! Real-world SDP bodies, written with LF line ends in canonical order.

/// SIPp `uac` scenario offer (PCMU only).
pub(crate) const SIPP_UAC: &str = "\
v=0
o=user1 53655765 2353687637 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 6000 RTP/AVP 0
a=rtpmap:0 PCMU/8000
";

/// baresip-style offer: opus first, then PCMU, PCMA, telephone-event.
pub(crate) const BARESIP: &str = "\
v=0
o=- 3016547839 3016547839 IN IP4 192.168.1.50
s=-
c=IN IP4 192.168.1.50
t=0 0
m=audio 10002 RTP/AVP 96 0 8 101
b=AS:64
a=rtpmap:96 opus/48000/2
a=fmtp:96 stereo=1;sprop-stereo=1
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
a=label:1
a=ssrc:1419574930 cname:a4e4f5b1-9c1f-4e6e-8c5e-1d2b3c4d5e6f
a=rtcp-rsize
a=ptime:20
";

/// Chromium WebRTC audio offer with ICE/DTLS attributes and rtcp-mux.
pub(crate) const CHROMIUM: &str = "\
v=0
o=- 4611731400430051336 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0
a=extmap-allow-mixed
a=msid-semantic: WMS 8f3c2a1e-6b7d-4e9f-a0b1-c2d3e4f5a6b7
m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=ice-ufrag:Wd9k
a=ice-pwd:uWQ0sWb0y9sjGJh3AmBpXK1Z
a=ice-options:trickle
a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08
a=setup:actpass
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=sendrecv
a=msid:8f3c2a1e-6b7d-4e9f-a0b1-c2d3e4f5a6b7 0c2d3e4f-5a6b-7c8d-9e0f-1a2b3c4d5e6f
a=rtcp-mux
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
a=ssrc:3735928559 cname:Yq1a2b3c4d5e6f7g
a=ssrc:3735928559 msid:8f3c2a1e-6b7d-4e9f-a0b1-c2d3e4f5a6b7 0c2d3e4f-5a6b-7c8d-9e0f-1a2b3c4d5e6f
";

/// RFC 4317 §2.1 offer: audio (PCMU, PCMA, iLBC) and video.
pub(crate) const RFC4317_AUDIO_VIDEO: &str = "\
v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 0 8 97
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:97 iLBC/8000
m=video 51372 RTP/AVP 31 32
a=rtpmap:31 H261/90000
a=rtpmap:32 MPV/90000
";

/// RFC 4566 §5 example, extended with every session-level line type.
pub(crate) const RFC4566_FULL: &str = "\
v=0
o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5
s=SDP Seminar
i=A Seminar on the session description protocol
u=http://www.example.com/seminars/sdp.pdf
e=j.doe@example.com (Jane Doe)
p=+1 617 555-6011
c=IN IP4 224.2.17.12/127
b=CT:128
t=2873397496 2873404696
r=7d 1h 0 25h
t=3034423619 3042462419
z=2882844526 -1h 2898848070 0
k=prompt
a=recvonly
m=audio 49170 RTP/AVP 0
i=main audio
c=IN IP6 ff15::101/3
b=AS:64
k=prompt
a=ptime:20
m=video 51372/2 RTP/AVP 99
a=rtpmap:99 h263-1998/90000
";

/// A hold re-offer with `a=sendonly` (PCMU + telephone-event, ptime 30).
pub(crate) const HOLD_SENDONLY: &str = "\
v=0
o=bob 2808844564 2808844565 IN IP4 198.51.100.7
s=-
c=IN IP4 198.51.100.7
t=0 0
m=audio 4000 RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ptime:30
a=sendonly
";

/// An RFC 2543-style hold re-offer: `c=IN IP4 0.0.0.0`, no direction.
pub(crate) const HOLD_RFC2543: &str = "\
v=0
o=Cisco-SIPUA 21346 2 IN IP4 0.0.0.0
s=SIP Call
c=IN IP4 0.0.0.0
t=0 0
m=audio 16384 RTP/AVP 8 0 101
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
";

/// Every sample, with a name for failure messages.
pub(crate) const ALL: [(&str, &str); 7] = [
    ("sipp", SIPP_UAC),
    ("baresip", BARESIP),
    ("chromium", CHROMIUM),
    ("rfc4317", RFC4317_AUDIO_VIDEO),
    ("rfc4566", RFC4566_FULL),
    ("hold-sendonly", HOLD_SENDONLY),
    ("hold-rfc2543", HOLD_RFC2543),
];

/// `sdp` with LF line ends converted to CRLF.
pub(crate) fn crlf(sdp: &str) -> String {
    sdp.replace('\n', "\r\n")
}

/// baresip with `mediaenc=srtp-mand` (modules/srtp): RTP/SAVP and one crypto
/// line, tag 1, its preferred AES_CM_128_HMAC_SHA1_80.
pub(crate) const BARESIP_SRTP_MAND: &str = "\
v=0
o=- 1955418830 2470581316 IN IP4 192.168.1.50
s=-
c=IN IP4 192.168.1.50
t=0 0
m=audio 10002 RTP/SAVP 96 0 8 101
b=AS:64
a=rtpmap:96 opus/48000/2
a=fmtp:96 stereo=1;sprop-stereo=1
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
a=label:1
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WnD7c1ksDGs+dIefCEo8omPg4uO8DYIinNGL5yxQ
";

/// baresip with `mediaenc=srtp` (optional): the same crypto line on RTP/AVP
/// (opportunistic SRTP, RFC 8643).
pub(crate) const BARESIP_SRTP_OPTIONAL: &str = "\
v=0
o=- 1955418830 2470581316 IN IP4 192.168.1.50
s=-
c=IN IP4 192.168.1.50
t=0 0
m=audio 10002 RTP/AVP 0 8 101
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WnD7c1ksDGs+dIefCEo8omPg4uO8DYIinNGL5yxQ
";

/// pjsua `--use-srtp=2` (mandatory): RTP/SAVP with the two AES-CM-128 lines.
pub(crate) const PJSUA_SRTP_MAND: &str = "\
v=0
o=- 3912345678 3912345678 IN IP4 10.0.0.7
s=pjmedia
c=IN IP4 10.0.0.7
t=0 0
m=audio 4000 RTP/SAVP 0 101
a=rtpmap:0 PCMU/8000
a=sendrecv
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WnD7c1ksDGs+dIefCEo8omPg4uO8DYIinNGL5yxQ
a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:t0r0/apkukU7JjjfR0mY8GEimBq4OiPEm9eKSFOx
";

/// pjsua with optional SRTP as a carrier sees it: RTP/AVP, nine crypto lines,
/// GCM and AES-256/192 first; AES_CM_128_HMAC_SHA1_80 is tag 5.
pub(crate) const PJSUA_SRTP_OPTIONAL: &str = "\
v=0
o=- 3912345678 3912345678 IN IP4 198.51.100.64
s=pjmedia
c=IN IP4 198.51.100.64
t=0 0
m=audio 51895 RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=sendrecv
a=crypto:1 AEAD_AES_256_GCM_8 inline:URvowj9NlyRUU4Ro4NIUbg/39b1bEdLtxPelsfHpPGD9GtwWuKMMefhd76U=
a=crypto:2 AEAD_AES_128_GCM_8 inline:uATLXs8T8rjZ0QVH15np2ExFaVZixIRvHHXOow==
a=crypto:3 AES_256_CM_HMAC_SHA1_80 inline:JlgkqmY+uVPBLmJairIWLMTzsoP7sq6M+FLsTeZkAJUKobgTjouB0H+ZHV911Q==
a=crypto:4 AES_192_CM_HMAC_SHA1_80 inline:aNNDkHj6o2xl2J6PkjReCqK4dvGFeV3AjZ9Lohiriq5RRu8gMq0=
a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:TCkr9L8rtn4+aJXoeA1eiQcTAniJOvkYXUnZ5KTw
a=crypto:6 AES_256_CM_HMAC_SHA1_32 inline:98t1wsF9qRKbb+vJO0zldPSX1RvXDI/SSrzNEUl0CHDGv84vqtz3+tJNA2JQdA==
a=crypto:7 AES_192_CM_HMAC_SHA1_32 inline:K5rGraoWN0x2r3OHxKDMxDY4uk4TZC6z2Lu9NIU8YY/BesMyICA=
a=crypto:8 AES_CM_128_HMAC_SHA1_32 inline:CYuxgxVh3SpfdN4uXoR5M709+19SQMuNepdP0Dw8
a=crypto:9 AES_CM_128_NULL_AUTH inline:DzAaqmSiBsFG997HKmMhoFkxOo3c9TY7mO6fFHOn
";

/// Asterisk chan_pjsip with `media_encryption=sdes`: RTP/SAVP, 32-bit tag
/// preferred (`srtp_tag_32=yes`), then the 80-bit one and AES-256.
pub(crate) const ASTERISK_SDES: &str = "\
v=0
o=- 1545997027 3 IN IP4 203.0.113.20
s=Asterisk
c=IN IP4 203.0.113.20
t=0 0
m=audio 18230 RTP/SAVP 8 0 101
a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:VAzLKvoE3jG9cdH/AZsl/ZqWNXrUzyM4Gw6chrFr
a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:cJOJ7kxQjhFBp2fP6AYjs3vKw7CeBdWZCj0isbJv
a=crypto:3 AES_256_CM_HMAC_SHA1_80 inline:8AbZePWwsKhLGX3GlXA+yHYPQ3cgraer/9DkFJYCOPZZy3o9wC0NIbIFYZfyHw==
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ptime:20
a=maxptime:150
a=sendrecv
";
