// Pulumi entry point of a Kubernetes service stack (`chat-dev`, `stories-staging`, …): see service-stack.ts.
import { defineKubernetesServiceFromConfig } from './service-stack';

const deployed = defineKubernetesServiceFromConfig();

export const service = deployed.service.name;
export const host = deployed.service.host;
export const domains = deployed.service.domains;
export const instances = deployed.instances;
export const endpoint = deployed.endpoint;
