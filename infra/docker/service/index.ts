// Pulumi entry point of a service stack (`chat-dev`, `stories-staging`, …): see service-stack.ts.
import { defineServiceFromConfig } from './service-stack';

const deployed = defineServiceFromConfig();

export const service = deployed.service.name;
export const host = deployed.service.host;
export const domains = deployed.service.domains;
export const imageName = deployed.imageName;
export const instances = deployed.instances;
export const endpoint = deployed.endpoint;
