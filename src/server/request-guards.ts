import type { FastifyRequest } from 'fastify';
import { PmError } from '../domain/index.js';
import type { ServerSettings } from './deps.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const LOOPBACK_NAMES = new Set(['localhost', '[::1]']);
const LOOPBACK_V4_RE = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
/** What a browser says of a request its own page made (or its user typed). */
const OWN_SITE = new Set(['same-origin', 'none']);

/** `Example.com:8080` → `example.com`, `[::1]:4400` → `[::1]`. */
function hostnameOf(host: string): string {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return name.toLowerCase();
}

/** `host[:port]` as a URL of that scheme writes it (the scheme's own port left out). */
function normalHost(scheme: string, host: string): string | undefined {
  try {
    return new URL(`${scheme}//${host}`).host;
  } catch {
    return undefined;
  }
}

function shown(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

/**
 * Checks, before anything else, that a request comes from where this server expects:
 *
 * - Host: a server without tokens answers only loopback names (and the names it is told to
 *   allow), so a page whose name is made to resolve to 127.0.0.1 (DNS rebinding) is refused.
 *   A server that requires tokens answers any name: such a page cannot hold the token.
 * - Origin: a write whose Origin is another site (or Sec-Fetch-Site says so) is refused, so a
 *   page elsewhere cannot make the user's browser write, not even with a bodiless POST.
 */
export function requestGuard(settings: ServerSettings): (request: FastifyRequest) => void {
  const allowed = new Set(settings.allowedHosts.map((h) => hostnameOf(h)));
  const knownName = (name: string) => allowed.has(name) || LOOPBACK_NAMES.has(name) || LOOPBACK_V4_RE.test(name);
  const allowHint = 'pm serve --allow-host NAME, or allowed_hosts under [server] in .pm/config.toml';
  // Nearly every request names the host the last one did: that one is checked once.
  let lastKnownHost: string | undefined;
  return (request) => {
    const { host, origin } = request.headers;
    if (!settings.requireToken && host !== undefined && host !== lastKnownHost) {
      if (knownName(hostnameOf(host))) lastKnownHost = host;
      else
        throw new PmError(
          'host_not_allowed',
          `this server answers only loopback host names, not ${shown(host)}: to serve another name, ${allowHint}`,
          { details: { host: host.slice(0, 200) } },
        );
    }
    if (!WRITES.has(request.method)) return;
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && !OWN_SITE.has(site)) throw crossSite(`Sec-Fetch-Site: ${shown(site)}`);
    if (origin === undefined) return;
    let from: URL;
    try {
      from = new URL(origin);
    } catch {
      throw crossSite(`Origin ${shown(origin)}`);
    }
    const sameHost = host !== undefined && normalHost(from.protocol, host) === from.host;
    if (!sameHost && !allowed.has(from.hostname)) throw crossSite(`Origin ${shown(origin)}`);
  };

  function crossSite(what: string): PmError {
    return new PmError(
      'cross_site_request',
      `refused a write from another site (${what}): only this server's own pages and clients that send no Origin may write (behind a proxy that rewrites Host: ${allowHint})`,
    );
  }
}
