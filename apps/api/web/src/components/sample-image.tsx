import { useEffect, useState } from 'preact/hooks';
import { dataUrl } from '../api.js';

/** An image from an API route that needs the key (samples, weight images). */
export function ApiImage({ path, alt, size = 64 }: { path: string; alt: string; size?: number }) {
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    dataUrl(path).then((url) => live && setSrc(url), () => live && setFailed(true));
    return () => { live = false; };
  }, [path]);
  if (failed) return <span class="image-missing" style={{ width: size, height: size }}>?</span>;
  return src ? <img class="pixelated" src={src} alt={alt} width={size} height={size} /> : <span class="image-loading" style={{ width: size, height: size }} />;
}
