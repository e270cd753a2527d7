import { type Call, type CallState, type Signal } from './types';

export interface SignalLogEntry {
  /** `offer:out`, `answer:in`, `ice-candidate:out`, `info`… (a stable hook for tests). */
  kind: string;
  text: string;
  at: Date;
}

export const FINAL_STATES: ReadonlySet<CallState> = new Set([
  'ended',
  'failed',
  'declined',
  'missed',
  'cancelled',
]);

/** How a signal leaves: over the socket when it is open, else `POST /calls/:id/signal`. */
export type SendSignal = (callId: string, toUserId: string, signal: Signal) => Promise<void>;

/**
 * One call as this user sees it: the call's state from the calls service, and the WebRTC
 * offer/answer exchange with the other side. The caller offers once someone accepted; the one who
 * accepted answers. A real `RTCPeerConnection` (with a data channel, no microphone needed) is used
 * when the browser has one; otherwise a placeholder SDP still shows the exchange.
 */
export class CallSession {
  readonly log: SignalLogEntry[] = [];
  /** The peer connection's own state, when there is one (`new`, `connecting`, `connected`…). */
  peerState = 'not started';
  private peer: RTCPeerConnection | undefined;
  private readonly earlyCandidates: RTCIceCandidateInit[] = [];
  private candidatesOut = 0;
  private candidatesIn = 0;

  constructor(
    public call: Call,
    readonly me: string,
    private readonly send: SendSignal,
    private readonly changed: () => void,
  ) {
    this.note('info', `${call.callerId === me ? 'You call' : `${call.callerId} calls`} · ringing`);
  }

  get isCaller(): boolean {
    return this.call.callerId === this.me;
  }

  get isOver(): boolean {
    return FINAL_STATES.has(this.call.state);
  }

  /** The person on the other end: whoever accepted (or the first invitee) for the caller. */
  get other(): string {
    if (!this.isCaller) return this.call.callerId;
    return this.call.acceptedBy ?? this.call.inviteeIds.join(', ');
  }

  /** The calls service says the call changed (an HTTP answer or an event). */
  update(call: Call): void {
    const before = this.call;
    if (call.id !== before.id) return;
    this.call = call;
    if (before.state !== call.state) {
      this.note('info', `state: ${call.state}${call.acceptedBy ? ` (${call.acceptedBy})` : ''}`);
    }
    if (before.state === 'ringing' && call.state === 'active' && this.isCaller && call.acceptedBy) {
      void this.offer(call.acceptedBy);
    }
    if (FINAL_STATES.has(call.state)) this.closePeer();
    this.changed();
  }

  /** A signal from the other side (`push.calls.signal.v1`). */
  async receive(from: string, signal: Signal): Promise<void> {
    try {
      if (signal.type === 'offer') {
        this.note('offer:in', `← offer from ${from} (${sizeOf(signal.sdp)})`);
        const answer = await this.answer(signal.sdp);
        this.note('answer:out', `→ answer to ${from} (${sizeOf(answer)})`);
        await this.transmit(from, { type: 'answer', sdp: answer });
      } else if (signal.type === 'answer') {
        this.note('answer:in', `← answer from ${from} (${sizeOf(signal.sdp)})`);
        if (this.peer && this.peer.signalingState === 'have-local-offer') {
          await this.peer.setRemoteDescription({ type: 'answer', sdp: signal.sdp });
          await this.flushCandidates();
        }
      } else {
        this.candidatesIn++;
        this.note('ice-candidate:in', `← ${this.candidatesIn} ICE candidate(s) from ${from}`, true);
        const candidate: RTCIceCandidateInit = {
          candidate: signal.candidate,
          sdpMid: signal.sdpMid ?? null,
          sdpMLineIndex: signal.sdpMLineIndex ?? null,
        };
        if (this.peer?.remoteDescription) await this.peer.addIceCandidate(candidate);
        else this.earlyCandidates.push(candidate);
      }
    } catch (error) {
      this.note('error', `signaling failed: ${messageOf(error)}`);
    }
    this.changed();
  }

  close(): void {
    this.closePeer();
  }

