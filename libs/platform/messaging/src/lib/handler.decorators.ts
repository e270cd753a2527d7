import { applyDecorators, Catch, type ExceptionFilter, UseFilters } from '@nestjs/common';
import { EventPattern, MessagePattern } from '@nestjs/microservices';
import { type EventContract, type RpcContract } from '@switchboard/contracts';
import { throwError, type Observable } from 'rxjs';

/** Which Nest transport takes a handler: RPC handlers go to core NATS, event handlers to JetStream. */
export const JETSTREAM_TRANSPORT = Symbol('SWITCHBOARD_JETSTREAM');

/** Key under which the contract travels in the handler's `extras`, for the transport to validate. */
export const CONTRACT_EXTRA = 'switchboardContract';

/**
 * Nest's default RPC exception filter replaces every non-`RpcException` with a generic
 * `{status: 'error'}` object. This one hands the original error to our transport, which maps it to
 * the error envelope (keeping `AppError` codes) and logs the rest with an error id.
 */
@Catch()
class PassErrorToTransportFilter implements ExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Declares an RPC handler for a contract. The transport validates the JSON request against
 * `contract.request` before calling the method and the result against `contract.result` after;
 * the method receives the parsed request and returns the result object (or a Promise of it).
 *
 * @example
 *   @RpcHandler(Chat.PostMessage)
 *   post(request: RpcRequest<typeof Chat.PostMessage>): Promise<RpcResult<typeof Chat.PostMessage>>
 */
export function RpcHandler(contract: RpcContract): MethodDecorator {
  return applyDecorators(
    MessagePattern(contract.subject, { [CONTRACT_EXTRA]: contract }),
    UseFilters(new PassErrorToTransportFilter()),
  );
}

/** Key under which `EventHandlerOptions.concurrency` travels in the handler's `extras`. */
export const CONCURRENCY_EXTRA = 'switchboardConcurrency';

/** Key under which `EventHandlerOptions.batch` travels in the handler's `extras`. */
export const BATCH_EXTRA = 'switchboardBatch';

export interface EventHandlerOptions {
  /**
   * At most this many events of this type handled at once by one instance (never more than
   * `EVENTS_CONCURRENCY`), and at most this many delivered and not yet acked. For a handler that
   * waits on something slow (an outside HTTP call) while it holds its transaction's database
   * connection: it then holds at most this many connections, and no event waits in the client's
   * buffer long enough to be redelivered while it waits for a turn.
   */
  concurrency?: number;
  /**
   * Handle the events of this type that are already delivered and waiting (up to the transport's
   * `maxBatch`, or this many when a number) in **one** transaction: one inbox statement and one
   * commit for all of them instead of one each. Off by default. It never waits for more events to
   * arrive, so at low load each event is still handled on its own as soon as it comes.
   *
   * Opt in only when every effect of the handler is written with `context.manager` and nothing
   * else happens: no RPC, HTTP call or message sent, no in-memory state changed. In a batch the
   * handler runs inside a transaction shared with other events; if any of them fails, the batch is
   * rolled back and each event is handled again alone, in a transaction of its own (so a failing
   * event is retried and dead-lettered on its own and the others commit) — the handler may run
   * twice for one delivery, which only effects written with `context.manager` survive unchanged.
   * A handler must also not swallow a failed statement of its own (in Postgres that aborts the
   * shared transaction); catch inside a nested `manager.transaction` (a savepoint) instead.
   */
  batch?: boolean | number;
}

/**
 * Declares an event handler for a contract, served by `JetStreamTransport`: one durable consumer
 * per service and event type, shared by the service's replicas. The payload is validated against
 * `contract.payload`; take it with `@Payload()` and the `EventContext` (the transaction to write
 * effects with) with `@Ctx()`.
 */
export function EventHandler(
  contract: EventContract,
  options: EventHandlerOptions = {},
): MethodDecorator {
  const { concurrency, batch } = options;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new Error(
      `@EventHandler(${contract.subject}): concurrency must be a positive integer, not ${concurrency}`,
    );
  }
  if (typeof batch === 'number' && (!Number.isInteger(batch) || batch < 1)) {
    throw new Error(
      `@EventHandler(${contract.subject}): batch must be true, false or a positive integer, not ${batch}`,
    );
  }
  return applyDecorators(
    EventPattern(contract.subject, JETSTREAM_TRANSPORT, {
      [CONTRACT_EXTRA]: contract,
      ...(concurrency === undefined ? {} : { [CONCURRENCY_EXTRA]: concurrency }),
      ...(batch === undefined || batch === false ? {} : { [BATCH_EXTRA]: batch }),
    }),
    UseFilters(new PassErrorToTransportFilter()),
  );
}
