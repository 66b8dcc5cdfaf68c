import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Session } from './session.js';

export const SessionContext = createContext<Session | null>(null);

/** The signed-in key; pages render only inside a session. */
export const useSession = (): Session => useContext(SessionContext)!;
