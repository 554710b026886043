import { ApiClient } from '@/lib/api-client';
import { ApiError } from '@/lib/api-error';
import { fakeFetch, json } from '@/testing/fake-fetch';
import { aJob } from '@/testing/fixtures';
import type { JobRequest } from './bulk-job';
import { controlJob } from './control-job';
import { confirmationCountOf, createJob } from './create-job';
import { getJob, refreshInterval } from './get-job';
import { getJobs } from './get-jobs';
import { getPickableContacts } from './get-contacts';
import { getRecipients } from './get-recipients';
import { getReport, renewIn } from './get-report';
import { controlsFor, isActive, isFinal, isSettling } from './job-status';
import { previewJob } from './preview';
import { createCsvUpload, putCsv, type XhrLike } from './upload-csv';

function client(routes: Parameters<typeof fakeFetch>[0]) {
  const network = fakeFetch(routes);
  return { api: new ApiClient({ baseUrl: '/api', getToken: () => Promise.resolve('tok'), fetch: network.fetch }), requests: network.requests };
}

const request: JobRequest = {
  name: 'Diwali offer',
  channel: 'sms',
  sender: 'pool-wecare-sms',
  content: { type: 'text', body: 'Hi {{name}}' },
  recipients: { type: 'contacts', contactIds: ['c-1', 'c-2'] },
};

describe('getJobs', () => {
  it('asks for a page of one status with the cursor, and reads jobs with fields it does not know', async () => {
    const { api, requests } = client({
      'GET /api/bulk-jobs': () =>
        json(200, { items: [{ ...aJob({ status: 'RUNNING' }), somethingNew: 1 }, aJob({ status: 'ARCHIVED' })], nextCursor: 'n2' }),
    });
    const page = await getJobs(api, { status: 'RUNNING', cursor: 'c1' });
    expect(requests[0]?.url.search).toBe('?status=RUNNING&limit=25&cursor=c1');
    expect(page.items.map((j) => j.status)).toEqual(['RUNNING', 'ARCHIVED']);
    expect(page.nextCursor).toBe('n2');
  });

  it('leaves out an empty status filter', async () => {
    const { api, requests } = client({ 'GET /api/bulk-jobs': () => json(200, { items: [], nextCursor: null }) });
    await getJobs(api, { status: '' });
    expect(requests[0]?.url.search).toBe('?limit=25');
  });

  it('fills what an older API leaves out: skipped, unknown, cancelled, excluded, stalled, reportReady', async () => {
    const { api } = client({
      'GET /api/bulk-jobs': () =>
        json(200, {
          items: [
            {
              jobId: 'j1',
              channel: 'sms',
              sender: 's',
              content: {},
              status: 'PENDING',
              progress: { total: 3, pending: 3, sent: 0, failed: 0 },
              createdBy: 'u',
              createdAt: '2026-11-20T10:00:00Z',
              updatedAt: '2026-11-20T10:00:00Z',
            },
          ],
          nextCursor: null,
        }),
    });
    const [job] = (await getJobs(api, {})).items;
    expect(job).toMatchObject({
      progress: { skipped: {}, unknown: 0, cancelled: 0 },
      excluded: {},
      stalled: false,
      reportReady: false,
    });
  });

  it('refuses an answer without the documented shape', async () => {
    const { api } = client({ 'GET /api/bulk-jobs': () => json(200, { items: [{ jobId: 'j1' }] }) });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await expect(getJobs(api, {})).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });
});

