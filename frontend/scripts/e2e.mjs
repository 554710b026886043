#!/usr/bin/env node
// The browser suite's front door: start a private local stack (free port, its own stack file,
// serving the freshly built `dist/`), wait until it says it is ready, run Playwright against it,
// and stop it (SIGINT, so it stops its moto too) whatever happens.
//
//   npm run build && npm run e2e [-- playwright args]
//
// Settings (all optional): WECARE_LOCAL_BIN (../target/debug/wecare-local), WECARE_PYTHON
// (../.venv/bin/python), CHROMIUM_PATH (/usr/bin/chromium).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(frontend, '..');
const dist = join(frontend, 'dist');
const artifacts = join(frontend, 'artifacts');
const bin = process.env.WECARE_LOCAL_BIN ?? join(repo, 'target/debug/wecare-local');
const python = process.env.WECARE_PYTHON ?? join(repo, '.venv/bin/python');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const READY_TIMEOUT_MS = 120_000;

function fail(message) {
  console.error(`e2e: ${message}`);
  process.exit(1);
}

if (!existsSync(join(dist, 'index.html'))) fail(`${dist} has no index.html: run \`npm run build\` first`);
if (!existsSync(bin)) fail(`${bin} is missing: run \`cargo build -p wecare-local\` (make dev does)`);
if (!existsSync(python)) fail(`${python} is missing: run \`make setup\` to create the virtualenv with moto`);
if (!existsSync(chromium)) fail(`${chromium} is missing: install Debian's chromium (apt-get install -y chromium)`);

/** A port nobody listens on right now. */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

mkdirSync(artifacts, { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), 'wecare-e2e-'));
const stackFile = join(scratch, 'stack.json');
const log = createWriteStream(join(artifacts, 'stack.log'));
const apiPort = await freePort();

const started = Date.now();
const stack = spawn(bin, ['dev'], {
  cwd: repo,
  env: {
    ...process.env,
    WECARE_API_PORT: String(apiPort),
    WECARE_MOTO_PORT: '0',
    // A sandbox of its own too: two runs side by side (a fresh clone's CI and a developer's)
    // would otherwise share one fixed port, and one run's faults and ledger with it.
    WECARE_SANDBOX_PORT: '0',
    WECARE_STACK_FILE: stackFile,
    WECARE_CONSOLE_DIR: dist,
    WECARE_PYTHON: python,
    // The suite plays Meta's review itself (POST /templates/decide), at the moment each test needs.
    WECARE_TEMPLATE_REVIEW_SECONDS: '0',
    // Tests count what they create in tenant wecare: no demo data (make dev seeds it).
    WECARE_DEMO: '0',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
stack.stdout.pipe(log, { end: false });
stack.stderr.pipe(log, { end: false });

let stopping = null;
function stopStack() {
  stopping ??= new Promise((done) => {
    if (stack.exitCode !== null || stack.signalCode !== null) return done();
    const force = setTimeout(() => stack.kill('SIGKILL'), 10_000);
    stack.once('exit', () => {
      clearTimeout(force);
      done();
    });
    stack.kill('SIGINT');
  });
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await stopStack();
    rmSync(scratch, { recursive: true, force: true });
    process.exit(130);
  });
}

const apiUrl = await new Promise((resolveUrl, reject) => {
  let seen = '';
  const timer = setTimeout(() => reject(new Error(`the stack was not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
  stack.stdout.on('data', (chunk) => {
    seen += chunk.toString();
    const ready = /WECARE\.DIGITAL is running at (http:\/\/\S+)/.exec(seen);
    if (ready) {
      clearTimeout(timer);
      resolveUrl(ready[1]);
    }
  });
  stack.once('exit', (code, signal) => {
    clearTimeout(timer);
    reject(new Error(`the stack exited (${signal ?? code}) before it was ready; see artifacts/stack.log`));
  });
}).catch(async (error) => {
  await stopStack();
  fail(error.message);
});
console.log(`e2e: stack ready at ${apiUrl} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

// The descriptor is written before the ready line. Older builds of wecare-local always wrote
// .local/stack.json whatever WECARE_STACK_FILE said: accept that file only if it is this stack's.
let descriptorFile = stackFile;
if (!existsSync(stackFile)) {
  const fallback = join(repo, '.local/stack.json');
  const candidate = existsSync(fallback) ? JSON.parse(readFileSync(fallback, 'utf8')) : null;
  if (candidate?.apiUrl !== apiUrl) {
    await stopStack();
    fail(`the stack did not write ${stackFile}`);
  }
  console.warn(`e2e: wecare-local ignored WECARE_STACK_FILE; using ${fallback} (its apiUrl is this stack's)`);
  descriptorFile = fallback;
}

const playwright = spawn(join(frontend, 'node_modules/.bin/playwright'), ['test', ...process.argv.slice(2)], {
  cwd: frontend,
  env: { ...process.env, WECARE_E2E_BASE_URL: apiUrl, WECARE_E2E_STACK_FILE: descriptorFile, CHROMIUM_PATH: chromium },
  stdio: 'inherit',
});
const code = await new Promise((done) => playwright.once('exit', (status, signal) => done(status ?? (signal ? 1 : 0))));
await stopStack();
log.end();
rmSync(scratch, { recursive: true, force: true });
process.exit(code);
