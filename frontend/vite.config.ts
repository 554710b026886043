/// <reference types="vitest/config" />
// Build, dev server and unit tests of the console.
//
// The bundle carries no settings: at start it reads `config.json` served beside it (the local
// stack generates one from its own resources; production deploys one with the SPA). `npm run dev`
// proxies that file and `/api` to a running `make dev` stack (WECARE_API_URL, default :8080).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const stack = process.env.WECARE_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    proxy: {
      '/api': stack,
      '/config.json': stack,
    },
  },
  build: {
    target: 'es2022',
    sourcemap: true,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/testing/setup.ts'],
    restoreMocks: true,
    // One jsdom per worker rather than per file: 5x faster here; tests clean up after themselves.
    isolate: false,
    unstubGlobals: true,
  },
});
