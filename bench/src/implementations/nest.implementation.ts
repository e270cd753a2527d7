import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ClientProxyFactory,
  MessagePattern,
  type MicroserviceOptions,
  Transport,
} from '@nestjs/microservices';
import { lastValueFrom, timeout } from 'rxjs';
import { echo, ECHO_SUBJECT, type EchoRequest, type EchoResult } from '../echo.contract';
import {
  CALL_TIMEOUT_MS,
  type Caller,
  type Implementation,
  NATS_CONNECT_OPTIONS,
  type Responder,
} from './implementation';

@Controller()
class NestEchoHandler {
  @MessagePattern(ECHO_SUBJECT)
  echo(request: EchoRequest): EchoResult {
    return echo(request);
  }
}

@Module({ controllers: [NestEchoHandler] })
class NestResponderModule {}

/**
 * The road not taken: Nest's built-in NATS transport, configured as its docs show. It wraps bodies
 * in Nest's `{pattern, data, id}` envelope and the client subscribes a fresh inbox per request
 * (see `client-nats.ts` in @nestjs/microservices), so it tells what our transport saves or costs
 * against the framework's own. No contract validation here: Nest's transport has none built in.
 */
export const nestImplementation: Implementation = {
  async startResponder(natsUrl: string): Promise<Responder> {
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(NestResponderModule, {
      transport: Transport.NATS,
      options: {
        servers: [natsUrl],
        queue: 'bench-responder',
        name: 'bench-nest-responder',
        ...NATS_CONNECT_OPTIONS,
      },
      logger: false,
    });
    await app.listen();
    return { stop: () => app.close() };
  },

  async startCaller(natsUrl: string): Promise<Caller> {
    const client = ClientProxyFactory.create({
      transport: Transport.NATS,
      options: { servers: [natsUrl], name: 'bench-nest-caller', ...NATS_CONNECT_OPTIONS },
    });
    await client.connect();
    return {
      // A time-out as any production caller sets; Nest's client would otherwise wait forever.
      call: (request: EchoRequest) =>
        lastValueFrom(
          client
            .send<EchoResult, EchoRequest>(ECHO_SUBJECT, request)
            .pipe(timeout(CALL_TIMEOUT_MS)),
        ),
      stop: () => client.close(),
    };
  },
};
