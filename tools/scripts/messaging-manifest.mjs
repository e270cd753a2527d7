#!/usr/bin/env node
// Writes infra/generated/messaging-manifest.json: what each service does on NATS (RPCs it answers
// and calls, events it publishes and consumes), read from the built services themselves
// (`node dist/services/<name>/main.js --messaging-manifest`), and the JetStream streams they
// expect. The deployment generates each service's NATS permissions and the streams it creates from
// this file; a test fails when it no longer matches the code.
//
//   npx nx run-many -t build && node tools/scripts/messaging-manifest.mjs [--check]
//   node tools/scripts/messaging-manifest.mjs --from-source   # no build: each main.ts through swc
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICES } from './lib/services.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MANIFEST_FILE = join(ROOT, 'infra', 'generated', 'messaging-manifest.json');

/**
 * The manifest of every service, as its build reports it, and the stream definitions they share
 * (each service reports the streams it expects; the platform creates them from this one list).
 */
export function generateManifest(dist = join(ROOT, 'dist', 'services'), { fromSource = false } = {}) {
  const services = {};
  let streams;
  for (const { name } of SERVICES) {
    const main = fromSource
      ? join(ROOT, 'services', name, 'src', 'main.ts')
      : join(dist, name, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build the services first`);
    // From source: swc compiles each file as it is required (tools/dlq/register.cjs), as the CLIs run.
    const register = fromSource ? ['-r', join(ROOT, 'tools', 'dlq', 'register.cjs')] : [];
    const output = execFileSync(process.execPath, [...register, main, '--messaging-manifest'], {
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    const { streams: expected, ...entry } = JSON.parse(output);
    if (streams === undefined) {
      streams = expected;
    } else if (JSON.stringify(expected) !== JSON.stringify(streams)) {
      // Built from different commits: the platform cannot create streams that satisfy both.
      throw new Error(`${name} expects other stream definitions than ${SERVICES[0].name}: rebuild all services`);
    }
    services[name] = entry;
  }
  return `${JSON.stringify({ services, streams }, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const generated = generateManifest(undefined, {
    fromSource: process.argv.includes('--from-source'),
  });
  if (process.argv.includes('--check')) {
    const committed = existsSync(MANIFEST_FILE) ? readFileSync(MANIFEST_FILE, 'utf8') : '';
    if (committed !== generated) {
      process.stderr.write(
        'infra/generated/messaging-manifest.json is out of date: run node tools/scripts/messaging-manifest.mjs\n',
      );
      process.exit(1);
    }
    process.stdout.write('messaging manifest is up to date\n');
  } else {
    mkdirSync(dirname(MANIFEST_FILE), { recursive: true });
    writeFileSync(MANIFEST_FILE, generated);
    process.stdout.write(`wrote ${MANIFEST_FILE.slice(ROOT.length + 1)}\n`);
  }
}
