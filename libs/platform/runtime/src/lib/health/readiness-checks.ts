import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult } from '@nestjs/terminus';

/** One readiness check a domain adds to its host's `/health/ready`. */
export interface ReadinessCheck {
  /** Key of the indicator in the response, e.g. `feeds`. */
  name: string;
  check(): Promise<HealthIndicatorResult> | HealthIndicatorResult;
  /**
   * `false`: reported in the response but never turns readiness to 503. For what the service only
   * observes, such as the gateway's upstreams: a gateway taken out of rotation because one service
   * is down would turn a partial outage into a total one.
   */
  critical: boolean;
}

/** The checks domains register (in `onModuleInit`) next to the platform's database and NATS. */
@Injectable()
export class ReadinessChecks {
  private readonly checks: ReadinessCheck[] = [];

  add(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  get all(): readonly ReadinessCheck[] {
    return this.checks;
  }
}
