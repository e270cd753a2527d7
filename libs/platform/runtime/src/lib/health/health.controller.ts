import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '@switchboard/platform-auth';
import { EventConsumersHealth, NatsHealth } from '@switchboard/platform-messaging';
import { DatabaseHealth } from '@switchboard/platform-persistence';
import { type FastifyReply } from 'fastify';
import { z } from 'zod';
import { Returns } from '../openapi/returns.decorator';
import { ServiceLifecycle } from './service-lifecycle';

const Live = z.object({ status: z.literal('ok') });

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
 * database and NATS reachable, event consumers pulling, not shutting down (send it traffic only then).
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealth,
    private readonly nats: NatsHealth,
    private readonly consumers: EventConsumersHealth,
    private readonly lifecycle: ServiceLifecycle,
  ) {}

  @Get('live')
  @Returns(200, Live, 'The process answers')
  live(): { status: 'ok' } {
    return { status: 'ok' };
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
    try {
      return await this.health.check([
        () => this.database.check(),
        () => this.nats.check(),
        () => this.consumers.check(),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
