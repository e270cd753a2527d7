/**
 * NATS header names Switchboard puts on the wire. `Nats-Msg-Id` is JetStream's de-duplication key;
 * the `Nats-Service-Error*` pair follows the NATS micro-services protocol so generic tooling shows
 * our errors.
 */
export const WireHeaders = {
  MESSAGE_ID: 'Nats-Msg-Id',
  SERVICE_ERROR_CODE: 'Nats-Service-Error-Code',
  SERVICE_ERROR: 'Nats-Service-Error',
  /** Our stable string code (`CHAT.NOT_A_MEMBER`), next to the numeric one above. */
  ERROR_CODE: 'Switchboard-Error-Code',
  /** The publishing or calling service. */
  SOURCE: 'Switchboard-Source',
} as const;
