import { Chat } from '@switchboard/contracts';
import { signDevToken } from '@switchboard/platform-auth';
import { TEST_JWT_SECRET } from '@switchboard/platform-testing';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/** The most members a group conversation may have, its creator included. */
export const CHAT_GROUP_MAX = Chat.GROUP_MEMBERS_MAX;

/** Sockets opened at once while a fleet grows: enough to be quick, few enough not to time out. */
const CONNECT_CONCURRENCY = 50;
const READY_TIMEOUT_MS = 15_000;

/** What a socket saw of one chat message frame: the message's text and when the frame arrived. */
export type MessageListener = (text: string, receivedAt: number) => void;

/**
 * The sockets of many users on one gateway, held by this process: `user-00042` and so on, one
 * socket each. Every `chat.message.created` frame any of them receives goes to one listener, so
 * the benchmark sees each delivery as it happens.
 */
export class SocketFleet {
  private readonly sockets: WebSocket[] = [];
  private closedUnexpectedly = 0;
  private listener: MessageListener = () => undefined;

  constructor(private readonly wsBase: string) {}

  static userId(index: number): string {
    return `user-${String(index).padStart(5, '0')}`;
  }

  get size(): number {
    return this.sockets.length;
  }

  /** Sockets that closed while the benchmark still held them (a slow-reader close, a crash). */
  get dropped(): number {
    return this.closedUnexpectedly;
  }

  onMessage(listener: MessageListener): void {
    this.listener = listener;
  }

  /** Opens sockets until there are `total`, each waiting for its `ready` frame; returns the ms it took. */
  async growTo(total: number): Promise<number> {
    const started = performance.now();
    let next = this.sockets.length;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const index = next++;
        this.sockets[index] = await this.open(SocketFleet.userId(index));
      }
    };
    await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
    return performance.now() - started;
  }

  async close(): Promise<void> {
    const closing = this.sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close(1000, 'benchmark over');
        }),
    );
    this.sockets.length = 0;
    await Promise.all(closing);
  }

  private async open(userId: string): Promise<WebSocket> {
    const token = await signDevToken(userId, TEST_JWT_SECRET);
    const socket = new WebSocket(`${this.wsBase}/ws?access_token=${token}`);
    let held = false;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${userId}: no ready frame within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
      socket.on('message', (data: Buffer) => {
        const text = String(data);
        if (!held) {
          if (text.includes('"type":"ready"')) {
            held = true;
            clearTimeout(timer);
            resolve();
          }
          return;
        }
        // Most frames are messages: a cheap test first keeps this process from being the bottleneck.
        if (!text.includes(Chat.MessageCreated.subject)) return;
        const frame = JSON.parse(text) as { data: { message: { text: string } } };
        this.listener(frame.data.message.text, performance.now());
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`${userId}: ${error.message}`));
      });
      socket.on('close', (code) => {
        if (held && this.sockets.includes(socket)) this.closedUnexpectedly++;
        if (!held) reject(new Error(`${userId}: closed with ${code} before ready`));
      });
    });
    return socket;
  }
}
