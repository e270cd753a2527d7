import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadPlannedTopology } from './plan/topology';
import { REPORT_MARKER } from './report/render-markdown';

const ROOT = join(__dirname, '..', '..');

interface Job {
  needs?: string | string[];
  if?: string;
  environment?: string;
  strategy?: { matrix?: Record<string, unknown>; 'fail-fast'?: boolean };
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  permissions?: Record<string, string>;
  steps: {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
  }[];
}

interface Workflow {
  on: Record<string, unknown> & {
    workflow_dispatch?: { inputs: { service: { options: string[] } } };
  };
  jobs: Record<string, Job>;
  permissions?: Record<string, string>;
}

function workflow(name: string): Workflow {
  return parse(readFileSync(join(ROOT, '.github', 'workflows', name), 'utf8')) as Workflow;
}

/**
 * What the environments deploy: the hosts of the topology they run (`services`, one process per
 * domain; the monolith is a deployable of the monolith topology, not of these environments).
 */
const SERVICES = [...loadPlannedTopology(ROOT, 'services').hosts].sort();

describe('GitHub workflows', () => {
  it('parse as YAML, every job with steps', () => {
    for (const name of readdirSync(join(ROOT, '.github', 'workflows'))) {
      const jobs = Object.values(workflow(name).jobs);
      expect({ name, jobs: jobs.length > 0 }).toEqual({ name, jobs: true });
      for (const job of jobs) expect(job.steps.length).toBeGreaterThan(0);
    }
  });

  it('ci runs the same .ci/run as the project CI', () => {
    const steps = workflow('ci.yml').jobs['test']?.steps ?? [];
    expect(steps.map((step) => step.run).filter(Boolean)).toEqual(['sudo bash .ci/run']);
  });

  describe('deploy', () => {
    const deploy = workflow('deploy.yml');

    it('plans from the last successful deploy, failing when there is none', () => {
      const setShas = deploy.jobs['plan']?.steps.find((step) =>
        step.uses?.startsWith('nrwl/nx-set-shas'),
      );
      expect(setShas?.with).toMatchObject({ 'error-on-no-successful-workflow': true });
      const checkout = deploy.jobs['plan']?.steps.find((step) =>
        step.uses?.startsWith('actions/checkout'),
      );
      expect(checkout?.with).toMatchObject({ 'fetch-depth': 0 });
      const plan = deploy.jobs['plan']?.steps.map((step) => step.run ?? '').join('\n');
      expect(plan).toContain('deploy -- plan --base "$NX_BASE" --head "$NX_HEAD" --json');
    });

    it('offers every service for a manual deploy, and nothing that is not one', () => {
      const options = deploy.on.workflow_dispatch?.inputs.service.options ?? [];
      expect(options.filter((option) => option !== 'affected').sort()).toEqual(SERVICES);
    });

    it('runs deploy run per service and environment, one at a time each, production after approval', () => {
      for (const [name, env] of [
        ['deploy-staging', 'staging'],
        ['deploy-production', 'production'],
      ] as const) {
        const job = deploy.jobs[name] as Job;
        expect(job.environment).toBe(env);
        expect(job.strategy?.matrix?.['service']).toBe(
          '${{ fromJSON(needs.plan.outputs.services) }}',
        );
        expect(job.concurrency).toEqual({
          group: `deploy-\${{ matrix.service }}-${env}`,
          'cancel-in-progress': false,
        });
        const run = job.steps.map((step) => step.run ?? '').join('\n');
        expect(run).toContain(`npm run deploy -- run \${{ matrix.service }} --env ${env}`);
        expect(run).toContain('${GATEWAY_URL:+--gateway "$GATEWAY_URL"}');
        // The checks diff against the sha the stack runs, and a rollback checks that sha out.
        const checkout = job.steps.find((step) => step.uses === 'actions/checkout@v4');
        expect(checkout?.with?.['fetch-depth']).toBe(0);
      }
      expect(deploy.jobs['deploy-production']?.needs).toEqual(['plan', 'deploy-staging']);
    });
  });

  describe('deploy-report', () => {
    const report = workflow('deploy-report.yml');
    const steps = report.jobs['report']?.steps ?? [];

    it('reports every pull request against its base, with the history to read it from', () => {
      expect(Object.keys(report.on)).toEqual(['pull_request']);
      expect(report.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
      const checkout = steps.find((step) => step.uses === 'actions/checkout@v4');
      expect(checkout?.with?.['fetch-depth']).toBe(0);
      const run = steps.map((step) => step.run ?? '').join('\n');
      expect(run).toContain(
        'npm run -s deploy -- report --base "$BASE_SHA" --head HEAD --format md > deploy-report.md',
      );
      const comment = steps.find((step) => step.uses?.startsWith('actions/github-script'));
      expect(comment?.with?.['script']).toContain(
        "require('./.github/scripts/deploy-report-comment.cjs')",
      );
    });

    /** The issues API of one pull request, in memory: what the comment step calls. */
    function fakeGitHub(comments: { id: number; body: string; user: { type: string } }[]) {
      const rest = {
        issues: {
          listComments: jest.fn(),
          createComment: jest.fn(async ({ body }: { body: string }) => {
            const comment = { id: 100 + comments.length, body, user: { type: 'Bot' } };
            comments.push(comment);
            return { data: comment };
          }),
          updateComment: jest.fn(
            async ({ comment_id, body }: { comment_id: number; body: string }) => {
              const comment = comments.find((c) => c.id === comment_id);
              if (comment === undefined) throw new Error(`no comment ${comment_id}`);
              comment.body = body;
            },
          ),
        },
      };
      return { rest, paginate: async () => [...comments] };
    }

    it('posts the report once per pull request and updates that comment on the next push', async () => {
      const post = require(join(ROOT, '.github', 'scripts', 'deploy-report-comment.cjs')) as (
        args: unknown,
      ) => Promise<unknown>;
      const folder = mkdtempSync(join(tmpdir(), 'deploy-report-'));
      try {
        const path = join(folder, 'deploy-report.md');
        const comments = [
          // A person quoting an old report keeps their comment.
          { id: 1, body: `${REPORT_MARKER}\nquoted by a reviewer`, user: { type: 'User' } },
        ];
        const github = fakeGitHub(comments);
        const context = { repo: { owner: 'team', repo: 'switchboard' }, issue: { number: 7 } };
        writeFileSync(path, `${REPORT_MARKER}\n## first push\n`);
        expect(await post({ github, context, path })).toEqual({ created: 101 });
        writeFileSync(path, `${REPORT_MARKER}\n## second push\n`);
        expect(await post({ github, context, path })).toEqual({ updated: 101 });
        expect(comments.map((c) => c.body)).toEqual([
          `${REPORT_MARKER}\nquoted by a reviewer`,
          `${REPORT_MARKER}\n## second push\n`,
        ]);
        expect(github.rest.issues.createComment).toHaveBeenCalledTimes(1);
        writeFileSync(path, 'not a report');
        await expect(post({ github, context, path })).rejects.toThrow(/not a deploy report/);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });
});
