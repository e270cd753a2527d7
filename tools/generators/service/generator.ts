import {
  formatFiles,
  type GeneratorCallback,
  generateFiles,
  joinPathFragments,
  logger,
  type Tree,
} from '@nx/devkit';
import { join } from 'node:path';
import {
  documentSubjects,
  registerContracts,
  registerDelivery,
  registerHosts,
  registerWorkspace,
  regenerateManifest,
} from './edits';
import { type ServiceNames, serviceNames } from './names';

export interface ServiceGeneratorOptions {
  /** The new domain and its service: `notes`. */
  name: string;
  /** Its first entity; default the name in the singular (`note`). */
  entity?: string;
  /** Skip regenerating the messaging manifest (the caller does it). */
  skipManifest?: boolean;
}

/**
 * `nx g @switchboard/tools:service <name>`: a new domain and the service that hosts it, written the
 * way chat, stories, calls and bots are — contracts (an RPC and an event), a domain lib (Nest module,
 * an HTTP route, an RPC handler, a use case that stores an entity and announces it through the
 * outbox, its table and migration, an int-spec against real Postgres and NATS), a host in
 * `services/` with its Dockerfile and Pulumi stack configs — and registered everywhere a service is
 * named: path alias, module boundaries, `npm start`, topologies, monolith, gateway routes, the
 * pipeline's deployables, the README's messages. Then the messaging manifest is regenerated.
 */
export async function serviceGenerator(
  tree: Tree,
  options: ServiceGeneratorOptions,
): Promise<GeneratorCallback> {
  const names = serviceNames(options, existingServices(tree));
  const templates = join(__dirname, 'files');
  generateFiles(tree, join(templates, 'contracts'), `libs/contracts/src/lib/${names.name}`, {
    ...names,
    template: '',
  });
  generateFiles(tree, join(templates, 'domain'), `libs/${names.name}`, { ...names, template: '' });
  generateFiles(tree, join(templates, 'host'), `services/${names.name}`, {
    ...names,
    template: '',
  });
  writeDockerfile(tree, names);
  writeStackConfigs(tree, names);
  registerContracts(tree, names);
  registerWorkspace(tree, names);
  registerHosts(tree, names);
  registerDelivery(tree, names);
  documentSubjects(tree, names);
  await formatFiles(tree);
  return () => {
    if (!options.skipManifest) regenerateManifest(tree.root);
    logger.info(
      [
        '',
        `${names.name} is in place. Next:`,
        `  npx nx run-many -t lint typecheck test -p ${names.name}-domain ${names.name}`,
        `  npm start            # ${names.name} on http://localhost:${names.port}, POST /${names.name} through the gateway at /api/${names.name}/${names.name}`,
        '  npm run contracts -- release   # when it ships: its subjects join the released contracts',
      ].join('\n'),
    );
  };
}

export default serviceGenerator;

/** The services `npm start` runs and the projects under libs/ and services/. */
function existingServices(tree: Tree): { names: string[]; ports: number[] } {
  const listed = tree.read('tools/scripts/lib/services.mjs', 'utf8') ?? '';
  const entries = [...listed.matchAll(/\{ name: '([a-z0-9-]+)', port: (\d+) \}/g)];
  return {
    names: [
      ...entries.map((entry) => entry[1]),
      ...tree.children('libs'),
      ...tree.children('services'),
    ],
    ports: entries.map((entry) => Number(entry[2])),
  };
}

/** The Dockerfile tools/docker renders for every service (a test compares them). */
function writeDockerfile(tree: Tree, names: ServiceNames): void {
  const { renderDockerfile } = require('../../docker/generate-dockerfiles.js') as {
    renderDockerfile(service: { name: string; port: number; database: boolean }): string;
  };
  tree.write(
    `services/${names.name}/Dockerfile`,
    renderDockerfile({ name: names.name, port: names.port, database: true }),
  );
}

/** Its dev and staging stacks, on Docker and on Kubernetes, like the other services'. */
function writeStackConfigs(tree: Tree, names: ServiceNames): void {
  for (const target of ['docker', 'kubernetes']) {
    for (const env of ['dev', 'staging']) {
      const model = joinPathFragments('infra', target, 'service', `Pulumi.stories-${env}.yaml`);
      const text = tree.read(model, 'utf8');
      if (text === null) throw new Error(`${model} is missing: it is the model of a service stack`);
      tree.write(
        joinPathFragments('infra', target, 'service', `Pulumi.${names.name}-${env}.yaml`),
        text.replaceAll('stories', names.name).replaceAll('3102', String(names.port)),
      );
    }
  }
}
