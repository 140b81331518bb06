#!/bin/sh
# A stand-in for voxgate-llm in the supervisor's unit tests (src/dialog/llm/worker_tests.rs):
# does what its --model argument ($2) names. It must keep stdout open while it runs (its end
# is how the supervisor notices an exit), so `cat` echoes the (silent) stdin there.
case "$2" in
  serve) echo "listening 127.0.0.1:9"; exec cat ;;
  garbage) echo "hello"; exec cat ;;
  *) echo "model file $2: not found" >&2; exit 3 ;;
esac
