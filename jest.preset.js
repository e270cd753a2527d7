// Shared jest settings. swc compiles TypeScript with decorator metadata (Nest DI needs it);
// Nx's resolver maps the @switchboard/* path aliases of tsconfig.base.json.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const nxPreset = require('@nx/jest/preset').default;

const swcConfig = JSON.parse(readFileSync(join(__dirname, '.swcrc.jest.json'), 'utf8'));

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: { '^.+\\.[tj]s$': ['@swc/jest', { ...swcConfig, swcrc: false }] },
  // jose and content-disposition (of @fastify/static) ship only ES modules; let swc turn them into
  // CommonJS for jest.
  transformIgnorePatterns: ['node_modules/(?!(jose|content-disposition)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/?(*.)+(spec|int-spec|e2e-spec).ts'],
  coverageReporters: ['text-summary', 'html'],
};
