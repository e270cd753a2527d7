import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { pingDatabase } from './database-ping';

/**
 * Readiness of the service's database: up when `SELECT 1` answers in time. Provided and exported by
 * `PersistenceModule` for the readiness endpoint.
 */
@Injectable()
export class DatabaseHealth {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  /**
   * Runs `SELECT 1`. Down, with the reason as `message`, when the data source is closed, the query
   * fails, or no answer comes within `timeoutMs` (an exhausted pool or an unreachable server would
   * otherwise hold the readiness probe until its own timeout).
   *
   * @param key - name of the indicator in the health report.
   * @param timeoutMs - longest wait for the answer.
   */
  async check(key = 'database', timeoutMs = 1_000): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      await pingDatabase(this.dataSource, timeoutMs);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
