// Shared by the generators in this folder: files rendered from a source of truth are committed, and
// `--check` (run by the tests) fails when a committed copy no longer matches what would be written.
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, relative, join } = require('node:path');

const workspaceRoot = join(__dirname, '..', '..');

/**
 * Writes every file of `files` (path → content) whose content differs, or with `check` writes
 * nothing and, when any differs, names them on stderr with the command that regenerates them and
 * sets exit code 1.
 */
function writeOrCheck(files, { check, source, command }) {
  const stale = [];
  for (const [path, content] of files) {
    const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (current === content) continue;
    if (check) stale.push(relative(workspaceRoot, path));
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      process.stdout.write(`wrote ${relative(workspaceRoot, path)}\n`);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(`Out of date with ${source}: ${stale.join(', ')}\nRun \`${command}\`.\n`);
    process.exitCode = 1;
  }
}

module.exports = { writeOrCheck };
