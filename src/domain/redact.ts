/** What a secret becomes in any text pm stores, logs, prints or serves. */
export const REDACTED = '[redacted]';

/** Shorter strings are not taken for secrets: they would blank out ordinary words. */
const MIN_SECRET_LENGTH = 6;

/** The forms a secret can take when a remote echoes it: as sent, URL-encoded, JSON-escaped. */
function formsOf(secret: string): string[] {
  return [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
}

/**
 * `text` with every known secret replaced by `[redacted]`, longest first (a secret that
 * contains another is replaced whole).
 *
 * @example redactSecrets('invalid key abc123def', ['abc123def']) // 'invalid key [redacted]'
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(formsOf))];
  forms.sort((a, b) => b.length - a.length);
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
  return out;
}

/**
 * The secrets in request headers: an `Authorization` header's credentials (basic auth is
 * base64, echoed as such) and any header named for a key or token.
 */
export function headerSecrets(headers: Readonly<Record<string, string>>): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (/^authorization$/i.test(name)) secrets.push(value, value.replace(/^\S+\s+/, ''));
    else if (/key|token|secret|password/i.test(name)) secrets.push(value);
  }
  return secrets;
}
