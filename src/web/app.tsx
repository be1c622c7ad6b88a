import { useEffect } from 'preact/hooks';
import { logOut, needsLogin, token } from './api.js';
import { announcement } from './announce.js';
import { BoardPage } from './board/board.js';
import { ItemPage } from './items/item-page.js';
import { NewItemPage } from './items/new-item.js';
import { ReadyPage } from './items/ready-page.js';
import { live, startFeed, stopFeed, syncActivity } from './live.js';
import { Login } from './login.js';
import { href, route } from './router.js';
import { RunPage } from './sync/run-page.js';
import { SyncPage } from './sync/sync-page.js';
import { Toasts } from './ui.js';

function Page() {
  const [first = 'board', second] = route.value.path;
  if (first === 'items' && second) return <ItemPage key={second} itemRef={second} />;
  if (first === 'new') return <NewItemPage />;
  if (first === 'ready') return <ReadyPage />;
  if (first === 'sync' && route.value.path[1] === 'runs' && route.value.path[2]) return <RunPage runId={route.value.path[2]} />;
  if (first === 'sync') return <SyncPage />;
  return <BoardPage />;
}

const NAV = [
  ['board', 'Board'],
  ['ready', 'Ready'],
  ['sync', 'Sync'],
] as const;

function Shell() {
  useEffect(() => {
    startFeed();
    return stopFeed;
  }, []);
  const section = route.value.path[0] ?? 'board';
  const running = syncActivity.value.active.length;
  return (
    <>
      <header class="top">
        <a class="brand" href={href('/board')}>
          pm
        </a>
        <nav>
          {NAV.map(([id, label]) => (
            <a key={id} href={href(`/${id}`)} aria-current={section === id ? 'page' : undefined}>
              {label}
              {id === 'sync' && running > 0 && <span class="dot" title={`${running} run(s) going`} />}
            </a>
          ))}
        </nav>
        <span class="spacer" />
        <span class="live" data-state={live.value} title="Changes from others appear without reloading while this is live">
          {live.value}
        </span>
        {token.value && (
          <button class="link" onClick={logOut}>
            Sign out
          </button>
        )}
      </header>
      <main>
        <Page />
      </main>
    </>
  );
}

export function App() {
  return (
    <>
      {needsLogin.value ? <Login onDone={() => (needsLogin.value = false)} /> : <Shell />}
      <Toasts />
      <div class="sr-only" aria-live="assertive">
        {announcement.value}
      </div>
    </>
  );
}
