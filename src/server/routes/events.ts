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
      // Read before the stream opens, so a database error is an ordinary error answer.
      const seq = await feed.current();
      const sync = await syncActivity(deps.store);
      const missed = Number.isInteger(lastId) && lastId >= 0 && lastId < seq ? await feed.since(lastId) : undefined;
      const stream = openEventStream(reply);
      stream.send('hello', { seq, sync }, seq);
      if (missed) stream.send('changes', missed, missed.seq);
      const send = (event: FeedEvent) =>
        event.type === 'changes' ? stream.send('changes', event.data, event.data.seq) : stream.send('sync', event.data);
      let unsubscribe: () => void;
      try {
        unsubscribe = await feed.subscribe(send);
        // Written between the first look and the subscription: sent (perhaps twice), never lost.
        const gap = await feed.since(seq);
        if (gap) stream.send('changes', gap, gap.seq);
      } catch (error) {
        request.log.error({ err: error }, 'change feed: could not follow the database');
        stream.end();
        return reply;
      }
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
      return reply;
    },
  }),
];
