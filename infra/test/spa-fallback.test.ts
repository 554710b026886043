// The CloudFront Function that serves index.html for the console's client-side routes, run as
// CloudFront runs it: a top-level `handler(event)` returning the (possibly rewritten) request.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { SPA_FALLBACK_CODE } from '../lib/constructs/hosting';

type Request = { uri: string; method: string };
const handler = runInNewContext(`${readFileSync(SPA_FALLBACK_CODE, 'utf8')}\nhandler;`) as (event: { request: Request }) => Request;
const uriFor = (uri: string): string => handler({ request: { uri, method: 'GET' } }).uri;

describe('SPA fallback', () => {
  it('serves index.html for client-side routes', () => {
    assert.equal(uriFor('/'), '/index.html');
    assert.equal(uriFor('/contacts'), '/index.html');
    assert.equal(uriFor('/contacts/01J9Z3'), '/index.html');
    assert.equal(uriFor('/bulk-jobs/42/report/'), '/index.html');
  });

  it('leaves files alone, so a missing asset is a 403/404 and not the app', () => {
    assert.equal(uriFor('/index.html'), '/index.html');
    assert.equal(uriFor('/assets/index-3f9a.js'), '/assets/index-3f9a.js');
    assert.equal(uriFor('/favicon.ico'), '/favicon.ico');
  });
});
