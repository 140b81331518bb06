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
for target in message stream sdp; do
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
echo "seeded $(ls "$here/corpus/sdp" | wc -l) sdp, $(ls "$here/corpus/message" | wc -l) message and $(ls "$here/corpus/stream" | wc -l) stream inputs"
