import { json } from '@/testing/fake-fetch';
import { testConfig } from '@/testing/fixtures';
import { ConfigError, loadConfig } from './config';

const serving = (response: Response | Error) =>
  vi.fn(() => (response instanceof Error ? Promise.reject(response) : Promise.resolve(response))) as unknown as typeof fetch;

describe('loadConfig', () => {
  it('returns the settings config.json holds', async () => {
    await expect(loadConfig('/config.json', serving(json(200, testConfig)))).resolves.toEqual(testConfig);
  });

  it('names every missing or invalid setting', async () => {
    const error = await loadConfig(
      '/config.json',
      serving(json(200, { apiBase: '/api', region: 'us-east-1', cognitoEndpoint: 'not a url' })),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('cognitoEndpoint');
    expect(message).toContain('userPoolId');
    expect(message).toContain('userPoolClientId');
  });

  it('says so when the file is missing or the server is down', async () => {
    await expect(loadConfig('/config.json', serving(json(404, { message: 'Not Found' })))).rejects.toThrow(/answered 404/);
    await expect(loadConfig('/config.json', serving(new TypeError('Failed to fetch')))).rejects.toThrow(/did not answer/);
  });
});
