import {
  AppError,
  CommonErrorCodes,
  ERROR_KIND_STATUS,
  type RpcContract,
  type RpcRequest,
  type RpcResult,
} from '@switchboard/contracts';
import { headers, type Msg, type NatsConnection, type Subscription } from 'nats';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Answers a contract's subject the way a service's RPC transport does: the request and the result
 * are validated against the contract's schemas, and errors leave as the error envelope with
 * `Nats-Service-Error-Code`, so the client under test sees what it would see from the real service.
 */
export function answerContract<C extends RpcContract>(
  nats: NatsConnection,
  contract: C,
  handle: (request: RpcRequest<C>) => RpcResult<C> | Promise<RpcResult<C>>,
): Subscription {
  return nats.subscribe(contract.subject, {
    callback: (_error, msg) => void reply(msg, contract, handle),
  });
}

async function reply<C extends RpcContract>(
  msg: Msg,
  contract: C,
  handle: (request: RpcRequest<C>) => RpcResult<C> | Promise<RpcResult<C>>,
): Promise<void> {
  try {
    const request = contract.request.safeParse(JSON.parse(decoder.decode(msg.data)));
    if (!request.success) {
      throw new AppError(
        CommonErrorCodes.INVALID_ARGUMENT,
        'invalid_argument',
        request.error.message,
      );
    }
    const result = contract.result.parse(await handle(request.data as RpcRequest<C>));
    msg.respond(encoder.encode(JSON.stringify({ ok: true, ...result })));
  } catch (error) {
    const appError =
      error instanceof AppError
        ? error
        : new AppError(CommonErrorCodes.INTERNAL, 'internal', String(error));
    const replyHeaders = headers();
    replyHeaders.set('Nats-Service-Error-Code', String(ERROR_KIND_STATUS[appError.kind]));
    replyHeaders.set('Nats-Service-Error', appError.message);
    replyHeaders.set('Switchboard-Error-Code', appError.code);
    msg.respond(encoder.encode(JSON.stringify({ ok: false, ...appError.toEnvelope() })), {
      headers: replyHeaders,
    });
  }
}
