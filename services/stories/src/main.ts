import 'reflect-metadata';
import { StoriesDomain } from '@switchboard/stories';
import { bootstrapService } from '@switchboard/platform-runtime';

void bootstrapService({ name: 'stories', defaultPort: 3102, domains: [StoriesDomain] });
