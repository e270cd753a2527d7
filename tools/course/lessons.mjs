// The checkpoints of docs/extraction/: for each lesson, the state it should reach, as checks that
// look at the real thing — the running processes, the lint, the benchmark's file, the release record.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CheckFailed, expect } from './lib/check.mjs';
import { lintBoundaries, probeBoundary, projectGraph } from './lib/lint.mjs';
import {
  echoRoundTrip,
  gatewayReady,
  hostOf,
  identify,
  readRunning,
  request,
  signIn,
} from './lib/system.mjs';

const DOMAINS = ['chat', 'stories', 'calls', 'bots'];
const ECHOES = 5;
// Long enough for a redelivered event's second reply to show (the consumers' ack wait is longer,
// but a double reply from two live consumers shows at once).
const SETTLE_MS = 1_500;

const domainsOf = (process) => [...process.domains].sort().join(', ');
const services = (context) => context.processes.filter((process) => process.host !== 'gateway');

// ── checks shared by the lessons on a running system ─────────────────────────────────────────────

const running = {
  name: 'the system is running and every process answers as running.json says',
  async run(context) {
    context.running = readRunning(context.runningFile);
    context.processes = await identify(context.running);
    const list = services(context).map((p) => `${p.name} (${domainsOf(p)})`);
    return `topology ${context.running.topology}: ${list.join('; ')}`;
  },
};

const gateway = {
  name: 'the gateway is ready',
  async run(context) {
    context.gatewayHealth = await gatewayReady(context.running);
    return context.running.gateway;
  },
};

/** bots (or calls) alone in its process, with the file to write if it is not. */
function alone(domain, lesson) {
  return {
    name: `${domain} runs in a process of its own`,
    async run(context) {
      const host = hostOf(context.processes, domain);
      expect(
        host.domains.length === 1,
        `${domain} is hosted by ${host.name} together with ${host.domains.filter((d) => d !== domain).join(', ')}`,
        `lesson ${lesson}: write a topology where ${domain} has a process of its own, then\n` +
          `npm start -- --topology <its name>   (docs/extraction/${lesson}-extract-${domain}.md)`,
      );
      return `${host.name} on ${host.url}`;
    },
  };
}

const echoExactlyOnce = {
  name: `every /echo is answered exactly once (${ECHOES} messages, chat → bots → chat)`,
  async run(context) {
    const user = await signIn(context.running, 'alice');
    const nonce = randomUUID().slice(0, 8);
    const texts = Array.from({ length: ECHOES }, (_, index) => `checkpoint-${nonce}-${index + 1}`);
    const counts = await echoRoundTrip(user, texts, SETTLE_MS);
    const wrong = [...counts].filter(([, n]) => n !== 1);
    expect(
      wrong.length === 0,
      `replies per message: ${wrong.map(([text, n]) => `"${text}" ×${n}`).join(', ')}`,
      'two processes hosting bots with different consumers? bots must be hosted exactly once',
    );
    const chat = hostOf(context.processes, 'chat').name;
    const bots = hostOf(context.processes, 'bots').name;
    return chat === bots ? `inside ${chat}` : `from ${chat} to ${bots} and back, over NATS`;
  },
};

// ── the lessons ──────────────────────────────────────────────────────────────────────────────────

const lesson1 = {
  title: 'Start as one process',
  doc: 'docs/extraction/1-one-process.md',
  checks: [
    running,
    {
      name: 'one process hosts chat, stories, calls and bots',
      async run(context) {
        const hosts = services(context);
        expect(
          hosts.length === 1 && domainsOf(hosts[0]) === [...DOMAINS].sort().join(', '),
          `the domains run in ${hosts.length} processes: ${hosts.map((p) => `${p.name} (${domainsOf(p)})`).join('; ')}`,
          'stop `npm start` (Ctrl-C) and start the monolith: npm start -- --topology monolith',
        );
        return `${hosts[0].name}, pid ${hosts[0].pid}`;
      },
    },
    gateway,
    echoExactlyOnce,
  ],
};

const lesson2 = {
  title: 'See the boundaries that lint enforces',
  doc: 'docs/extraction/2-boundaries.md',
  checks: [
    {
      name: 'Nx knows the domain libs and their tags',
      async run(context) {
        const tags = await projectGraph(context.workspace, DOMAINS);
        return DOMAINS.map((domain) => `${domain}-domain [${tags[domain].join(', ')}]`).join('; ');
      },
    },
    {
      name: 'lint refuses a domain importing another (bots → @switchboard/chat)',
      run: (context) => probeBoundary(context.workspace),
    },
    {
      name: 'no domain lib imports another',
      run: (context) => lintBoundaries(context.workspace, DOMAINS),
    },
  ],
};

const lesson3 = {
  title: 'Extract bots',
  doc: 'docs/extraction/3-extract-bots.md',
  checks: [running, alone('bots', 3), gateway, echoExactlyOnce],
};

