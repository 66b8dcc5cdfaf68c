import { AsyncLocalStorage } from 'node:async_hooks';

// Fields added to every log line written while a piece of work runs (a job's run or dataset id), however
// deep the call that logs, without passing a logger down.
const store = new AsyncLocalStorage<Record<string, unknown>>();

export function withLogFields<T>(fields: Record<string, unknown>, work: () => T): T {
  return store.run({ ...store.getStore(), ...fields }, work);
}

export function currentLogFields(): Record<string, unknown> {
  return store.getStore() ?? {};
}
