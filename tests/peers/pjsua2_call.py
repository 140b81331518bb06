"""A PJSUA2 caller for tests/pjsua2.rs: calls voxgate over UDP on 127.0.0.1, records what it
hears to a WAV (8 kHz mono), waits for the greeting to play out, sends RFC 4733 DTMF with
call.dialDtmf (first --digits, then --last), and waits for voxgate to hang up.

Exit status: 0 when the call was answered, the digits went out and the remote side hung up
in time; 1 on any failure (the reason on stderr); 2 when pjsua2 cannot be imported.
Every wait is bounded: the event loop is libHandleEvents in a loop with a deadline.
"""

import argparse
import sys
import time

try:
    import pjsua2 as pj
    from pjsua2_common import RecordingCall, pump, pump_for, run_then_exit, start_endpoint
except ImportError as e:  # the Rust test decides whether that is a skip or a failure
    print(f"pjsua2 not importable: {e}", file=sys.stderr)
    sys.exit(2)


def log(msg):
    print(f"pjsua2_call: {msg}", file=sys.stderr, flush=True)


def make_account(args):
    acfg = pj.AccountConfig()
    acfg.idUri = "sip:pjsua2@127.0.0.1"
    acfg.mediaConfig.transportConfig.port = args.rtp_port
    acfg.mediaConfig.transportConfig.portRange = args.rtp_range
    acfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    acfg.mediaConfig.transportConfig.publicAddress = "127.0.0.1"
    acc = pj.Account()
    acc.create(acfg)
    return acc


def run(args, ep):
    acc = make_account(args)
    call = RecordingCall(acc, args.record, log)
    try:
        call.makeCall(args.target, pj.CallOpParam(True))
        pump(ep, lambda: call.confirmed or call.disconnected, time.monotonic() + 10, "answer")
        if not call.confirmed:
            raise RuntimeError(f"call not answered (status {call.last_status})")
        if call.recorder is None:
            raise RuntimeError("answered without active audio")
        # A key during the greeting would cut it (barge-in): let it play out first.
        pump_for(ep, args.wait_ms / 1000)
        if call.disconnected:
            raise RuntimeError("hung up before the digits")
        call.dialDtmf(args.digits)
        log(f"sent {args.digits!r}")
        pump_for(ep, 1.5)
        call.dialDtmf(args.last)
        log(f"sent {args.last!r}")
        pump(ep, lambda: call.disconnected, time.monotonic() + args.hangup_secs, "voxgate's BYE")
        if call.last_status != 200:
            raise RuntimeError(f"call ended with status {call.last_status}, not a BYE")
        log(f"remote hung up (status {call.last_status})")
        pump_for(ep, 0.2)
    finally:
        # The recorder writes the WAV header when it is destroyed.
        call.recorder = None
        if not call.disconnected:
            try:
                call.hangup(pj.CallOpParam(True))
                pump_for(ep, 0.5)
            except pj.Error as e:
                log(f"hangup: {e.info()}")
        del call
        acc.shutdown()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--target", required=True, help="sip:svc@127.0.0.1:PORT")
    ap.add_argument("--sip-port", type=int, required=True)
    ap.add_argument("--rtp-port", type=int, required=True)
    ap.add_argument("--rtp-range", type=int, default=18)
    ap.add_argument("--record", required=True, help="WAV file for what the call heard")
    ap.add_argument("--wait-ms", type=int, default=6500, help="before the first digit")
    ap.add_argument("--digits", default="45*")
    ap.add_argument("--last", default="#")
    ap.add_argument("--hangup-secs", type=float, default=20)
    args = ap.parse_args()
    ep = start_endpoint(args.sip_port, "voxgate-test-pjsua2", max_calls=1)
    run_then_exit(ep, run, args, log)


if __name__ == "__main__":
    main()
