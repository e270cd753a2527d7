import { Chat } from '@switchboard/contracts';
import { ContractResponder } from '@switchboard/platform-testing';
import { type NatsConnection } from 'nats';

/**
 * Chat's side of `rpc.chat.list-contacts.v1` for stories' own tests (stories may not import the
 * chat domain): a `ContractResponder` answering from a map the test controls. `stop()` makes chat
 * unreachable ("no responders"); `blackHole()` makes it receive requests and never answer (callers
 * hit their deadline).
 */
export class FakeChatContacts {
  /** Requests received, oldest first. */
  readonly requests: string[] = [];
  private readonly contacts = new Map<string, Set<string>>();
  private readonly responder: ContractResponder<typeof Chat.ListContacts>;

  constructor(nats: NatsConnection) {
    this.responder = new ContractResponder(nats, Chat.ListContacts, ({ userId }) => {
      this.requests.push(userId);
      return { userIds: [...this.of(userId)].sort() };
    });
  }

  /** Makes the users contacts of each other (as if they shared a conversation). */
  connect(...userIds: string[]): void {
    for (const a of userIds) {
      for (const b of userIds) if (a !== b) this.of(a).add(b);
    }
  }

  /** They no longer share a conversation. */
  disconnect(a: string, b: string): void {
    this.of(a).delete(b);
    this.of(b).delete(a);
  }

  start(): Promise<void> {
    return this.responder.start();
  }

  stop(): Promise<void> {
    return this.responder.stop();
  }

  blackHole(): Promise<void> {
    return this.responder.blackHole();
  }

  private of(userId: string): Set<string> {
    let set = this.contacts.get(userId);
    if (!set) this.contacts.set(userId, (set = new Set()));
    return set;
  }
}
