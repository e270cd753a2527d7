import 'reflect-metadata';
import { BotsDomain } from '@switchboard/bots';
import { bootstrapService } from '@switchboard/platform-runtime';

void bootstrapService({ name: 'bots', defaultPort: 3104, domains: [BotsDomain] });
