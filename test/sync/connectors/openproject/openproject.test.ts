import { afterEach, describe, expect, test } from 'vitest';
import { AuthError } from '../../../../src/domain/index.js';
import { canDelete, type Connector, type Resource, type SyncedType } from '../../../../src/sync/connectors/index.js';
import { durationOf, hoursOf } from '../../../../src/sync/connectors/openproject/api.js';
import { openProject } from '../../../../src/sync/connectors/openproject/index.js';
import { openConnector } from '../../../helpers/connectors.js';
import { FaultProxy } from '../../../helpers/fault-proxy.js';
import { OpenProjectFake, type OpenProjectFakeOptions } from '../../../helpers/fakes/openproject.js';

/** What is particular to OpenProject: optimistic locking, paging by updatedAt, ISO durations, set-up checks. */

const fakes: OpenProjectFake[] = [];
afterEach(() => {
  for (const fake of fakes.splice(0)) expect(fake.violations).toEqual([]);
});

async function open(options: OpenProjectFakeOptions = {}, token?: string) {
  const fake = await new OpenProjectFake(options).start();
  fakes.push(fake);
  const faults = await FaultProxy.start(fake.url);
  const connect = () => openConnector(openProject, { url: faults.url, project: fake.project.identifier }, token ?? fake.token);
  return { fake, faults, connect };
}

const resource = (c: Connector, type: SyncedType) => c.resources[type] as Resource;

describe('OpenProject connector', () => {
  test('a PATCH refused with 409 (someone wrote in between) is read again and written, keeping both changes', async () => {
    const { fake, faults, connect } = await open();
    const items = resource(await connect(), 'work_items');
    const wp = fake.addWorkPackage({ subject: 'Checkout' });
    const before = (await items.get(String(wp.id)))!.fields;
    // Between pm's read and its write, someone else changes the description.
    let raced = false;
    faults.onRequest = (entry) => {
      if (!raced && entry.method === 'GET' && entry.path === `/api/v3/work_packages/${wp.id}`) {
        raced = true;
        fake.editWorkPackage(wp.id, { description: 'Theirs' });
      }
    };
    const after = await items.update!(String(wp.id), { ...before, title: 'Checkout (ours)' }, before);
    expect(after.fields).toMatchObject({ title: 'Checkout (ours)', description: 'Theirs' });
    expect(faults.requests('PATCH', /work_packages/).map((r) => r.status)).toEqual([409, 200]);
  });

  test('lists more changes in one second than fit a page, each once', async () => {
    const { fake, connect } = await open();
    const items = resource(await connect(), 'work_items');
    const since = new Date().toISOString();
    for (let i = 0; i < 230; i++) fake.addWorkPackage({ subject: `Item ${i}` });
    const listed: string[] = [];
    await items.list({ mode: 'incremental', since, known: () => false, listed: () => new Set() }, (r) =>
      Promise.resolve(void listed.push(r.remoteId)),
    );
    expect(listed).toHaveLength(230);
    expect(new Set(listed).size).toBe(230);
  });

  test('closed work packages are listed too (OpenProject shows open ones only unless told)', async () => {
    const { fake, connect } = await open();
    const items = resource(await connect(), 'work_items');
    fake.addWorkPackage({ subject: 'Done', status: 'Closed' });
    const listed: string[] = [];
    await items.list({ mode: 'full', since: undefined, known: () => false, listed: () => new Set() }, (r) =>
      Promise.resolve(void listed.push(String(r.fields.status))),
    );
    expect(listed).toEqual(['Closed']);
  });

  test('comments cannot be deleted through the API: the resource says so instead of pretending', async () => {
    const { connect } = await open();
    const connector = await connect();
    expect(canDelete(resource(connector, 'comments'))).toBe(false);
    expect(canDelete(resource(connector, 'work_items'))).toBe(true);
  });

  test('check names what is missing: the "pm id" custom fields, a refused token', async () => {
    const missing = await open({ pmIdFields: false });
    const checked = await (await openProject.create({ ...settingsOf(missing), localStatuses: [] })).check();
    expect(checked.account).toBe('pm bot');
    expect(checked.notes.join(' ')).toMatch(/custom field named "pm id"/);

    const refused = await open();
    const connector = await openProject.create({ ...settingsOf(refused), secret: 'wrong', localStatuses: [] });
    await expect(connector.check()).rejects.toBeInstanceOf(AuthError);
  });
});

function settingsOf(o: { faults: FaultProxy; fake: OpenProjectFake }) {
  return {
    name: 'openproject',
    kind: 'openproject',
    url: o.faults.url,
    project: o.fake.project.identifier,
    pmProject: undefined,
    strategy: 'manual' as const,
    mapType: {},
    mapStatus: {},
    workers: 1,
    ratePerSecond: 0,
    timeoutMs: 2000,
    batchSize: 50,
    secret: o.fake.token,
    options: {},
  };
}

describe('ISO 8601 durations', () => {
  test.each([
    ['PT1H30M', 1.5],
    ['PT45M', 0.75],
    ['PT1.5H', 1.5],
    ['P1DT2H', 26],
    ['PT90S', 0.025],
    ['nonsense', 0],
  ])('%s is %s hours', (duration, hours) => {
    expect(hoursOf(duration)).toBeCloseTo(hours, 6);
  });

  test.each([
    [1.5, 'PT1H30M'],
    [0.25, 'PT15M'],
    [2, 'PT2H'],
    [0, 'PT0H'],
    [0.01, 'PT1M'],
  ])('%s hours go out as %s', (hours, duration) => {
    expect(durationOf(hours)).toBe(duration);
  });
});
