"""A PJSUA2 human agent's phone for tests/human_agents.rs: registers to voxgate as --user with
digest (--password), answers the first incoming call, records what it hears to --record (8 kHz
mono WAV) and, --speak-after-secs later (a person listens to the whisper first), plays --play
into it; --talk-secs after answering it hangs up (or voxgate does).

Prints "registered" on stdout once the REGISTER got its 200 and "answered" once the call is
confirmed. Exit status: 0 when it registered and a call was answered, had active audio and
ended; 1 on any failure (the reason on stderr); 2 when pjsua2 cannot be imported. Every wait is
bounded: the event loop is libHandleEvents in a loop with a deadline.
"""

import argparse
import sys
import time

try:
    import pjsua2 as pj
    from pjsua2_common import RecordingCall, pump, run_then_exit, start_endpoint
except ImportError as e:  # the Rust test decides whether that is a skip or a failure
    print(f"pjsua2 not importable: {e}", file=sys.stderr)
    sys.exit(2)


def log(msg):
    print(f"pjsua2_agent: {msg}", file=sys.stderr, flush=True)


def say(msg):
    print(msg, flush=True)


class Call(RecordingCall):
    """Records once media is active; speaks when told."""

    def __init__(self, account, call_id, args):
        super().__init__(account, args.record, log, call_id)
        self.args = args
        self.player = None

    def on_confirmed(self):
        say("answered")

    def speak(self):
        """Starts playing --play into the call, once."""
        if self.player is None and self.recorder is not None:
            self.player = pj.AudioMediaPlayer()
            self.player.createPlayer(self.args.play, pj.PJMEDIA_FILE_NO_LOOP)
            self.player.startTransmit(self.audio)
            log("speaking")


class Account(pj.Account):
    def __init__(self, args):
        super().__init__()
        self.args = args
        self.registered = False
        self.call = None

    def onRegState(self, prm):
        log(f"registration {prm.code} {prm.reason}")
        if prm.code == 200 and not self.registered:
            self.registered = True
            say("registered")

    def onIncomingCall(self, prm):
        call = Call(self, prm.callId, self.args)
        if self.call is not None:
            op = pj.CallOpParam()
            op.statusCode = 486
            call.answer(op)
            return
        self.call = call
        op = pj.CallOpParam()
        op.statusCode = 200
        call.answer(op)


def run(args, ep):
    acfg = pj.AccountConfig()
    acfg.idUri = f"sip:{args.user}@127.0.0.1:{args.registrar}"
    acfg.regConfig.registrarUri = f"sip:127.0.0.1:{args.registrar}"
    acfg.regConfig.timeoutSec = 300
    acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", args.user, 0, args.password))
    acfg.mediaConfig.transportConfig.port = args.rtp_port
    acfg.mediaConfig.transportConfig.portRange = 18
    acfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    acfg.mediaConfig.transportConfig.publicAddress = "127.0.0.1"
    acc = Account(args)
    acc.create(acfg)
    try:
        start = time.monotonic()
        pump(ep, lambda: acc.registered, start + 15, "the registration")
        pump(ep, lambda: acc.call is not None and acc.call.confirmed, start + args.wait_secs,
             "a call")
        call = acc.call
        if call.recorder is None:
            raise RuntimeError("answered without active audio")
        answered = time.monotonic()
        end = answered + args.talk_secs
        while time.monotonic() < end and not call.disconnected:
            if time.monotonic() >= answered + args.speak_after_secs:
                call.speak()
            ep.libHandleEvents(20)
        if not call.disconnected:
            call.hangup(pj.CallOpParam(True))
            pump(ep, lambda: call.disconnected, time.monotonic() + 5, "the end of the call")
        log("call over")
    finally:
        # The recorder writes the WAV header when it is destroyed.
        if acc.call is not None:
            acc.call.recorder = None
            acc.call.player = None
        acc.call = None
        acc.shutdown()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--registrar", type=int, required=True, help="voxgate's SIP port")
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--sip-port", type=int, required=True)
    ap.add_argument("--rtp-port", type=int, required=True)
    ap.add_argument("--play", required=True, help="WAV (8 kHz mono) played into the call")
    ap.add_argument("--record", required=True, help="WAV file for what the agent heard")
    ap.add_argument("--wait-secs", type=float, default=60, help="for a call to come")
    ap.add_argument("--talk-secs", type=float, default=12)
    ap.add_argument("--speak-after-secs", type=float, default=6)
    args = ap.parse_args()
    ep = start_endpoint(args.sip_port, "voxgate-test-pjsua2-agent", max_calls=2)
    run_then_exit(ep, run, args, log)


if __name__ == "__main__":
    main()
