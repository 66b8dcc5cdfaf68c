import { useState } from 'preact/hooks';
import { send } from '../api.js';
import { ApiImage } from '../components/sample-image.js';
import { ErrorLine } from '../components/status.js';
import type { ModelVersionView } from '../contracts.js';
import { pct } from '../format.js';

const UNITS_SHOWN = 16;

/** POST /models/:id/inspect (issue 9 point 8): what the network computed for one image, layer by layer. */
interface Inspection {
  input?: number[][];
  layers?: { z: number[]; a: number[]; activation?: string }[];
  probabilities?: Record<string, number>;
}

/** Values as a strip of cells, blue for negative and red for positive, scaled by the largest magnitude. */
function Strip({ values }: { values: number[] }) {
  const scale = Math.max(1e-9, ...values.map(Math.abs));
  return (
    <div class="strip">
      {values.slice(0, 256).map((v, i) => <span key={i} title={`${i}: ${v.toFixed(4)}`} style={{ background: v >= 0 ? `rgba(220,38,38,${v / scale})` : `rgba(37,99,235,${-v / scale})` }} />)}
    </div>
  );
}

/** The "behind the scenes" view: the first layer's units as images of their incoming weights, and one image's activations. */
export function Inspect({ modelId, version }: { modelId: string; version: ModelVersionView }) {
  const [result, setResult] = useState<Inspection | null>(null);
  const [error, setError] = useState<unknown>(null);
  const units = Math.min(UNITS_SHOWN, version.architecture.layers[0]?.units ?? 0);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    form.set('version', String(version.version));
    try { setResult((await send<Inspection>('POST', `/models/${modelId}/inspect`, form)) ?? null); setError(null); } catch (e) { setError(e); }
  };
  return (
    <div class="inspect">
      <h2>Inside v{version.version}</h2>
      <h3>What the first layer's units look for (incoming weights; gray 0, white positive, black negative)</h3>
      <div class="gallery">
        {Array.from({ length: units }, (_, k) => (
          <figure key={k}><ApiImage path={`/models/${modelId}/versions/${version.version}/layers/0/weights.png?unit=${k}`} alt={`unit ${k}`} size={72} /><figcaption>unit {k}</figcaption></figure>
        ))}
      </div>
      <form class="card" onSubmit={submit}>
        <label>an image <input type="file" name="file" accept="image/*" required /></label>
        <button type="submit">Inspect</button>
      </form>
      <ErrorLine error={error} />
      {result && (
        <div class="layers">
          {result.layers?.map((layer, i) => (
            <div key={i}><h4>layer {i + 1} {layer.activation ?? ''}: z = W·a + b, then a = f(z)</h4><Strip values={layer.z} /><Strip values={layer.a} /></div>
          ))}
          {result.probabilities && (
            <table class="kv"><tbody>{Object.entries(result.probabilities).sort((a, b) => b[1] - a[1]).map(([label, p]) => <tr key={label}><th>{label}</th><td>{pct(p)}</td></tr>)}</tbody></table>
          )}
        </div>
      )}
    </div>
  );
}