const lesson4 = {
  title: 'Extract calls',
  doc: 'docs/extraction/4-extract-calls.md',
  checks: [
    running,
    alone('bots', 3),
    alone('calls', 4),
    gateway,
    {
      name: 'a call starts in a conversation, and not in one you are not in (calls asks chat)',
      async run(context) {
        const alice = await signIn(context.running, 'alice');
        const carol = await signIn(context.running, 'carol');
        const conversation = await alice.call(201, 'POST', 'chat', '/conversations', {
          title: 'checkpoint call',
          memberIds: ['bob'],
        });
        const body = { conversationId: conversation.id };
        const started = await alice.call(201, 'POST', 'calls', '/calls', body);
        expect(started.state === 'ringing', `the call is ${started.state}, not ringing`);
        await carol.call(403, 'POST', 'calls', '/calls', body);
        const calls = hostOf(context.processes, 'calls').name;
        const chat = hostOf(context.processes, 'chat').name;
        return `call ${started.id} ringing; carol refused (403) — ${calls} asked ${chat} over NATS`;
      },
    },
    echoExactlyOnce,
  ],
};

/** The newest `rpc-*.json` the benchmark wrote (or the file given). */
function latestBench(benchDir, file) {
  if (file) {
    expect(existsSync(file), `no benchmark result ${file}`);
    return file;
  }
  const found = existsSync(benchDir)
    ? readdirSync(benchDir).filter((name) => /^rpc-.*\.json$/.test(name))
    : [];
  expect(
    found.length > 0,
    `no RPC benchmark result in ${benchDir}`,
    'npm run bench -- --impl platform,in-process --concurrency 1 --duration 3 --rounds 1',
  );
  return join(benchDir, found.sort().at(-1));
}

const lesson5 = {
  title: 'Measure what the hop costs',
  doc: 'docs/extraction/5-measure.md',
  checks: [
    {
      name: 'the benchmark measured a call over NATS and the same call in-process, at one load',
      async run(context) {
        const file = latestBench(context.benchDir, context.benchFile);
        let result;
        try {
          result = JSON.parse(readFileSync(file, 'utf8'));
        } catch (error) {
          throw new CheckFailed(`${file} is not JSON (${error.message})`);
        }
        const of = (implementation) =>
          (result.aggregates ?? []).filter((a) => a.implementation === implementation);
        const pairs = of('platform').flatMap((platform) =>
          of('in-process')
            .filter((local) => JSON.stringify(local.load) === JSON.stringify(platform.load))
            .map((local) => ({ platform, local })),
        );
        expect(
          pairs.length > 0,
          `${file} has no platform and in-process runs at the same load`,
          'npm run bench -- --impl platform,in-process --concurrency 1 --duration 3 --rounds 1',
        );
        context.hops = pairs;
        return relative(process.cwd(), file);
      },
    },
    {
      name: 'what one hop costs',
      async run(context) {
        const lines = context.hops.map(({ platform, local }) => {
          const load =
            platform.load.kind === 'closed'
              ? `c=${platform.load.concurrency}`
              : `${platform.load.rate}/s`;
          const hop = platform.latencyUs.p50 - local.latencyUs.p50;
          const rate = (a) => Math.round(a.throughput).toLocaleString('en');
          return (
            `${load}: p50 ${local.latencyUs.p50.toFixed(1)} µs in-process, ` +
            `${platform.latencyUs.p50.toFixed(1)} µs over NATS → the hop adds ${hop.toFixed(1)} µs; ` +
            `${rate(local)} vs ${rate(platform)} calls/s`
          );
        });
        return `\n        ${lines.join('\n        ')}`;
      },
    },
  ],
};

const lesson6 = {
  title: 'Deploy one service alone',
  doc: 'docs/extraction/6-deploy-one.md',
  checks: [
    running,
    {
      name: 'bots has a live release in the local environment',
      async run(context) {
        const hint = 'npm run deploy -- run bots --env local';
        expect(
          existsSync(context.releasesFile),
          `no release recorded: no ${context.releasesFile}`,
          hint,
        );
        const { releases } = JSON.parse(readFileSync(context.releasesFile, 'utf8'));
        const live = releases.filter((r) => r.service === 'bots' && r.result === 'live');
        expect(live.length > 0, 'no live bots release in the record', hint);
        context.release = live.at(-1);
        return `${context.release.sha.slice(0, 12)} on ${context.release.url}, since ${context.release.finishedAt}`;
      },
    },
    {
      name: 'the release is ready and answers as its sha',
      async run(context) {
        const { url, sha, pid } = context.release;
        const ready = await request('GET', `${url}/health/ready`);
        const status = 'npm run deploy -- status --env local';
        expect(ready.status === 200, `${url} is not ready (${ready.status})`, status);
        // Every response of a release names it: what answers there is the release recorded.
        const answered = ready.headers.get('x-service-release');
        expect(
          answered === sha,
          `${url} answers as release ${answered ?? '(none)'}, not ${sha.slice(0, 12)}`,
          status,
        );
        return `pid ${pid}, x-service-release ${sha.slice(0, 12)}`;
      },
    },
    {
      name: "the gateway routes bots to that release (the pipeline's switch)",
      async run(context) {
        const health = await gatewayReady(context.running);
        const bots = health?.details?.upstreams?.bots;
        expect(
          bots?.release === context.release.sha,
          `the gateway says bots is served by ${bots?.release ?? 'its configured upstream'}, not ${context.release.sha.slice(0, 12)}`,
          'the switch did not happen or was rolled back: npm run deploy -- status --env local',
        );
        return `release ${bots.release.slice(0, 12)}, ${bots.ready} of ${bots.replicas} ready`;
      },
    },
    echoExactlyOnce,
  ],
};

export const LESSONS = [lesson1, lesson2, lesson3, lesson4, lesson5, lesson6];
