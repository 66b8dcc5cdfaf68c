import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

// The one owner of where the bootstrapped admin key lives: the API writes it, the demo, client and CLI read it.

/** `$XDG_CONFIG_HOME/trainyard/admin-key`, else `~/.config/trainyard/admin-key`. */
export function adminKeyFile(env: Record<string, string | undefined> = process.env): string {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(configHome, 'trainyard', 'admin-key');
}

/** The saved admin key, or undefined when there is none. */
export async function readAdminKey(file = adminKeyFile()): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Saves the key readable by its owner only (0600, in a 0700 directory), replacing the file in one step. */
export async function saveAdminKey(key: string, file = adminKeyFile()): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${key}\n`, { mode: 0o600 });
  // writeFile's mode is masked by the umask and ignored for an existing file; chmod says it exactly.
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}
