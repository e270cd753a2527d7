import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Calls, CommonErrorCodes } from '@switchboard/contracts';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { Returns, ZodValidationPipe } from '@switchboard/platform-runtime';
import { CallsErrorCodes } from '../calls.errors';
import { AcceptCallUseCase } from '../use-cases/accept-call';
import { CancelCallUseCase } from '../use-cases/cancel-call';
import { DeclineCallUseCase } from '../use-cases/decline-call';
import { EndCallUseCase } from '../use-cases/end-call';
import { GetCallUseCase } from '../use-cases/get-call';
import { type CallPage as CallPageResult, ListCallsUseCase } from '../use-cases/list-calls';
import { StartCallUseCase } from '../use-cases/start-call';
import { CallsErrorResponses, PARTICIPANTS_ONLY } from './calls.http-errors';
import {
  CallIdParams,
  CallPage,
  FailCallBody,
  ListCallsQuery,
  StartCallBody,
} from './calls.http-schemas';

const { ILLEGAL_TRANSITION } = CallsErrorCodes;

@Controller('calls')
export class CallsHttpController {
  constructor(
    private readonly startCall: StartCallUseCase,
    private readonly acceptCall: AcceptCallUseCase,
    private readonly declineCall: DeclineCallUseCase,
    private readonly cancelCall: CancelCallUseCase,
    private readonly endCall: EndCallUseCase,
    private readonly getCall: GetCallUseCase,
    private readonly listCalls: ListCallsUseCase,
  ) {}

  @Post()
  @Returns(201, Calls.CallView, "The call, ringing the conversation's other members")
  @CallsErrorResponses({
    403: [CallsErrorCodes.NOT_A_MEMBER],
    404: [CallsErrorCodes.CONVERSATION_NOT_FOUND],
    409: [CallsErrorCodes.USER_BUSY, CallsErrorCodes.NO_INVITEES],
    503: [CommonErrorCodes.UNAVAILABLE],
    504: [CommonErrorCodes.DEADLINE_EXCEEDED],
  })
  start(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodValidationPipe(StartCallBody)) body: StartCallBody,
  ): Promise<Calls.CallView> {
    return this.startCall.execute({ callerId: user.id, conversationId: body.conversationId });
  }

  @Get()
  @Returns(200, CallPage, 'Calls I made or was rung for, newest first')
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query(new ZodValidationPipe(ListCallsQuery)) query: ListCallsQuery,
  ): Promise<CallPageResult> {
    return this.listCalls.execute({ userId: user.id, limit: query.limit, before: query.cursor });
  }

  @Get(':id')
  @Returns(200, Calls.CallView, 'The call (participants only)')
  @CallsErrorResponses(PARTICIPANTS_ONLY)
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(CallIdParams)) params: CallIdParams,
  ): Promise<Calls.CallView> {
    return this.getCall.execute({ callId: params.id, viewerId: user.id });
  }

  @Post(':id/accept')
  @HttpCode(200)
  @Returns(200, Calls.CallView, 'The call, now active between the caller and me')
  @CallsErrorResponses({
    ...PARTICIPANTS_ONLY,
    403: [CallsErrorCodes.NOT_A_PARTICIPANT, CallsErrorCodes.NOT_AN_INVITEE],
    409: [
      CallsErrorCodes.ALREADY_ANSWERED,
      CallsErrorCodes.USER_BUSY,
      CallsErrorCodes.ALREADY_DECLINED,
      ILLEGAL_TRANSITION,
    ],
  })
  accept(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(CallIdParams)) params: CallIdParams,
  ): Promise<Calls.CallView> {
    return this.acceptCall.execute({ callId: params.id, userId: user.id });
  }

  @Post(':id/decline')
  @HttpCode(200)
  @Returns(200, Calls.CallView, '`declined` once every invitee declined; else still ringing')
  @CallsErrorResponses({
    ...PARTICIPANTS_ONLY,
    403: [CallsErrorCodes.NOT_A_PARTICIPANT, CallsErrorCodes.NOT_AN_INVITEE],
    409: [CallsErrorCodes.ALREADY_DECLINED, ILLEGAL_TRANSITION],
  })
  decline(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(CallIdParams)) params: CallIdParams,
  ): Promise<Calls.CallView> {
    return this.declineCall.execute({ callId: params.id, userId: user.id });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Returns(200, Calls.CallView, 'The call, cancelled before anyone answered')
  @CallsErrorResponses({
    ...PARTICIPANTS_ONLY,
    403: [CallsErrorCodes.NOT_A_PARTICIPANT, CallsErrorCodes.NOT_THE_CALLER],
    409: [ILLEGAL_TRANSITION],
  })
  cancel(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(CallIdParams)) params: CallIdParams,
  ): Promise<Calls.CallView> {
    return this.cancelCall.execute({ callId: params.id, userId: user.id });
  }

  @Post(':id/hangup')
  @HttpCode(200)
  @Returns(200, Calls.CallView, 'The call, `ended`, with its duration')
  @CallsErrorResponses({
    ...PARTICIPANTS_ONLY,
    403: [CallsErrorCodes.NOT_A_PARTICIPANT, CallsErrorCodes.NOT_CONNECTED],
    409: [ILLEGAL_TRANSITION],
  })
  hangup(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(CallIdParams)) params: CallIdParams,
  ): Promise<Calls.CallView> {
    return this.endCall.execute({ callId: params.id, userId: user.id, outcome: 'ended' });
  }

  @Post(':id/fail')
  @HttpCode(200)
  @Returns(
    200,
    Calls.CallView,
    'The call, `failed` (the media connection broke), with its duration',
  )
  @CallsErrorResponses({
    ...PARTICIPANTS_ONLY,
    403: [CallsErrorCodes.NOT_A_PARTICIPANT, CallsErrorCodes.NOT_CONNECTED],
    409: [ILLEGAL_TRANSITION],
  })
  fail(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(CallIdParams)) params: CallIdParams,
    @Body(new ZodValidationPipe(FailCallBody)) body: FailCallBody,
  ): Promise<Calls.CallView> {
    return this.endCall.execute({
      callId: params.id,
      userId: user.id,
      outcome: 'failed',
      reason: body.reason,
    });
  }
}
