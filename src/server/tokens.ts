import { createHash, randomBytes } from 'node:crypto';
import { AmbiguousRefError, NotFoundError, newId, toTimestamp, type Clock } from '../domain/index.js';
import type { ApiToken, Store, TokenScope } from '../store/index.js';

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

export async function createToken(
  store: Store,
  input: { name: string; scope: TokenScope; actor: string; clock: Clock },
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
  return { token, secret };
}

/** Revokes a token named by its id or a unique tail of it (as `pm token list` shows). */
export async function revokeToken(store: Store, ref: string, clock: Clock): Promise<ApiToken> {
  return store.write(async (tx) => {
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
    return (await tx.revokeToken(token.id, toTimestamp(clock())))!;
  });
}
