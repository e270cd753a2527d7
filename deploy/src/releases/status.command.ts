import { hostOf, isAlive, type Release, ReleaseStore } from './release-store';

export interface ServiceStatus {
  service: string;
  live?: Release & { running: boolean };
  previous?: Release;
  /** The newest release, when it is not the live one (a failed or rolled-back attempt). */
  lastAttempt?: Release;
}

/** `deploy status --env <env>`: per service, what runs, since when, by whom, and what came before. */
export function statusOf(workspaceRoot: string, env: string): ServiceStatus[] {
  const store = ReleaseStore.forWorkspace(workspaceRoot, env);
  const services = [...new Set(store.all().map((release) => release.service))].sort();
  return services.map((service) => {
    const live = store.live(service);
    const latest = store.latest(service);
    const previous = live?.previousId === undefined ? undefined : store.get(live.previousId);
    return {
      service,
      ...(live ? { live: { ...live, running: isAlive(live.pid) } } : {}),
      ...(previous ? { previous } : {}),
      ...(latest && latest.id !== live?.id ? { lastAttempt: latest } : {}),
    };
  });
}

export function renderStatus(env: string, statuses: ServiceStatus[]): string {
  if (statuses.length === 0) return `Nothing deployed to ${env} yet.\n`;
  const lines = [`Releases in ${env}`, ''];
  const width = Math.max(8, ...statuses.map(({ service }) => service.length));
  for (const { service, live, previous, lastAttempt } of statuses) {
    // A process running another's host says which: `chat-bots` runs the monolith's package.
    const host = live && hostOf(live) !== service ? `  (host ${hostOf(live)})` : '';
    lines.push(
      live
        ? `${service.padEnd(width)} ${live.sha.slice(0, 12)}  live since ${live.finishedAt ?? live.startedAt}  by ${live.deployedBy}  ` +
            `${live.url ?? ''}${host}${live.running ? '' : '  (process not running!)'}`
        : `${service.padEnd(width)} nothing live`,
    );
    if (previous)
      lines.push(`${''.padEnd(width)} previous ${previous.sha.slice(0, 12)} (${previous.result})`);
    if (lastAttempt) {
      lines.push(
        `${''.padEnd(width)} last attempt ${lastAttempt.sha.slice(0, 12)} ${lastAttempt.result}` +
          (lastAttempt.failedStep ? ` at ${lastAttempt.failedStep}` : '') +
          (lastAttempt.reason ? `: ${lastAttempt.reason}` : ''),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
