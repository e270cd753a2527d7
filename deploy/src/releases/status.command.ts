import { type ReleaseChanges } from '../report/release-report';
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
    if (live?.changes) lines.push(...describeChanges(live.changes, ''.padEnd(width)));
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

/**
 * What the version now running changed against the one before it, from the report recorded when
 * it shipped: a one-line summary and the lines someone had to look at.
 */
function describeChanges(changes: ReleaseChanges, indent: string): string[] {
  const since = `changed since ${changes.base.slice(0, 12)}`;
  if (changes.unavailable !== undefined)
    return [`${indent} ${since}: no report (${changes.unavailable})`];
  const report = changes.report;
  if (report === undefined) return [`${indent} ${since}: nothing that reaches it`];
  const counts = [
    [new Set(report.affectedBy.map((reason) => reason.file)).size, 'file'],
    [
      report.dependencies.added.length +
        report.dependencies.changed.length +
        report.dependencies.removed.length,
      'dependency change',
    ],
    [report.contracts.length, 'contract'],
    [report.migrations.added.length, 'migration'],
    [
      report.configuration.keys.added.length +
        report.configuration.keys.removed.length +
        report.configuration.keys.changed.length,
      'config key',
    ],
  ] as const;
  const summary = counts
    .filter(([count]) => count > 0)
    .map(([count, what]) => `${count} ${what}${count === 1 ? '' : 's'}`)
    .join(', ');
  return [
    `${indent} ${since}: ${summary || 'no file of its own'}`,
    ...report.attention.map((line) => `${indent}   ! ${line}`),
  ];
}
