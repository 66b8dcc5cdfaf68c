import { get } from '../api.js';
import { Chart, PALETTE, type Line } from '../components/chart.js';
import { ErrorLine, Status } from '../components/status.js';
import { type EpochMetrics, hyperparameterFields, type RunComparison } from '../contracts.js';
import { useLoad } from '../hooks.js';
import { showValue } from './hyperparameters.js';

const METRICS: [keyof EpochMetrics, string][] = [['valAccuracy', 'validation accuracy'], ['valLoss', 'validation loss'], ['accuracy', 'train accuracy'], ['loss', 'train loss']];

/** 2–10 runs from GET /runs/compare: their curves overlaid, aligned by epoch, and the hyperparameters that differ between them. */
export function ComparePage({ ids }: { ids: string[] }) {
  const comparison = useLoad(() => get<RunComparison>(`/runs/compare?ids=${ids.join(',')}`), [ids.join(',')]);
  if (ids.length < 2 || ids.length > 10) return <section><h1>Compare</h1><p class="error">Pick 2 to 10 runs on the Runs page.</p></section>;
  if (!comparison.value) return <section><h1>Compare</h1><ErrorLine error={comparison.error} /></section>;
  const { runs, differences, epochs } = comparison.value;
  const x = epochs.map((e) => e.epoch);
  const lines = (metric: keyof EpochMetrics): Line[] => runs.map((run, i) => ({
    label: `${run.id.slice(0, 8)} ${run.model.name}`,
    color: PALETTE[i % PALETTE.length]!,
    values: epochs.map((e) => (e.metrics[run.id]?.[metric] as number | null | undefined) ?? null),
  }));
  const names = hyperparameterFields(runs.map((r) => r.hyperparameters));
  const differing = new Set(differences.map((d) => d.field));
  return (
    <section>
      <h1>Compare {runs.length} runs</h1>
      {/* The curves first: the table of every hyperparameter is long and would push them below the fold. */}
      <div class="charts">{METRICS.map(([metric, title]) => <Chart key={metric} title={title} x={x} lines={lines(metric)} />)}</div>
      <table class="compare">
        <thead>
          <tr><th>hyperparameter</th>{runs.map((r, i) => <th key={r.id} style={{ color: PALETTE[i % PALETTE.length] }}><a href={`#/runs/${r.id}`}><code>{r.id.slice(0, 8)}</code></a> <Status status={r.status} /></th>)}</tr>
        </thead>
        <tbody>
          {names.map((name) => (
            <tr key={name} class={differing.has(name) ? 'differs' : 'same'}>
              <th>{name}</th>{runs.map((r) => <td key={r.id}>{showValue(r.hyperparameters[name])}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">{differences.length ? `Differing: ${differences.map((d) => d.field).join(', ')}` : 'The runs share every hyperparameter.'}</p>
    </section>
  );
}
