/**
 * `npm run contracts -- <command>`: the breaking-change gate of the messaging contracts.
 *   check    compare the contracts with the released document; exit 1 on a breaking change
 *   release  check, then record the contracts as released (rewrite the document)
 *   diff     the subjects added, changed and removed since the release, breaking or not
 * The released document is `libs/contracts/asyncapi.json`; the services' roles come from the
 * messaging manifest (`infra/generated/messaging-manifest.json`). Exit codes: 0 done, 1 breaking
 * changes (or a missing file), 2 wrong usage.
 */
import {
  type AsyncApiDocument,
  asyncApiDocument,
  breakingChanges,
  describeBreakingChanges,
  type ServiceRoles,
  type StreamSubjects,
} from '@switchboard/contracts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
export const RELEASED_DOCUMENT = join(ROOT, 'libs', 'contracts', 'asyncapi.json');
export const MANIFEST = join(ROOT, 'infra', 'generated', 'messaging-manifest.json');

export const USAGE = `Usage: npm run contracts -- <check|release|diff>

  check    fail (exit 1) when a contract changed in a way that breaks a user of the released version
  release  check, then record the current contracts as released (libs/contracts/asyncapi.json)
  diff     list the subjects added, changed and removed since the release
`;

/** The document the current contracts and the committed messaging manifest describe. */
export function currentDocument(manifestPath = MANIFEST): AsyncApiDocument {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    services: Record<string, ServiceRoles>;
    streams: StreamSubjects[];
  };
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  return asyncApiDocument({ version, services: manifest.services, streams: manifest.streams });
}

/** What changed per subject between two documents: `+` added, `~` changed, `-` removed. */
export function subjectDiff(released: AsyncApiDocument, current: AsyncApiDocument): string[] {
  const messagesOf = (document: AsyncApiDocument, subject: string) =>
    JSON.stringify(
      Object.entries(document.components.messages).filter(
        ([name]) => name === subject || name.startsWith(`${subject}.`),
      ),
    );
  const subjects = (document: AsyncApiDocument) =>
    Object.keys(document.channels).filter((name) => !name.endsWith('.reply'));
  const before = new Set(subjects(released));
  const after = new Set(subjects(current));
  return [...new Set([...before, ...after])].sort().flatMap((subject) => {
    if (!before.has(subject)) return [`+ ${subject}`];
    if (!after.has(subject)) return [`- ${subject}`];
    return messagesOf(released, subject) === messagesOf(current, subject) ? [] : [`~ ${subject}`];
  });
}

export interface Files {
  /** The released document. */
  released: string;
  /** The messaging manifest the services' roles come from. */
  manifest: string;
}

export function run(
  args: readonly string[],
  files: Files = { released: RELEASED_DOCUMENT, manifest: MANIFEST },
  out: Pick<NodeJS.WriteStream, 'write'> = process.stdout,
  err: Pick<NodeJS.WriteStream, 'write'> = process.stderr,
): number {
  const [command] = args;
  if (command === undefined || !['check', 'release', 'diff'].includes(command) || args.length > 1) {
    err.write(USAGE);
    return 2;
  }
  const current = currentDocument(files.manifest);
  if (!existsSync(files.released)) {
    if (command !== 'release') {
      err.write(
        `No released document at libs/contracts/asyncapi.json: run "npm run contracts -- release" once.\n`,
      );
      return 1;
    }
  } else {
    const released = JSON.parse(readFileSync(files.released, 'utf8')) as AsyncApiDocument;
    if (command === 'diff') {
      const lines = subjectDiff(released, current);
      out.write(lines.length > 0 ? `${lines.join('\n')}\n` : 'No change since the release.\n');
      return 0;
    }
    const breaking = breakingChanges(released, current);
    if (breaking.length > 0) {
      err.write(
        `${breaking.length} breaking change(s) to released subject versions:\n${describeBreakingChanges(breaking)}\n\n` +
          'Publish the change under a new subject version (…v2) next to the released one instead.\n',
      );
      return 1;
    }
    const changed = subjectDiff(released, current).length;
    if (command === 'check') {
      out.write(
        changed > 0
          ? `No breaking change; ${changed} subject(s) changed since the release ("npm run contracts -- diff").\n`
          : 'No change since the release.\n',
      );
      return 0;
    }
  }
  writeFileSync(files.released, `${JSON.stringify(current, null, 2)}\n`);
  out.write('Recorded the contracts as released: libs/contracts/asyncapi.json\n');
  return 0;
}

if (require.main === module) process.exitCode = run(process.argv.slice(2));
