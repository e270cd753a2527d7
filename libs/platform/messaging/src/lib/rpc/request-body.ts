import {
  AppError,
  CommonErrorCodes,
  describeIssues,
  type RpcContract,
} from '@switchboard/contracts';
import { type Msg } from 'nats';
import { decodeJson } from '../nats/json-codec';

/** The request's JSON body checked against its contract; an `INVALID_ARGUMENT` error otherwise. */
export function parseRequestBody(msg: Msg, contract: RpcContract): unknown {
  const { subject } = contract;
  const decoded = decodeJson(msg.data);
  if (!decoded.ok) {
    throw new AppError(
      CommonErrorCodes.INVALID_ARGUMENT,
      'invalid_argument',
      `Body of ${subject} is not valid JSON: ${decoded.error}`,
    );
  }
  const parsed = contract.request.safeParse(decoded.value);
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
