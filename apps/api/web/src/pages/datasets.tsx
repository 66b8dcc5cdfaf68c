import { useEffect, useState } from 'preact/hooks';
import { get, list, send, upload } from '../api.js';
import { useSession } from '../app-context.js';
import { ApiImage } from '../components/sample-image.js';
import { ErrorLine, Status } from '../components/status.js';
import type { DatasetView } from '../contracts.js';
import { bytes, when } from '../format.js';
import { useLoad } from '../hooks.js';
import { go } from '../router.js';
import { mayChange } from '../session.js';

const THUMBNAILS = 24;

/** Sample indices spread evenly over the dataset: samples are stored class by class, so the first few would all be one class. */
const thumbnails = (count: number) => Array.from({ length: Math.min(THUMBNAILS, count) }, (_, i) => Math.floor((i * count) / Math.min(THUMBNAILS, count)));

export function DatasetsPage() {
  const session = useSession();
  const datasets = useLoad(() => list<DatasetView>('/datasets?limit=200'), []);
  return (
    <section>
      <h1>Datasets</h1>
      {session.role !== 'viewer' && <UploadForm />}
      <ErrorLine error={datasets.error} />
      <table>
        <thead><tr><th>name</th><th>status</th><th>samples</th><th>classes</th><th>size</th><th>skipped</th><th>uploaded</th></tr></thead>
        <tbody>
          {datasets.value?.map((d) => (
            <tr key={d.id} data-dataset={d.id}>
              <td><a href={`#/datasets/${d.id}`}>{d.name}</a></td>
              <td><Status status={d.status} /></td>
              <td>{d.numSamples}</td>
              <td>{d.classes.join(', ')}</td>
              <td>{d.width}×{d.height}×{d.channels}</td>
              <td>{d.skipped.length}</td>
              <td>{when(d.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A zip upload with a progress bar; the new dataset's page then shows preprocessing as it goes. */
function UploadForm() {
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    for (const [name, value] of [...form.entries()]) if (value === '') form.delete(name);
    setError(null);
    setProgress(0);
    try {
      const created = await upload<{ id: string }>('/datasets', form, setProgress);
      go(`datasets/${created.id}`);
    } catch (e) {
      setError(e);
      setProgress(null);
    }
  };
  return (
    <form class="card upload" onSubmit={submit}>
      <label>zip of class folders <input type="file" name="file" accept=".zip,application/zip" required /></label>
      <label>name <input name="name" placeholder="the file's name" /></label>
      <label>width <input name="width" size={4} placeholder="128" /></label>
      <label>height <input name="height" size={4} placeholder="128" /></label>
      <label>channels <select name="channels"><option value="">1</option><option>3</option></select></label>
      <button type="submit" disabled={progress !== null}>Upload</button>
      {progress !== null && <progress max={1} value={progress} aria-label="upload progress">{Math.round(progress * 100)}%</progress>}
      <ErrorLine error={error} />
    </form>
  );
}

export function DatasetPage({ id }: { id: string }) {
  const session = useSession();
  const [dataset, setDataset] = useState<DatasetView | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    // Preprocessing reports progress on the dataset itself: poll until it is READY or FAILED.
    const load = () => get<DatasetView>(`/datasets/${id}`).then((d) => {
      setDataset(d);
      if (d.status === 'PENDING' || d.status === 'PROCESSING') timer = setTimeout(load, 1000);
    }, setError);
    void load();
    return () => clearTimeout(timer);
  }, [id]);
  if (!dataset) return <section><ErrorLine error={error} /></section>;
  const remove = async () => {
    if (!confirm(`Delete dataset ${dataset.name}?`)) return;
    try { await send('DELETE', `/datasets/${id}`); go('datasets'); } catch (e) { setError(e); }
  };
  const counts = dataset.counts;
  return (
    <section>
      <div class="title-row">
        <h1>{dataset.name} <Status status={dataset.status} /></h1>
        {mayChange(session, dataset.createdBy) && <button class="danger" onClick={remove}>Delete</button>}
      </div>
      <ErrorLine error={error} />
      <p class="facts">
        {dataset.imageCount} images → {dataset.numSamples} samples of {dataset.width}×{dataset.height}×{dataset.channels} ·
        upload {bytes(dataset.sizeBytes.upload)}, samples {bytes(dataset.sizeBytes.samples)} · {when(dataset.createdAt)}
        {dataset.createdBy && <> · by {dataset.createdBy.name}</>}
      </p>
      {dataset.progress && <p>Preprocessing: <progress max={dataset.progress.of} value={dataset.progress.stored} /> {dataset.progress.stored} of {dataset.progress.of}</p>}
      {dataset.error && <p class="error">{dataset.error}</p>}
      {counts && (
        <table class="counts">
          <thead><tr><th>class</th><th>train</th><th>validation</th><th>test</th><th>total</th></tr></thead>
          <tbody>
            {Object.entries(counts.perClass).map(([label, c]) => (
              <tr key={label} class={counts.emptyClasses.includes(label) ? 'warning' : ''}><th>{label}</th><td>{c.train}</td><td>{c.validation}</td><td>{c.test}</td><td>{c.total}</td></tr>
            ))}
            <tr class="total"><th>all</th><td>{counts.perSplit.train}</td><td>{counts.perSplit.validation}</td><td>{counts.perSplit.test}</td><td>{counts.perSplit.total}</td></tr>
          </tbody>
        </table>
      )}
      {counts && counts.emptyClasses.length > 0 && <p class="error">No samples for: {counts.emptyClasses.join(', ')}</p>}
      <h2>Skipped files ({dataset.skipped.length})</h2>
      {dataset.skipped.length === 0 ? <p class="muted">None.</p> : (
        <table class="skipped"><tbody>{dataset.skipped.map((s) => <tr key={s.file}><td><code>{s.file}</code></td><td>{s.reason}</td></tr>)}</tbody></table>
      )}
      {dataset.duplicates.length > 0 && <><h2>Exact duplicates</h2><ul>{dataset.duplicates.map((group, i) => <li key={i}>{group.join(' = ')}</li>)}</ul></>}
      {dataset.status === 'READY' && (
        <>
          <h2>Samples</h2>
          <div class="gallery">
            {thumbnails(dataset.numSamples).map((i) => (
              <figure key={i}><ApiImage path={`/datasets/${id}/samples/${i}?format=png`} alt={`sample ${i}`} /><figcaption>#{i}</figcaption></figure>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
