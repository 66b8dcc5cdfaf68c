import { z } from 'zod';
import { TrainyardClient } from '#libs/client';
import { adminKeyFile, loadConfig, readAdminKey } from '#libs/config';

/** Where the CLI finds the API and its key: TRAINYARD_URL (the API's default port) and TRAINYARD_API_KEY. */
const CliEnvSchema = z.object({
  TRAINYARD_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).default('http://127.0.0.1:3000'),
  // Empty counts as unset, so `TRAINYARD_API_KEY= trainyard …` falls back to the saved key.
  TRAINYARD_API_KEY: z.string().trim().optional().transform((key) => key || undefined),
});
export type CliConfig = z.infer<typeof CliEnvSchema>;

export function loadCliConfig(env?: Record<string, string | undefined>): CliConfig {
  const config = loadConfig(CliEnvSchema, env);
  return { ...config, TRAINYARD_URL: config.TRAINYARD_URL.replace(/\/+$/, '') };
}

/** A client for the configured API, with TRAINYARD_API_KEY or else the admin key the API saved on this machine. */
export async function connect(config: CliConfig): Promise<TrainyardClient> {
  const apiKey = config.TRAINYARD_API_KEY ?? (await readAdminKey());
  if (!apiKey) throw new Error(`no API key: set TRAINYARD_API_KEY (none saved in ${adminKeyFile()} either)`);
  return new TrainyardClient(config.TRAINYARD_URL, { apiKey });
}

/** Makes the client when a command first needs it, so `--help` and bad arguments never read a key. */
export type Connect = () => Promise<TrainyardClient>;
