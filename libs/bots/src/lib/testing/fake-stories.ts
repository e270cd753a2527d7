import { type RpcRequest, Stories } from '@switchboard/contracts';
import { ContractResponder } from '@switchboard/platform-testing';
import { type NatsConnection } from 'nats';

/**
 * Stories' side of the wire for bots' tests: a `ContractResponder` on `rpc.stories.active-count.v1`
 * that counts from `activeStories` (user id → active `contacts` stories). `stop()` makes stories
 * unreachable ("no responders"); `delayMs` makes it answer too late.
 */
export class FakeStories {
  readonly activeStories = new Map<string, number>();
  /** Every active-count request received. */
  readonly requests: RpcRequest<typeof Stories.ActiveCount>[] = [];
  private readonly responder: ContractResponder<typeof Stories.ActiveCount>;

  constructor(nats: NatsConnection) {
    this.responder = new ContractResponder(nats, Stories.ActiveCount, (request) => {
      this.requests.push(request);
      const perUser = [...new Set(request.userIds)]
        .map((userId) => ({ userId, count: this.activeStories.get(userId) ?? 0 }))
        .filter(({ count }) => count > 0)
        .sort((a, b) => b.count - a.count || a.userId.localeCompare(b.userId));
      return { total: perUser.reduce((sum, { count }) => sum + count, 0), perUser };
    });
  }

  /** Answer only after this long (to exceed the caller's deadline). */
  get delayMs(): number {
    return this.responder.delayMs;
  }

  set delayMs(delayMs: number) {
    this.responder.delayMs = delayMs;
  }

  start(): Promise<void> {
    return this.responder.start();
  }

  /** Stops answering, as if stories were down: callers get "no responders". */
  stop(): Promise<void> {
    return this.responder.stop();
  }
}