describe('getJob', () => {
  it('reads the job, its rate, ETA and series', async () => {
    const { api, requests } = client({
      'GET /api/bulk-jobs/j%201': () =>
        json(200, { job: aJob({ jobId: 'j 1' }), ratePerSecond: 18.5, etaSeconds: 12, series: [{ at: '2026-11-20T10:00:01Z', sent: 18, failed: 1 }] }),
    });
    const detail = await getJob(api, 'j 1');
    expect(requests[0]?.url.pathname).toBe('/api/bulk-jobs/j%201');
    expect(detail.ratePerSecond).toBe(18.5);
    expect(detail.etaSeconds).toBe(12);
    expect(detail.series).toEqual([{ at: '2026-11-20T10:00:01Z', sent: 18, failed: 1 }]);
  });

  it('takes a null ETA and no series', async () => {
    const { api } = client({ 'GET /api/bulk-jobs/j1': () => json(200, { job: aJob(), ratePerSecond: 0, etaSeconds: null }) });
    const detail = await getJob(api, 'j1');
    expect(detail.etaSeconds).toBeNull();
    expect(detail.series).toEqual([]);
  });
});

describe('getRecipients', () => {
  it('asks for one status a page at a time', async () => {
    const { api, requests } = client({
      'GET /api/bulk-jobs/j1/recipients': () =>
        json(200, {
          items: [{ contactId: 'c-1', status: 'failed', reason: 'ValidationException', address: '+91••••••3210', messageId: 'm1', settledAt: '2026-11-20T10:00:00Z' }],
          nextCursor: null,
        }),
    });
    const page = await getRecipients(api, 'j1', { status: 'failed', cursor: 'x' });
    expect(requests[0]?.url.search).toBe('?status=failed&limit=25&cursor=x');
    expect(page.items[0]?.reason).toBe('ValidationException');
  });
});

describe('controls', () => {
  it('posts pause, resume and cancel and answers the job', async () => {
    const { api, requests } = client({
      'POST /api/bulk-jobs/j1/pause': () => json(200, { job: aJob({ jobId: 'j1', status: 'PAUSED' }) }),
      'POST /api/bulk-jobs/j1/resume': () => json(200, { job: aJob({ jobId: 'j1', status: 'RUNNING' }) }),
      'POST /api/bulk-jobs/j1/cancel': () => json(200, { job: aJob({ jobId: 'j1', status: 'CANCELLED' }) }),
    });
    expect((await controlJob(api, 'j1', 'pause')).status).toBe('PAUSED');
    expect((await controlJob(api, 'j1', 'resume')).status).toBe('RUNNING');
    expect((await controlJob(api, 'j1', 'cancel')).status).toBe('CANCELLED');
    expect(requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      'POST /api/bulk-jobs/j1/pause',
      'POST /api/bulk-jobs/j1/resume',
      'POST /api/bulk-jobs/j1/cancel',
    ]);
  });

  it('turns an illegal transition into a CONFLICT with the API’s words', async () => {
    const { api } = client({
      'POST /api/bulk-jobs/j1/pause': () => json(409, { error: { code: 'CONFLICT', message: 'a COMPLETED job cannot be paused' } }),
    });
    await expect(controlJob(api, 'j1', 'pause')).rejects.toMatchObject({ status: 409, code: 'CONFLICT', message: 'a COMPLETED job cannot be paused' });
  });

  it('offers only the controls the status allows', () => {
    expect(controlsFor('PENDING')).toEqual(['pause', 'cancel']);
    expect(controlsFor('RUNNING')).toEqual(['pause', 'cancel']);
    expect(controlsFor('PAUSED')).toEqual(['resume', 'cancel']);
    for (const s of ['CANCELLED', 'COMPLETED', 'COMPLETED_WITH_FAILURES', 'SOMETHING_NEW']) expect(controlsFor(s)).toEqual([]);
    expect(['PENDING', 'RUNNING', 'PAUSED'].every(isActive)).toBe(true);
    expect(isActive('COMPLETED')).toBe(false);
    expect(isFinal('COMPLETED_WITH_FAILURES')).toBe(true);
    expect(isFinal('PAUSED')).toBe(false);
  });
});

