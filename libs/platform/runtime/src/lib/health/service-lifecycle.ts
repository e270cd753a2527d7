import { Injectable } from '@nestjs/common';

/** Whether the service is stopping; readiness turns 503 the moment shutdown begins. */
@Injectable()
export class ServiceLifecycle {
  private stopping = false;

  get isShuttingDown(): boolean {
    return this.stopping;
  }

  beginShutdown(): void {
    this.stopping = true;
  }
}
