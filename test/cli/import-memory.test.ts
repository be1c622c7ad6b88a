import { describe, expect, it, vi } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.js';
import { pmProcess } from '../helpers/cli.js';
import { emptyRecordsFile } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/temp.js';

vi.setConfig({ testTimeout: 120_000 });

describe('pm sync import, given millions of bad records', () => {
  it('refuses 2M empty records with the first problems listed, in a 256 MB heap', async () => {
    const cwd = tempDir();
    expect((await pmProcess(['init'], { cwd })).code).toBe(0);
    const r = await pmProcess(['sync', 'import', emptyRecordsFile(2_000_000)], {
      cwd,
      env: { NODE_OPTIONS: '--max-old-space-size=256' },
    });
    expect(r.stderr).not.toMatch(/heap out of memory/i);
    expect(r.code, r.stderr).toBe(EXIT_CODES.snapshot_invalid);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^error: .*empty-records\.json: more than 1000 problems \(reading stopped there\); first: comments\[0\]\.id:/,
    );
    expect(lines.slice(1, 51).every((l) => l.startsWith('  comments['))).toBe(true);
    expect(lines[51]).toBe('  … and 950 more, and more after them: pm stopped reading there');
  });
});
