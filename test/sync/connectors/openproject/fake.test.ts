import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { OPENPROJECT_OVERLAY } from '../../../fixtures/api-specs/overlays.js';
import { OPENPROJECT_SPEC, OpenProjectFake } from '../../../helpers/fakes/openproject.js';
import type { SpecDocument } from '../../../helpers/openapi.js';

/** The OpenProject fake holds to the pinned specification: what it refuses and what it may not answer. */

const auth = (token: string) => ({ Authorization: `Basic ${Buffer.from(`apikey:${token}`).toString('base64')}` });

describe('the OpenProject fake', () => {
  test('refuses a request the specification does not allow, and records it', async () => {
    const fake = await new OpenProjectFake().start();
    const unknownParameter = await fetch(`${fake.url}/api/v3/work_packages?colour=red`, { headers: auth(fake.token) });
    expect(unknownParameter.status).toBe(400);
    const badStatus = await fetch(`${fake.url}/api/v3/versions`, {
      method: 'POST',
      headers: { ...auth(fake.token), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Sprint 1', status: 'archived', _links: { definingProject: { href: '/api/v3/projects/3' } } }),
    });
    expect(badStatus.status).toBe(400);
    const noSuchOperation = await fetch(`${fake.url}/api/v3/work_packages/1/watchers`, { headers: auth(fake.token) });
    expect(noSuchOperation.status).toBe(404);
    expect(fake.violations).toEqual([
      'GET /api/v3/work_packages: request: query parameter colour is not in the specification',
      expect.stringMatching(/^POST \/api\/v3\/versions: request: body\/status: must be equal to one of/),
      'GET /api/v3/work_packages/1/watchers: no such operation in test/fixtures/api-specs/openproject-v3.json'.replace(
        'test/fixtures/api-specs/openproject-v3.json',
        OPENPROJECT_SPEC,
      ),
    ]);
  });

  test('cannot answer outside the specification: a drifted record is a 500 and a recorded violation', async () => {
    const fake = await new OpenProjectFake().start();
    const wp = fake.addWorkPackage({ subject: 'Fine' });
    const ok = await fetch(`${fake.url}/api/v3/work_packages/${wp.id}`, { headers: auth(fake.token) });
    expect(ok.status).toBe(200);
    // A version whose status the specification does not know.
    const created = await fetch(`${fake.url}/api/v3/versions`, {
      method: 'POST',
      headers: { ...auth(fake.token), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Sprint 1', _links: { definingProject: { href: '/api/v3/projects/3' } } }),
    });
    const { id } = (await created.json()) as { id: number };
    Object.assign(fake.versions.get(id)!, { status: 'archived' });
    const drifted = await fetch(`${fake.url}/api/v3/versions/${id}`, { headers: auth(fake.token) });
    expect(drifted.status).toBe(500);
    expect(fake.violations).toEqual([
      expect.stringMatching(/^GET \/api\/v3\/versions\/\d+: response: answer 200\/status: must be equal to one of/),
    ]);
  });

  test('answers a wrong token with 401 and an error body of the specification', async () => {
    const fake = await new OpenProjectFake().start();
    const refused = await fetch(`${fake.url}/api/v3/users/me`, { headers: auth('wrong') });
    expect(refused.status).toBe(401);
    const body = (await refused.json()) as { _type: string; errorIdentifier: string };
    expect(body._type).toBe('Error');
    expect(body.errorIdentifier).toMatch(/Unauthenticated$/);
    expect(fake.violations).toEqual([]);
  });

  test('serves exactly the operations pinned from the specification', () => {
    const { served, pinned } = new OpenProjectFake().coverage();
    expect(served).toEqual(pinned);
  });

  test('each overlay entry corrects something the pinned specification still gets wrong', () => {
    const pinned = JSON.parse(readFileSync(OPENPROJECT_SPEC, 'utf8')) as SpecDocument;
    for (const entry of OPENPROJECT_OVERLAY) {
      const copy = structuredClone(pinned);
      entry.apply(copy);
      expect(JSON.stringify(copy), entry.why).not.toBe(JSON.stringify(pinned));
      expect(entry.why.length).toBeGreaterThan(40);
    }
  });
});