describe('watching a job', () => {
  const now = Date.parse('2026-11-20T10:00:00Z');
  const done = { pending: 0, sent: 10, failed: 0, skipped: {}, unknown: 0, cancelled: 0, total: 10 };

  it('polls every second while it runs, every two while a finished job settles, then stops', () => {
    const detail = (job: Parameters<typeof aJob>[0]) => ({ job: aJob(job), series: [] });
    expect(refreshInterval(undefined, now)).toBe(false);
    for (const status of ['PENDING', 'RUNNING', 'PAUSED']) expect(refreshInterval(detail({ status }), now)).toBe(1000);
    // Cancelled a moment ago: its pending recipients are being swept.
    const cancelled = { status: 'CANCELLED', updatedAt: '2026-11-20T09:59:58Z', progress: { ...done, pending: 4, sent: 6 } };
    expect(refreshInterval(detail(cancelled), now)).toBe(2000);
    // Completed, report not written yet.
    expect(refreshInterval(detail({ status: 'COMPLETED', progress: done, finishedAt: '2026-11-20T09:59:59Z', reportReady: false }), now)).toBe(2000);
    expect(refreshInterval(detail({ status: 'COMPLETED', progress: done, reportReady: true }), now)).toBe(false);
    // Nothing has changed for over ten minutes: left alone, whatever it lacks.
    expect(refreshInterval(detail({ ...cancelled, updatedAt: '2026-11-20T09:49:00Z' }), now)).toBe(false);
    expect(isSettling(aJob({ status: 'SOMETHING_NEW' }), now)).toBe(false);
  });
});

