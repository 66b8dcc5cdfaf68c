import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get } from './api.js';
import { SessionContext } from './app-context.js';
import { ErrorLine } from './components/status.js';
import { ComparePage } from './pages/compare.js';
import { DatasetPage, DatasetsPage } from './pages/datasets.js';
import { ModelPage, ModelsPage } from './pages/models.js';
import { RunPage } from './pages/run.js';
import { RunsPage } from './pages/runs.js';
import { WorkersPage } from './pages/workers.js';
import { useRoute } from './router.js';
import { forgetKey, type Session, storedKey, storeKey } from './session.js';
import './style.css';

const NAV = [['runs', 'Runs'], ['datasets', 'Datasets'], ['models', 'Models'], ['workers', 'Workers & queues']] as const;

async function signIn(key: string): Promise<Session> {
  const me = await get<Omit<Session, 'key'>>('/api-keys/me', key);
  return { ...me, key };
}

function SignIn({ onSession }: { onSession: (s: Session) => void }) {
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const key = new FormData(event.target as HTMLFormElement).get('key')!.toString().trim();
    try {
      const session = await signIn(key);
      storeKey(key);
      onSession(session);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? new Error('That key is unknown or revoked.') : e);
    }
  };
  return (
    <main class="sign-in">
      <h1>Trainyard</h1>
      <form onSubmit={submit}>
        <label>API key <input name="key" type="password" autocomplete="off" placeholder="ty_…" required /></label>
        <button type="submit">Sign in</button>
      </form>
      <ErrorLine error={error} />
      <p class="muted">The key stays in this tab's session storage. An admin key is in <code>~/.config/trainyard/admin-key</code> on the API's host.</p>
    </main>
  );
}

function Page({ route }: { route: string[] }) {
  const [page, id] = route;
  if (page === 'runs' && id) return <RunPage id={id} />;
  if (page === 'compare') return <ComparePage ids={(id ?? '').split(',').filter(Boolean)} />;
  if (page === 'datasets') return id ? <DatasetPage id={id} /> : <DatasetsPage />;
  if (page === 'models') return id ? <ModelPage id={id} /> : <ModelsPage />;
  if (page === 'workers') return <WorkersPage />;
  return <RunsPage />;
}

function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(true);
  const route = useRoute();
  useEffect(() => {
    const key = storedKey();
    if (!key) return setChecking(false);
    signIn(key).then(setSession, () => forgetKey()).finally(() => setChecking(false));
  }, []);
  if (checking) return null;
  if (!session) return <SignIn onSession={setSession} />;
  const signOut = () => { forgetKey(); setSession(null); };
  return (
    <SessionContext.Provider value={session}>
      <header>
        <a class="brand" href="#/runs">Trainyard</a>
        <nav>{NAV.map(([path, label]) => <a key={path} href={`#/${path}`} class={route[0] === path ? 'active' : ''}>{label}</a>)}</nav>
        <span class="who">{session.name} · {session.role} <button class="link" onClick={signOut}>sign out</button></span>
      </header>
      <main><Page route={route} /></main>
    </SessionContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
