import { get } from '../api.js';
import { Chart, PALETTE, type Line } from '../components/chart.js';
import { ErrorLine, Status } from '../components/status.js';
import type { EpochMetrics, RunView } from '../contracts.js';
import { useLoad } from '../hooks.js';
import { differingFields, hyperparametersOf } from '../contracts.js';
import { showValue } from './hyperparameters.js';

const METRICS: [keyof EpochMetrics, string][] = [['valAccuracy', 'validation accuracy'], ['valLoss', 'validation loss'], ['accuracy', 'train accuracy'], ['loss', 'train loss']];

/** 2–10 runs: their curves overlaid, aligned by epoch, and the hyperparameters that differ between them. */
export function ComparePage({ ids }: { ids: string[] }) {
  const runs = useLoad(() => Promise.all(ids.map((id) => get<RunView>(`/runs/${id}`))), [ids.join(',')]);
  if (ids.length < 2 || ids.length > 10) return <section><h1>Compare</h1><p class="error">Pick 2 to 10 runs on the Runs page.</p></section>;
  if (!runs.value) return <section><h1>Compare</h1><ErrorLine error={runs.error} /></section>;
  const list = runs.value;
  const maxEpoch = Math.max(0, ...list.flatMap((r) => r.metrics.map((m) => m.epoch)));
  const x = Array.from({ length: maxEpoch }, (_, i) => i + 1);
  const lines = (metric: keyof EpochMetrics): Line[] => list.map((run, i) => {
    const byEpoch = new Map(run.metrics.map((m) => [m.epoch, m[metric] as number | null]));
    return { label: `${run.id.slice(0, 8)} ${run.model.name}`, color: PALETTE[i % PALETTE.length]!, values: x.map((e) => byEpoch.get(e) ?? null) };
  });
  const rows = list.map(hyperparametersOf);
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const differing = differingFields(Object.fromEntries(rows.map((r, i) => [i, r]))).map((d) => d.field);
  return (
    <section>
      <h1>Compare {list.length} runs</h1>
      <table class="compare">
        <thead>
          <tr><th>hyperparameter</th>{list.map((r, i) => <th key={r.id} style={{ color: PALETTE[i % PALETTE.length] }}><a href={`#/runs/${r.id}`}><code>{r.id.slice(0, 8)}</code></a> <Status status={r.status} /></th>)}</tr>
        </thead>
        <tbody>
          {names.map((name) => (
            <tr key={name} class={differing.includes(name) ? 'differs' : 'same'}>
              <th>{name}</th>{rows.map((r, i) => <td key={i}>{showValue(r[name])}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">{differing.length ? `Differing: ${differing.join(', ')}` : 'The runs share every hyperparameter.'}</p>
      <div class="charts">{METRICS.map(([metric, title]) => <Chart key={metric} title={title} x={x} lines={lines(metric)} />)}</div>
    </section>
  );
}
