import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a metrics listener serves: the exposition text and, for a worker, whether it is ready for work. */
export interface MetricsSource {
  contentType: string;
  metrics(): Promise<string>;
  /** Served as /health/ready (503 when not ok); without it the listener serves only /metrics. */
  ready?(): Promise<{ ok: boolean; detail: Record<string, string> }>;
}

/**
 * A small listener of its own for `/metrics`, `/health/live` and `/health/ready`: workers have no HTTP server,
 * and an operator may prefer to scrape the API on an address that is not the public one.
 */
export async function serveMetrics(source: MetricsSource, port: number, host = '0.0.0.0'): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'GET only\n');
    if (path === '/health/live' && source.ready) return send(200, 'application/json', JSON.stringify({ status: 'ok' }));
    if (path === '/health/ready' && source.ready) {
      return void source.ready().then(
        (r) => send(r.ok ? 200 : 503, 'application/json', JSON.stringify({ status: r.ok ? 'ok' : 'error', details: r.detail })),
        (e: Error) => send(503, 'application/json', JSON.stringify({ status: 'error', message: e.message })),
      );
    }
    if (path === '/metrics') {
      return void source.metrics().then(
        (text) => send(200, source.contentType, text),
        (e: Error) => send(500, 'text/plain', `metrics failed: ${e.message}\n`),
      );
    }
    send(404, 'text/plain', 'not found\n');
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
