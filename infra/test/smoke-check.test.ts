// The deploy's last step (scripts/smoke-check.ts) against a stand-in of a deployed environment on
// a local port: it passes when the health route, config.json and the console answer as they
// should, waits for one that is still coming up, and fails — naming what — otherwise.

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_CONFIG_KEYS, smokeCheck } from '../scripts/smoke-check';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const CONFIG = { apiBase: '/api', region: 'us-east-1', cognitoEndpoint: 'https://cognito-idp.us-east-1.amazonaws.com/', userPoolId: 'us-east-1_CC9u1fYh6', userPoolClientId: 'abc123' };

/** A deployed environment as CloudFront serves it, with `override` answering some paths instead. */
const healthy = (override: Record<string, Handler> = {}): Handler => (req, res) => {
  const path = req.url ?? '/';
  const own = override[path];
  if (own) return own(req, res);
  if (path === '/api/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  if (path === '/config.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(CONFIG));
  if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><div id="root"></div>');
  res.writeHead(404).end();
};

describe('the smoke check of a deployed environment', () => {
  let server: Server;
  let handler: Handler = healthy();
  let base = '';
  before(async () => {
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());
  const options = { attempts: 3, delayMs: 5 };

  it('checks the settings the console reads, as frontend/src/config/config.ts names them', () => {
    assert.deepEqual([...CONSOLE_CONFIG_KEYS], Object.keys(CONFIG));
  });

  it('passes when the health route, config.json and the console answer', async () => {
    handler = healthy();
    assert.deepEqual(await smokeCheck(`${base}/`, options), [`${base}/api/health ok`, `${base}/config.json ok`, `${base}/ ok`]);
  });

  it('waits for a route that is still coming up', async () => {
    let calls = 0;
    handler = healthy({
      '/api/health': (_req, res) => {
        calls += 1;
        if (calls < 3) return void res.writeHead(503).end('Service Unavailable');
        res.writeHead(200).end('{"status":"ok"}');
      },
    });
    await smokeCheck(base, options);
    assert.equal(calls, 3);
  });

  for (const [what, override, problem] of [
    ['the API answers 5xx', { '/api/health': (_q: IncomingMessage, r: ServerResponse) => void r.writeHead(502).end() }, /\/api\/health answered 502 \(after 3 tries\)/],
    ['the health route answers something else', { '/api/health': (_q: IncomingMessage, r: ServerResponse) => void r.writeHead(200).end('<html>index</html>') }, /\/api\/health answered <html>index<\/html>, not \{"status":"ok"\}/],
    ['the console was published without config.json', { '/config.json': (_q: IncomingMessage, r: ServerResponse) => void r.writeHead(403).end() }, /\/config\.json answered 403: the console was not published with its config\.json/],
    ['config.json lacks the sign-in client', { '/config.json': (_q: IncomingMessage, r: ServerResponse) => void r.writeHead(200).end(JSON.stringify({ ...CONFIG, userPoolClientId: '' })) }, /\/config\.json lacks userPoolClientId/],
    ['the console is not there', { '/': (_q: IncomingMessage, r: ServerResponse) => void r.writeHead(200, { 'content-type': 'application/xml' }).end('<Error/>') }, /is application\/xml, not the console's index\.html/],
  ] as const) {
    it(`fails, naming what, when ${what}`, async () => {
      handler = healthy(override);
      await assert.rejects(smokeCheck(base, options), problem);
    });
  }

  it('fails when nothing answers', async () => {
    await assert.rejects(smokeCheck('http://127.0.0.1:9', { attempts: 2, delayMs: 1 }), /\/api\/health could not be fetched/);
  });
});
