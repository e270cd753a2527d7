import { AppError, type Calls } from '@switchboard/contracts';

/** Stable error codes of the calls domain (HTTP status in brackets; docs/calls.md says when). */
export const CallsErrorCodes = {
  /** [404] no call with this id. */
  CALL_NOT_FOUND: 'CALLS.CALL_NOT_FOUND',
  /** [404] chat does not know the conversation. */
  CONVERSATION_NOT_FOUND: 'CALLS.CONVERSATION_NOT_FOUND',
  /** [403] the caller is not a member of the conversation. */
  NOT_A_MEMBER: 'CALLS.NOT_A_MEMBER',
  /** [409] the conversation has nobody else to ring. */
  NO_INVITEES: 'CALLS.NO_INVITEES',
  /** [409] the user is already in a ringing or active call. */
  USER_BUSY: 'CALLS.USER_BUSY',
  /** [403] the user is neither the caller nor an invitee of the call. */
  NOT_A_PARTICIPANT: 'CALLS.NOT_A_PARTICIPANT',
  /** [403] only invitees accept or decline. */
  NOT_AN_INVITEE: 'CALLS.NOT_AN_INVITEE',
  /** [403] only the caller cancels. */
  NOT_THE_CALLER: 'CALLS.NOT_THE_CALLER',
  /** [403] only the caller and whoever accepted end an active call. */
  NOT_CONNECTED: 'CALLS.NOT_CONNECTED',
  /** [409] the state machine does not allow this change from the call's current state. */
  ILLEGAL_TRANSITION: 'CALLS.ILLEGAL_TRANSITION',
  /** [409] someone accepted the call first. */
  ALREADY_ANSWERED: 'CALLS.ALREADY_ANSWERED',
  /** [409] this invitee declined already (a group call may still ring for the others). */
  ALREADY_DECLINED: 'CALLS.ALREADY_DECLINED',
  /** [409] signals only flow while a call rings or is active. */
  CALL_OVER: 'CALLS.CALL_OVER',
  /** [403] a signal must go to a participant this sender may talk to (not to oneself). */
  INVALID_RECIPIENT: 'CALLS.INVALID_RECIPIENT',
} as const;

export type CallsErrorCode = (typeof CallsErrorCodes)[keyof typeof CallsErrorCodes];

export const CallsErrors = {
  callNotFound: (callId: string) =>
    new AppError(CallsErrorCodes.CALL_NOT_FOUND, 'not_found', `Call ${callId} does not exist`, {
      callId,
    }),
  conversationNotFound: (conversationId: string) =>
    new AppError(
      CallsErrorCodes.CONVERSATION_NOT_FOUND,
      'not_found',
      `Conversation ${conversationId} does not exist`,
      { conversationId },
    ),
  notAMember: (conversationId: string) =>
    new AppError(
      CallsErrorCodes.NOT_A_MEMBER,
      'permission_denied',
      'Only members of the conversation can call it',
      { conversationId },
    ),
  noInvitees: (conversationId: string) =>
    new AppError(
      CallsErrorCodes.NO_INVITEES,
      'conflict',
      'The conversation has nobody else to call',
      { conversationId },
    ),
  userBusy: (userId: string, callId: string | null) =>
    new AppError(
      CallsErrorCodes.USER_BUSY,
      'conflict',
      `${userId} is already in a ringing or active call`,
      { userId, callId },
    ),
  notAParticipant: (callId: string) =>
    new AppError(
      CallsErrorCodes.NOT_A_PARTICIPANT,
      'permission_denied',
      'Only the caller and the invitees of a call can do this',
      { callId },
    ),
  notAnInvitee: (callId: string) =>
    new AppError(
      CallsErrorCodes.NOT_AN_INVITEE,
      'permission_denied',
      'Only an invitee can accept or decline a call',
      { callId },
    ),
  notTheCaller: (callId: string) =>
    new AppError(
      CallsErrorCodes.NOT_THE_CALLER,
      'permission_denied',
      'Only the caller can cancel a call',
      { callId },
    ),
  notConnected: (callId: string) =>
    new AppError(
      CallsErrorCodes.NOT_CONNECTED,
      'permission_denied',
      'Only the caller and whoever accepted can end an active call',
      { callId },
    ),
  illegalTransition: (callId: string, from: Calls.CallState, to: Calls.CallState) =>
    new AppError(
      CallsErrorCodes.ILLEGAL_TRANSITION,
      'conflict',
      `A ${from} call cannot become ${to}`,
      { callId, from, to },
    ),
  alreadyAnswered: (callId: string, acceptedBy: string | null) =>
    new AppError(CallsErrorCodes.ALREADY_ANSWERED, 'conflict', 'Someone accepted the call first', {
      callId,
      from: 'active',
      to: 'active',
      acceptedBy,
    }),
  alreadyDeclined: (callId: string) =>
    new AppError(CallsErrorCodes.ALREADY_DECLINED, 'conflict', 'You declined this call already', {
      callId,
    }),
  callOver: (callId: string, state: Calls.CallState) =>
    new AppError(CallsErrorCodes.CALL_OVER, 'conflict', `The call is ${state}: no more signals`, {
      callId,
      state,
    }),
  invalidRecipient: (callId: string, toUserId: string) =>
    new AppError(
      CallsErrorCodes.INVALID_RECIPIENT,
      'permission_denied',
      `Signals of this call cannot go from you to ${toUserId}`,
      { callId, toUserId },
    ),
};
