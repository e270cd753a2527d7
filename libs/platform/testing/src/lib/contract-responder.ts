import {
  AppError,
  CommonErrorCodes,
  describeIssues,
  ERROR_KIND_STATUS,
  type RpcContract,
  type RpcRequest,
  type RpcResult,
} from '@switchboard/contracts';
import { headers, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The error headers `NatsTransport` puts on an error reply. Spelled out here because
 * platform-messaging's own tests use this library, so it cannot import `WireHeaders`.
 */
const ERROR_HEADERS = {
  SERVICE_ERROR_CODE: 'Nats-Service-Error-Code',
  SERVICE_ERROR: 'Nats-Service-Error',
  ERROR_CODE: 'Switchboard-Error-Code',
} as const;

/** Computes a contract's result from its validated request; throw an `AppError` to refuse. */
export type ContractHandler<C extends RpcContract> = (
  request: RpcRequest<C>,
) => RpcResult<C> | Promise<RpcResult<C>>;

export interface RespondOptions {
  /** Reply only this many milliseconds after the handler returned, as a slow service would. */
  delayMs?: number;
}

/**
 * Another service's side of one RPC contract, for a domain's own tests (a domain may not import
 * another): answers the contract's subject on the wire as that service's `NatsTransport` would.
 *
 * - A request that is not JSON or breaks the contract's request schema is answered
 *   `INVALID_ARGUMENT` (details name the bad fields) without calling the handler.
 * - The handler's result is checked against the result schema and sent as `{ ok: true, ...result }`.
 * - A thrown `AppError` leaves as its error envelope `{ ok: false, code, message, retriable,
 *   details }` with the `Nats-Service-Error-Code`, `Nats-Service-Error` and
 *   `Switchboard-Error-Code` headers; anything else (a result that breaks the contract included)
 *   as `INTERNAL` with an error id, its cause written to stderr.
 *
 * `stop()` unsubscribes, so callers get "no responders" at once, as from a service that is down;
 * `blackHole()` takes requests and never answers, so callers run into their deadline; `delayMs`
 * makes replies late.
 */
export class ContractResponder<C extends RpcContract> {
  /** Reply only this many milliseconds after the handler returned; 0 replies at once. */
  delayMs: number;
  private subscription: Subscription | undefined;

  constructor(
    private readonly nats: NatsConnection,
    readonly contract: C,
    private readonly handler: ContractHandler<C>,
    options: RespondOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 0;
  }

  /** True while requests reach this responder (answered or black-holed). */
  get subscribed(): boolean {
    return this.subscription !== undefined;
  }

  /** Answers the contract's subject (again, after `stop()` or `blackHole()`). */
  async start(): Promise<void> {
    await this.listen((msg) => void this.answer(msg));
  }

  /** Stops answering, as if the service were down: callers get "no responders". */
  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.nats.flush();
  }

  /** Takes requests and never answers, as a hung service would: callers hit their deadline. */
  async blackHole(): Promise<void> {
    await this.listen(() => undefined);
  }

  private async listen(receive: (msg: Msg) => void): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = this.nats.subscribe(this.contract.subject, {
      callback: (_error, msg) => receive(msg),
    });
    // Once flushed the server knows the subscription: a request sent next reaches it.
    await this.nats.flush();
  }

  private async answer(msg: Msg): Promise<void> {
    let reply: { body: Uint8Array; headers?: MsgHdrs };
    try {
      const request = this.parse(msg);
      const result = this.contract.result.safeParse(await this.handler(request));
      if (!result.success) {
        throw new Error(
          `Handler of ${this.contract.subject} returned a result that breaks its contract: ` +
            JSON.stringify(describeIssues(result.error)),
        );
      }
      reply = { body: encoder.encode(JSON.stringify({ ok: true, ...result.data })) };
    } catch (error) {
      reply = this.errorReply(error);
    }
    if (this.delayMs > 0) await sleep(this.delayMs);
    msg.respond(reply.body, reply.headers ? { headers: reply.headers } : undefined);
  }

  private parse(msg: Msg): RpcRequest<C> {
    const subject = this.contract.subject;
    let body: unknown;
    try {
      body = JSON.parse(decoder.decode(msg.data));
    } catch (error) {
      throw new AppError(
        CommonErrorCodes.INVALID_ARGUMENT,
        'invalid_argument',
        `Body of ${subject} is not valid JSON: ${(error as Error).message}`,
      );
    }
    const parsed = this.contract.request.safeParse(body);
    if (!parsed.success) {
      throw new AppError(
        CommonErrorCodes.INVALID_ARGUMENT,
        'invalid_argument',
        `Body of ${subject} does not match its contract`,
        describeIssues(parsed.error),
      );
    }
    return parsed.data as RpcRequest<C>;
  }

  private errorReply(error: unknown): { body: Uint8Array; headers: MsgHdrs } {
    let appError: AppError;
    if (error instanceof AppError) {
      appError = error;
    } else {
      const errorId = randomUUID();
      // The real service logs the cause and tells the caller only the error id.
      process.stderr.write(
        `ContractResponder(${this.contract.subject}): internal error ${errorId}: ${String(error)}\n`,
      );
      appError = new AppError(CommonErrorCodes.INTERNAL, 'internal', 'Internal error', {
        errorId,
      });
    }
    const envelope = appError.toEnvelope();
    const replyHeaders = headers();
    replyHeaders.set(ERROR_HEADERS.SERVICE_ERROR_CODE, String(ERROR_KIND_STATUS[appError.kind]));
    // A header value cannot hold line breaks.
    replyHeaders.set(ERROR_HEADERS.SERVICE_ERROR, envelope.message.replace(/[\r\n]+/g, ' '));
    replyHeaders.set(ERROR_HEADERS.ERROR_CODE, envelope.code.replace(/[\r\n]+/g, ' '));
    return {
      body: encoder.encode(JSON.stringify({ ok: false, ...envelope })),
      headers: replyHeaders,
    };
  }
}

/**
 * Starts answering `contract` on `nats` with `handler` (see {@link ContractResponder}); resolves
 * once the server knows the subscription.
 *
 * @example
 * const stories = await respond(nats, Stories.ActiveCount, ({ userIds }) => ({ total: 0, perUser: [] }));
 * await stories.stop(); // stories is down
 */
export async function respond<C extends RpcContract>(
  nats: NatsConnection,
  contract: C,
  handler: ContractHandler<C>,
  options?: RespondOptions,
): Promise<ContractResponder<C>> {
  const responder = new ContractResponder(nats, contract, handler, options);
  await responder.start();
  return responder;
}
