import { createServiceApp, type ServiceApp } from '@switchboard/platform-runtime';
import { TEST_JWT_SECRET } from '@switchboard/platform-testing';
import { GatewayDomain } from '../gateway.module';

/** A gateway of the int specs, listening on a free port of 127.0.0.1. */
export interface TestGateway {
  service: ServiceApp;
  /** `http://127.0.0.1:<port>`. */
  base: string;
}

/**
 * Starts the gateway in-process against `natsUrl` with the test secret and silent logs, `env` on
 * top (its upstreams, limits), the way `services/gateway` hosts it.
 */
export async function startTestGateway(
  natsUrl: string,
  env: Record<string, string> = {},
): Promise<TestGateway> {
  const service = await createServiceApp(
    { name: 'gateway', defaultPort: 0, database: false, domains: [GatewayDomain] },
    {
      NODE_ENV: 'test',
      NATS_URL: natsUrl,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'silent',
      ...env,
    },
  );
  await service.app.listen(0, '127.0.0.1');
  return { service, base: (await service.app.getUrl()).replace('[::1]', '127.0.0.1') };
}
