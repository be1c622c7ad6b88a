import { afterEach, describe, expect, test } from 'vitest';
import { AuthError, RemoteError } from '../../../../src/domain/index.js';
import { parseConnection, type Connector, type Resource, type SyncedType } from '../../../../src/sync/connectors/index.js';
import { AzureDevOpsConnector } from '../../../../src/sync/connectors/azure-devops/azure-devops-connector.js';
import { htmlToText, textToHtml } from '../../../../src/sync/connectors/azure-devops/html.js';
import { azureDevOps } from '../../../../src/sync/connectors/azure-devops/index.js';
import { LANES, openConnector } from '../../../helpers/connectors.js';
import { FaultProxy } from '../../../helpers/fault-proxy.js';
import { AzureDevOpsFake, type AzureDevOpsFakeOptions } from '../../../helpers/fakes/azure-devops.js';

/** What is particular to Azure DevOps: the recycle bin, test /rev, WIQL windows, HTML text, set-up checks. */

const fakes: AzureDevOpsFake[] = [];
afterEach(() => {
  for (const fake of fakes.splice(0)) expect(fake.violations).toEqual([]);
});

async function open(options: AzureDevOpsFakeOptions = {}) {
  const fake = await new AzureDevOpsFake(options).start();
  fakes.push(fake);
  const faults = await FaultProxy.start(fake.url);
  const settings = { url: `${faults.url}/${fake.organization}`, project: fake.project };
  return { fake, faults, settings, connect: () => openConnector(azureDevOps, settings, fake.token) };
}

const resource = (c: Connector, type: SyncedType) => c.resources[type] as Resource;

const listAll = async (r: Resource, since?: string) => {
  const ids: string[] = [];
  await r.list({ mode: since ? 'incremental' : 'full', since, known: () => false, listed: () => new Set() }, (record) =>
    Promise.resolve(void ids.push(record.remoteId)),
  );
  return ids;
};

describe('Azure DevOps connector', () => {
  test('a work item in the recycle bin is deleted; one that is neither there nor in the bin is an error, not a deletion', async () => {
    const { fake, connect } = await open();
    const items = resource(await connect(), 'work_items');
    const binned = fake.addItem('Binned');
    const destroyed = fake.addItem('Destroyed');
    fake.remove(binned.id);
    fake.destroy(destroyed.id);
    expect(await items.get(String(binned.id))).toBeNull();
    const ambiguous = await items.get(String(destroyed.id)).catch((e: unknown) => e);
    expect(ambiguous).toBeInstanceOf(RemoteError);
    expect((ambiguous as RemoteError).message).toMatch(/not in the recycle bin.*pm keeps it/);
  });

  test('a write refused by test /rev (412) is read again and written, keeping both changes', async () => {
    const { fake, faults, connect } = await open();
    const items = resource(await connect(), 'work_items');
    const item = fake.addItem('Checkout');
    const before = (await items.get(String(item.id)))!.fields;
    let raced = false;
    faults.onRequest = (entry) => {
      if (!raced && entry.method === 'GET' && entry.path.startsWith(`/acme/Website/_apis/wit/workitems/${item.id}?`)) {
        raced = true;
        fake.edit(item.id, { 'System.Description': 'Theirs' });
      }
    };
    const after = await items.update!(String(item.id), { ...before, title: 'Checkout (ours)' }, before);
    expect(after.fields).toMatchObject({ title: 'Checkout (ours)', description: 'Theirs' });
    expect(faults.requests('PATCH', /workitems/).map((r) => r.status)).toEqual([412, 200]);
  });

  test('lists in WIQL windows: every work item once, however many windows it takes, in full and from a cursor', async () => {
    const { fake, settings } = await open();
    const connection = parseConnection(azureDevOps, {
      name: 'a',
      kind: 'azure-devops',
      settings,
      secret: fake.token,
      source: 'test',
    });
    const connector = new AzureDevOpsConnector({ ...connection, options: {}, localStatuses: LANES }, { window: 40 });
    await connector.prepare();
    const items = resource(connector, 'work_items');
    const since = new Date().toISOString();
    for (let i = 0; i < 130; i++) fake.addItem(`Item ${i}`);
    const full = await listAll(items);
    expect(full).toHaveLength(130);
    expect(new Set(full).size).toBe(130);
    const changed = await listAll(items, since);
    expect(new Set(changed).size).toBe(130);
  });

  test('comments deleted in Azure DevOps read as gone; the listing leaves them out', async () => {
    const { fake, connect } = await open();
    const comments = resource(await connect(), 'comments');
    const item = fake.addItem('Checkout');
    const kept = fake.comment(item.id, 'Kept');
    const dropped = fake.comment(item.id, 'Dropped');
    dropped.isDeleted = true;
    expect(await comments.get(`${item.id}:${dropped.id}`)).toBeNull();
    const listed: string[] = [];
    await comments.list({ mode: 'full', since: undefined, known: () => false, listed: () => new Set([String(item.id)]) }, (r) =>
      Promise.resolve(void listed.push(r.remoteId)),
    );
    expect(listed).toEqual([`${item.id}:${kept.id}`]);
  });

  test('check names what is missing: the pm id field, the team; a refused token is an error', async () => {
    const missing = await open({ pmIdField: false });
    const checked = await (
      await azureDevOps.create({
        ...parseConnection(azureDevOps, {
          name: 'a',
          kind: 'azure-devops',
          settings: { ...missing.settings, team: 'Nobody' },
          secret: missing.fake.token,
          source: 'test',
        }),
        localStatuses: [],
      })
    ).check();
    expect(checked.notes).toEqual([expect.stringMatching(/no field Custom\.PmId/), expect.stringMatching(/no team "Nobody"/)]);

    const refused = await open();
    const connector = await azureDevOps.create({
      ...parseConnection(azureDevOps, {
        name: 'a',
        kind: 'azure-devops',
        settings: refused.settings,
        secret: 'wrong',
        source: 'test',
      }),
      localStatuses: [],
    });
    await expect(connector.check()).rejects.toBeInstanceOf(AuthError);
  });
});

describe('HTML and text', () => {
  test.each(['Plain', 'Two\nlines', 'a < b && c > d', 'Quotes " and \'', ''])('pm text %j survives a round trip', (text) => {
    expect(htmlToText(textToHtml(text))).toBe(text);
  });

  test.each([
    ['<div>Use <b>hosted</b> fields</div>', 'Use hosted fields'],
    ['<p>One</p><p>Two</p>', 'One\nTwo'],
    ['Line<br/>break', 'Line\nbreak'],
    ['&lt;tag&gt; &amp; &#39;x&#39; &#60;', "<tag> & 'x' <"],
    ['&bogus; &#xZZ;', '&bogus; &#xZZ;'],
  ])('HTML %j reads as %j', (html, text) => {
    expect(htmlToText(html)).toBe(text);
  });
});
