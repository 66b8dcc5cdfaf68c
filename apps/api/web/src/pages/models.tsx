import { useState } from 'preact/hooks';
import { download, get, list } from '../api.js';
import { ErrorLine } from '../components/status.js';
import { architectureOf, lineageDataset, type ModelSummary, type ModelVersionView, type ModelView } from '../contracts.js';
import { num, pct, when } from '../format.js';
import { useLoad } from '../hooks.js';
import { Inspect } from './inspect.js';

export function ModelsPage() {
  const models = useLoad(() => list<ModelSummary>('/models'), []);
  return (
    <section>
      <h1>Models</h1>
      <ErrorLine error={models.error} />
      <table>
        <thead><tr><th>name</th><th>latest version</th><th>runs</th><th>created</th><th>by</th></tr></thead>
        <tbody>
          {models.value?.map((m) => (
            <tr key={m.id}>
              <td><a href={`#/models/${m.id}`}>{m.name}</a></td>
              <td>{m.latestVersion ? `v${m.latestVersion.version}` : '—'}</td>
              <td>{m.runs}</td>
              <td>{when(m.createdAt)}</td>
              <td>{m.createdBy?.name ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function ModelPage({ id }: { id: string }) {
  const model = useLoad(() => get<ModelView>(`/models/${id}`), [id]);
  const [inspected, setInspected] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (!model.value) return <section><ErrorLine error={model.error} /></section>;
  const m = model.value;
  const exportFile = (v: ModelVersionView, file: string) => download(`/models/${id}/versions/${v.version}/${file}`, `${m.name}-v${v.version}-${file}`).catch(setError);
  const version = m.versions.find((v) => v.version === inspected);
  return (
    <section>
      <h1>{m.name}</h1>
      <p class="facts">
        {m.versions.length} versions · created {when(m.createdAt)}{m.createdBy && <> by {m.createdBy.name}</>}
        {Object.keys(m.aliases ?? {}).length > 0 && <> · aliases {Object.entries(m.aliases).map(([a, v]) => `@${a} → v${v}`).join(', ')}</>}
      </p>
      <ErrorLine error={error} />
      <table class="versions">
        <thead><tr><th>version</th><th>aliases</th><th>network</th><th>parameters</th><th>val acc</th><th>test acc</th><th>test loss</th><th>dataset</th><th>run</th><th>export</th><th /></tr></thead>
        <tbody>
          {[...m.versions].reverse().map((v) => (
            <tr key={v.version}>
              <td>v{v.version}</td>
              <td>{v.aliases?.map((a) => <span key={a} class="tag">@{a}</span>)}</td>
              <td>{architectureOf(v).inputSize} → {architectureOf(v).layers.map((l) => `${l.units} ${l.activation}`).join(' → ')} → {architectureOf(v).classes.length} softmax</td>
              <td>{v.parameters.toLocaleString()}</td>
              <td>{pct(v.finalMetrics?.valAccuracy)}</td>
              <td>{pct(v.lineage?.test?.accuracy)}</td>
              <td>{num(v.lineage?.test?.loss)}</td>
              <td>{lineageDataset(v) ? <a href={`#/datasets/${lineageDataset(v)!.id}`}>{lineageDataset(v)!.name}</a> : '—'}</td>
              <td>{v.runId ? <a href={`#/runs/${v.runId}`}><code>{v.runId.slice(0, 8)}</code></a> : 'deleted'}</td>
              <td>
                <button class="link" onClick={() => exportFile(v, 'model.json')}>model.json</button>{' '}
                <button class="link" onClick={() => exportFile(v, 'weights.bin')}>weights.bin</button>
              </td>
              <td><button class="link" onClick={() => setInspected(v.version)}>inspect</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      {version && <Inspect modelId={id} version={version} />}
    </section>
  );
}
