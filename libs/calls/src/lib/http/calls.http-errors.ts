import { CommonErrorCodes } from '@switchboard/contracts';
import { errorResponsesFor } from '@switchboard/platform-runtime';
import { CallsErrorCodes, type CallsErrorCode } from '../calls.errors';

type DocumentedCode =
  | CallsErrorCode
  | 'VALIDATION_FAILED'
  | typeof CommonErrorCodes.UNAVAILABLE
  | typeof CommonErrorCodes.DEADLINE_EXCEEDED;

/** What each code means to a client, for the OpenAPI document (docs/calls.md has the full table). */
const MEANING: Record<DocumentedCode, string> = {
  VALIDATION_FAILED: 'a field is invalid (`details` names it)',
  [CommonErrorCodes.UNAVAILABLE]: 'chat does not answer; retry later',
  [CommonErrorCodes.DEADLINE_EXCEEDED]: 'chat did not answer in time; retry later',
  [CallsErrorCodes.CALL_NOT_FOUND]: 'no such call',
  [CallsErrorCodes.CONVERSATION_NOT_FOUND]: 'no such conversation',
  [CallsErrorCodes.NOT_A_MEMBER]: 'the caller is not a member of the conversation',
  [CallsErrorCodes.NO_INVITEES]: 'nobody else is in the conversation',
  [CallsErrorCodes.USER_BUSY]: 'the user is already in a ringing or active call',
  [CallsErrorCodes.NOT_A_PARTICIPANT]: 'the user is neither the caller nor an invitee',
  [CallsErrorCodes.NOT_AN_INVITEE]: 'only invitees accept or decline',
  [CallsErrorCodes.NOT_THE_CALLER]: 'only the caller cancels',
  [CallsErrorCodes.NOT_CONNECTED]: 'only the caller and whoever accepted end an active call',
  [CallsErrorCodes.ILLEGAL_TRANSITION]:
    "not possible in the call's state (`details.from`, `details.to`)",
  [CallsErrorCodes.ALREADY_ANSWERED]: 'someone accepted first',
  [CallsErrorCodes.ALREADY_DECLINED]: 'you declined this call already',
  [CallsErrorCodes.CALL_OVER]: 'the call is over',
  [CallsErrorCodes.INVALID_RECIPIENT]: 'the recipient is not someone this sender may signal',
};

/**
 * Documents the domain errors a route can answer, one `@Returns` per status naming its codes.
 *
 * @example @CallsErrorResponses({ 404: [CallsErrorCodes.CALL_NOT_FOUND] })
 */
export const CallsErrorResponses = errorResponsesFor(MEANING);

/** Every route under `/calls/:id` answers these to someone who may not see the call. */
export const PARTICIPANTS_ONLY = {
  403: [CallsErrorCodes.NOT_A_PARTICIPANT],
  404: [CallsErrorCodes.CALL_NOT_FOUND],
} as const;
