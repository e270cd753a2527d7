import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import {
  AppError,
  CommonErrorCodes,
  type EventContract,
  type RpcContract,
  describeIssues,
} from '@switchboard/contracts';
import { headers, type Msg, type NatsConnection, type Subscription } from 'nats';
import { lastValueFrom } from 'rxjs';
import { decodeJson, encodeJson } from './json-codec';
import { classifyError } from './error-envelope';
import { CONTRACT_EXTRA } from './handler.decorators';
import { WireHeaders } from './wire-headers';

export const NATS_TRANSPORT = Symbol('SWITCHBOARD_NATS');

export interface NatsTransportOptions {
  connection: NatsConnection;
  /** Queue group: replicas of one service share the work of a subject. */
  serviceName: string;
}

/**
 * A Nest transport over core NATS that keeps Nest's programming model (`@RpcHandler`,
 * `@EventHandler`, guards, interceptors) but puts plain JSON on the wire instead of Nest's
 * `{pattern, data, id}` envelope, so any NATS client can call our subjects.
 */
export class NatsTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = NATS_TRANSPORT;
  private readonly subscriptions: Subscription[] = [];
  /** Handlers still running: nats.js considers a message done once our callback returns. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly log = new Logger('NatsTransport');

  constructor(private readonly options: NatsTransportOptions) {
    super();
  }

  listen(callback: () => void): void {
    for (const [subject, handler] of this.getHandlers()) {
      const contract = handler.extras?.[CONTRACT_EXTRA] as RpcContract | EventContract | undefined;
      if (!contract) {
        throw new Error(
          `Handler for "${subject}" has no contract: declare it with @RpcHandler or @EventHandler`,
        );
      }
      const subscription = this.options.connection.subscribe(subject, {
        queue: this.options.serviceName,
        callback: (error, msg) => {
          if (error) {
            this.log.error(`Subscription to ${subject} failed: ${error.message}`);
            return;
          }
          const work =
            contract.kind === 'rpc'
              ? this.answer(msg, contract, handler)
              : this.deliver(msg, contract, handler);
          this.inFlight.add(work);
          void work.finally(() => this.inFlight.delete(work));
        },
      });
      this.subscriptions.push(subscription);
      this.log.log(`Listening on ${subject} (${contract.kind}, queue ${this.options.serviceName})`);
    }
    callback();
  }

  /** Stops taking messages and waits for the handlers already running to reply. */
  async close(): Promise<void> {
    const connection = this.options.connection;
    if (connection.isClosed()) return;
    await Promise.all(
      this.subscriptions.splice(0).map((subscription) =>
        subscription.drain().catch((error: unknown) => {
          this.log.warn(`Draining a subscription failed: ${String(error)}`);
        }),
      ),
    );
    await Promise.allSettled([...this.inFlight]);
  }

  on(): never {
    throw new Error('NatsTransport does not emit events; watch the NATS connection status instead');
  }

  unwrap<T>(): T {
    return this.options.connection as T;
  }

  private async answer(msg: Msg, contract: RpcContract, handler: MessageHandler): Promise<void> {
    try {
      const request = this.parse(msg, contract.request, contract.subject);
      const result = await lastValueFrom(this.transformToObservable(await handler(request, msg)), {
        defaultValue: undefined,
      });
      const checked = contract.result.safeParse(result);
      if (!checked.success) {
        throw new Error(
          `Handler of ${contract.subject} returned a result that breaks its contract: ` +
            JSON.stringify(describeIssues(checked.error)),
        );
      }
      msg.respond(encodeJson({ ok: true, ...checked.data }));
    } catch (error) {
      const { envelope, status } = classifyError(error, this.log, contract.subject);
      const replyHeaders = headers();
      replyHeaders.set(WireHeaders.SERVICE_ERROR_CODE, String(status));
      replyHeaders.set(WireHeaders.SERVICE_ERROR, envelope.message);
      replyHeaders.set(WireHeaders.ERROR_CODE, envelope.code);
      msg.respond(encodeJson({ ok: false, ...envelope }), { headers: replyHeaders });
    }
  }

  private async deliver(msg: Msg, contract: EventContract, handler: MessageHandler): Promise<void> {
    try {
      const payload = this.parse(msg, contract.payload, contract.subject);
      await lastValueFrom(this.transformToObservable(await handler(payload, msg)), {
        defaultValue: undefined,
      });
    } catch (error) {
      const messageId = msg.headers?.get(WireHeaders.MESSAGE_ID) ?? 'unknown';
      const { envelope } = classifyError(error, this.log, contract.subject);
      this.log.error(
        { code: envelope.code, messageId },
        `Event ${contract.subject} (message ${messageId}) failed: ${envelope.message}`,
      );
    }
  }

  private parse(msg: Msg, schema: RpcContract['request'], subject: string): unknown {
    const decoded = decodeJson(msg.data);
    if (!decoded.ok) {
      throw new AppError(
        CommonErrorCodes.INVALID_ARGUMENT,
        'invalid_argument',
        `Body of ${subject} is not valid JSON: ${decoded.error}`,
      );
    }
    const parsed = schema.safeParse(decoded.value);
    if (!parsed.success) {
      throw new AppError(
        CommonErrorCodes.INVALID_ARGUMENT,
        'invalid_argument',
        `Body of ${subject} does not match its contract`,
        describeIssues(parsed.error),
      );
    }
    return parsed.data;
  }
}
