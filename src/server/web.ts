import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The page loads only its own files and talks only to this server. */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

interface Asset {
  body: Buffer;
  gzip: Buffer | undefined;
  type: string;
  etag: string;
}

/**
 * Where the built UI is: next to the bundle (dist/web beside dist/pm.js or above dist/chunks),
 * or dist/web of the checkout when pm runs from source.
 */
export function findWebRoot(): string | undefined {
  for (const candidate of ['web/', '../web/', '../../dist/web/']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    // The built page and its script: src/web holds a template of the page too.
    if (existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'app.js'))) return dir;
  }
  return undefined;
}

/** Every file of the UI, read once: a few hundred KB, answered from memory. */
function loadAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(root)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(root, name));
    const gz = join(root, `${name}.gz`);
    assets.set(name, {
      body,
      gzip: existsSync(gz) ? readFileSync(gz) : undefined,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
  }
  return assets;
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  reply
    .header('content-type', asset.type)
    .header('etag', asset.etag)
    .header('cache-control', 'no-cache')
    .header('vary', 'accept-encoding');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  const gzip = asset.gzip !== undefined && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? asset.gzip : asset.body);
}

/**
 * The web UI at `/`: its page and files, with no token needed to load them (they hold no data;
 * the page asks for a token when the API does). Nothing is served when the UI was not built.
 */
export function registerWeb(app: FastifyInstance, root: string | undefined): void {
  if (root === undefined) return;
  const assets = loadAssets(root);
  const page = assets.get('index.html');
  if (!page) return;
  app.route({
    method: 'GET',
    url: '/',
    config: { public: true },
    handler: (request, reply) => send(request, reply.header('content-security-policy', PAGE_POLICY), page),
  });
  app.route({
    method: 'GET',
    url: '/ui/:file',
    config: { public: true },
    handler: (request, reply) => {
      const asset = assets.get((request.params as { file: string }).file);
      if (!asset || asset === page) return reply.callNotFound();
      return send(request, reply, asset);
    },
  });
}
