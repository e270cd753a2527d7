import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';

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
    if (!this.dataSource.isInitialized) {
      return indicator.down({ message: 'database connection is closed' });
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer to SELECT 1 within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      // A late answer or failure after the timeout settles a promise nobody awaits any more; race
      // has already subscribed to it, so it is not an unhandled rejection.
      await Promise.race([this.dataSource.query('SELECT 1'), timeout]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    } finally {
      clearTimeout(timer);
    }
  }
}
