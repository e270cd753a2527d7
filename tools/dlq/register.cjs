// `node -r ./tools/dlq/register.cjs tools/dlq/dlq.cli.ts`: runs the TypeScript CLI without a build.
// swc compiles each file as it is required; the paths of tools/tsconfig.json (the @switchboard/*
// aliases of tsconfig.base.json) resolve the lib imports. Set here, not by the caller, so the npm
// script needs no shell-specific `VAR=value` prefix.
const { join } = require('node:path');

process.env.SWC_NODE_PROJECT = join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
