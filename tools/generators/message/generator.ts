import { formatFiles, type GeneratorCallback, generateFiles, logger, type Tree } from '@nx/devkit';
import { join } from 'node:path';
import { addMessageRows, edit, regenerateManifest } from '../service/edits';

export interface MessageGeneratorOptions {
  /** The owning domain: it answers the RPC, or publishes the event. */
  domain: string;
  /** An RPC's `verb-noun` (`count-notes`), or an event's `entity.past-verb` (`note.archived`). */
  name: string;
  kind: 'rpc' | 'event';
  /** The domain that consumes the event (default: the owner). */
  consumer?: string;
  /** Skip regenerating the messaging manifest (the caller does it). */
  skipManifest?: boolean;
}

const TOKEN = /^[a-z][a-z0-9-]*$/;

/**
 * `nx g @switchboard/tools:message <domain> <name> --kind rpc|event`: a new message, version 1 —
 * its contract in libs/contracts (schemas to fill in), and the code that answers or consumes it in
 * the domain lib, registered in the domain's module, with a test. An RPC gets a handler and a use
 * case in the owner; an event gets a consumer in `--consumer` (publish it with `outbox.add`). The
 * AsyncAPI document and the NATS permissions follow from the contracts and the regenerated
 * messaging manifest; the README's table of messages gets its row.
 */
export async function messageGenerator(
  tree: Tree,
  options: MessageGeneratorOptions,
): Promise<GeneratorCallback> {
  const domain = options.domain.trim();
  const consumer = (options.consumer ?? domain).trim();
  for (const lib of [domain, consumer]) {
    if (
      !tree.exists(`libs/contracts/src/lib/${lib}/index.ts`) ||
      !tree.exists(`libs/${lib}/src/lib/${lib}.module.ts`)
    ) {
      throw new Error(
        `No domain "${lib}": expected libs/contracts/src/lib/${lib}/ and libs/${lib}/`,
      );
    }
  }
  const parts = options.kind === 'rpc' ? [options.name] : options.name.split('.');
  if (
    !parts.every((part) => TOKEN.test(part)) ||
    parts.length !== (options.kind === 'rpc' ? 1 : 2)
  ) {
    throw new Error(
      options.kind === 'rpc'
        ? `An RPC's name is a lower-case verb-noun such as count-notes, got "${options.name}"`
        : `An event's name is entity.past-verb in lower case, such as note.archived, got "${options.name}"`,
    );
  }
  const subject = `${options.kind === 'rpc' ? 'rpc' : 'evt'}.${domain}.${parts.join('.')}.v1`;
  const Const = parts
    .flatMap((part) => part.split('-'))
    .map(capital)
    .join('');
  const Domain = capital(domain);
  if (
    tree.read('libs/contracts/asyncapi.json', 'utf8')?.includes(`"${subject}"`) ||
    contractsMention(tree, domain, subject)
  ) {
    throw new Error(`${subject} exists already: a changed message is a new version (…v2)`);
  }
  const names = {
    name: options.name,
    domain,
    Domain,
    Const,
    constLower: Const[0].toLowerCase() + Const.slice(1),
    subject,
    consumer,
    template: '',
  };
  if (options.kind === 'rpc') {
    addContract(tree, domain, 'rpcs.ts', Const, rpcContract(Const, subject));
    const lib = `libs/${domain}/src/lib`;
    generateFiles(tree, join(__dirname, 'files', 'rpc'), lib, names);
    move(
      tree,
      `${lib}/use-case.ts`,
      `${lib}/use-cases/${options.name}/${options.name}.use-case.ts`,
    );
    tree.write(
      `${lib}/use-cases/${options.name}/index.ts`,
      `export * from './${options.name}.use-case';\n`,
    );
    move(tree, `${lib}/controller.ts`, `${lib}/rpc/${options.name}.message.controller.ts`);
    move(
      tree,
      `${lib}/controller.spec.ts`,
      `${lib}/rpc/${options.name}.message.controller.spec.ts`,
    );
    register(tree, domain, {
      controllers: [`${Const}MessageController`, `./rpc/${options.name}.message.controller`],
      providers: [`${Const}UseCase`, `./use-cases/${options.name}`],
    });
  } else {
    addContract(tree, domain, 'events.ts', Const, eventContract(Const, subject));
    const fileName = parts.join('-');
    const lib = `libs/${consumer}/src/lib`;
    generateFiles(tree, join(__dirname, 'files', 'event'), lib, { ...names, fileName });
    move(tree, `${lib}/handler.ts`, `${lib}/events/${fileName}.handler.ts`);
    move(tree, `${lib}/handler.spec.ts`, `${lib}/events/${fileName}.handler.spec.ts`);
    register(tree, consumer, { controllers: [`${Const}Handler`, `./events/${fileName}.handler`] });
  }
  addMessageRows(tree, [
    `| \`${subject}\` | ${options.kind === 'rpc' ? 'request/reply' : 'event'} | ${domain} | ${options.kind === 'event' ? consumer : '—'} | (describe it) |`,
  ]);
  await formatFiles(tree);
  return () => {
    if (!options.skipManifest) regenerateManifest(tree.root);
    logger.info(
      `\n${subject} is declared in libs/contracts/src/lib/${domain}/: fill in its schemas, then npm test.`,
    );
  };
}

