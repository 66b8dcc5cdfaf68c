import { useEffect, useRef, useState } from 'preact/hooks';
import { send } from '../api.js';
import { ApiImage } from '../components/sample-image.js';
import { ErrorLine } from '../components/status.js';
import { architectureOf, type Inspection, type ModelVersionView } from '../contracts.js';
import { pct } from '../format.js';

const UNITS_SHOWN = 16;

/** Values as a strip of cells, blue for negative and red for positive, scaled by the largest magnitude. */
function Strip({ values, label }: { values: number[]; label: string }) {
  const scale = Math.max(1e-9, ...values.map(Math.abs));
  return (
    <div class="strip" aria-label={label}>
      {values.slice(0, 512).map((v, i) => <span key={i} title={`${i}: ${v.toFixed(4)}`} style={{ background: v >= 0 ? `rgba(220,38,38,${v / scale})` : `rgba(37,99,235,${-v / scale})` }} />)}
    </div>
  );
}

/** The input activations drawn as the network sees them (rows of pixels, channels side by side, 0 black to 1 white). */
function InputImage({ input }: { input: Inspection['input'] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = canvas.current!.getContext('2d')!;
    const image = context.createImageData(input.width, input.height);
    input.activations.forEach((row, y) => {
      for (let x = 0; x < input.width; x++) {
        const channel = (c: number) => Math.round(Math.min(1, Math.max(0, row[x * input.channels + c]!)) * 255);
        const [r, g, b] = input.channels === 3 ? [channel(0), channel(1), channel(2)] : [channel(0), channel(0), channel(0)];
        image.data.set([r, g, b, 255], (y * input.width + x) * 4);
      }
    });
    context.putImageData(image, 0, 0);
  }, [input]);
  return <canvas ref={canvas} class="pixelated" width={input.width} height={input.height} style={{ width: '96px', height: '96px' }} />;
}

/** The "behind the scenes" view: the first layer's units as images of their incoming weights, and one image's activations. */
export function Inspect({ modelId, version }: { modelId: string; version: ModelVersionView }) {
  const [result, setResult] = useState<Inspection | null>(null);
  const [error, setError] = useState<unknown>(null);
  const units = Math.min(UNITS_SHOWN, architectureOf(version).layers[0]?.units ?? 0);
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
          <h4>input: {result.input.width}×{result.input.height}×{result.input.channels} activations</h4>
          <InputImage input={result.input} />
          {result.layers.map((layer) => (
            <div key={layer.layer}>
              <h4>layer {layer.layer + 1}: {layer.units} units, z = W·a + b (top), a = {layer.activation}(z) (bottom)</h4>
              <Strip values={layer.z} label={`layer ${layer.layer + 1} z`} />
              <Strip values={layer.a} label={`layer ${layer.layer + 1} a`} />
            </div>
          ))}
          <h4>output: <b>{result.output.label}</b></h4>
          <table class="kv probabilities"><tbody>{Object.entries(result.output.probabilities).sort((a, b) => b[1] - a[1]).map(([label, p]) => <tr key={label}><th>{label}</th><td>{pct(p)}</td></tr>)}</tbody></table>
        </div>
      )}
    </div>
  );
}
