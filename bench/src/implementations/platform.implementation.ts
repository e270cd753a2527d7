import { Controller, type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  MessagingModule,
  NATS_CONNECTION,
  NatsTransport,
  RpcClient,
  RpcHandler,
} from '@switchboard/platform-messaging';
import { type NatsConnection } from 'nats';
import { echo, type EchoRequest, type EchoResult, EchoRpc } from '../echo.contract';
import {
  CALL_TIMEOUT_MS,
  type Caller,
  type Implementation,
  type Responder,
} from './implementation';

const RESPONDER_SERVICE = 'bench-responder';

@Controller()
class PlatformEchoHandler {
  @RpcHandler(EchoRpc)
  echo(request: EchoRequest): EchoResult {
    return echo(request);
  }
}

@Module({})
class PlatformResponderModule {
  static forNats(natsUrl: string): DynamicModule {
    return {
      module: PlatformResponderModule,
      imports: [MessagingModule.forRoot({ serviceName: RESPONDER_SERVICE, natsUrl })],
      controllers: [PlatformEchoHandler],
    };
  }
}

/**
 * What a Switchboard service does: `RpcClient.call` in one Nest app, `@RpcHandler` behind the
 * platform's `NatsTransport` in another, wired exactly as a service wires them (MessagingModule owns
 * the connection; the transport is a connected microservice of a Fastify app). Everything the
 * platform adds is in the measurement: contract validation at both ends, headers, Nest's handler
 * pipeline (filters, interceptors), the `{ok: true, ...}` reply.
 */
export const platformImplementation: Implementation = {
  async startResponder(natsUrl: string): Promise<Responder> {
    const app = await NestFactory.create(
      PlatformResponderModule.forNats(natsUrl),
      new FastifyAdapter(),
      {
        logger: false,
      },
    );
    app.connectMicroservice(
      {
        strategy: new NatsTransport({ connection: app.get(NATS_CONNECTION) }),
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    // No HTTP listener: the benchmark needs only the RPC side; init() runs the lifecycle hooks.
    await app.init();
    // The subscription is registered; make sure the server has it before the caller starts.
    await app.get<NatsConnection>(NATS_CONNECTION).flush();
    return { stop: () => app.close() };
  },

  async startCaller(natsUrl: string): Promise<Caller> {
    const context = await NestFactory.createApplicationContext(
      MessagingModule.forRoot({ serviceName: 'bench-caller', natsUrl }),
      { logger: false },
    );
    const client = context.get(RpcClient);
    return {
      call: (request: EchoRequest) => client.call(EchoRpc, request, { timeoutMs: CALL_TIMEOUT_MS }),
      stop: () => context.close(),
    };
  },
};
