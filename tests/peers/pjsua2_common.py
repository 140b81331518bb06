"""What the PJSUA2 test peers share: a single-threaded endpoint on 127.0.0.1 over UDP with
the null sound device and 8 kHz mono media, a call that records what it hears, and bounded
event loops."""

import sys
import time

import pjsua2 as pj


class RecordingCall(pj.Call):
    """Tracks the call state (`confirmed`, `disconnected`, `last_status`) and, once its audio is
    active, records what it hears to `record_path` (`audio` is that audio media afterwards).
    `on_confirmed` runs once the call is confirmed."""

    def __init__(self, account, record_path, log, call_id=pj.PJSUA_INVALID_ID):
        super().__init__(account, call_id)
        self.record_path = record_path
        self.log = log
        self.recorder = None
        self.audio = None
        self.confirmed = False
        self.disconnected = False
        self.last_status = None

    def on_confirmed(self):
        pass

    def onCallState(self, prm):
        ci = self.getInfo()
        self.log(f"state {ci.stateText} ({ci.lastStatusCode} {ci.lastReason})")
        if ci.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.confirmed = True
            self.on_confirmed()
        elif ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.disconnected = True
            self.last_status = ci.lastStatusCode

    def onCallMediaState(self, prm):
        if self.recorder is not None:
            return
        ci = self.getInfo()  # keep it alive: ci.media points into it
        for i, mi in enumerate(ci.media):
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                audio = self.getAudioMedia(i)
                self.recorder = pj.AudioMediaRecorder()
                self.recorder.createRecorder(self.record_path)
                audio.startTransmit(self.recorder)
                self.audio = audio
                self.log(f"media active: recording to {self.record_path}")


def pump(ep, until, deadline, what):
    """Handles events until `until()` is true; fails at `deadline`."""
    while not until():
        if time.monotonic() >= deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        ep.libHandleEvents(20)


def pump_for(ep, secs):
    """Handles events for `secs` seconds."""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        ep.libHandleEvents(20)


def start_endpoint(sip_port, user_agent, max_calls=1):
    """A started endpoint with its UDP transport on 127.0.0.1:`sip_port`."""
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.maxCalls = max_calls
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.uaConfig.userAgent = user_agent
    cfg.medConfig.noVad = True
    cfg.medConfig.clockRate = 8000
    cfg.medConfig.sndClockRate = 8000
    cfg.medConfig.channelCount = 1
    cfg.logConfig.level = 4
    cfg.logConfig.consoleLevel = 3
    ep.libInit(cfg)
    tcfg = pj.TransportConfig()
    tcfg.port = sip_port
    tcfg.boundAddress = "127.0.0.1"
    tcfg.publicAddress = "127.0.0.1"
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
    ep.libStart()
    ep.audDevManager().setNullDev()
    return ep


def run_then_exit(ep, run, args, log):
    """Runs `run(args, ep)`, destroys the endpoint and exits: 0 when it returned, 1 (the
    reason logged) when it raised."""
    status = 0
    try:
        run(args, ep)
    except (RuntimeError, pj.Error) as e:
        info = e.info() if isinstance(e, pj.Error) else str(e)
        log(f"FAILED: {info}")
        status = 1
    finally:
        ep.libDestroy()
    sys.exit(status)
