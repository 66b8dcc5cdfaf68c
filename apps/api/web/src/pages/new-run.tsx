import { useState } from 'preact/hooks';
import { send } from '../api.js';
import { ErrorLine } from '../components/status.js';
import type { DatasetView } from '../contracts.js';

/** "32 relu, 16 tanh" → the layers of POST /runs. */
function parseLayers(text: string) {
  return text.split(',').map((part) => {
    const [units, activation = 'relu'] = part.trim().split(/\s+/);
    return { units: Number(units), activation };
  });
}

/** POST /runs from a small form; the API names whatever field it refuses. */
export function NewRunForm({ datasets, onCreated }: { datasets: DatasetView[]; onCreated: (id: string) => void }) {
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const f = Object.fromEntries(new FormData(event.target as HTMLFormElement)) as Record<string, string>;
    try {
      const run = await send<{ id: string }>('POST', '/runs', {
        datasetId: f.datasetId,
        layers: parseLayers(f.layers!),
        optimizer: { name: f.optimizer, learningRate: Number(f.learningRate) },
        batchSize: Number(f.batchSize),
        epochs: Number(f.epochs),
        ...(f.modelName && { modelName: f.modelName }),
        ...(f.seed && { seed: Number(f.seed) }),
        priority: f.priority,
        ...(f.gpu && { requires: { gpu: true } }),
      });
      onCreated(run!.id);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form class="card new-run" onSubmit={submit}>
      <label>dataset <select name="datasetId" required>{datasets.map((d) => <option key={d.id} value={d.id}>{d.name} ({d.numSamples} samples)</option>)}</select></label>
      <label>hidden layers <input name="layers" defaultValue="32 relu" /></label>
      <label>optimizer <select name="optimizer">{['sgd', 'momentum', 'adam', 'rmsprop'].map((o) => <option key={o}>{o}</option>)}</select></label>
      <label>learning rate <input name="learningRate" defaultValue="0.1" size={6} /></label>
      <label>batch size <input name="batchSize" defaultValue="32" size={5} /></label>
      <label>epochs <input name="epochs" defaultValue="10" size={5} /></label>
      <label>seed <input name="seed" size={6} /></label>
      <label>model name <input name="modelName" placeholder="the dataset's name" /></label>
      <label>priority <select name="priority" defaultValue="normal">{['high', 'normal', 'low'].map((p) => <option key={p}>{p}</option>)}</select></label>
      <label><input type="checkbox" name="gpu" /> needs a GPU</label>
      <button type="submit">Start run</button>
      <ErrorLine error={error} />
    </form>
  );
}
