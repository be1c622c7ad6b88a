import { RemoteError, type SyncRun, type SyncRunItem } from '../domain/index.js';
import type { RunQuery } from '../store/index.js';
import type {
  FailureQuery,
  RetryTarget,
  RunDetail,
  RunEvent,
  RunListener,
  RunRequest,
  SyncMetrics,
  SyncService,
} from '../sync/index.js';
import type { HttpClient } from './http-client.js';

interface Accepted {
  sync_id: string | null;
}

/** Sync runs through a pm server: the server runs them; this follows their events. */
export class HttpSyncService implements SyncService {
  constructor(private readonly http: HttpClient) {}

  async request(request: RunRequest): Promise<{ run: SyncRun; created: boolean }> {
    const accepted = await this.http.json<Accepted & { created: boolean }>('POST', 'sync/runs', { body: request });
    return { run: (await this.getRun(accepted.sync_id!)).run, created: accepted.created };
  }

  async follow(runId: string, onEvent: RunListener): Promise<SyncRun> {
    const response = await this.http.events(`sync/runs/${encodeURIComponent(runId)}/events`);
    if (!response.body) throw new RemoteError(`${this.http.server} sent no event stream for run ${runId}`);
    let final: SyncRun | undefined;
    for await (const event of readEvents(response.body)) {
      onEvent(event);
      if (event.type === 'run_finished') final = event.run;
    }
    if (!final)
      throw new RemoteError(`the event stream of run ${runId} from ${this.http.server} ended before the run did`, {
        retryable: true,
      });
    return final;
  }

  listRuns(query: RunQuery = {}) {
    return this.http.json<{ runs: SyncRun[]; total: number }>('GET', 'sync/runs', { query: { ...query, status: query.status } });
  }

  getRun(ref: string) {
    return this.http.json<RunDetail>('GET', `sync/runs/${encodeURIComponent(ref)}`);
  }

  failures(query: FailureQuery = {}) {
    return this.http.json<{ items: (SyncRunItem & { connection: string })[]; total: number }>('GET', 'sync/failures', {
      query: { ...query },
    });
  }

  async retry(target: RetryTarget): Promise<SyncRun | undefined> {
    const { item, items, connection, entity } = target;
    const accepted = item
      ? await this.http.json<Accepted>('POST', `sync/failures/${encodeURIComponent(item)}/retry`)
      : await this.http.json<Accepted>('POST', 'sync/retry', {
          body: { ...(connection ? { connection } : {}), ...(entity ? { entity } : {}), ...(items ? { record_ids: items } : {}) },
        });
    return accepted.sync_id ? (await this.getRun(accepted.sync_id)).run : undefined;
  }

  markNotSynced(ref: string) {
    return this.http.json<SyncRunItem>('POST', `sync/failures/${encodeURIComponent(ref)}/not-synced`);
  }

  markSynced(ref: string) {
    return this.http.json<SyncRunItem>('DELETE', `sync/failures/${encodeURIComponent(ref)}/not-synced`);
  }

  cancel(ref: string) {
    return this.http.json<SyncRun>('POST', `sync/runs/${encodeURIComponent(ref)}/cancel`);
  }

  metrics() {
    return this.http.json<SyncMetrics>('GET', 'sync/metrics');
  }
}

/** Server-sent events as they arrive: `event:` names the type, `data:` is JSON. */
async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<RunEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseBlock(block);
      if (event) yield event;
    }
  }
}

function parseBlock(block: string): RunEvent | undefined {
  let type = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) type = line.slice(6).trim();
    else if (line.startsWith('data:')) data += line.slice(5).trim();
  }
  if (!data) return undefined;
  const value = JSON.parse(data) as unknown;
  switch (type) {
    case 'run_started':
    case 'run_finished':
      return { type, run: value as SyncRun };
    case 'item_done':
    case 'item_failed':
    case 'item_planned':
      return { type, item: value as SyncRunItem };
    case 'progress':
    case 'waiting':
      return value as RunEvent;
    default:
      return undefined;
  }
}
