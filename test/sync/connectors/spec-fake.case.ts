import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { OverlayEntry, SpecDocument } from '../../helpers/openapi.js';

/** What every spec-checked fake holds to: the pinned operations, the overlay's entries, its error shape. */
export interface SpecFakeTarget {
  name: string;
  /** A started fake, its base URL (with the organization, where the API has one) and a request that needs auth. */
  start(): Promise<{ base: string; token: string; authorizedPath: string; violations: () => string[] }>;
  coverage(): { served: string[]; pinned: string[] };
  auth(token: string): Record<string, string>;
  specs: readonly { file: string; overlay: readonly OverlayEntry[] }[];
  /** Checks the body of a 401 is the service's error. */
  errorBody(body: unknown): void;
}

export function runSpecFakeCases(target: SpecFakeTarget): void {
  describe(`the ${target.name} fake`, () => {
    test('serves exactly the operations pinned from the specification', () => {
      const { served, pinned } = target.coverage();
      expect(served).toEqual(pinned);
    });

    test('each overlay entry corrects something the pinned specification still gets wrong', () => {
      for (const { file, overlay } of target.specs) {
        const pinned = JSON.parse(readFileSync(file, 'utf8')) as SpecDocument;
        for (const entry of overlay) {
          const copy = structuredClone(pinned);
          entry.apply(copy);
          expect(JSON.stringify(copy), entry.why).not.toBe(JSON.stringify(pinned));
          expect(entry.why.length).toBeGreaterThan(40);
        }
      }
    });

    test('answers a wrong token with 401 and an error body of the specification', async () => {
      const fake = await target.start();
      const refused = await fetch(`${fake.base}${fake.authorizedPath}`, { headers: target.auth('wrong') });
      expect(refused.status).toBe(401);
      target.errorBody(await refused.json());
      expect(fake.violations()).toEqual([]);
    });
  });
}
