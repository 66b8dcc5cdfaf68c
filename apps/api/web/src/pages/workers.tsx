import { useCallback, useState } from 'preact/hooks';
import { call, list } from '../api.js';
import { useSession } from '../app-context.js';
import { ErrorLine } from '../components/status.js';
import type { WorkerView } from '../contracts.js';
import { ageSeconds, duration, when } from '../format.js';
import { useInterval, useLoad } from '../hooks.js';

/** Queue depths per queue and state, read from the Prometheus text of /metrics (BullMQ's own exporter). */
export function queueDepths(metrics: string): Map<string, Map<string, number>> {
  const depths = new Map<string, Map<string, number>>();
  for (const match of metrics.matchAll(/^bullmq_job_count\{([^}]*)\}\s+(\S+)/gm)) {
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!labels.queue || !labels.state) continue;
    if (!depths.has(labels.queue)) depths.set(labels.queue, new Map());
    depths.get(labels.queue)!.set(labels.state, Number(match[2]));
  }
  return depths;
}

/** A heartbeat's `<job name>:<job id>` as a link to its run, or its dataset (a chunk's id is `<dataset id>-<start>`). */
function JobLink({ job }: { job: string }) {
  const [name, id = ''] = job.split(':');
  const uuid = id.slice(0, 36);
  const href = name === 'train-run' ? `#/runs/${uuid}` : name?.startsWith('preprocess') ? `#/datasets/${uuid}` : null;
  return <>{href ? <a href={href}><code>{job}</code></a> : <code>{job}</code>} </>;
}

const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'];

export function WorkersPage() {
  const session = useSession();
  const workers = useLoad(() => list<WorkerView>('/workers'), []);
  const queues = useLoad(async () => (session.role === 'admin' ? queueDepths(await (await call('GET', '/metrics')).text()) : null), []);
  const [, setNow] = useState(0);
  useInterval(useCallback(() => { void workers.reload(); void queues.reload(); setNow(Date.now()); }, [workers.reload, queues.reload]), 2000);
  return (
    <section>
      <h1>Workers</h1>
      <ErrorLine error={workers.error} />
      <table class="workers">
        <thead><tr><th>worker</th><th>host</th><th>backend</th><th>device</th><th>current job</th><th>heartbeat</th><th>up since</th></tr></thead>
        <tbody>
          {workers.value?.map((w) => (
            <tr key={w.id} data-worker={w.id}>
              <td><code>{w.id}</code></td>
              <td>{w.host} (pid {w.pid})</td>
              <td>{w.backend}</td>
              <td>{w.device}{w.gpu && <span class="tag">GPU</span>}</td>
              <td>{w.currentJob ? w.currentJob.split(',').map((job) => <JobLink key={job} job={job} />) : <span class="muted">idle</span>}</td>
              <td>{duration(ageSeconds(w.lastHeartbeatAt))} ago</td>
              <td>{when(w.startedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {workers.value?.length === 0 && <p class="muted">No live worker: start one with <code>npm run start:worker</code>.</p>}
      <h1>Queues</h1>
      <ErrorLine error={queues.error} />
      {queues.value === null && <p class="muted">Queue depths come from <code>/metrics</code>, which needs an admin key.</p>}
      {queues.value && (
        <table class="queues">
          <thead><tr><th>queue</th>{STATES.map((s) => <th key={s}>{s}</th>)}</tr></thead>
          <tbody>{[...queues.value].map(([queue, states]) => <tr key={queue} data-queue={queue}><th>{queue}</th>{STATES.map((s) => <td key={s}>{states.get(s) ?? 0}</td>)}</tr>)}</tbody>
        </table>
      )}
      {session.role === 'admin' && <p class="muted">Jobs themselves: the queue board at <a href="/queues">/queues</a> (admin).</p>}
    </section>
  );
}
