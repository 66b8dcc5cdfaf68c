import type { RunSummary } from '../contracts.js';

/** The hyperparameters of a run as [name, value] rows, flattened (`optimizer.learningRate`) so runs can be compared field by field. */
export function hyperparameterRows(run: RunSummary): [string, string][] {
  return [
    ['layers', run.layers.map((l) => `${l.units} ${l.activation}${l.bias === false ? ' (no bias)' : ''}`).join(', ')],
    ['optimizer.name', run.optimizer.name],
    ['optimizer.learningRate', String(run.optimizer.learningRate)],
    ['optimizer.weightDecay', String(run.optimizer.weightDecay ?? 0)],
    ['batchSize', String(run.batchSize)],
    ['epochs', String(run.epochs)],
    ['seed', String(run.seed)],
    ['validationSplit', run.validationSplit == null ? 'dataset split' : String(run.validationSplit)],
    ['loss', run.loss],
    ['earlyStopping', run.earlyStopping ? `patience ${run.earlyStopping.patience}${run.earlyStopping.minDelta ? `, minDelta ${run.earlyStopping.minDelta}` : ''}` : 'off'],
    ['bias', String(run.bias)],
    ['checkpointEvery', String(run.checkpointEvery)],
    ['priority', run.priority ?? 'normal'],
    ['requires.gpu', String(run.requires?.gpu ?? false)],
  ];
}

export function Hyperparameters({ run }: { run: RunSummary }) {
  return (
    <table class="kv">
      <tbody>{hyperparameterRows(run).map(([k, v]) => <tr key={k}><th>{k}</th><td>{v}</td></tr>)}</tbody>
    </table>
  );
}
