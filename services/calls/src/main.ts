import 'reflect-metadata';
import { CallsDomain } from '@switchboard/calls';
import { bootstrapService } from '@switchboard/platform-runtime';

void bootstrapService({ name: 'calls', defaultPort: 3103, domains: [CallsDomain] });
