import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { alertRules, dashboardFiles } from '../components/observability';
import { keptLabels, labelsIn, seriesIn } from '../testing/promql';
import { CUSTOM_SERIES, HISTOGRAMS, KNOWN_LABELS, KNOWN_SERIES } from './metrics';
import { DATASOURCE_UIDS, renderGrafanaDatasources } from './prometheus';

interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
  panels?: Panel[];
}

interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  editable: boolean;
  templating: {
    list: { name: string; type: string; query: { query: string } | string; definition: string }[];
  };
  panels: Panel[];
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const dashboards = dashboardFiles().map(({ name, content }) => ({
  name,
  dashboard: JSON.parse(content) as Dashboard,
}));
const rules = (parse(alertRules()) as { groups: { name: string; rules: Rule[] }[] }).groups;
const alerts = rules.flatMap((group) => group.rules);

/** Every panel, those inside collapsed rows included. */
function panelsOf(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Every PromQL expression: the panels' queries and the template variables'. */
function expressionsOf(dashboard: Dashboard): { where: string; expr: string }[] {
  const queries = panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ where: panel.title, expr: target.expr })),
  );
  const variables = dashboard.templating.list.map((variable) => ({
    where: `$${variable.name}`,
    // label_values(<series>, <label>): the series is what it reads.
    expr: variable.definition.replace(/^label_values\((.*),\s*\w+\)$/, '$1'),
  }));
  return [...queries, ...variables];
}

/** A reference to anything the services do not serve, with where it is. */
function unknownIn(where: string, expr: string): string[] {
  const series = seriesIn(expr)
    .filter((name) => !KNOWN_SERIES.has(name))
    .map((name) => `${where}: series ${name}`);
  const labels = labelsIn(expr)
    .filter((label) => !KNOWN_LABELS.has(label))
    .map((label) => `${where}: label ${label}`);
  return [...series, ...labels];
}

describe('the PromQL reader of these specs', () => {
  it('finds series and labels, not functions, keywords, variables or durations', () => {
    const expr =
      'histogram_quantile(0.99, sum by (service, le) (rate(rpc_server_duration_seconds_bucket{service=~"$service", code!="OK"}[$__rate_interval]))) > bool 1e3 and on (service) up offset 5m';
    expect(seriesIn(expr).sort()).toEqual(['rpc_server_duration_seconds_bucket', 'up']);
    expect(labelsIn(expr).sort()).toEqual(['code', 'le', 'service']);
    expect(seriesIn('deriv(max by (consumer) (events_consumer_pending)[15m:1m]) > 1')).toEqual([
      'events_consumer_pending',
    ]);
    expect(keptLabels('max by (consumer) (dlq_events) > 0')).toEqual(['consumer']);
    expect(keptLabels('up == 0')).toBeUndefined();
  });
});

describe('the metrics the dashboards and rules may use', () => {
  it('are still declared by the platform’s code', () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.ts$/.test(entry) && !/spec\.ts$/.test(entry)) {
          sources.push(readFileSync(path, 'utf8'));
        }
      }
    };
    walk(join(__dirname, '..', '..', 'libs'));
    const declared = (name: string) => sources.some((source) => source.includes(`'${name}'`));
    expect([...HISTOGRAMS, ...CUSTOM_SERIES].filter((name) => !declared(name))).toEqual([]);
  });
});

