import 'reflect-metadata';
import { BotsDomain } from '@switchboard/bots';
import { CallsDomain } from '@switchboard/calls';
import { ChatDomain } from '@switchboard/chat';
import { bootstrapService } from '@switchboard/platform-runtime';
import { StoriesDomain } from '@switchboard/stories';

/**
 * The four domains in one process — the same modules the four services run, each with its own
 * database, its RPCs and events still over NATS. `HOST_DOMAINS=chat,bots` hosts a few of them (a
 * topology's mixed process); `SERVICE_NAME` names the process (logs, NATS user and inbox).
 */
void bootstrapService({
  name: process.env['SERVICE_NAME'] || 'monolith',
  defaultPort: 3100,
  domains: [ChatDomain, StoriesDomain, CallsDomain, BotsDomain],
  hostDomainsKey: 'HOST_DOMAINS',
});
