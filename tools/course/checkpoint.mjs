#!/usr/bin/env node
// `npm run checkpoint -- <lesson>`: checks that the state a lesson of docs/extraction/ should reach
// is the state of this machine, and says what is wrong when it is not. Exit 0 when every check
// passes, 1 when one fails, 2 when called wrong.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runChecks } from './lib/check.mjs';
import { LESSONS } from './lessons.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const USAGE = `Usage: npm run checkpoint -- <lesson 1-${LESSONS.length}> [options]

${LESSONS.map((lesson, index) => `  ${index + 1}  ${lesson.title.padEnd(40)} ${lesson.doc}`).join('\n')}

  --running <file>   what runs (default .switchboard/running.json, written by npm start)
  --releases <file>  the local releases (default .switchboard/releases/local.json)
  --bench <file>     the RPC benchmark result (default: the newest dist/bench/rpc-*.json)
  --workspace <dir>  the workspace lesson 2 lints (default: this one)`;

function parse(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      running: { type: 'string' },
      releases: { type: 'string' },
      bench: { type: 'string' },
      workspace: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const [lesson, ...rest] = positionals;
  const number = Number(lesson);
  if (rest.length > 0 || !Number.isInteger(number) || number < 1 || number > LESSONS.length) {
    throw new Error(`expected one lesson number, 1 to ${LESSONS.length}`);
  }
  const workspace = resolve(values.workspace ?? ROOT);
  return {
    number,
    context: {
      workspace,
      runningFile: resolve(values.running ?? join(ROOT, '.switchboard', 'running.json')),
      releasesFile: resolve(
        values.releases ?? join(ROOT, '.switchboard', 'releases', 'local.json'),
      ),
      benchDir: join(ROOT, 'dist', 'bench'),
      benchFile: values.bench && resolve(values.bench),
    },
  };
}

async function main() {
  let parsed;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`checkpoint: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!parsed) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const lesson = LESSONS[parsed.number - 1];
  const write = (line) => process.stdout.write(`${line}\n`);
  write(`Checkpoint ${parsed.number}: ${lesson.title} (${lesson.doc})`);
  const passed = await runChecks(lesson.checks, parsed.context, write);
  write(
    passed
      ? `Checkpoint ${parsed.number} passed.`
      : `Checkpoint ${parsed.number} not reached yet: fix the ✘ above and run it again.`,
  );
  return passed ? 0 : 1;
}

process.exitCode = await main();
