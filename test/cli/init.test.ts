import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pm } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

describe('pm init', () => {
  it('outside a git repository works but warns that nothing travels, and says how to fix it', async () => {
    const r = await pm(['init'], { cwd: tempDir() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .* not in a git repository/);
    expect(r.stderr).toMatch(/data\.json is not versioned/);
    expect(r.stderr).toMatch(/no merge driver or hooks/);
    expect(r.stderr).toMatch(/git init, then pm init again/);
  });

  it('inside a git repository does not warn', async () => {
    const cwd = tempDir();
    execFileSync('git', ['init', '-q', cwd]);
    const r = await pm(['init'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/warning/);
  });
});
