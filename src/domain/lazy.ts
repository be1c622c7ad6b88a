/**
 * A value built on first use. Building pm's zod schemas was a fifth of a short command's
 * start-up, and most commands validate one schema or none.
 */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

/**
 * An object that stands for `build()`'s, built on first use of any of its properties: exported
 * schemas keep their names and types while none is built at load. Schemas made from other
 * schemas in the same module use the `once` builder itself, not this stand-in.
 */
export function lazy<T extends object>(build: () => T): T {
  const real = once(build);
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(real(), key),
    set: (_, key, value) => Reflect.set(real(), key, value),
    has: (_, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
    // The stand-in itself owns nothing, so every property is reported as one it may change.
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(real(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(real(), key),
  });
}
