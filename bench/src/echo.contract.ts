import { defineRpc, type RpcRequest, type RpcResult } from '@switchboard/contracts';
import { z } from 'zod';
import { DEFAULT_PAYLOAD_BYTES, paddedText } from './payload';

/** Room for the largest body the suite sends (`--payload 16384`) and some. */
const MAX_TEXT = 65_536;

/**
 * The one message every implementation carries: a JSON body shaped like a real command (an id, a
 * uuid, a text), echoed back. Every implementation sends and receives the same fields, so the
 * differences measured are the transports, not the payloads; `--payload` sets the body's size.
 */
export const EchoRpc = defineRpc({
  subject: 'rpc.bench.echo.v1',
  request: z
    .object({
      /** Sequence number of the request inside one run; the reply must carry the same one. */
      seq: z.number().int().nonnegative(),
      /** A uuid, as most real requests carry one. */
      conversationId: z.string().min(1),
      /** A short text, as in a chat message. */
      text: z.string().min(1).max(MAX_TEXT),
    })
    .strict(),
  result: z
    .object({
      seq: z.number().int().nonnegative(),
      conversationId: z.string().min(1),
      text: z.string().min(1).max(MAX_TEXT),
    })
    .strict(),
});

export type EchoRequest = RpcRequest<typeof EchoRpc>;
export type EchoResult = RpcResult<typeof EchoRpc>;

/** Subject of the raw and Nest implementations: the same as the platform's. */
export const ECHO_SUBJECT = EchoRpc.subject;

const CONVERSATION_ID = '01936b9e-7c1a-7d2e-9f3b-5a4c8e2d1f60';
const ENVELOPE = JSON.stringify({ seq: 100_000, conversationId: CONVERSATION_ID, text: '' });

export function echoRequest(seq: number, payloadBytes = DEFAULT_PAYLOAD_BYTES): EchoRequest {
  return { seq, conversationId: CONVERSATION_ID, text: paddedText(payloadBytes, ENVELOPE) };
}

/** The handler's logic, shared by every implementation (and called directly by the in-process one). */
export function echo(request: EchoRequest): EchoResult {
  return { seq: request.seq, conversationId: request.conversationId, text: request.text };
}
