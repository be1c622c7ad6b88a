import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { PM_BIN, boundPm, pm, pmProcess, testEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

// eslint-disable-next-line no-control-regex -- looking for ANSI escapes
const ANSI = /\u001b\[/;

describe('the pm program', () => {
  it('prints its help on stdout and succeeds when run bare', async () => {
    const r = await pmProcess([], { cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: pm /);
    expect(r.stdout).toContain('item');
    expect(r.stderr).toBe('');
  });

  it('prints its version for -v, -V and --version, as a process and in-process', async () => {
    for (const flag of ['-v', '-V', '--version']) {
      const viaBin = await pmProcess([flag], { cwd: tempDir() });
      expect([viaBin.code, viaBin.stdout.trim()]).toEqual([0, expect.stringMatching(/^\d+\.\d+\.\d+/)]);
      const inProcess = await pm([flag], { cwd: tempDir() });
      expect([inProcess.code, inProcess.stdout.trim()]).toEqual([0, expect.stringMatching(/^\d+\.\d+\.\d+/)]);
    }
  });

  it('colours a table that is not on a terminal when FORCE_COLOR asks, even over NO_COLOR, and not with FORCE_COLOR=0', async () => {
    const cli = boundPm(tempDir());
    await cli.ok(['init']);
    await cli.ok(['project', 'add', 'WEB', 'Website']);
    expect((await cli.ok(['project', 'list'], { FORCE_COLOR: '1' })).stdout).toMatch(ANSI);
    expect((await cli.ok(['project', 'list'], { FORCE_COLOR: '0' })).stdout).not.toMatch(ANSI);
    expect((await cli.ok(['project', 'list'])).stdout).not.toMatch(ANSI);
  });
});

describe('pm serve', () => {
  it('starts with plain lines, no JSON log lines, unless PM_LOG_LEVEL asks for them', async () => {
    const cwd = tempDir();
    await pm(['init'], { cwd });
    const run = async (env: Record<string, string>) => {
      const child = spawn(process.execPath, [PM_BIN, 'serve', '--port', '0'], { cwd, env: testEnv(env) });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      for (let i = 0; i < 500 && !/web UI: (\S+)/.test(output); i++) await sleep(20);
      const url = /listening on (\S+)/.exec(output)?.[1];
      if (url) await fetch(`${url}/api/v1/health`);
      child.kill('SIGTERM');
      await exited;
      return output;
    };
    const plain = await run({});
    expect(plain).toMatch(/^pm serve: listening on http:\/\//m);
    expect(plain).toMatch(/^pm serve: stopped$/m);
    expect(plain).not.toMatch(/^\{/m);
    expect(await run({ PM_LOG_LEVEL: 'info' })).toMatch(/^\{.*"msg":"Server listening/m);
  });
});
