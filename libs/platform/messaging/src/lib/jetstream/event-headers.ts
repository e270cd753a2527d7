/** NATS headers of events and dead letters (RPC headers live in `wire-headers.ts`). */
export const EventHeaders = {
  /**
   * The event's identity for consumers' inboxes. Equal to `Nats-Msg-Id` when the relay publishes;
   * a replay from the DLQ keeps it while using a new `Nats-Msg-Id`, so JetStream accepts the replay
   * and a consumer that already handled the event still sees it as a duplicate.
   */
  EVENT_ID: 'Switchboard-Event-Id',
  DLQ_SUBJECT: 'Switchboard-Dlq-Subject',
  DLQ_STREAM: 'Switchboard-Dlq-Stream',
  DLQ_STREAM_SEQ: 'Switchboard-Dlq-Stream-Seq',
  DLQ_CONSUMER: 'Switchboard-Dlq-Consumer',
  DLQ_ATTEMPTS: 'Switchboard-Dlq-Attempts',
  DLQ_ERROR: 'Switchboard-Dlq-Error',
  DLQ_FAILED_AT: 'Switchboard-Dlq-Failed-At',
} as const;
