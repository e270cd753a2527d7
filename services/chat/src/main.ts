import 'reflect-metadata';
import { ChatDomain } from '@switchboard/chat';
import { bootstrapService } from '@switchboard/platform-runtime';

void bootstrapService({ name: 'chat', defaultPort: 3101, domains: [ChatDomain] });
