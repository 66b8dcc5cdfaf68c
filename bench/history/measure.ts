/** Latency of one GET as a client meets it (a fetch over a kept-alive connection, body read), after a warm-up. */
export interface Latency {
  p50: number;
  p95: number;
  max: number;
  requests: number;
  bytes: number;
}

/** `afterWarmup` runs between the warm-up and the measured requests (to read counters). */
export async function measureGet(url: string, headers: Record<string, string>, requests: number, warmup = 25, afterWarmup: () => Promise<unknown> = async () => {}): Promise<Latency> {
  const once = async () => {
    const started = performance.now();
    const response = await fetch(url, { headers });
    const body = await response.arrayBuffer();
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${Buffer.from(body).toString().slice(0, 300)}`);
    return { ms: performance.now() - started, bytes: body.byteLength };
  };
  for (let i = 0; i < warmup; i++) await once();
  await afterWarmup();
  const samples: { ms: number; bytes: number }[] = [];
  for (let i = 0; i < requests; i++) samples.push(await once());
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
  return { p50: rank(0.5), p95: rank(0.95), max: sorted.at(-1)!, requests, bytes: samples[0]!.bytes };
}