export default messageGenerator;

function rpcContract(Const: string, subject: string): string {
  return `
/** (What it asks, and what it answers.) */
export const ${Const} = defineRpc({
  subject: '${subject}',
  request: z.object({}).strict(),
  result: z.object({ answeredAt: Instant }).strict(),
});
`;
}

function eventContract(Const: string, subject: string): string {
  return `
/** (What happened.) */
export const ${Const} = defineEvent({
  subject: '${subject}',
  payload: z.object({ occurredAt: Instant }).strict(),
});
`;
}

/** Appends the contract to the domain's `rpcs.ts` / `events.ts` and exports it from its index. */
function addContract(
  tree: Tree,
  domain: string,
  file: string,
  Const: string,
  source: string,
): void {
  const folder = `libs/contracts/src/lib/${domain}`;
  const define = file === 'rpcs.ts' ? 'defineRpc' : 'defineEvent';
  const path = `${folder}/${file}`;
  let text =
    tree.read(path, 'utf8') ??
    `import { z } from 'zod';\nimport { ${define} } from '../contract';\n`;
  // The placeholder schemas use `Instant`: into the existing import from ../common/ids, or a new one.
  const ids = /^import \{([^}]*)\} from '\.\.\/common\/ids';$/m;
  const imported = ids.exec(text)?.[1];
  if (imported === undefined) {
    text = text.replace(
      /^(import .*\n)+/m,
      (imports) => `${imports}import { Instant } from '../common/ids';\n`,
    );
  } else if (!/\bInstant\b/.test(imported)) {
    text = text.replace(ids, (line) => line.replace(/\s*\}/, ', Instant }'));
  }
  tree.write(path, `${text.trimEnd()}\n${source}`);
  const index = `${folder}/index.ts`;
  const from = `'./${file.replace('.ts', '')}'`;
  const exports = tree.read(index, 'utf8') ?? '';
  if (new RegExp(`export \\{[^}]*\\} from ${from};`).test(exports)) {
    edit(tree, index, new RegExp(`export \\{([^}]*)\\} from ${from};`), (line) =>
      line.replace(/\s*\}/, `, ${Const} }`),
    );
  } else {
    tree.write(index, `${exports.trimEnd()}\nexport { ${Const} } from ${from};\n`);
  }
}

/** Adds classes to the domain module's `controllers` / `providers`, with their imports. */
function register(
  tree: Tree,
  domain: string,
  entries: { controllers?: [string, string]; providers?: [string, string] },
): void {
  const path = `libs/${domain}/src/lib/${domain}.module.ts`;
  for (const [list, entry] of Object.entries(entries)) {
    if (entry === undefined) continue;
    const [name, from] = entry;
    if (new RegExp(`${list}: \\[`).test(tree.read(path, 'utf8') ?? '')) {
      edit(tree, path, new RegExp(`${list}: \\[`), (match) => `${match}${name}, `);
    } else {
      edit(tree, path, /@Module\(\{/, (match) => `${match}\n  ${list}: [${name}],`);
    }
    edit(
      tree,
      path,
      /^import \{ type DomainDefinition \}.*\n/m,
      (line) => `${line}import { ${name} } from '${from}';\n`,
    );
  }
}

function contractsMention(tree: Tree, domain: string, subject: string): boolean {
  return ['rpcs.ts', 'events.ts'].some((file) =>
    (tree.read(`libs/contracts/src/lib/${domain}/${file}`, 'utf8') ?? '').includes(`'${subject}'`),
  );
}

function move(tree: Tree, from: string, to: string): void {
  tree.write(to, tree.read(from) ?? '');
  tree.delete(from);
}

function capital(word: string): string {
  return word[0].toUpperCase() + word.slice(1);
}
