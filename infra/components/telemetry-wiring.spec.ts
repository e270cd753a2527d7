import * as pulumi from '@pulumi/pulumi';
import { defineService } from '../docker/service/service-stack';
import { defineKubernetesService } from '../kubernetes/service/service-stack';
import { installKubernetesMocks, K8S } from '../kubernetes/testing/kubernetes-mocks';
import { CONTAINER, envOf, installMocks, ofType, valueOf } from '../testing/pulumi-mocks';

// A service exports traces to the platform's collector when the platform runs one (its stack
// exports `otlpEndpoint`), and stays as it was otherwise.

const DOCKER_PLATFORM = 'organization/platform/platform-dev';
const K8S_PLATFORM = 'organization/platform-k8s/platform-dev';

function platformOutputs(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    natsUrl: 'nats://nats:4222',
    networkName: 'switchboard-dev',
    namespace: 'switchboard-dev',
    chatNatsUser: 'chat',
    chatNatsPassword: 'chat-nats-secret',
    chatDatabaseUrl: 'postgres://chat:pw@postgres:5432/chat',
    ...extra,
  };
}

async function dockerEnv(
  outputs: Record<string, unknown>,
  env?: Record<string, string>,
  traceSampleRatio?: number,
): Promise<Record<string, string>> {
  const recorded = installMocks({
    project: 'service',
    stack: 'chat-dev',
    stackOutputs: { [DOCKER_PLATFORM]: platformOutputs(outputs) },
  });
  const service = defineService({
    stack: 'chat-dev',
    platformStack: DOCKER_PLATFORM,
    gitSha: 'abc1234',
    jwtSecret: pulumi.secret('jwt'),
    env,
    traceSampleRatio,
  });
  // Both, as the component registers them: a later test's mocks must not meet its pending outputs.
  await valueOf(service.instances);
  await valueOf(service.endpoint);
  return envOf(ofType(recorded, CONTAINER)[0]);
}

async function kubernetesEnv(
  outputs: Record<string, unknown>,
  traceSampleRatio?: number,
): Promise<Record<string, string>> {
  const recorded = installKubernetesMocks({
    project: 'service-k8s',
    stack: 'chat-dev',
    stackOutputs: { [K8S_PLATFORM]: platformOutputs(outputs) },
  });
  const service = defineKubernetesService({
    stack: 'chat-dev',
    platformStack: K8S_PLATFORM,
    image: `acme/chat@sha256:${'a'.repeat(64)}`,
    jwtSecret: pulumi.secret('jwt'),
    traceSampleRatio,
  });
  // Both, as the component registers them: a later test's mocks must not meet its pending outputs.
  await valueOf(service.instances);
  await valueOf(service.endpoint);
  // The whole env is the service's Secret.
  return ofType(recorded, K8S.secret)[0].inputs['stringData'] as Record<string, string>;
}

describe('OTEL_EXPORTER_OTLP_ENDPOINT of a service', () => {
  it('on Docker: the platform’s collector when it runs one, nothing otherwise', async () => {
    expect(await dockerEnv({ otlpEndpoint: 'http://otel-collector:4318' })).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      NATS_USER: 'chat',
    });
    expect(await dockerEnv({})).not.toHaveProperty('OTEL_EXPORTER_OTLP_ENDPOINT');
  });

  it('on Docker: the stack’s own setting wins over the platform’s', async () => {
    const env = await dockerEnv(
      { otlpEndpoint: 'http://otel-collector:4318' },
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://elsewhere:4318' },
    );
    expect(env['OTEL_EXPORTER_OTLP_ENDPOINT']).toBe('http://elsewhere:4318');
  });

  it('on Kubernetes: the collector’s in-cluster address when the platform runs one', async () => {
    const endpoint = 'http://otel-collector.switchboard-dev.svc.cluster.local:4318';
    expect(await kubernetesEnv({ otlpEndpoint: endpoint })).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      NATS_USER: 'chat',
    });
    expect(await kubernetesEnv({})).not.toHaveProperty('OTEL_EXPORTER_OTLP_ENDPOINT');
  });
});

describe('traceSampleRatio of a service stack', () => {
  const collector = { otlpEndpoint: 'http://otel-collector:4318' };

  it('records that share of the traces the service starts, on both targets', async () => {
    const sampler = {
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    };
    expect(await dockerEnv(collector, undefined, 0.1)).toMatchObject(sampler);
    expect(await kubernetesEnv(collector, 0.1)).toMatchObject(sampler);
  });

  it('leaves the sampler to its default (every trace) when unset, and sets nothing without a collector', async () => {
    expect(await dockerEnv(collector)).not.toHaveProperty('OTEL_TRACES_SAMPLER');
    expect(await dockerEnv({}, undefined, 0.1)).not.toHaveProperty('OTEL_TRACES_SAMPLER');
  });

  it('refuses a ratio outside 0–1 at preview', async () => {
    await expect(dockerEnv(collector, undefined, 10)).rejects.toThrow(
      /traceSampleRatio must be a number from 0 to 1 \(0\.1 records one trace in ten\), got 10/,
    );
  });
});
