import { Inject, Injectable } from '@nestjs/common';
import { describeIssues, type EventContract, type EventPayload } from '@switchboard/contracts';
import { headers, type NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { encodeJson } from './json-codec';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { NATS_CONNECTION } from './nats-connection';
import { WireHeaders } from './wire-headers';

export interface PublishOptions {
  /** Stable id of this event (de-duplication key); a fresh UUID when omitted. */
  messageId?: string;
}

/** Publishes typed events as plain JSON, validated against their contract before they leave. */
@Injectable()
export class EventPublisher {
  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  /** Returns the message id the event was published with. */
  publish<C extends EventContract>(
    contract: C,
    payload: EventPayload<C>,
    options: PublishOptions = {},
  ): string {
    const parsed = contract.payload.safeParse(payload);
    if (!parsed.success) {
      // A broken event is a bug in the publishing service, not bad user input.
      throw new Error(
        `Event for ${contract.subject} breaks its contract: ${JSON.stringify(describeIssues(parsed.error))}`,
      );
    }
    const messageId = options.messageId ?? randomUUID();
    const eventHeaders = headers();
    eventHeaders.set(WireHeaders.MESSAGE_ID, messageId);
    eventHeaders.set(WireHeaders.SOURCE, this.options.serviceName);
    this.connection.publish(contract.subject, encodeJson(parsed.data), { headers: eventHeaders });
    return messageId;
  }
}
