#!/usr/bin/env bash
# Seeds the fuzz corpora with the RFC 4475 torture messages from ../shared (read-only,
# never committed: corpus/ is git-ignored).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src="$here/../../shared/conformance/rfc4475"
if ! ls "$src"/*.dat >/dev/null 2>&1; then
  echo "seed.sh: no RFC 4475 messages in $src" >&2
  exit 1
fi
for target in message stream sdp rtp rtcp srtp digest; do
  mkdir -p "$here/corpus/$target"
done
cp "$src"/*.dat "$here/corpus/message/"
# The stream target reads two bytes of settings first: prefix each message with two bytes
# that keep the default limits.
for f in "$src"/*.dat; do
  { printf '\x07\x01'; cat "$f"; } > "$here/corpus/stream/$(basename "$f")"
done
# The SDP target gets the bodies of the messages that carry one.
for f in "$src"/*.dat; do
  awk 'BEGIN{RS="\r\n\r\n"} NR==2{print; exit}' "$f" | grep -q "^v=0" \
    && awk 'BEGIN{RS="\r\n\r\n"} NR==2{printf "%s", $0; exit}' "$f" > "$here/corpus/sdp/$(basename "$f" .dat).sdp"
done
# The SDP samples of sip/tests/sdp/samples.rs (plain, SAVP and OSRTP offers), CRLF.
python3 - "$here" <<'PY'
import re, sys
here = sys.argv[1]
text = open(f"{here}/../sip/tests/sdp/samples.rs").read()
for i, body in enumerate(re.findall(r'= "\\\n(.*?)";', text, re.S)):
    open(f"{here}/corpus/sdp/sample{i}.sdp", "w").write(body.replace("\n", "\r\n"))
PY
# Digest header values (RFC 3261 §25 style), RTP/RTCP packets, and the libsrtp reference
# packets for srtp (first byte: bit 0 picks the suite, bit 1 RTP or RTCP).
printf 'Digest username="alice", realm="atlanta.example.com", nonce="84a4cc6f3082121f32b42a2187831a9e", uri="sip:bob@biloxi.example.com", response="7587245234b3434cc3412213e5f113a5", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001, opaque="5ccc069c403ebaf9f0171e9517f40e41"' > "$here/corpus/digest/authorization"
printf 'Digest realm="atlanta.example.com", domain="sip:ss1.example.com", qop="auth,auth-int", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=SHA-256' > "$here/corpus/digest/challenge"
printf '\x80\x00\x00\x01\x00\x00\x00\xa0\x12\x34\x56\x78\xff\xff' > "$here/corpus/rtp/pcmu"
printf '\x81\xc9\x00\x07\x00\x00\xab\xcd\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' > "$here/corpus/rtcp/rr"
printf '\x00\x80\x0f\x12\x34\xde\xca\xfb\xad\xca\xfe\xba\xbe\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab' > "$here/corpus/srtp/rtp"
printf '\x02\x81\xc8\x00\x0b\xca\xfe\xba\xbe\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab' > "$here/corpus/srtp/rtcp"
echo "seeded $(ls "$here/corpus/sdp" | wc -l) sdp, $(ls "$here/corpus/message" | wc -l) message and $(ls "$here/corpus/stream" | wc -l) stream inputs"
