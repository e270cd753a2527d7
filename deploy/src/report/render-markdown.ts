import { type Reason } from '../plan/plan';
import { type RuntimeDependency } from './dependencies';
import { type ListChange } from './messaging-changes';
import { type ChangeReport, type ServiceReport } from './report';

/** The first line of every report comment: how the workflow finds its own comment to update it. */
export const REPORT_MARKER = '<!-- switchboard-deploy-report -->';

const short = (sha: string): string => sha.slice(0, 12);
const code = (text: string): string => `\`${text}\``;

/** The report as Markdown, for a pull request's comment and `docs/deploy.md`. */
export function renderReportMarkdown(report: ChangeReport): string {
  const lines = [
    REPORT_MARKER,
    `## Deploy report ${code(short(report.base))} → ${code(short(report.head))} (topology ${report.topology})`,
    '',
  ];
  const attention = report.services.reduce((sum, s) => sum + s.attention.length, 0);
  if (report.services.length === 0) {
    lines.push('**No service is redeployed by this change.**');
  } else {
    lines.push(
      `**Redeploys ${report.services.map((s) => s.name).join(', ')}**` +
        (attention > 0 ? ` · ${attention} point${attention === 1 ? '' : 's'} to look at` : ''),
    );
  }
  if (report.outsideTopology.length > 0) {
    lines.push(
      '',
      `Also reaches ${report.outsideTopology.join(', ')}, which topology ${report.topology} does not run.`,
    );
  }
  for (const service of report.services) lines.push('', ...renderService(service));
  lines.push(...renderStacks(report));
  if (report.ignored.length > 0) {
    lines.push(
      '',
      `<details><summary>${report.ignored.length} changed file(s) deploy nothing</summary>`,
      '',
    );
    for (const { file, why } of report.ignored) lines.push(`- ${code(file)} — ${why}`);
    lines.push('', '</details>');
  }
  lines.push(
    '',
    report.benchmark === undefined
      ? '_Expected load: no benchmark report was found (`npm run bench -- --suite e2e --sweep`)._'
      : `_Measured load from ${code(report.benchmark.file)}: ` +
          `${code(short(report.benchmark.gitSha))}${report.benchmark.gitDirty ? ' (uncommitted changes)' : ''}, ` +
          `${report.benchmark.finishedAt}, ${report.benchmark.machine}._`,
  );
  return `${lines.join('\n')}\n`;
}

function renderService(service: ServiceReport): string[] {
  const lines = [`### ${service.name}`, ''];
  if (service.attention.length > 0) {
    lines.push(
      '**Look at this first**',
      '',
      ...service.attention.map((line) => `- ⚠️ ${line}`),
      '',
    );
  }
  lines.push(
    `**Why**: ${service.affectedBy.slice(0, 8).map(describeReason).join('; ')}` +
      (service.affectedBy.length > 8 ? `; and ${service.affectedBy.length - 8} more` : ''),
  );
  const { dependencies: deps } = service;
  const dependencyLines = [
    ...deps.added.map((d) => `- added ${describeDependency(d)}`),
    ...deps.removed.map((d) => `- removed ${code(d.name)} ${d.version}`),
    ...deps.changed.map(
      ({ name, from, to }) =>
        `- ${code(name)} ${from.version} → ${to.version}${to.license !== from.license ? ` (licence ${from.license ?? 'none'} → ${to.license ?? 'none'})` : ''}`,
    ),
  ];
  const { transitive } = deps;
  if (transitive.added.length + transitive.removed.length > 0) {
    dependencyLines.push(
      `- installed with them: ${transitive.added.length} package(s) added, ${transitive.removed.length} removed`,
    );
  }
  section(lines, 'Runtime dependencies', dependencyLines);
  const m = service.messaging;
  section(lines, 'Messaging', [
    ...listLines('answers', m.answers),
    ...listLines('calls', m.calls),
    ...listLines('publishes', m.publishes),
    ...listLines('pushes', m.pushes),
    ...listLines('receives', m.receives),
    ...listLines('reads', m.reads),
    ...m.consumes.added.map(
      (c) => `- consumes + ${code(c.subject)} (durable ${code(c.consumer)} on ${c.stream})`,
    ),
    ...m.consumes.removed.map(
      (c) =>
        `- consumes − ${code(c.subject)} (durable ${code(c.consumer)} on ${c.stream}: delete it once no release uses it)`,
    ),
    ...listLines('NATS publish right', m.permissions.publish),
    ...listLines('NATS subscribe right', {
      // `<subject> <queue group>` as the server config spells it.
      added: m.permissions.subscribe.added.map((right) => right.replace(' ', ' in queue ')),
      removed: m.permissions.subscribe.removed.map((right) => right.replace(' ', ' in queue ')),
    }),
  ]);
  section(
    lines,
    'Contracts',
    service.contracts.map(
      (c) =>
        `- ${code(c.subject)} (it ${c.use}): ${c.status}${c.breaking.length > 0 ? ` — **breaking**: ${c.breaking.join('; ')}` : ', compatible'}`,
    ),
  );
  section(lines, 'Migrations', [
    ...service.migrations.added.map(
      (m) =>
        `- ${code(m.name)} (${m.statements} statement${m.statements === 1 ? '' : 's'})` +
        (m.risks.length === 0
          ? ': no risky statement found'
          : m.risks.map((r) => `\n  - ${r.database}: ${r.why} — ${code(r.statement)}`).join('')),
    ),
    ...service.migrations.edited.map((file) => `- edited: ${code(file)}`),
  ]);
  const keys = service.configuration.keys;
  section(lines, 'Configuration', [
    ...keys.added.map(
      (k) =>
        `- new ${code(k.key)}: ${k.required ? '**required**, no default' : k.default !== undefined ? `default ${code(k.default)}` : 'optional'}`,
    ),
    ...keys.removed.map((k) => `- removed ${code(k.key)} (remove it from the environments)`),
    ...keys.changed.map((k) => `- ${code(k.key)}: ${k.what.join(', ')}`),
    ...service.configuration.secrets.map(
      (s) => `- new Pulumi secret ${code(s.key)} (${s.program})`,
    ),
  ]);
  lines.push('', '**Expected load**', '');
  if (service.load.measured.length > 0) {
    lines.push(
      '| scenario | knee (ops/s) | p99 at half the knee | its CPU per operation | what one CPU of it sustains |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    for (const load of service.load.measured) {
      const cpu = load.cpuUsPerOp;
      lines.push(
        `| ${load.scenario} | ${load.kneeRate ?? '—'} | ` +
          `${load.p99AtHalfKneeMs === undefined ? '—' : `${load.p99AtHalfKneeMs} ms @ ${load.halfKneeRate}/s`} | ` +
          `${cpu === undefined ? '—' : `${cpu.toLocaleString('en')} µs`} | ` +
          // What its own CPU time per operation allows one core, whatever the rest of the system does.
          `${cpu === undefined || cpu === 0 ? '—' : `≈ ${Math.floor(1e6 / cpu).toLocaleString('en')}/s`} |`,
      );
    }
    lines.push('');
  } else {
    lines.push('No benchmark scenario measured it.', '');
  }
  lines.push(
    service.load.resources.length === 0
      ? 'No stack config gives it resources.'
      : `Per replica: ${service.load.resources.map((r) => `${r.target} ${r.stack} ${r.cpu ?? '?'} CPU, ${r.memoryMb ?? '?'} MB × ${r.replicas ?? 1}${r.maxReplicas === undefined ? '' : `–${r.maxReplicas}`}`).join('; ')}`,
  );
  return lines;
}

