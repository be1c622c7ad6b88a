import type { AppDeps } from '../deps.js';
import { ChangeFeed, syncActivity, type FeedEvent } from '../change-feed.js';
import { object } from '../openapi-schemas.js';
import { route } from '../route.js';
import { openEventStream } from '../sse.js';

const feeds = new WeakMap<AppDeps, ChangeFeed>();
/** Open streams per server: ended when it closes, so none holds the server open. */
const streams = new WeakMap<AppDeps, Set<() => void>>();
const KEEP_ALIVE_MS = 15_000;

function feedOf(deps: AppDeps): ChangeFeed {
  let feed = feeds.get(deps);
  if (!feed) feeds.set(deps, (feed = new ChangeFeed(deps.store)));
  return feed;
}

/** Ends every change stream of a server (before it closes). */
export function closeChangeStreams(deps: AppDeps): void {
  for (const end of streams.get(deps) ?? []) end();
  feeds.get(deps)?.close();
}

export const eventRoutes = [
  route({
    method: 'GET',
    url: '/events',
    tag: 'meta',
    scope: 'read',
    summary:
      'Changes as server-sent events, whoever wrote them (this server, pm on the same database, an import): `hello` with the change counter, then `changes` (ids per entity type, id: the counter) and `sync` (active and newest runs). Send Last-Event-ID to get what was missed.',
    returns: () => object({ seq: { type: 'integer' }, changes: { type: 'object' }, truncated: { type: 'boolean' } }),
    async handler({ deps, reply, request }) {
      const feed = feedOf(deps);
      const lastId = Number(request.headers['last-event-id']);
      const stream = openEventStream(reply);
      const send = (event: FeedEvent) =>
        event.type === 'changes' ? stream.send('changes', event.data, event.data.seq) : stream.send('sync', event.data);
      const unsubscribe = await feed.subscribe(send);
      const ping = setInterval(() => stream.ping(), KEEP_ALIVE_MS);
      const own = streams.get(deps) ?? new Set();
      streams.set(deps, own);
      const end = () => {
        if (stream.closed) return;
        clearInterval(ping);
        unsubscribe();
        own.delete(end);
        stream.end();
      };
      own.add(end);
      request.raw.on('close', end);
      const seq = await feed.current();
      stream.send('hello', { seq, sync: await syncActivity(deps.store) }, seq);
      if (Number.isInteger(lastId) && lastId >= 0 && lastId < seq) {
        const missed = await feed.since(lastId);
        if (missed) stream.send('changes', missed, missed.seq);
      }
      return reply;
    },
  }),
];
