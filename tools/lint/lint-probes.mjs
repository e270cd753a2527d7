// Lints source snippets as if they lived at the given paths, with the workspace's real ESLint
// config, and prints the messages as JSON. Runs outside jest because ESLint loads its flat config
// with a dynamic import(), which jest's module sandbox does not support.
import { ESLint } from 'eslint';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const probes = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const eslint = new ESLint({ cwd: process.cwd() });
const results = [];
for (const probe of probes) {
  const [result] = await eslint.lintText(probe.code, { filePath: probe.filePath });
  results.push({
    filePath: probe.filePath,
    messages: result.messages.map((message) => ({
      ruleId: message.ruleId,
      message: message.message,
    })),
  });
}
process.stdout.write(JSON.stringify(results));
