import { useCallback, useEffect, useState } from 'preact/hooks';

/** Loads something when `deps` change; `reload` fetches it again (after an action, or on a live event). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(() => load().then((v) => { setValue(v); setError(null); }, setError), deps);
  useEffect(() => { void reload(); }, [reload]);
  return { value, error, reload, setValue };
}

/** Calls `tick` every `ms` while mounted. */
export function useInterval(tick: () => void, ms: number) {
  useEffect(() => {
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  }, [tick, ms]);
}
