// `node -r ./deploy/register.cjs deploy/src/main.ts`: runs the TypeScript CLI without a build.
// swc compiles each file as it is required, with deploy/tsconfig.json (and so the @switchboard/*
// aliases of tsconfig.base.json). Set here, not by the caller, so the npm script needs no
// shell-specific `VAR=value` prefix.
const { join } = require('node:path');

process.env.SWC_NODE_PROJECT = join(__dirname, 'tsconfig.json');
require('@swc-node/register');
