import 'reflect-metadata';
import { GatewayDomain } from '@switchboard/gateway';
import { bootstrapService } from '@switchboard/platform-runtime';

void bootstrapService({
  name: 'gateway',
  defaultPort: 3000,
  database: false,
  domains: [GatewayDomain],
});
