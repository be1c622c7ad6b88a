import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.js';
import { errorFromResponse } from '../../src/client/index.js';
import {
  AlreadyExistsError,
  AmbiguousRefError,
  AuthError,
  ConfigError,
  ERROR_CODES,
  InvariantError,
  NotFoundError,
  PmError,
  RateLimitedError,
  RemoteError,
  SchemaVersionError,
  SnapshotError,
  StateError,
  ValidationError,
  VersionConflictError,
} from '../../src/domain/index.js';
import { HTTP_STATUS } from '../../src/server/index.js';
import { errorBody } from '../../src/server/errors.js';

const samples: PmError[] = [
  new NotFoundError('work item', 'WEB-9'),
  new AmbiguousRefError('sprint', 'Sprint 1', ['a', 'b']),
  new AlreadyExistsError('project key WEB is already used by "Website"', 'key'),
  new ValidationError([
    { path: 'title', message: 'must not be empty' },
    { path: 'priority', message: 'expected one of "low", "high"' },
  ]),
  new InvariantError('dependency_cycle', 'WEB-1 blocks WEB-2 would make a cycle', 'blocked_item_id'),
  new InvariantError('sprint_dates', 'sprint ends before it starts', 'end_date'),
  new VersionConflictError('work item', 3, { version: 5 }),
  new StateError('timer_running', 'a timer is already running on WEB-1'),
  new StateError('has_dependents', 'project WEB has 3 work items'),
  new ConfigError('config_invalid', 'config.toml: bad'),
  new SchemaVersionError('request body', 9, 1),
  new SnapshotError('request body', [{ path: 'work_items[0].title', message: 'must not be empty' }]),
  new AuthError('unauthorized', 'the token was revoked'),
  new AuthError('forbidden', 'token "r" may only read'),
  new RateLimitedError('too many sync requests', 30_000),
  new PmError('payload_too_large', 'the request body is larger than this server accepts (10 bytes)'),
  new PmError('unsupported_media_type', 'unsupported Content-Type "text/plain"'),
  new PmError('internal', 'internal server error (request req-1): see the server log'),
];

describe('server errors on the client', () => {
  it.each(samples.map((e) => [e.code, e]))('%s comes back as the same class, code, field and message', (_code, sent) => {
    const received = errorFromResponse(JSON.parse(JSON.stringify(errorBody(sent))), HTTP_STATUS[sent.code], 'http://pm');
    expect(received).toBeInstanceOf(sent.constructor);
    expect(received.code).toBe(sent.code);
    expect(received.message).toBe(sent.message);
    expect(received.field).toBe(sent.field);
    expect(received.details).toEqual(sent.details);
    expect(EXIT_CODES[received.code]).toBe(EXIT_CODES[sent.code]);
  });

  it('keeps what callers use beyond the message: issues, the current record, the retry delay', () => {
    const issues = [{ path: 'title', message: 'must not be empty' }];
    const back = (e: PmError) => errorFromResponse(JSON.parse(JSON.stringify(errorBody(e))), 400, 'http://pm');
    expect((back(new ValidationError(issues)) as ValidationError).issues).toEqual(issues);
    expect((back(new VersionConflictError('item', 1, { version: 2 })) as VersionConflictError).current).toEqual({ version: 2 });
    expect((back(new RateLimitedError('slow down', 1500)) as RateLimitedError).retryAfterMs).toBe(1500);
  });

  it('rebuilds every error code with its code and the exact message', () => {
    for (const code of ERROR_CODES) {
      const error = errorFromResponse({ error: { code, message: `m ${code}` } }, HTTP_STATUS[code], 'http://pm');
      expect([error.code, error.message], code).toEqual([code, `m ${code}`]);
    }
  });

  it('turns an answer that is not a pm error into a remote failure (exit code 9)', () => {
    for (const body of [undefined, { message: 'Bad gateway' }, { error: { code: 'teapot', message: 'x' } }, '<html>']) {
      const error = errorFromResponse(body, 502, 'http://proxy');
      expect(error).toBeInstanceOf(RemoteError);
      expect(error.message).toBe('http://proxy answered 502 without a pm error: is it a pm server?');
      expect(EXIT_CODES[error.code]).toBe(9);
    }
  });
});
