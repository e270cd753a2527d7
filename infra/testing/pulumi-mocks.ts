import * as pulumi from '@pulumi/pulumi';

export interface RecordedResource {
  type: string;
  name: string;
  /** Inputs with secrets unwrapped. */
  inputs: Record<string, unknown>;
  /** Inputs as the engine would receive them: secrets still wrapped. */
  rawInputs: Record<string, unknown>;
}

/** The signature key Pulumi puts on a serialized secret value. */
const SECRET_SIG = '4dabf18193072939515e22adb298388d';

export function isSecretValue(value: unknown): boolean {
  return typeof value === 'object' && value !== null && SECRET_SIG in value;
}

function unwrap(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrap);
  if (typeof value !== 'object' || value === null) return value;
  if (isSecretValue(value)) return unwrap((value as { value: unknown }).value);
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, unwrap(inner)]));
}

/**
 * Installs Pulumi mocks that record every resource and answer StackReferences with the given
 * outputs (by referenced stack name). Returns the recording, reset by each call. `completeState`
 * adds what a provider fills in itself (e.g. Kubernetes' generated names) to a resource's state.
 */
export function installMocks(options: {
  project: string;
  stack: string;
  stackOutputs?: Record<string, Record<string, unknown>>;
  completeState?: (args: pulumi.runtime.MockResourceArgs, state: Record<string, unknown>) => void;
}): RecordedResource[] {
  const recorded: RecordedResource[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        recorded.push({
          type: args.type,
          name: args.name,
          inputs: unwrap(args.inputs) as Record<string, unknown>,
          rawInputs: args.inputs,
        });
        if (args.type === 'pulumi:pulumi:StackReference') {
          const referenced = String(args.inputs['name']);
          const outputs = options.stackOutputs?.[referenced];
          if (outputs === undefined) throw new Error(`No mocked outputs for stack ${referenced}`);
          return {
            id: referenced,
            state: { name: referenced, outputs, secretOutputNames: [] },
          };
        }
        const state: Record<string, unknown> = { ...(unwrap(args.inputs) as object) };
        if (args.type === 'docker:index/image:Image') state['repoDigest'] = '';
        options.completeState?.(args, state);
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    options.project,
    options.stack,
    false,
  );
  return recorded;
}

/** The value of an output (tests only: secrets are unwrapped). */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((value) => resolve(value as T)));
}

export function ofType(recorded: RecordedResource[], type: string): RecordedResource[] {
  return recorded.filter((resource) => resource.type === type);
}

export const CONTAINER = 'docker:index/container:Container';
export const IMAGE = 'docker:index/image:Image';
export const NETWORK = 'docker:index/network:Network';
export const VOLUME = 'docker:index/volume:Volume';
export const REMOTE_IMAGE = 'docker:index/remoteImage:RemoteImage';

/** Container env (`KEY=value` list) as an object. */
export function envOf(container: RecordedResource): Record<string, string> {
  const list = (container.inputs['envs'] ?? []) as string[];
  return Object.fromEntries(
    list.map((entry) => {
      const at = entry.indexOf('=');
      return [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
}
