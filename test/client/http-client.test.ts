import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/index.js';
import { RemoteError } from '../../src/domain/index.js';

const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** An HTTP server on an ephemeral port that answers with `handle`. */
async function serve(handle: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handle);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('the HTTP client', () => {
  it('gives up on a server that does not answer in time', async () => {
    const url = await serve(() => undefined);
    const client = new HttpClient({ url, timeoutMs: 200 });
    const error = await client.json('GET', 'health').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).message).toBe(`the pm server at ${url} did not answer in time`);
    expect((error as RemoteError).retryable).toBe(true);
  });

  it('sends the token and the actor, keeps a path prefix, and never puts the token in a message', async () => {
    let seen: { url?: string; authorization?: string; actor?: string } = {};
    const url = await serve((request, response) => {
      seen = { url: request.url, authorization: request.headers.authorization, actor: request.headers['x-pm-actor'] as string };
      response.writeHead(418, { 'content-type': 'application/json' }).end('{"nope":true}');
    });
    const client = new HttpClient({ url: `${url}/pm`, token: 'pm_secret', actor: () => 'ann@example.com' });
    const error = await client
      .json('GET', 'projects', { query: { all: true, status: ['a', 'b'], skip: undefined } })
      .catch((e: unknown) => e);
    expect(seen).toEqual({
      url: '/pm/api/v1/projects?all=true&status=a%2Cb',
      authorization: 'Bearer pm_secret',
      actor: 'ann@example.com',
    });
    expect((error as Error).message).toBe(`${url}/pm answered 418 without a pm error: is it a pm server?`);
    expect((error as Error).message).not.toContain('pm_secret');
  });

  it('blanks out its token when a server echoes it in an error', async () => {
    const token = 'pm_SuPeRsEcReT_0123456789';
    const url = await serve((request, response) => {
      const error = { code: 'unauthorized', message: `unknown token ${request.headers.authorization ?? ''}`, details: { token } };
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
    });
    const error = await new HttpClient({ url, token }).json('GET', 'projects').catch((e: unknown) => e);
    expect((error as Error).message).toBe('unknown token Bearer [redacted]');
    expect(JSON.stringify(error)).not.toContain(token);
  });
});
