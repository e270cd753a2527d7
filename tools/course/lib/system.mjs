// The running system as a checkpoint sees it: `.switchboard/running.json` (written by `npm start`),
// each process asked who it is, and a user talking to it through the gateway like a client would.
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseRunningState } from '../../scripts/lib/running-state.mjs';
import { CheckFailed, expect } from './check.mjs';

const TIMEOUT_MS = 5_000;
const START_HINT =
  'start it in another shell: npm start -- --topology <name>, and wait for the URLs';

/** Reads running.json; fails with how to start the system when there is none. */
export function readRunning(file) {
  expect(existsSync(file), `nothing is running: no ${file}`, START_HINT);
  try {
    return parseRunningState(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CheckFailed(`${file} is not what npm start writes (${error.message})`, START_HINT);
  }
}

export async function request(method, url, { token, body } = {}) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new CheckFailed(
      `${method} ${url} got no answer (${error.cause?.code ?? error.name})`,
      `is \`npm start\` still running? ${START_HINT}`,
    );
  }
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, body: json, text };
}

/** GET or POST that must answer `expected`; fails naming what came back instead. */
export async function call(expected, method, url, options) {
  const response = await request(method, url, options);
  expect(
    response.status === expected,
    `${method} ${url} answered ${response.status}, not ${expected}: ${response.text.slice(0, 300)}`,
  );
  return response.body;
}

/**
 * Each process of running.json asked `/health/live` who it is: the name and domains it answers
 * with, not the ones the file claims (the file may be left over from an `npm start` that died).
 */
export async function identify(running) {
  const seen = [];
  for (const process of running.processes) {
    const live = await call(200, 'GET', `${process.url}/health/live`);
    expect(
      live?.service === process.name,
      `${process.url} is ${live?.service ?? 'something else'}, not ${process.name}: running.json is stale`,
      `stop whatever runs there and ${START_HINT}`,
    );
    seen.push({ ...process, domains: live.domains ?? [] });
  }
  return seen;
}

/** The process hosting `domain` (never the gateway). */
export function hostOf(processes, domain) {
  const host = processes.find((process) => process.domains.includes(domain));
  expect(host, `no running process hosts ${domain}`, 'every domain must be in the topology');
  return host;
}

/** The gateway answers ready (every domain's upstream reachable). */
export async function gatewayReady(running) {
  const ready = await request('GET', `${running.gateway}/health/ready`);
  expect(
    ready.status === 200,
    `the gateway is not ready (${ready.status}): ${ready.text.slice(0, 300)}`,
    'wait until `npm start` prints the URLs; its output names what is not ready',
  );
  return ready.body;
}

/** A user of the API through the gateway, with a dev token the gateway itself issues. */
export async function signIn(running, userId) {
  const { token } = await call(201, 'POST', `${running.gateway}/api/dev/token`, {
    body: { userId },
  });
  const api = (domain) => `${running.gateway}/api/${domain}`;
  return {
    userId,
    call: (expected, method, domain, path, body) =>
      call(expected, method, `${api(domain)}${path}`, { token, body }),
  };
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually(probe, timeoutMs, message, hint) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new CheckFailed(message, hint);
    await sleep(200);
  }
}

/**
 * Posts `/echo <text>` for each text in a new conversation of `user` and waits for echo-bot's
 * replies; then waits `settleMs` more so a late second reply is seen. Returns how many replies each
 * text got.
 */
export async function echoRoundTrip(user, texts, settleMs) {
  const conversation = await user.call(201, 'POST', 'chat', '/conversations', {
    title: 'checkpoint',
    memberIds: ['bob'],
  });
  for (const text of texts) {
    await user.call(201, 'POST', 'chat', `/conversations/${conversation.id}/messages`, {
      text: `/echo ${text}`,
    });
  }
  const count = async () => {
    const page = await user.call(
      200,
      'GET',
      'chat',
      `/conversations/${conversation.id}/messages?limit=100`,
    );
    const replies = page.items.filter((message) => message.sender.id === 'echo-bot');
    return new Map(texts.map((text) => [text, replies.filter((m) => m.text === text).length]));
  };
  await eventually(
    async () => ([...(await count()).values()].every((n) => n > 0) ? true : undefined),
    10_000,
    `echo-bot did not answer all of ${texts.length} /echo messages within 10 s`,
    'is the process hosting bots ready? its log lines in `npm start` say why not',
  );
  await sleep(settleMs);
  return count();
}
