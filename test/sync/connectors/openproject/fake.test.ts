import { describe, expect, test } from 'vitest';
import { OPENPROJECT_OVERLAY } from '../../../fixtures/api-specs/overlays.js';
import { OPENPROJECT_SPEC, OpenProjectFake } from '../../../helpers/fakes/openproject.js';
import { runSpecFakeCases } from '../spec-fake.case.js';

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
});

runSpecFakeCases({
  name: 'OpenProject',
  start: async () => {
    const fake = await new OpenProjectFake().start();
    return { base: fake.url, token: fake.token, authorizedPath: '/api/v3/users/me', violations: () => fake.violations };
  },
  coverage: () => new OpenProjectFake().coverage(),
  auth,
  specs: [{ file: OPENPROJECT_SPEC, overlay: OPENPROJECT_OVERLAY }],
  errorBody: (body) => {
    expect(body).toHaveProperty('_type', 'Error');
    expect((body as { errorIdentifier: string }).errorIdentifier).toMatch(/Unauthenticated$/);
  },
});
