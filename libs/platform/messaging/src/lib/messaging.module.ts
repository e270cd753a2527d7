import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { METRICS_REGISTRY, messagingMetricsOf } from './metrics/messaging-metrics';
import { EventConsumersHealth } from './events/event-consumers.health';
import { connectNats, NATS_CONNECTION } from './nats/nats-connection';
import { NatsHealth } from './nats/nats.health';
import { RpcClient } from './rpc/rpc.client';

/** Owns the NATS connection and drains it once HTTP and handlers have stopped. */
class NatsConnectionLifecycle implements OnApplicationShutdown {
  private readonly log = new Logger('Messaging');

  constructor(@Inject(NATS_CONNECTION) private readonly connection: NatsConnection) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.connection.isClosed()) return;
    // drain(), not close(): flushes what was published and lets pending replies arrive.
    await this.connection.drain();
    this.log.log('NATS connection drained');
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      imports: [TerminusModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        { provide: METRICS_REGISTRY, useValue: options.metricsRegistry ?? new Registry() },
        {
          provide: NATS_CONNECTION,
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) =>
            connectNats({
              url: options.natsUrl,
              serviceName: options.serviceName,
              credentials: options.natsCredentials,
              logger: new Logger('Messaging'),
              onReconnect: () => messagingMetricsOf(registry).natsReconnects.inc(),
            }),
        },
        NatsConnectionLifecycle,
        RpcClient,
        NatsHealth,
        EventConsumersHealth,
      ],
      exports: [
        NATS_CONNECTION,
        MESSAGING_OPTIONS,
        METRICS_REGISTRY,
        RpcClient,
        NatsHealth,
        EventConsumersHealth,
      ],
    };
  }
}