function section(lines: string[], title: string, body: string[]): void {
  if (body.length > 0) lines.push('', `**${title}**`, '', ...body);
}

function listLines(what: string, change: ListChange): string[] {
  return [
    ...(change.added.length > 0 ? [`- ${what} + ${change.added.map(code).join(', ')}`] : []),
    ...(change.removed.length > 0 ? [`- ${what} − ${change.removed.map(code).join(', ')}`] : []),
  ];
}

function describeDependency(d: RuntimeDependency): string {
  const facts = [
    d.license ?? 'no licence',
    ...(d.native ? ['native'] : d.installScript ? ['install script'] : []),
  ];
  return `${code(d.name)} ${d.version} (${facts.join(', ')})`;
}

function describeReason(reason: Reason): string {
  if (reason.subject !== undefined) return `${code(reason.subject)} changed (it ${reason.use})`;
  const path = reason.via.join(' → ');
  if (reason.uses !== undefined) return `${code(reason.uses)} changed (${path})`;
  return `${code(reason.file)} (${path})`;
}

function renderStacks(report: ChangeReport): string[] {
  const { changed, secrets } = report.stacks;
  if (changed.length === 0 && secrets.added.length === 0 && secrets.removed.length === 0) return [];
  return [
    '',
    '### Pulumi stacks',
    '',
    ...stacksByFiles(changed),
    ...secrets.added.map(
      (s) =>
        `- ⚠️ new secret ${code(s.key)} required by ${s.program}: \`pulumi config set --secret ${s.key} …\` on each stack`,
    ),
    ...secrets.removed.map((s) => `- secret ${code(s.key)} no longer read by ${s.program}`),
  ];
}

/** Stacks grouped by the files that changed them, then by program: a shared file changes them all. */
function stacksByFiles(changed: ChangeReport['stacks']['changed']): string[] {
  const groups = new Map<string, Map<string, string[]>>();
  for (const stack of changed) {
    const files = stack.files.map(code).join(', ');
    const programs = groups.get(files) ?? new Map<string, string[]>();
    const program = `${stack.target}/${stack.program}`;
    programs.set(program, [...(programs.get(program) ?? []), stack.stack]);
    groups.set(files, programs);
  }
  return [...groups].map(
    ([files, programs]) =>
      `- ${files} → ${[...programs].map(([program, stacks]) => `${program} ${stacks.join(', ')}`).join('; ')}`,
  );
}
