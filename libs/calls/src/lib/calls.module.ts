import { Module } from '@nestjs/common';
import { Calls, Chat } from '@switchboard/contracts';
import { type DomainDefinition } from '@switchboard/platform-runtime';
import { CallsConfig } from './calls.config';
import { BusyUserEntity } from './entities/busy-user.entity';
import { CallParticipantEntity } from './entities/call-participant.entity';
import { CallEntity } from './entities/call.entity';
import { CallsHttpController } from './http/calls.http.controller';
import { SignalsHttpController } from './http/signals.http.controller';
import { CreateCallsTables1764195000000 } from './migrations/1764195000000-create-calls-tables';
import { RingTimeoutScheduler } from './ring-timeout/ring-timeout.scheduler';
import { RelaySignalMessageController } from './rpc/relay-signal.message.controller';
import { CallTransitions } from './shared/call-transitions';
import { AcceptCallUseCase } from './use-cases/accept-call';
import { CancelCallUseCase } from './use-cases/cancel-call';
import { DeclineCallUseCase } from './use-cases/decline-call';
import { EndCallUseCase } from './use-cases/end-call';
import { GetCallUseCase } from './use-cases/get-call';
import { ListCallsUseCase } from './use-cases/list-calls';
import { SendSignalUseCase } from './use-cases/send-signal';
import { StartCallUseCase } from './use-cases/start-call';

@Module({
  controllers: [CallsHttpController, SignalsHttpController, RelaySignalMessageController],
  providers: [
    CallTransitions,
    RingTimeoutScheduler,
    StartCallUseCase,
    AcceptCallUseCase,
    DeclineCallUseCase,
    CancelCallUseCase,
    EndCallUseCase,
    GetCallUseCase,
    ListCallsUseCase,
    SendSignalUseCase,
  ],
})
export class CallsModule {}

/** The calls domain as a host composes it: module, config keys, tables and migrations. */
export const CallsDomain: DomainDefinition = {
  name: Calls.DOMAIN,
  module: CallsModule,
  config: CallsConfig,
  calls: [Chat.CheckMembership, Chat.GetConversation],
  entities: [CallEntity, CallParticipantEntity, BusyUserEntity],
  migrations: [CreateCallsTables1764195000000],
};
