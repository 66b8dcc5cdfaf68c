import { useEffect, useState } from 'preact/hooks';
import { get, send } from '../api.js';
import { useSession } from '../app-context.js';
import { Chart } from '../components/chart.js';
import { ConfusionHeatmap } from '../components/heatmap.js';
import { ApiImage } from '../components/sample-image.js';
import { ErrorLine, Status } from '../components/status.js';
import { Timeline } from '../components/timeline.js';
import { TERMINAL, type EpochMetrics, type EvaluationView, type HistoryEntry, type RunView } from '../contracts.js';
import { subscribe } from '../events.js';
import { duration, num, pct, when } from '../format.js';
import { go } from '../router.js';
import { mayChange } from '../session.js';
import { Hyperparameters } from './hyperparameters.js';

/** Adds an epoch row in epoch order (one with the same epoch is replaced, though the stream sends each once). */
function withEpoch(metrics: EpochMetrics[], row: EpochMetrics): EpochMetrics[] {
  return [...metrics.filter((m) => m.epoch !== row.epoch), row].sort((a, b) => a.epoch - b.epoch);
}

/** Adds a status entry unless it is shown already (a stream resumed with Last-Event-ID starts with the current status). */
function withEntry(history: HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  return history.some((h) => h.id === entry.id) ? history : [...history, entry];
}

export function RunPage({ id }: { id: string }) {
  const session = useSession();
  const [run, setRun] = useState<RunView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const terminal = run !== null && TERMINAL.includes(run.status);

  useEffect(() => {
    setRun(null);
    let stream: { close(): void } | undefined;
    const refresh = () => get<RunView>(`/runs/${id}`).then((r) => { setRun(r); if (TERMINAL.includes(r.status)) stream?.close(); }, setError);
    get<RunView>(`/runs/${id}`).then((first) => {
      setRun(first);
      if (TERMINAL.includes(first.status)) return;
      // Epochs arrive on the run's event stream as they land, after those loaded; the terminal status closes it.
      stream = subscribe(`/runs/${id}/events`, {
        epoch: (row: EpochMetrics) => setRun((r) => r && { ...r, metrics: withEpoch(r.metrics, row) }),
        status: (entry: HistoryEntry) => {
          setRun((r) => r && { ...r, status: entry.to, attempt: entry.attempt, workerId: entry.workerId ?? r.workerId, history: withEntry(r.history, entry) });
          if (TERMINAL.includes(entry.to)) { stream?.close(); void refresh(); }
        },
      }, refresh, 1500, String(first.metrics.at(-1)?.epoch ?? 0));
    }, setError);
    return () => stream?.close();
  }, [id]);

  if (!run) return <section><ErrorLine error={error} />{!error && <p>Loading…</p>}</section>;
  const epochs = run.metrics.map((m) => m.epoch);
  const may = mayChange(session, run.createdBy);
  const act = async (method: string, path: string, after?: () => void) => {
    try { await send(method, path); setError(null); after ? after() : setRun(await get<RunView>(`/runs/${id}`)); } catch (e) { setError(e); }
  };
  const last = run.metrics.at(-1);
  return (
    <section>
      <div class="title-row">
        <h1>Run <code>{run.id.slice(0, 8)}</code> <Status status={run.status} /></h1>
        {may && !terminal && <button class="danger" onClick={() => act('POST', `/runs/${id}/cancel`)}>Cancel</button>}
        {may && terminal && <button class="danger" onClick={() => confirm('Delete this run and its metrics?') && act('DELETE', `/runs/${id}`, () => go('runs'))}>Delete</button>}
      </div>
      <ErrorLine error={error} />
      <p class="facts">
        model <a href={`#/models/${run.model.id}`}>{run.model.name}</a>{run.modelVersion && <> v{run.modelVersion.version}</>} ·
        dataset {run.datasetId ? <a href={`#/datasets/${run.datasetId}`}>{run.datasetId.slice(0, 8)}</a> : 'deleted'} ·
        worker <code>{run.workerId ?? '—'}</code> · backend {run.backend ?? '—'} · attempt {run.attempt} ·
        queued {when(run.queuedAt)} · epoch {last?.epoch ?? 0} of {run.epochs}
        {run.createdBy && <> · by {run.createdBy.name}</>}
      </p>
      {run.error && <p class="error">{run.error}</p>}
      {run.status === 'QUEUED' && run.waiting && <p class="waiting">Waiting: position {run.waiting.position} — {run.waiting.reason}</p>}
      <div class="charts">
        <Chart title="loss" x={epochs} lines={[
          { label: 'train loss', color: '#2563eb', values: run.metrics.map((m) => m.loss) },
          { label: 'validation loss', color: '#dc2626', values: run.metrics.map((m) => m.valLoss), dash: true },
        ]} />
        <Chart title="accuracy" x={epochs} lines={[
          { label: 'train accuracy', color: '#2563eb', values: run.metrics.map((m) => m.accuracy) },
          { label: 'validation accuracy', color: '#dc2626', values: run.metrics.map((m) => m.valAccuracy), dash: true },
        ]} />
      </div>
      {last && <p class="muted">last epoch: loss {num(last.loss)}, accuracy {pct(last.accuracy)}, val loss {num(last.valLoss)}, val accuracy {pct(last.valAccuracy)}, {duration(last.seconds)}, {Math.round(last.samplesPerSecond)} samples/s</p>}
      <div class="two-columns">
        <div><h2>Hyperparameters</h2><Hyperparameters run={run} /></div>
        <div><h2>Status history</h2><Timeline history={run.history} finishedAt={run.finishedAt} /></div>
      </div>
      {run.status === 'SUCCEEDED' && <Evaluation runId={run.id} datasetId={run.datasetId} />}
    </section>
  );
}

function Evaluation({ runId, datasetId }: { runId: string; datasetId: string | null }) {
  const [evaluation, setEvaluation] = useState<EvaluationView | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => { get<EvaluationView>(`/runs/${runId}/evaluation`).then(setEvaluation, setError); }, [runId]);
  return (
    <div class="evaluation">
      <h2>Evaluation on the test split</h2>
      <ErrorLine error={error} />
      {evaluation && (
        <>
          <p class="facts">{evaluation.samples} test samples · accuracy <b>{pct(evaluation.accuracy)}</b> · loss {num(evaluation.loss)}</p>
          <div class="two-columns">
            <ConfusionHeatmap classes={evaluation.classes} confusion={evaluation.confusion} />
            <table class="per-class">
              <thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead>
              <tbody>{evaluation.perClass.map((c) => <tr key={c.label}><th>{c.label}</th><td>{pct(c.precision)}</td><td>{pct(c.recall)}</td><td>{num(c.f1, 3)}</td><td>{c.support}</td></tr>)}</tbody>
            </table>
          </div>
          <h3>Misclassified ({evaluation.misclassified.length})</h3>
          <div class="gallery">
            {datasetId ? evaluation.misclassified.slice(0, 48).map((m) => (
              <figure key={m.index}>
                <ApiImage path={`/datasets/${datasetId}/samples/${m.index}?format=png`} alt={`sample ${m.index}`} />
                <figcaption>{m.label} → <b>{m.predicted}</b> {pct(m.confidence)}</figcaption>
              </figure>
            )) : <p class="muted">The dataset was deleted; its samples cannot be shown.</p>}
          </div>
        </>
      )}
    </div>
  );
}
