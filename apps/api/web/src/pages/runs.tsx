import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, list } from '../api.js';
import { useSession } from '../app-context.js';
import { ErrorLine, Status } from '../components/status.js';
import { RUN_STATUSES, type DatasetView, type ModelSummary, type Page, type RunSummary } from '../contracts.js';
import { subscribe } from '../events.js';
import { duration, num, pct, short } from '../format.js';
import { useLoad } from '../hooks.js';
import { go } from '../router.js';
import { NewRunForm } from './new-run.js';

/** GET /runs filters (issue 9 point 2); empty ones are left out of the query. */
const FILTERS = ['status', 'datasetId', 'modelId', 'createdBy', 'optimizer', 'activation', 'minValAccuracy', 'maxValLoss', 'from', 'to'] as const;
const ORDERS = [['createdAt', 'queued'], ['valAccuracy', 'val acc'], ['valLoss', 'val loss'], ['accuracy', 'acc'], ['duration', 'duration']] as const;
const PAGE = 50;

/** Seconds spent on a run: the API's own figure when it gives one, else its wall time so far. */
function runSeconds(run: RunSummary): number | null {
  if (run.durationSeconds != null) return run.durationSeconds;
  if (!run.startedAt) return null;
  return ((run.finishedAt ? new Date(run.finishedAt).getTime() : Date.now()) - new Date(run.startedAt).getTime()) / 1000;
}

