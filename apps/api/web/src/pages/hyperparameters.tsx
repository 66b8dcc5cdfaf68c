import { type HyperparameterValue, hyperparametersOf, type RunSummary } from '../contracts.js';

/** How a flattened value reads in a table: null is "—" (no validation split of its own, early stopping off, a layer a run lacks). */
export const showValue = (value: HyperparameterValue | undefined) => (value === null || value === undefined ? '—' : String(value));

export function Hyperparameters({ run }: { run: RunSummary }) {
  return (
    <table class="kv">
      <tbody>{Object.entries(hyperparametersOf(run)).map(([k, v]) => <tr key={k}><th>{k}</th><td>{showValue(v)}</td></tr>)}</tbody>
    </table>
  );
}
