import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';

/** What readiness needs to know of a consumer transport. */
export interface ConsumerStatusSource {
  readonly consumers: { consumer: string; stream: string; pulling: boolean }[];
}

/** Readiness of the service's JetStream consumers: down while any of them is not pulling. */
@Injectable()
export class EventConsumersHealth {
  private source?: ConsumerStatusSource;

  constructor(private readonly health: HealthIndicatorService) {}

  /** Called by the host once the transport exists (it is created after the app). */
  attach(source: ConsumerStatusSource): void {
    this.source = source;
  }

  check(key = 'consumers'): HealthIndicatorResult {
    const consumers = this.source?.consumers ?? [];
    const idle = consumers
      .filter((consumer) => !consumer.pulling)
      .map((consumer) => consumer.consumer);
    const indicator = this.health.check(key);
    return idle.length === 0
      ? indicator.up({ count: consumers.length })
      : indicator.down({ message: `not pulling: ${idle.join(', ')}` });
  }
}
