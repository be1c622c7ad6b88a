import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PM_BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const README = resolve(import.meta.dirname, '../../README.md');

/** The shell blocks of one README section, as a reader would paste them. */
export function shellBlocks(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "## ${heading}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

interface BoardJson {
  columns: { lane: { status: string }; items: { key: string }[] }[];
}

describe('the README tour', () => {
  it('runs as written in a fresh folder, as a new user with git set up, and ends with a board that shows items', () => {
    const blocks = shellBlocks(readFileSync(README, 'utf8'), 'A five-minute tour');
    expect(blocks.length).toBeGreaterThan(0);
    const root = tempDir('pm-tour-');
    const bin = join(root, 'bin');
    const home = join(root, 'home');
    const work = join(root, 'work');
    for (const dir of [bin, home, work]) mkdirSync(dir);
    writeFileSync(join(bin, 'pm'), `#!/bin/sh\nexec "${process.execPath}" "${PM_BIN}" "$@"\n`);
    chmodSync(join(bin, 'pm'), 0o755);
    writeFileSync(
      join(home, '.gitconfig'),
      '[user]\n\temail = reader@example.com\n\tname = Reader\n[init]\n\tdefaultBranch = main\n',
    );
    const boardFile = join(root, 'board.json');
    // Every line must succeed; the board is read where the tour left off.
    const script = `set -euo pipefail\n${blocks.join('\n')}\npm board --json > "${boardFile}"\n`;
    const run = spawnSync('bash', ['-c', script], {
      cwd: work,
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: home, GIT_CONFIG_NOSYSTEM: '1', NO_COLOR: '1' },
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stderr).not.toMatch(/warning|error/i);
    const board = JSON.parse(readFileSync(boardFile, 'utf8')) as BoardJson;
    const onBoard = board.columns.flatMap((c) => c.items.map((i) => `${i.key}:${c.lane.status}`));
    expect(onBoard.length, 'the board the tour prints has cards').toBeGreaterThanOrEqual(2);
    // The printed board shows them too, not only its JSON.
    expect(run.stdout).toMatch(/WEB-2 Pay by card/);
    expect(run.stdout).toMatch(/WEB-3 Card form/);
  });
});
