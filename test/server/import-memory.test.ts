import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { pmProcess } from '../helpers/cli.js';
import { apiClient, servePmProcess } from '../helpers/server.js';
import { emptyRecordsFile } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/temp.js';

vi.setConfig({ testTimeout: 120_000 });

/** The peak resident memory of a process so far, in MiB (Linux). */
function peakRssMiB(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

interface PmErrorBody {
  error: { code: string; message: string; details: { issues: unknown[]; more_issues?: boolean } };
}

describe('pm serve, sent a snapshot of millions of bad records', () => {
  it('refuses a 16 MB body of 2M empty records with the first 1,000 problems, within 256 MB, and stays up', async () => {
    const cwd = tempDir();
    expect((await pmProcess(['init'], { cwd })).code).toBe(0);
    const { url, child } = await servePmProcess(cwd);
    const api = apiClient(url);
    const reply = await api.call<PmErrorBody>('POST', '/sync/import', {
      raw: readFileSync(emptyRecordsFile(2_000_000)),
      headers: { 'content-type': 'application/json' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('snapshot_invalid');
    expect(reply.body.error.message).toMatch(/^request body: more than 1000 problems/);
    expect(reply.body.error.details.issues).toHaveLength(1000);
    expect(reply.body.error.details.issues[0]).toMatchObject({ entity_type: 'comments', index: 0, field: 'id' });
    expect(reply.body.error.details.more_issues).toBe(true);
    expect((await api.get('/health')).status).toBe(200);
    expect(peakRssMiB(child.pid!)).toBeLessThanOrEqual(256);
  });
});
