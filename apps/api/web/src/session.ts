// The API key lives in sessionStorage: it survives reloads of this tab and is gone when the tab closes.
import type { ApiKeyRole } from './contracts.js';

const KEY = 'trainyard.apiKey';

export interface Session { key: string; id: string; name: string; role: ApiKeyRole }

export const storedKey = (): string | null => sessionStorage.getItem(KEY);
export const storeKey = (key: string): void => sessionStorage.setItem(KEY, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY);

/** Whether this key may cancel or delete something its owner created (members: their own; admins: anything). */
export function mayChange(session: Session, owner: { id: string } | null): boolean {
  return session.role === 'admin' || (session.role === 'member' && owner?.id === session.id);
}