describe('getReport', () => {
  it('reads the link, or the CONFLICT of a job that has not finished', async () => {
    const { api } = client({
      'GET /api/bulk-jobs/j1/report': () => json(200, { url: 'https://s3.test/r.csv?sig', expiresAt: '2026-11-20T10:05:00Z' }),
      'GET /api/bulk-jobs/j2/report': () => json(409, { error: { code: 'CONFLICT', message: 'the job has not finished' } }),
    });
    await expect(getReport(api, 'j1')).resolves.toEqual({ url: 'https://s3.test/r.csv?sig', expiresAt: '2026-11-20T10:05:00Z' });
    await expect(getReport(api, 'j2')).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('renews a link 30 seconds before it expires, never sooner than 10 seconds apart', () => {
    const now = Date.parse('2026-11-20T10:00:00Z');
    expect(renewIn('2026-11-20T10:05:00Z', now)).toBe(270_000);
    expect(renewIn('2026-11-20T10:00:20Z', now)).toBe(10_000);
    expect(renewIn('not a date', now)).toBe(300_000);
  });
});

describe('previewJob', () => {
  it('posts the request and reads the counts, reasons, rows, estimates, tier and samples', async () => {
    const answer = {
      channel: 'whatsapp',
      sender: 'pn-1',
      total: 120,
      eligible: 100,
      excluded: { not_opted_in: 10, opted_out_by_keyword: 1, deleted: 0, missing_address: 2, invalid_address: 0, duplicate_in_list: 2, outside_window_without_template: 0, over_tier: 5 },
      excludedContacts: { not_opted_in: [{ contactId: 'c-9', name: 'Asha', address: '+91••••••3210' }], duplicate_in_list: [{ line: 4 }] },
      invalidRows: [{ line: 3, problem: 'phone "12": too short' }],
      segments: null,
      ratePerSecond: 20,
      estimatedSeconds: 5,
      tier: { limit: 250, used: 10, afterJob: 110 },
      samples: [{ contactId: 'c-1', name: 'Asha', to: '+91••••••3210', rendered: 'Hi Asha' }, { contactId: 'c-2', to: 'a•••@x.com', rendered: 'Hi' }],
      previewId: '0b6f6a52-5d1e-4f0e-9c59-3a1c8f2d7e10',
      previewExpiresAt: '2026-12-03T17:15:00.000Z',
    };
    const { api, requests } = client({ 'POST /api/bulk-jobs/preview': () => json(200, answer) });
    const preview = await previewJob(api, request);
    expect(requests[0]?.body).toEqual(request);
    expect(preview.eligible).toBe(100);
    expect(preview.excluded.over_tier).toBe(5);
    expect(preview.excludedContacts.duplicate_in_list).toEqual([{ line: 4 }]);
    expect(preview.invalidRows).toEqual([{ line: 3, problem: 'phone "12": too short' }]);
    expect(preview.segments).toBeNull();
    expect(preview.tier).toEqual({ limit: 250, used: 10, afterJob: 110 });
    expect(preview.samples).toHaveLength(2);
    expect(preview.previewId).toBe('0b6f6a52-5d1e-4f0e-9c59-3a1c8f2d7e10');
  });
});

describe('createJob', () => {
  it('posts the request with the confirmed count under the Idempotency-Key', async () => {
    const { api, requests } = client({ 'POST /api/bulk-jobs': () => json(202, { job: aJob({ jobId: 'j-new' }) }) });
    const job = await createJob(api, { request, confirmedCount: 25, idempotencyKey: 'key-1' });
    expect(job.jobId).toBe('j-new');
    expect(requests[0]?.headers.get('Idempotency-Key')).toBe('key-1');
    expect(requests[0]?.body).toEqual({ ...request, confirmedCount: 25 });
  });

  it('names the preview the operator confirmed, so the job is what it showed', async () => {
    const { api, requests } = client({ 'POST /api/bulk-jobs': () => json(202, { job: aJob() }) });
    await createJob(api, { request, confirmedCount: 25, previewId: 'p-1', idempotencyKey: 'key-3' });
    expect(requests[0]?.body).toEqual({ ...request, confirmedCount: 25, previewId: 'p-1' });
  });

  it('sends no confirmedCount when none is needed', async () => {
    const { api, requests } = client({ 'POST /api/bulk-jobs': () => json(202, { job: aJob() }) });
    await createJob(api, { request, idempotencyKey: 'key-2' });
    expect(requests[0]?.body).toEqual(request);
  });

  it('reads the current count from CONFIRMATION_REQUIRED, and nothing from other errors', async () => {
    const { api } = client({
      'POST /api/bulk-jobs': () =>
        json(422, { error: { code: 'CONFIRMATION_REQUIRED', message: '1,204 recipients are eligible; confirm that number to start the job' } }),
    });
    const error = await createJob(api, { request, confirmedCount: 1200, idempotencyKey: 'k' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(confirmationCountOf(error)).toBe(1204);
    expect(confirmationCountOf(new ApiError(422, 'CONFIRMATION_REQUIRED', 'confirm 22 to start'))).toBe(22);
    expect(confirmationCountOf(new ApiError(422, 'CONFIRMATION_REQUIRED', 'confirm the count'))).toBeNull();
    expect(confirmationCountOf(new ApiError(409, 'TIER_LIMIT_EXCEEDED', 'room for 5 more'))).toBeNull();
    expect(confirmationCountOf(new Error('x'))).toBeNull();
  });
});

describe('CSV upload', () => {
  it('asks for an upload URL for the file name', async () => {
    const { api, requests } = client({
      'POST /api/bulk-jobs/uploads': () =>
        json(201, { uploadId: 'u-1', url: 'https://s3.test/put?sig', method: 'PUT', headers: { 'content-type': 'text/csv' }, expiresAt: 'x' }),
    });
    const upload = await createCsvUpload(api, 'list.csv');
    expect(requests[0]?.body).toEqual({ fileName: 'list.csv' });
    expect(upload).toMatchObject({ uploadId: 'u-1', method: 'PUT', headers: { 'content-type': 'text/csv' } });
  });

  /** A stand-in XMLHttpRequest that records what it was given and is finished by the test. */
  function fakeXhr() {
    const calls: { open?: [string, string]; headers: [string, string][]; body?: unknown; aborted: boolean } = { headers: [], aborted: false };
    const xhr = {
      status: 0,
      upload: {} as XMLHttpRequestUpload,
      onload: null,
      onerror: null,
      onabort: null,
      open: (method: string, url: string) => {
        calls.open = [method, url];
      },
      setRequestHeader: (name: string, value: string) => calls.headers.push([name, value]),
      send: (body: unknown) => {
        calls.body = body;
      },
      abort: () => {
        calls.aborted = true;
        (xhr.onabort as (() => void) | null)?.();
      },
    };
    const progress = (loaded: number, total: number) =>
      (xhr.upload.onprogress as unknown as (e: Partial<ProgressEvent>) => void)({ loaded, total, lengthComputable: true });
    const finish = (status: number) => {
      xhr.status = status;
      (xhr.onload as unknown as () => void)();
    };
    return { xhr: xhr as unknown as XhrLike, calls, progress, finish, fail: () => (xhr.onerror as unknown as () => void)() };
  }

  const target = { url: 'https://s3.test/put?sig', method: 'PUT', headers: { 'content-type': 'text/csv' } };

  it('PUTs the file with the given headers and reports its progress', async () => {
    const fake = fakeXhr();
    const file = new Blob(['phone,name\n+14155550100,Ada\n'], { type: 'text/csv' });
    const seen: number[] = [];
    const done = putCsv(target, file, { makeXhr: () => fake.xhr, onProgress: (p) => seen.push(Math.round((p.loaded / p.total) * 100)) });
    expect(fake.calls.open).toEqual(['PUT', 'https://s3.test/put?sig']);
    expect(fake.calls.headers).toEqual([['content-type', 'text/csv']]);
    expect(fake.calls.body).toBe(file);
    fake.progress(10, 40);
    fake.progress(40, 40);
    fake.finish(200);
    await done;
    expect(seen).toEqual([25, 100, 100]);
  });

  it('fails with UPLOAD_FAILED on a refusal or no answer, and with an AbortError when stopped', async () => {
    const refused = fakeXhr();
    const a = putCsv(target, new Blob(['x']), { makeXhr: () => refused.xhr });
    refused.finish(403);
    await expect(a).rejects.toMatchObject({ code: 'UPLOAD_FAILED', status: 403 });

    const offline = fakeXhr();
    const b = putCsv(target, new Blob(['x']), { makeXhr: () => offline.xhr });
    offline.fail();
    await expect(b).rejects.toMatchObject({ code: 'UPLOAD_FAILED', status: 0 });

    const stopped = fakeXhr();
    const controller = new AbortController();
    const c = putCsv(target, new Blob(['x']), { makeXhr: () => stopped.xhr, signal: controller.signal });
    controller.abort();
    await expect(c).rejects.toMatchObject({ name: 'AbortError' });
    expect(stopped.calls.aborted).toBe(true);
  });
});

describe('getPickableContacts', () => {
  it('lists the newest contacts, or searches when there is a query', async () => {
    const contact = { contactId: 'c-1', name: 'Ada', phone: '+1', optInSms: true, createdAt: '2026-11-01T00:00:00Z', consentHistory: [] };
    const { api, requests } = client({
      'GET /api/contacts': () => json(200, { items: [contact], nextCursor: 'n' }),
      'GET /api/contacts/search': () => json(200, { items: [], nextCursor: null }),
    });
    const page = await getPickableContacts(api, { q: '' });
    expect(page.items[0]).toMatchObject({ contactId: 'c-1', optInSms: true, optInWhatsApp: false, optInEmail: false });
    await getPickableContacts(api, { q: 'ada', cursor: 'n' });
    expect(requests.map((r) => `${r.url.pathname}${r.url.search}`)).toEqual(['/api/contacts?limit=25', '/api/contacts/search?q=ada&limit=25&cursor=n']);
  });
});
