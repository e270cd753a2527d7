import { NatsError } from 'nats';

/**
 * The JetStream API error codes (`err_code` of an API error reply) the platform acts on, by the
 * names nats-server gives them (server/errors.json).
 */
export const JetStreamApiError = {
  /** `JSStreamNotFoundErr`: "stream not found". */
  StreamNotFound: 10059,
  /** `JSConsumerNotFoundErr`: "consumer not found". */
  ConsumerNotFound: 10014,
  /** `JSNoMessageFoundErr`: "no message found" (a direct get past the stream's last message). */
  NoMessageFound: 10037,
} as const;

export type JetStreamApiErrorCode = (typeof JetStreamApiError)[keyof typeof JetStreamApiError];

/** Whether `error` is nats.js's error for a JetStream API reply with that code. */
export function isJetStreamApiError(error: unknown, code: JetStreamApiErrorCode): boolean {
  return error instanceof NatsError && error.api_error?.err_code === code;
}
