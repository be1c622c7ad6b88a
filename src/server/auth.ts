import type { FastifyRequest } from 'fastify';
import { AuthError, LIMITS, ValidationError } from '../domain/index.js';
import type { ApiToken } from '../store/index.js';
import type { AppDeps, RequestAuth } from './deps.js';
import { hashSecret, looksLikeSecret } from './tokens.js';

const BEARER_RE = /^Bearer +(\S+) *$/i;
// eslint-disable-next-line no-control-regex -- an actor must not carry control characters
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/**
 * Who is asking, decided before the body is read so a refused request costs nothing: a token,
 * when one is presented, must be valid and not revoked (it is looked up on every request, so a
 * revocation takes effect at once); without one the request is refused when the server
 * requires tokens. A read token may only read. Messages never echo the secret.
 */
export function authenticate(request: FastifyRequest, deps: AppDeps): RequestAuth | Promise<RequestAuth> {
  // Most requests on loopback carry no token: answered without a promise or a query.
  if (request.headers.authorization === undefined && (!deps.settings.requireToken || request.routeOptions.config.public))
    return { token: null, actor: actorOf(request, null, deps) };
  return presentedToken(request, deps).then((token) => authorize(request, deps, token));
}

function authorize(request: FastifyRequest, deps: AppDeps, token: ApiToken | null): RequestAuth {
  if (!token && deps.settings.requireToken) {
    throw new AuthError(
      'unauthorized',
      'this server needs a token: send Authorization: Bearer <token> (for pm: set PM_TOKEN; create one with pm token create)',
    );
  }
  const scope = request.routeOptions.config.scope;
  if (token && token.scope === 'read' && scope === 'write') {
    throw new AuthError(
      'forbidden',
      `token "${token.name}" may only read; this request writes (create a token with --scope write)`,
    );
  }
  return { token, actor: actorOf(request, token, deps) };
}

async function presentedToken(request: FastifyRequest, deps: AppDeps): Promise<ApiToken | null> {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const secret = BEARER_RE.exec(header)?.[1];
  if (secret === undefined) throw new AuthError('unauthorized', 'the Authorization header must be "Bearer <token>"');
  const token = looksLikeSecret(secret) ? await deps.store.tokenByHash(hashSecret(secret)) : undefined;
  if (!token) throw new AuthError('unauthorized', 'the token is not valid');
  if (token.revoked_at !== null) throw new AuthError('unauthorized', 'the token was revoked');
  return token;
}

/** The actor a client names (`X-PM-Actor`), else the token's name, else the server's own. */
function actorOf(request: FastifyRequest, token: ApiToken | null, deps: AppDeps): string {
  const header = request.headers['x-pm-actor'];
  if (header === undefined) return token?.name ?? deps.actor();
  const actor = (Array.isArray(header) ? header[0]! : header).trim();
  if (actor === '' || actor.length > LIMITS.actor || CONTROL_RE.test(actor)) {
    throw new ValidationError([{ path: 'X-PM-Actor', message: `expected 1-${LIMITS.actor} printable characters` }]);
  }
  return actor;
}
