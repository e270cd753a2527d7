import { Inject, Injectable } from '@nestjs/common';
import { describeIssues, type EventContract, type EventPayload } from '@switchboard/contracts';
import { uuidv7 } from '@switchboard/platform-persistence';
import { type EntityManager } from 'typeorm';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { outgoingTraceContext } from '../call-context';
import { WireHeaders } from '../wire-headers';
import { OutboxMessageEntity } from './outbox-message.entity';

/** Query-runner flag the commit hook reads to wake the relay. */
export const OUTBOX_WRITTEN = 'switchboard.outboxWritten';

export interface OutboxAddOptions {
  /** Extra headers to publish with the event (e.g. `traceparent`). */
  headers?: Record<string, string>;
}

/**
 * The only way to publish an event: `outbox.add(manager, Contract, payload)` inside the transaction
 * that changes the state the event announces. Both commit or neither does; the relay publishes.
 */
@Injectable()
export class Outbox {
  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {}

  /** Validates and stores the event; returns its id (also its `Nats-Msg-Id` and event id). */
  async add<C extends EventContract>(
    manager: EntityManager,
    contract: C,
    payload: EventPayload<C>,
    options: OutboxAddOptions = {},
  ): Promise<string> {
    const hosted = this.options.domains;
    if (hosted !== undefined && !hosted.includes(contract.domain)) {
      throw new Error(
        `${this.options.serviceName} cannot publish ${contract.subject}: a process publishes only ` +
          `the events of the domains it hosts (${hosted.map((domain) => `evt.${domain}.…`).join(', ')})`,
      );
    }
    const parsed = contract.payload.safeParse(payload);
    if (!parsed.success) {
      // A broken event is a bug in this service, not bad input: fail the transaction loudly.
      throw new Error(
        `Event for ${contract.subject} breaks its contract: ${JSON.stringify(describeIssues(parsed.error))}`,
      );
    }
    const id = uuidv7();
    // The trace of the request that caused the event continues in its consumers.
    const trace = outgoingTraceContext();
    const headers: Record<string, string> = {
      [WireHeaders.SOURCE]: this.options.serviceName,
      [WireHeaders.TRACEPARENT]: trace.traceparent,
      ...(trace.tracestate === undefined ? {} : { [WireHeaders.TRACESTATE]: trace.tracestate }),
      ...options.headers,
    };
    await manager.insert(OutboxMessageEntity, {
      id,
      subject: contract.subject,
      payload: JSON.stringify(parsed.data),
      headers: JSON.stringify(headers),
      createdAt: new Date(),
    });
    if (manager.queryRunner) manager.queryRunner.data[OUTBOX_WRITTEN] = true;
    return id;
  }
}
