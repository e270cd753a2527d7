// Build of the demo web client: `nx build web` → dist/apps/web (index.html + hashed assets), which
// `nx build gateway` copies into the gateway so it serves the client at `/`.
// `nx serve web` is a dev server with hot reload that forwards /api and /ws to a local gateway
// (`npm start`), so the client talks to the same origin in both cases.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = dirname(fileURLToPath(import.meta.url));
const gateway = process.env.GATEWAY_URL || 'http://127.0.0.1:3000';

export default {
  root: projectRoot,
  // Relative asset URLs: the client works wherever the gateway mounts it.
  base: './',
  build: {
    outDir: join(projectRoot, '..', '..', 'dist', 'apps', 'web'),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    host: '127.0.0.1',
    port: 4200,
    proxy: {
      '/api': { target: gateway, changeOrigin: false },
      '/ws': { target: gateway, ws: true },
    },
  },
};
