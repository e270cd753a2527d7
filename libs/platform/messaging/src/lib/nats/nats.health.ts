import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { type NatsConnection } from 'nats';
import { isNatsUsable, NATS_CONNECTION } from './nats-connection';

/** Readiness of the NATS connection: up while connected, down while closed or reconnecting. */
@Injectable()
export class NatsHealth {
  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'nats'): HealthIndicatorResult {
    const indicator = this.health.check(key);
    return isNatsUsable(this.connection)
      ? indicator.up({ server: this.connection.getServer() })
      : indicator.down({ message: 'NATS connection is not usable' });
  }
}