export function RunsPage() {
  const session = useSession();
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [orderBy, setOrderBy] = useState('');
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const [showForm, setShowForm] = useState(false);
  const query = useMemo(() => {
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    for (const [name, value] of Object.entries(filters)) if (value) params.set(name, name === 'from' || name === 'to' ? new Date(value).toISOString() : value);
    if (orderBy) params.set('orderBy', orderBy);
    return params.toString();
  }, [filters, orderBy, offset]);
  const runs = useLoad(() => get<Page<RunSummary> | RunSummary[]>(`/runs?${query}`), [query]);
  const datasets = useLoad(() => list<DatasetView>('/datasets?limit=500'), []);
  const models = useLoad(() => list<ModelSummary>('/models'), []);
  const names = new Map((datasets.value ?? []).map((d) => [d.id, d.name]));
  const page: Page<RunSummary> | undefined = Array.isArray(runs.value) ? { total: runs.value.length, limit: PAGE, offset, items: runs.value } : runs.value;

  // Live rows: a status change of any run refetches the page (coalesced); without the stream, a poll does.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const reload = runs.reload;
  useEffect(() => {
    const soon = () => { clearTimeout(pending.current); pending.current = setTimeout(reload, 300); };
    const stream = subscribe('/events', { status: soon }, soon, 3000);
    return () => { stream.close(); clearTimeout(pending.current); };
  }, [reload]);

  const sortBy = (field: string) => setOrderBy(orderBy === `-${field}` ? field : `-${field}`);
  const arrow = (field: string) => (orderBy === `-${field}` ? ' ▼' : orderBy === field ? ' ▲' : '');
  const setFilter = (name: string, value: string) => { setOffset(0); setFilters({ ...filters, [name]: value }); };
  const toggle = (id: string) => setSelected(selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id].slice(-10));

  return (
    <section>
      <div class="title-row">
        <h1>Runs {page && <span class="muted">({page.total})</span>}</h1>
        <button disabled={selected.length < 2} onClick={() => go(`compare/${selected.join(',')}`)}>Compare {selected.length || ''}</button>
        {session.role !== 'viewer' && <button onClick={() => setShowForm(!showForm)}>{showForm ? 'Close' : 'New run'}</button>}
      </div>
      {showForm && <NewRunForm datasets={(datasets.value ?? []).filter((d) => d.status === 'READY')} onCreated={(id) => go(`runs/${id}`)} />}
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <select name="status" aria-label="status" value={filters.status ?? ''} onChange={(e) => setFilter('status', e.currentTarget.value)}>
          <option value="">any status</option>
          {RUN_STATUSES.map((s) => <option key={s}>{s}</option>)}
        </select>
        <select name="datasetId" aria-label="dataset" value={filters.datasetId ?? ''} onChange={(e) => setFilter('datasetId', e.currentTarget.value)}>
          <option value="">any dataset</option>
          {(datasets.value ?? []).map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
        </select>
        <select name="modelId" aria-label="model" value={filters.modelId ?? ''} onChange={(e) => setFilter('modelId', e.currentTarget.value)}>
          <option value="">any model</option>
          {(models.value ?? []).map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
        </select>
        <select name="optimizer" aria-label="optimizer" value={filters.optimizer ?? ''} onChange={(e) => setFilter('optimizer', e.currentTarget.value)}>
          <option value="">any optimizer</option>
          {['sgd', 'momentum', 'adam', 'rmsprop'].map((o) => <option key={o}>{o}</option>)}
        </select>
        <select name="activation" aria-label="activation" value={filters.activation ?? ''} onChange={(e) => setFilter('activation', e.currentTarget.value)}>
          <option value="">any activation</option>
          {['sigmoid', 'relu', 'tanh', 'linear', 'leakyRelu'].map((o) => <option key={o}>{o}</option>)}
        </select>
        <input name="minValAccuracy" aria-label="min val accuracy" placeholder="min val acc (0–1)" size={12} onChange={(e) => setFilter('minValAccuracy', e.currentTarget.value)} />
        <input name="maxValLoss" aria-label="max val loss" placeholder="max val loss" size={10} onChange={(e) => setFilter('maxValLoss', e.currentTarget.value)} />
        <label><input type="checkbox" name="createdBy" checked={filters.createdBy === session.id} onChange={(e) => setFilter('createdBy', e.currentTarget.checked ? session.id : '')} /> mine only</label>
        <label>from <input type="datetime-local" name="from" onChange={(e) => setFilter('from', e.currentTarget.value)} /></label>
        <label>to <input type="datetime-local" name="to" onChange={(e) => setFilter('to', e.currentTarget.value)} /></label>
        {FILTERS.some((f) => filters[f]) && <button type="button" class="link" onClick={() => { setFilters({}); setOffset(0); }}>clear</button>}
      </form>
      <ErrorLine error={runs.error} />
      <table class="runs">
        <thead>
          <tr>
            <th />
            <th>run</th>
            <th>status</th>
            <th>dataset</th>
            <th>model</th>
            <th>optimizer</th>
            {ORDERS.slice(1, 4).map(([field, label]) => <th key={field} class="sortable" onClick={() => sortBy(field)}>{label}{arrow(field)}</th>)}
            <th class="sortable" onClick={() => sortBy('duration')}>duration{arrow('duration')}</th>
            <th>worker</th>
            <th class="sortable" onClick={() => sortBy('createdAt')}>queued{arrow('createdAt')}</th>
          </tr>
        </thead>
        <tbody>
          {page?.items.map((run) => (
            <tr key={run.id} data-run={run.id} data-status={run.status}>
              <td><input type="checkbox" aria-label={`select ${run.id}`} checked={selected.includes(run.id)} onChange={() => toggle(run.id)} /></td>
              <td><a href={`#/runs/${run.id}`}><code>{short(run.id)}</code></a></td>
              <td><Status status={run.status} /></td>
              <td>{run.datasetId ? <a href={`#/datasets/${run.datasetId}`}>{names.get(run.datasetId) ?? short(run.datasetId)}</a> : 'deleted'}</td>
              <td><a href={`#/models/${run.model.id}`}>{run.model.name}</a></td>
              <td>{run.optimizer.name} {run.optimizer.learningRate}</td>
              <td>{pct(run.final?.valAccuracy)}</td>
              <td>{num(run.final?.valLoss)}</td>
              <td>{pct(run.final?.accuracy)}</td>
              <td>{duration(runSeconds(run))}</td>
              <td><code title={run.workerId ?? ''}>{run.workerId ?? '—'}</code></td>
              <td>{new Date(run.queuedAt).toLocaleTimeString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page && page.total > PAGE && (
        <p class="pager">
          <button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>previous</button>
          {offset + 1}–{Math.min(offset + PAGE, page.total)} of {page.total}
          <button disabled={offset + PAGE >= page.total} onClick={() => setOffset(offset + PAGE)}>next</button>
        </p>
      )}
    </section>
  );
}