describe.each(dashboards.map(({ name, dashboard }) => [name, dashboard] as const))(
  'dashboard %s',
  (_name, dashboard) => {
    it('is a Grafana dashboard with a fixed uid, read-only, of a recent schema', () => {
      expect(dashboard.uid).toMatch(/^switchboard-[a-z-]+$/);
      expect(dashboard.uid.length).toBeLessThanOrEqual(40);
      expect(dashboard.title).toMatch(/^Switchboard \/ /);
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
      // Dashboards are code: changes go through review, not the UI.
      expect(dashboard.editable).toBe(false);
    });

    it('has unique panel ids, panels on the 24-column grid, and a query in every panel', () => {
      const panels = panelsOf(dashboard);
      const ids = panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of panels) {
        expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
        if (panel.type === 'row') continue;
        expect({ panel: panel.title, queries: (panel.targets ?? []).length > 0 }).toEqual({
          panel: panel.title,
          queries: true,
        });
        const refIds = (panel.targets ?? []).map((target) => target.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
      }
    });

    it('reads the provisioned Prometheus data source, by its fixed uid', () => {
      const provisioned = (
        parse(renderGrafanaDatasources()) as { datasources: { uid: string; type: string }[] }
      ).datasources.find((source) => source.type === 'prometheus');
      expect(provisioned?.uid).toBe(DATASOURCE_UIDS.prometheus);
      for (const panel of panelsOf(dashboard).filter((candidate) => candidate.type !== 'row')) {
        expect(panel.datasource).toEqual({ type: 'prometheus', uid: DATASOURCE_UIDS.prometheus });
        for (const target of panel.targets ?? [])
          expect(target.datasource).toEqual(panel.datasource);
      }
    });

    it('has a $service variable listing the services that serve HTTP', () => {
      const variable = dashboard.templating.list.find((candidate) => candidate.name === 'service');
      expect(variable).toMatchObject({
        type: 'query',
        definition: 'label_values(http_server_duration_seconds_count, service)',
      });
    });

    it('queries only series and labels the services serve', () => {
      const expressions = expressionsOf(dashboard);
      expect(expressions.length).toBeGreaterThan(5);
      expect(expressions.flatMap(({ where, expr }) => unknownIn(where, expr))).toEqual([]);
    });

    it('takes quantiles over rates of _bucket series, by le', () => {
      for (const { expr } of expressionsOf(dashboard).filter((e) =>
        /histogram_quantile/.test(e.expr),
      )) {
        expect(expr).toMatch(
          /histogram_quantile\(0\.\d+, sum by \([^)]*\ble\b[^)]*\) \(rate\(\w+_bucket\{/,
        );
      }
    });
  },
);

describe('the dashboards together', () => {
  it('are the RED and messaging-health dashboards, with distinct uids', () => {
    expect(dashboards.map(({ name }) => name)).toEqual([
      'messaging-health.json',
      'switchboard-red.json',
    ]);
    const uids = dashboards.map(({ dashboard }) => dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('cover what each is for', () => {
    const series = (file: string) =>
      expressionsOf(dashboards.find(({ name }) => name === file)?.dashboard as Dashboard).flatMap(
        ({ expr }) => seriesIn(expr),
      );
    expect(series('switchboard-red.json')).toEqual(
      expect.arrayContaining([
        'http_server_duration_seconds_count',
        'http_server_duration_seconds_bucket',
        'rpc_server_duration_seconds_count',
        'rpc_server_duration_seconds_bucket',
        'rpc_client_duration_seconds_count',
      ]),
    );
    expect(series('messaging-health.json')).toEqual(
      expect.arrayContaining([...CUSTOM_SERIES, 'nodejs_eventloop_lag_p99_seconds']),
    );
  });
});

describe('alerting rules', () => {
  it('is a rules file of named groups, each rule an alert', () => {
    expect(rules.map((group) => group.name)).toEqual([
      'switchboard-messaging',
      'switchboard-requests',
      'switchboard-runtime',
    ]);
    for (const rule of alerts) expect(rule.alert).toMatch(/^[A-Z][A-Za-z0-9]+$/);
    const names = alerts.map((rule) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives every alert an expression, a for, a severity, a summary and a description', () => {
    for (const rule of alerts) {
      expect({ alert: rule.alert, expr: typeof rule.expr }).toEqual({
        alert: rule.alert,
        expr: 'string',
      });
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning']).toContain(rule.labels?.['severity']);
      expect(rule.annotations?.['summary']).toEqual(expect.any(String));
      expect(rule.annotations?.['description']).toEqual(expect.any(String));
    }
  });

  it('uses only series and labels the services serve', () => {
    expect(alerts.flatMap((rule) => unknownIn(rule.alert ?? '?', rule.expr))).toEqual([]);
  });

  it('only names in its annotations labels its expression keeps', () => {
    for (const rule of alerts) {
      const kept = keptLabels(rule.expr);
      const named = Object.values(rule.annotations ?? {}).flatMap((text) =>
        [...text.matchAll(/\$labels\.(\w+)/g)].map((match) => match[1]),
      );
      if (kept === undefined) continue;
      expect({
        alert: rule.alert,
        dropped: named.filter((label) => !kept.includes(label)),
      }).toEqual({ alert: rule.alert, dropped: [] });
    }
  });

  it('covers DLQ, outbox age, consumer lag, 5xx, RPC errors, NATS flapping, event loop and targets', () => {
    const byName = Object.fromEntries(alerts.map((rule) => [rule.alert, rule]));
    expect(byName['DeadLettersPresent'].expr).toMatch(/dlq_events\) > 0$/);
    expect(byName['OutboxStalled']).toMatchObject({ for: '5m' });
    expect(byName['OutboxStalled'].expr).toMatch(/outbox_oldest_event_age_seconds\) > 60$/);
    expect(byName['ConsumerLagHigh']).toMatchObject({ for: '10m' });
    expect(byName['ConsumerLagHigh'].expr).toMatch(/events_consumer_pending\) > 1000$/);
    expect(byName['ConsumerLagGrowing'].expr).toMatch(/deriv\(/);
    expect(byName['HttpErrorRatioHigh']).toMatchObject({ for: '10m' });
    expect(byName['HttpErrorRatioHigh'].expr).toMatch(/status=~"5\.\."[\s\S]*> 0\.05$/);
    expect(byName['RpcServerErrorRatioHigh'].expr).toContain('code=~"INTERNAL|UNAVAILABLE"');
    expect(byName['NatsReconnectFlapping'].expr).toMatch(
      /increase\(nats_reconnects_total\[10m\]\)\) > 3$/,
    );
    expect(byName['EventLoopLagHigh'].expr).toMatch(/nodejs_eventloop_lag_p99_seconds\) > 0\.5$/);
    expect(byName['TargetDown'].expr).toBe('up == 0');
  });
});
