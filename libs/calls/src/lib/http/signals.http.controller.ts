import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { Returns, ZodValidationPipe } from '@switchboard/platform-runtime';
import { CallsErrorCodes } from '../calls.errors';
import { SendSignalUseCase } from '../use-cases/send-signal';
import { CallsErrorResponses } from './calls.http-errors';
import { CallIdParams, SendSignalBody } from './calls.http-schemas';

@Controller('calls/:id/signal')
export class SignalsHttpController {
  constructor(private readonly sendSignal: SendSignalUseCase) {}

  @Post()
  @HttpCode(202)
  @Returns(202, undefined, "Relayed to the recipient's push subject (at most once)")
  @CallsErrorResponses({
    403: [CallsErrorCodes.NOT_A_PARTICIPANT, CallsErrorCodes.INVALID_RECIPIENT],
    404: [CallsErrorCodes.CALL_NOT_FOUND],
    409: [CallsErrorCodes.CALL_OVER],
  })
  async send(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(CallIdParams)) params: CallIdParams,
    @Body(new ZodValidationPipe(SendSignalBody)) body: SendSignalBody,
  ): Promise<void> {
    await this.sendSignal.execute({
      callId: params.id,
      fromUserId: user.id,
      toUserId: body.toUserId,
      signal: body.signal,
    });
  }
}
