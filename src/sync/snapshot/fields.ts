const patterns = new Map<string, RegExp>();

/**
 * One top-level field of a canonical record line (ids, numbers, booleans, null, plain
 * strings): much cheaper than parsing the line when only a few fields are needed.
 */
export function fieldOf(line: string, field: string): unknown {
  let re = patterns.get(field);
  if (!re) {
    re = new RegExp(`[{,]"${field}":("(?:[^"\\\\]|\\\\.)*"|null|-?\\d+|true|false)`);
    patterns.set(field, re);
  }
  const m = re.exec(line);
  return m ? JSON.parse(m[1]!) : undefined;
}

export const ID_RE = /^\{"id":"([^"]{1,64})"/;
