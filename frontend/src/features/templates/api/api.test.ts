import { ApiClient } from '@/lib/api-client';
import { getTemplates } from '@/lib/whatsapp-templates';
import { fakeFetch, json } from '@/testing/fake-fetch';
import { aTemplate, templateCatalogue } from '@/testing/fixtures';
import { createFromLibrary } from './create-from-library';
import { createTemplate } from './create-template';
import { deleteTemplate, deleteTemplatePath } from './delete-template';
import { getTemplateLibrary } from './get-library';
import { getTemplateUsage } from './get-usage';
import { syncTemplates } from './sync-templates';

function client(routes: Parameters<typeof fakeFetch>[0]) {
  const network = fakeFetch(routes);
  return { api: new ApiClient({ baseUrl: '/api', getToken: () => Promise.resolve('tok'), fetch: network.fetch }), requests: network.requests };
}

describe('the templates API', () => {
  it('reads the catalogue of a sender, filling what an entry leaves out and keeping values it does not know', async () => {
    const { api, requests } = client({
      'GET /api/whatsapp/templates': () =>
        json(200, {
          wabaId: 'waba-1',
          syncedAt: null,
          items: [
            { name: 'legacy', language: 'en', category: 'UTILITY', status: 'IN_APPEAL', header: null, body: 'Hi', updatedAt: 'x' },
            { ...aTemplate(), somethingNew: true },
          ],
        }),
    });
    const catalogue = await getTemplates(api, 'phone 1');
    expect(requests[0]?.url.search).toBe('?sender=phone+1');
    expect(catalogue.syncedAt).toBeNull();
    expect(catalogue.items[0]).toMatchObject({ status: 'IN_APPEAL', parameterFormat: 'POSITIONAL', buttons: [], variables: [] });
    await getTemplates(api, undefined);
    expect(requests[1]?.url.search).toBe('');
  });

  it('refuses a catalogue without the documented shape', async () => {
    const { api } = client({ 'GET /api/whatsapp/templates': () => json(200, { items: [{ name: 'x' }] }) });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await expect(getTemplates(api, undefined)).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('syncs, creates, copies from the library and deletes, with the sender when one is chosen', async () => {
    const { api, requests } = client({
      'POST /api/whatsapp/templates/sync': () => json(200, { syncedAt: '2026-11-20T10:00:00Z', count: 3 }),
      'POST /api/whatsapp/templates': () => json(201, { template: aTemplate({ status: 'PENDING' }) }),
      'POST /api/whatsapp/templates/from-library': () => json(201, { template: aTemplate({ name: 'copy' }) }),
      'DELETE /api/whatsapp/templates/order%20update': () => new Response(null, { status: 204 }),
    });
    expect(await syncTemplates(api, undefined)).toEqual({ syncedAt: '2026-11-20T10:00:00Z', count: 3 });
    expect(requests[0]?.body).toEqual({});
    await syncTemplates(api, 'pn-2');
    expect(requests[1]?.body).toEqual({ sender: 'pn-2' });
    const created = await createTemplate(api, { name: 'order_update', language: 'en_US', category: 'UTILITY', body: 'Hi.', samples: {} });
    expect(created.status).toBe('PENDING');
    expect((await createFromLibrary(api, { libraryName: 'x', name: 'copy', language: 'en' })).name).toBe('copy');
    await deleteTemplate(api, { name: 'order update', language: 'pt_BR' }, 'pn-2');
    expect(requests[4]?.url.pathname).toBe('/api/whatsapp/templates/order%20update');
    expect(requests[4]?.url.search).toBe('?language=pt_BR&sender=pn-2');
    expect(deleteTemplatePath({ name: 'a/b', language: 'en' }, undefined)).toBe('/whatsapp/templates/a%2Fb?language=en');
  });

  it('turns a refused create into the API’s error', async () => {
    const { api } = client({
      'POST /api/whatsapp/templates': () => json(400, { error: { code: 'VALIDATION_FAILED', message: 'body: may not end with a variable' } }),
    });
    await expect(createTemplate(api, { name: 'x', language: 'en', category: 'UTILITY', body: 'Hi {{1}}', samples: { '1': 'a' } })).rejects.toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'body: may not end with a variable',
    });
  });

  it('reads the library and the usage', async () => {
    const { api, requests } = client({
      'GET /api/whatsapp/template-library': () =>
        json(200, { items: [{ libraryName: 'reminder', category: 'UTILITY', language: 'en_US', header: null, body: 'Hi {{1}}.', variables: [{ name: '1', component: 'BODY', sample: 'Ada' }] }] }),
      'GET /api/whatsapp/template-usage': () => json(200, { days: [{ day: '2026-11-20', category: 'MARKETING', count: 4 }] }),
    });
    const library = await getTemplateLibrary(api, 'pn-1', 'remind');
    expect(requests[0]?.url.search).toBe('?sender=pn-1&q=remind');
    expect(library[0]).toMatchObject({ libraryName: 'reminder', buttons: [], variables: [{ name: '1', component: 'BODY', sample: 'Ada' }] });
    expect(await getTemplateUsage(api, undefined, 30)).toEqual([{ day: '2026-11-20', category: 'MARKETING', count: 4 }]);
    expect(requests[1]?.url.search).toBe('?days=30');
  });
});

describe('templateCatalogue fixture', () => {
  it('is what the API answers', () => {
    expect(templateCatalogue([])).toEqual({ wabaId: 'waba-1', syncedAt: '2026-11-20T10:00:00Z', items: [] });
  });
});
