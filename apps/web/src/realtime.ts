import { type ServerFrame, type Signal } from './types';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface RealtimeHandlers {
  /** An `event` or `push` frame. */
  frame(frame: Extract<ServerFrame, { type: 'event' | 'push' }>): void;
  /**
   * The socket is ready. `resumed`: it reconnected with a cursor and the gateway replayed what was
   * missed; otherwise the client's state must be (re)loaded over HTTP.
   */
  ready(resumed: boolean): void;
  /** The cursor was too old to replay from: reload the state over HTTP. */
  reset(): void;
  status(status: ConnectionStatus, detail: string): void;
  /** The token expired (close 4001) or the gateway refuses it: sign in again. */
  expired(): void;
}

/** Close codes of `/ws`. */
const TOKEN_EXPIRED = 4001;
const TOO_SLOW = 4008;
const GOING_AWAY = 1001;
/** What this client closes a silent socket with (a heartbeat comes every ~25 s). */
const SILENT = 4000;
const SILENCE_LIMIT_MS = 70_000;
const MAX_BACKOFF_MS = 30_000;
const SIGNAL_ACK_TIMEOUT_MS = 5_000;

/** A frame the gateway refused (`{type: 'error', id, data: {code, message}}`). */
export class FrameRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  resolve(): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The `/ws` connection: remembers the cursor of the last frame, reconnects with backoff passing
 * it (so the gateway replays what was missed), and sends call signals as frames with an ack.
 */
export class Realtime {
  private socket: WebSocket | undefined;
  private cursor: string | undefined;
  private attempts = 0;
  private failedBeforeOpen = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private stopped = false;
  private nextId = 0;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly token: string,
    private readonly handlers: RealtimeHandlers,
    /** Asks the API whether the token still works, when a socket could not even open. */
    private readonly tokenStillValid: () => Promise<boolean>,
  ) {}

  start(): void {
    this.connect();
    this.watchdog = setInterval(() => {
      if (
        this.socket?.readyState === WebSocket.OPEN &&
        Date.now() - this.lastFrameAt > SILENCE_LIMIT_MS
      ) {
        this.socket.close(SILENT, 'no heartbeat');
      }
    }, 10_000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.watchdog);
    this.socket?.close(1000, 'signed out');
    this.handlers.status('stopped', 'signed out');
  }

  get open(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends `{type: 'signal', …}` and waits for its `ack`; rejects with `FrameRefused` on `error`. */
  sendSignal(callId: string, toUserId: string, signal: Signal): Promise<void> {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error('not connected'));
    }
    const id = `signal-${++this.nextId}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('no ack from the gateway'));
      }, SIGNAL_ACK_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      socket.send(JSON.stringify({ type: 'signal', id, callId, toUserId, signal }));
    });
  }

  private url(): string {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const cursor = this.cursor === undefined ? '' : `&cursor=${encodeURIComponent(this.cursor)}`;
    return `${scheme}://${location.host}/ws?access_token=${encodeURIComponent(this.token)}${cursor}`;
  }

  private connect(): void {
    const resumed = this.cursor !== undefined;
    this.handlers.status(this.attempts === 0 ? 'connecting' : 'reconnecting', 'connecting…');
    const socket = new WebSocket(this.url());
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.failedBeforeOpen = 0;
      this.lastFrameAt = Date.now();
    };
    socket.onmessage = (message: MessageEvent) => {
      if (typeof message.data === 'string') this.receive(message.data, resumed);
    };
    socket.onclose = (close: CloseEvent) => {
      if (this.socket === socket) this.socket = undefined;
      void this.closed(close.code, opened);
    };
  }

  private receive(text: string, resumed: boolean): void {
    this.lastFrameAt = Date.now();
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return;
    }
    if ('cursor' in frame && typeof frame.cursor === 'string') this.cursor = frame.cursor;
    switch (frame.type) {
      case 'ready':
        this.attempts = 0;
        this.handlers.status('live', resumed ? `resumed, ${frame.data.replayed} replayed` : 'live');
        this.handlers.ready(resumed);
        return;
      case 'reset':
        this.handlers.reset();
        return;
      case 'event':
      case 'push':
        this.handlers.frame(frame);
        return;
      case 'ack':
      case 'error':
        this.settle(frame);
        return;
      case 'heartbeat':
        return;
    }
  }

  private settle(frame: Extract<ServerFrame, { type: 'ack' | 'error' }>): void {
    const pending = frame.id === undefined ? undefined : this.pending.get(frame.id);
    if (pending === undefined || frame.id === undefined) return;
    this.pending.delete(frame.id);
    clearTimeout(pending.timer);
    if (frame.type === 'ack') pending.resolve();
    else pending.reject(new FrameRefused(frame.data.code, frame.data.message));
  }

  private async closed(code: number, opened: boolean): Promise<void> {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error('the socket closed'));
      this.pending.delete(id);
    }
    if (this.stopped) return;
    if (code === TOKEN_EXPIRED) {
      this.handlers.expired();
      return;
    }
    if (!opened) {
      // The upgrade was refused: a bad token (401) and an unreadable cursor (400) look the same
      // to a browser as a gateway that is down, so ask the API about the token, and give up the
      // cursor after a second refusal (the next `ready` then reloads everything).
      this.failedBeforeOpen++;
      if (!(await this.tokenStillValid())) {
        this.handlers.expired();
        return;
      }
      if (this.failedBeforeOpen >= 2) this.cursor = undefined;
    }
    const base = code === TOO_SLOW || code === GOING_AWAY ? 250 : 500;
    const delay = Math.min(MAX_BACKOFF_MS, base * 2 ** this.attempts) * (0.5 + Math.random() / 2);
    this.attempts++;
    const why =
      code === TOO_SLOW
        ? 'too slow'
        : code === GOING_AWAY
          ? 'server restarting'
          : `closed (${code})`;
    this.handlers.status('reconnecting', `${why}; retrying in ${Math.round(delay / 100) / 10} s`);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }
}
