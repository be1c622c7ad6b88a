import { parse as uuidBytes, stringify as uuidText, v7 as uuidV7 } from 'uuid';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PM_NAMESPACE = '6f1c1d1e-5b0a-4d6e-9a51-3f0c6b2a9e11';

/** A new time-ordered id (UUID v7), unique across disconnected clones. */
export function newId(): string {
  return uuidV7();
}

/**
 * A deterministic id (UUID v5): every replica that derives it from the same name gets the same
 * id. Hashed here rather than by uuid's v5, which loads node:crypto with the module: every
 * command would pay for it, and few derive ids.
 */
export function derivedId(name: string): string {
  const hash = process.getBuiltinModule('node:crypto').createHash('sha1');
  const bytes = hash.update(uuidBytes(PM_NAMESPACE)).update(name, 'utf8').digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return uuidText(bytes);
}

/** A lowercase UUID, checked by character (imports check millions). */
export function isUuid(value: string): boolean {
  if (value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** The same check as a pattern, for schemas and JSON Schema. */
export const UUID_PATTERN = UUID_RE;

/** What tables show for records without a display key: the random tail of the UUID. */
export function shortId(id: string): string {
  return id.slice(-12);
}

export const SHORT_ID_MIN = 6;

/** True when `ref` could name a record by its id: a full UUID or a tail of one. */
export function looksLikeIdRef(ref: string): boolean {
  return isUuid(ref) || (ref.length >= SHORT_ID_MIN && ref.length <= 36 && /^[0-9a-f-]+$/.test(ref));
}