  private async offer(to: string): Promise<void> {
    try {
      const sdp = await this.createOffer(to);
      this.note('offer:out', `→ offer to ${to} (${sizeOf(sdp)})`);
      await this.transmit(to, { type: 'offer', sdp });
    } catch (error) {
      this.note('error', `could not send the offer: ${messageOf(error)}`);
    }
    this.changed();
  }

  private async createOffer(to: string): Promise<string> {
    const peer = this.openPeer(to);
    if (peer === undefined) return placeholderSdp('offer');
    const channel = peer.createDataChannel('switchboard');
    channel.onopen = () => {
      this.note('info', 'data channel open: peer-to-peer link up');
      channel.send(`hello from ${this.me}`);
      this.changed();
    };
    const offer = await peer.createOffer();
    await peer.setLocalDescription(offer);
    return offer.sdp ?? placeholderSdp('offer');
  }

  private async answer(offerSdp: string): Promise<string> {
    if (offerSdp.includes('s=switchboard-placeholder')) return placeholderSdp('answer');
    const peer = this.openPeer(this.call.callerId);
    if (peer === undefined) return placeholderSdp('answer');
    peer.ondatachannel = (event) => {
      event.channel.onmessage = (message) => {
        this.note('info', `data channel: “${String(message.data)}”`);
        this.changed();
      };
    };
    await peer.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    await this.flushCandidates();
    const answer = await peer.createAnswer();
    await peer.setLocalDescription(answer);
    return answer.sdp ?? placeholderSdp('answer');
  }

  /** A peer connection to `to`, or undefined where the browser has none. */
  private openPeer(to: string): RTCPeerConnection | undefined {
    if (typeof RTCPeerConnection === 'undefined') return undefined;
    this.closePeer();
    // No STUN or TURN server: host candidates are enough between two tabs of one machine.
    const peer = new RTCPeerConnection({ iceServers: [] });
    this.peer = peer;
    this.peerState = peer.connectionState;
    peer.onicecandidate = (event) => {
      if (!event.candidate || event.candidate.candidate === '') return;
      const { candidate, sdpMid, sdpMLineIndex } = event.candidate;
      this.transmit(to, { type: 'ice-candidate', candidate, sdpMid, sdpMLineIndex }).then(
        () => {
          this.candidatesOut++;
          this.note('ice-candidate:out', `→ ${this.candidatesOut} ICE candidate(s) to ${to}`, true);
          this.changed();
        },
        () => undefined,
      );
    };
    peer.onconnectionstatechange = () => {
      this.peerState = peer.connectionState;
      this.changed();
    };
    return peer;
  }

  private async flushCandidates(): Promise<void> {
    for (const candidate of this.earlyCandidates.splice(0)) {
      await this.peer?.addIceCandidate(candidate);
    }
  }

  private transmit(to: string, signal: Signal): Promise<void> {
    if (this.isOver) return Promise.reject(new Error('the call is over'));
    return this.send(this.call.id, to, signal);
  }

  private closePeer(): void {
    if (this.peer === undefined) return;
    this.peer.onicecandidate = null;
    this.peer.onconnectionstatechange = null;
    this.peer.close();
    this.peer = undefined;
    this.peerState = 'closed';
  }

  /** Adds a line; `replace` updates the last line of the same kind instead (candidate counters). */
  private note(kind: string, text: string, replace = false): void {
    const last = [...this.log].reverse().find((entry) => entry.kind === kind);
    if (replace && last !== undefined) {
      last.text = text;
      last.at = new Date();
      return;
    }
    this.log.push({ kind, text, at: new Date() });
  }
}

function sizeOf(sdp: string): string {
  return `${sdp.split(/\r?\n/).filter((line) => line !== '').length} SDP lines`;
}

/** A syntactically plausible SDP for browsers without WebRTC: the exchange still shows. */
function placeholderSdp(kind: 'offer' | 'answer'): string {
  const session = Math.floor(Math.random() * 1e12);
  return [
    'v=0',
    `o=- ${session} 1 IN IP4 127.0.0.1`,
    's=switchboard-placeholder',
    't=0 0',
    `a=${kind}`,
    '',
  ].join('\r\n');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
