import { describe, expect, test } from 'vitest';
import { AZURE_DEVOPS_WIT_OVERLAY, AZURE_DEVOPS_WORK_OVERLAY } from '../../../fixtures/api-specs/overlays.js';
import { ADO_WIT_SPEC, ADO_WORK_SPEC, AzureDevOpsFake } from '../../../helpers/fakes/azure-devops.js';
import { runSpecFakeCases } from '../spec-fake.case.js';

/** The Azure DevOps fake holds to the pinned Swagger documents, and to the service's limits. */

const auth = (token: string) => ({ Authorization: `Basic ${Buffer.from(`:${token}`).toString('base64')}` });

async function wiql(fake: AzureDevOpsFake, query: string, params = '') {
  return fetch(`${fake.url}/acme/Website/Website%20Team/_apis/wit/wiql?api-version=7.1${params}`, {
    method: 'POST',
    headers: { ...auth(fake.token), 'Content-Type': 'application/json' },
    body: JSON.stringify({ query }),
  });
}

describe('the Azure DevOps fake', () => {
  test('refuses a request without the api-version an operation wants, and records it', async () => {
    const fake = await new AzureDevOpsFake().start();
    const item = fake.addItem('Checkout');
    const wrong = await fetch(`${fake.url}/acme/Website/_apis/wit/workItems/${item.id}/comments?api-version=7.1`, {
      headers: auth(fake.token),
    });
    expect(wrong.status).toBe(400);
    expect(fake.violations).toEqual([
      `GET /acme/Website/_apis/wit/workItems/${item.id}/comments: request: api-version 7.1: this operation wants 7.1-preview.4`,
    ]);
  });

  test('cannot answer outside the specification: a drifted work item is a 500 and a recorded violation', async () => {
    const fake = await new AzureDevOpsFake().start();
    const item = fake.addItem('Checkout');
    Object.assign(item, { rev: 'two' });
    const drifted = await fetch(`${fake.url}/acme/Website/_apis/wit/workitems/${item.id}?api-version=7.1`, {
      headers: auth(fake.token),
    });
    expect(drifted.status).toBe(500);
    expect(fake.violations).toEqual([expect.stringMatching(/response: answer 200\/rev: must be integer/)]);
  });

  test('WIQL compares dates by day unless timePrecision is asked for, and answers at most 20,000 work items', async () => {
    const fake = await new AzureDevOpsFake().start();
    const at = new Date().toISOString();
    const withTime = `SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.ChangedDate] >= '${at}'`;
    expect((await wiql(fake, withTime)).status).toBe(400);
    expect((await wiql(fake, withTime, '&timePrecision=true')).status).toBe(200);

    for (let i = 0; i < 20_001; i++) fake.addItem(`Item ${i}`);
    const all = 'SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project ORDER BY [System.Id] ASC';
    const tooMany = await wiql(fake, all);
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { message: string }).message).toMatch(/VS402337/);
    const windowed = await wiql(fake, all, '&$top=10000');
    expect(((await windowed.json()) as { workItems: unknown[] }).workItems).toHaveLength(10_000);
    expect(fake.violations).toEqual([]);
  });
});

runSpecFakeCases({
  name: 'Azure DevOps',
  start: async () => {
    const fake = await new AzureDevOpsFake().start();
    return {
      base: fake.url,
      token: fake.token,
      authorizedPath: '/acme/Website/_apis/wit/workitemtypes?api-version=7.1',
      violations: () => fake.violations,
    };
  },
  coverage: () => new AzureDevOpsFake().coverage(),
  auth,
  specs: [
    { file: ADO_WIT_SPEC, overlay: AZURE_DEVOPS_WIT_OVERLAY },
    { file: ADO_WORK_SPEC, overlay: AZURE_DEVOPS_WORK_OVERLAY },
  ],
  errorBody: (body) => expect(body).toMatchObject({ message: 'unauthorized', typeKey: expect.any(String) as string }),
});
