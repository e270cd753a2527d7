import { type RpcRequest, Stories } from '@switchboard/contracts';
import { type NatsConnection, type Subscription } from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerContract } from './contract-responder';

/**
 * Stories' side of the wire for bots' tests: a responder on `rpc.stories.active-count.v1` that
 * validates with the contract and counts from `activeStories` (user id → active `contacts` stories).
 * `stop()` makes stories unreachable ("no responders"); `delayMs` makes it answer too late.
 */
export class FakeStories {
  readonly activeStories = new Map<string, number>();
  /** Every active-count request received. */
  readonly requests: RpcRequest<typeof Stories.ActiveCount>[] = [];
  /** Answer only after this long (to exceed the caller's deadline). */
  delayMs = 0;
  private subscription?: Subscription;

  constructor(private readonly nats: NatsConnection) {}

  async start(): Promise<void> {
    this.subscription = answerContract(this.nats, Stories.ActiveCount, async (request) => {
      this.requests.push(request);
      if (this.delayMs > 0) await sleep(this.delayMs);
      const perUser = [...new Set(request.userIds)]
        .map((userId) => ({ userId, count: this.activeStories.get(userId) ?? 0 }))
        .filter(({ count }) => count > 0)
        .sort((a, b) => b.count - a.count || a.userId.localeCompare(b.userId));
      return { total: perUser.reduce((sum, { count }) => sum + count, 0), perUser };
    });
    await this.nats.flush();
  }

  /** Stops answering, as if stories were down: callers get "no responders". */
  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.nats.flush();
  }
}
