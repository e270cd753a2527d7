import { AppError, Chat, CommonErrorCodes, ERROR_KIND_STATUS } from '@switchboard/contracts';
import { headers, type Msg, type NatsConnection, type Subscription } from 'nats';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Chat's side of `rpc.chat.list-contacts.v1` for stories' own tests (stories may not import the
 * chat domain): a plain NATS responder that validates requests and replies with the contract and
 * answers from a map the test controls. `stop()` makes chat unreachable ("no responders");
 * `blackHole()` makes it receive requests and never answer (callers hit their deadline).
 */
export class FakeChatContacts {
  /** Requests received, oldest first. */
  readonly requests: string[] = [];
  private readonly contacts = new Map<string, Set<string>>();
  private subscription: Subscription | undefined;

  constructor(private readonly nats: NatsConnection) {}

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

  async start(): Promise<void> {
    await this.subscribe((msg) => this.reply(msg));
  }

  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.nats.flush();
  }

  async blackHole(): Promise<void> {
    await this.subscribe(() => undefined);
  }

  private async subscribe(handle: (msg: Msg) => void): Promise<void> {
    await this.stop();
    this.subscription = this.nats.subscribe(Chat.ListContacts.subject, {
      callback: (_error, msg) => handle(msg),
    });
    await this.nats.flush();
  }

  private of(userId: string): Set<string> {
    let set = this.contacts.get(userId);
    if (!set) this.contacts.set(userId, (set = new Set()));
    return set;
  }

  private reply(msg: Msg): void {
    try {
      const request = Chat.ListContacts.request.safeParse(JSON.parse(decoder.decode(msg.data)));
      if (!request.success) {
        throw new AppError(
          CommonErrorCodes.INVALID_ARGUMENT,
          'invalid_argument',
          request.error.message,
        );
      }
      this.requests.push(request.data.userId);
      const result = Chat.ListContacts.result.parse({
        userIds: [...this.of(request.data.userId)].sort(),
      });
      msg.respond(encoder.encode(JSON.stringify({ ok: true, ...result })));
    } catch (error) {
      const appError =
        error instanceof AppError
          ? error
          : new AppError(CommonErrorCodes.INTERNAL, 'internal', String(error));
      const replyHeaders = headers();
      replyHeaders.set('Nats-Service-Error-Code', String(ERROR_KIND_STATUS[appError.kind]));
      replyHeaders.set('Nats-Service-Error', appError.message);
      replyHeaders.set('Switchboard-Error-Code', appError.code);
      msg.respond(encoder.encode(JSON.stringify({ ok: false, ...appError.toEnvelope() })), {
        headers: replyHeaders,
      });
    }
  }
}
