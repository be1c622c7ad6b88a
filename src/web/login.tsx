import { useState } from 'preact/hooks';
import { ApiError, get, logIn, logOut } from './api.js';

/** The server wants a bearer token (`pm token create --scope write`): ask for one and check it. */
export function Login({ onDone }: { onDone: () => void }) {
  const [secret, setSecret] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <main class="login">
      <form
        class="panel narrow"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError('');
          logIn(secret.trim(), remember);
          get('/projects?limit=1')
            .then(onDone)
            .catch((failure: unknown) => {
              logOut();
              setError(
                failure instanceof ApiError && failure.status === 401
                  ? `${failure.message}. Create one on the server with: pm token create --scope write`
                  : String((failure as Error).message),
              );
            })
            .finally(() => setBusy(false));
        }}
      >
        <h1>pm</h1>
        <p>This server needs a token.</p>
        <label>
          Token
          <input
            name="token"
            type="password"
            autoComplete="current-password"
            required
            value={secret}
            onInput={(e) => setSecret(e.currentTarget.value)}
          />
        </label>
        <label class="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} /> Remember on this
          device
        </label>
        {error && (
          <p class="problem" role="alert">
            {error}
          </p>
        )}
        <button class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
