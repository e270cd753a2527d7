import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { Public } from '@switchboard/platform-auth';
import { NatsHealth } from '@switchboard/platform-messaging';
import { type FastifyReply } from 'fastify';
import { z } from 'zod';
import { Returns } from '../openapi/returns.decorator';
import { SERVICE_CONFIG, type ServiceConfig } from '../config/service-config';
import { ReadinessChecks } from './readiness-checks';
import { ServiceLifecycle } from './service-lifecycle';

const Live = z.object({
  status: z.literal('ok'),
  service: z.string().describe('The process: `chat`, `monolith`, `chat-bots`…'),
  domains: z.array(z.string()).describe('The domains it hosts'),
});

const Indicators = z.record(
  z.string(),
  z.object({ status: z.enum(['up', 'down']), message: z.string().optional() }).loose(),
);

/** Terminus' result: each dependency (`database`, `nats`, `consumers`) up or down. */
const Readiness = z.union([
  z.object({
    status: z.enum(['ok', 'error']),
    info: Indicators.optional(),
    error: Indicators.optional(),
    details: Indicators,
  }),
  z.object({ status: z.literal('shutting_down') }),
]);

/**
 * `/health/live`: the process answers (restart it if not). `/health/ready`: it can do its work —
 * database and NATS reachable, event consumers pulling, the checks its domains added passing, not
 * shutting down (send it traffic only then). A service without a database checks none.
 * `/health/live` also says which process answered and the domains it hosts: in a topology where
 * one process carries several domains, that is how an operator (or a course checkpoint) tells.
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly nats: NatsHealth,
    private readonly lifecycle: ServiceLifecycle,
    private readonly extra: ReadinessChecks,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Get('live')
  @Returns(200, Live, 'The process answers')
  live(): z.output<typeof Live> {
    return { status: 'ok', service: this.config.SERVICE_NAME, domains: this.config.DOMAINS };
  }

  @Get('ready')
  @HealthCheck()
  @Returns(200, Readiness, 'Database, NATS and event consumers are up: send traffic')
  @Returns(503, Readiness, 'Something it needs is down, or it is shutting down: send none')
  async ready(
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<HealthCheckResult | { status: 'shutting_down' }> {
    if (this.lifecycle.isShuttingDown) {
      void reply.status(503);
      return { status: 'shutting_down' };
    }
    // NATS, then what the host registered: each domain's database and the event consumers (a
    // service without a database has neither), then the checks its domains added.
    const critical: HealthIndicatorFunction[] = [
      () => this.nats.check(),
      ...this.extra.all.filter((check) => check.critical).map((check) => () => check.check()),
    ];
    let result: HealthCheckResult;
    try {
      result = await this.health.check(critical);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      result = error.getResponse() as HealthCheckResult;
    }
    // Informational checks: in the details, never in the status.
    for (const check of this.extra.all.filter((entry) => !entry.critical)) {
      Object.assign(result.details, await check.check());
    }
    return result;
  }
}
