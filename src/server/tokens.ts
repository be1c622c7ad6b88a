import { createHash, randomBytes } from 'node:crypto';
import { AmbiguousRefError, NotFoundError, newId, toTimestamp, type Clock } from '../domain/index.js';
import type { ApiToken, Store, TokenScope } from '../store/index.js';
import { audit } from '../sync/index.js';

/**
 * Bearer tokens: `pm_` and 32 random bytes (base64url). Only the sha256 of a secret is stored;
 * with 256 bits of entropy a fast hash is enough (nothing to brute-force), and looking tokens
 * up by hash keeps secrets out of comparisons and out of the database.
 */
const PREFIX = 'pm_';
const SECRET_RE = /^pm_[A-Za-z0-9_-]{43}$/;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function looksLikeSecret(value: string): boolean {
  return SECRET_RE.test(value);
}

export interface CreatedToken {
  token: ApiToken;
  /** Shown once; pm cannot show it again. */
  secret: string;
}

/** Who changes tokens, for the audit log; `log` hears a failure to write the entry. */
export interface TokenChanger {
  actor: string;
  clock: Clock;
  log?: (message: string) => void;
}

const quiet = (): void => undefined;

export async function createToken(
  store: Store,
  input: { name: string; scope: TokenScope } & TokenChanger,
): Promise<CreatedToken> {
  const secret = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  const token: ApiToken = {
    id: newId(),
    name: input.name,
    scope: input.scope,
    created_by: input.actor,
    created_at: toTimestamp(input.clock()),
    revoked_at: null,
  };
  await store.write((tx) => tx.insertToken(token, hashSecret(secret)));
  await audit(
    store,
    { actor: input.actor, at: token.created_at, log: input.log ?? quiet },
    {
      action: 'token_created',
      entity_type: 'token',
      entity_id: token.id,
      details: { name: token.name, scope: token.scope },
    },
  );
  return { token, secret };
}

/** Revokes a token named by its id or a unique tail of it (as `pm token list` shows). */
export async function revokeToken(store: Store, ref: string, by: TokenChanger): Promise<ApiToken> {
  const revoked = await store.write(async (tx) => {
    const wanted = ref.trim().toLowerCase();
    const matches = wanted.length >= 6 ? (await tx.listTokens()).filter((t) => t.id.endsWith(wanted)) : [];
    if (matches.length > 1)
      throw new AmbiguousRefError(
        'token',
        ref,
        matches.map((t) => t.id),
      );
    const token = matches[0];
    if (!token) throw new NotFoundError('token', ref);
    return (await tx.revokeToken(token.id, toTimestamp(by.clock())))!;
  });
  await audit(
    store,
    { actor: by.actor, at: revoked.revoked_at ?? toTimestamp(by.clock()), log: by.log ?? quiet },
    {
      action: 'token_revoked',
      entity_type: 'token',
      entity_id: revoked.id,
      details: { name: revoked.name, scope: revoked.scope },
    },
  );
  return revoked;
}
