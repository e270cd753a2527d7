export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  /** The service's name: NATS connection name, queue group, `Switchboard-Source` header. */
  serviceName: string;
  /** Comma-separated NATS server URLs. */
  natsUrl: string;
}
