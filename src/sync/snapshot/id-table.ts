/** Hex digit values by character code; -1 where the character is not a lowercase hex digit. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) NIBBLE[48 + c] = c;
for (let c = 0; c < 6; c++) NIBBLE[97 + c] = 10 + c;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The four 32-bit words of a lowercase UUID, written at `out[at…at+3]`; false when `id` is not one. */
function uuidWords(id: string, out: Uint32Array, at: number): boolean {
  if (id.length !== 36 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45) return false;
  if (id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) return false;
  let word = 0;
  let digits = 0;
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) continue;
    const c = id.charCodeAt(i);
    const n = c < 128 ? NIBBLE[c]! : -1;
    if (n < 0) return false;
    word = (word << 4) | n;
    if (++digits % 8 === 0) {
      out[at + digits / 8 - 1] = word >>> 0;
      word = 0;
    }
  }
  return true;
}

function hash(w: Uint32Array, at: number): number {
  const h = Math.imul(w[at]! ^ w[at + 3]!, 0x9e3779b1) ^ Math.imul(w[at + 1]! ^ w[at + 2]!, 0x85ebca77);
  return (h ^ (h >>> 15)) >>> 0;
}

function grown<A extends Uint32Array | Uint8Array | Int32Array>(array: A, length: number): A {
  if (array.length >= length) return array;
  const bigger = new (array.constructor as new (n: number) => A)(Math.max(length, array.length * 2));
  bigger.set(array);
  return bigger;
}

/**
 * A set of ids that numbers them in the order they came (0, 1, 2 …), for checks across the
 * records of a large file. A UUID is kept as its 16 bytes in a typed array rather than as a
 * string in a `Set` (about 24 bytes for 80): a 300,000-item file holds half a million ids.
 * Ids that are not lowercase UUIDs (in records that are invalid anyway) are kept as strings.
 *
 * An id can be known without being a member: `intern` numbers one a record points to before
 * the file shows it (a parent further down); `add` makes it a member.
 */
export class IdTable {
  #words = new Uint32Array(4 * 256);
  #members = new Uint8Array(256);
  /** Open addressing, linear probing: index + 1 per slot, 0 for empty. */
  #slots = new Int32Array(512);
  #size = 0;
  /** Ids that are not lowercase UUIDs, and the strings of their indexes. */
  readonly #others = new Map<string, number>();
  readonly #otherIds = new Map<number, string>();
  readonly #probe = new Uint32Array(4);

  /** How many ids are known (members or not); indexes run from 0 to size − 1. */
  get size(): number {
    return this.#size;
  }

  /** Makes `id` a member; false when it was one already. */
  add(id: string): boolean {
    const index = this.intern(id);
    if (this.#members[index] === 1) return false;
    this.#members[index] = 1;
    return true;
  }

  has(id: string): boolean {
    const index = this.indexOf(id);
    return index >= 0 && this.#members[index] === 1;
  }

  /** The index of a known id, or -1. */
  indexOf(id: string): number {
    if (!uuidWords(id, this.#probe, 0)) return this.#others.get(id) ?? -1;
    const slot = this.#find(this.#probe, 0);
    return this.#slots[slot]! - 1;
  }

  /** The index of `id`, numbering it (not as a member) if it is new. */
  intern(id: string): number {
    const index = this.indexOf(id);
    if (index >= 0) return index;
    const next = this.#size++;
    this.#words = grown(this.#words, 4 * this.#size);
    this.#members = grown(this.#members, this.#size);
    if (uuidWords(id, this.#words, 4 * next)) {
      if (2 * this.#size > this.#slots.length) this.#rehash(this.#slots.length * 2);
      this.#slots[this.#find(this.#words, 4 * next)] = next + 1;
    } else {
      this.#others.set(id, next);
      this.#otherIds.set(next, id);
    }
    return next;
  }

  /** The id with this index. */
  idAt(index: number): string {
    const other = this.#otherIds.get(index);
    if (other !== undefined) return other;
    let hex = '';
    for (let w = 0; w < 4; w++) {
      const word = this.#words[4 * index + w]!;
      hex += HEX[word >>> 24]! + HEX[(word >>> 16) & 255]! + HEX[(word >>> 8) & 255]! + HEX[word & 255]!;
    }
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** The slot that holds these words, or the empty slot where they would go. */
  #find(words: Uint32Array, at: number): number {
    const mask = this.#slots.length - 1;
    for (let slot = hash(words, at) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot]!;
      if (entry === 0) return slot;
      const other = 4 * (entry - 1);
      const w = this.#words;
      if (
        w[other] === words[at] &&
        w[other + 1] === words[at + 1] &&
        w[other + 2] === words[at + 2] &&
        w[other + 3] === words[at + 3]
      )
        return slot;
    }
  }

  #rehash(capacity: number): void {
    const old = this.#slots;
    this.#slots = new Int32Array(capacity);
    for (const entry of old) if (entry !== 0) this.#slots[this.#find(this.#words, 4 * (entry - 1))] = entry;
  }
}

/** An Int32Array that grows as it is written past its end (unwritten places read as 0). */
export class GrowingInt32 {
  #values = new Int32Array(256);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  at(index: number): number {
    return index < this.#values.length ? this.#values[index]! : 0;
  }

  set(index: number, value: number): void {
    this.#values = grown(this.#values, index + 1);
    this.#values[index] = value;
    if (index >= this.#length) this.#length = index + 1;
  }

  push(value: number): void {
    this.set(this.#length, value);
  }
}
