import { useEffect, useState } from 'preact/hooks';
import { dataUrl } from '../api.js';

/** An image from an API route that needs the key (samples, weight images). Sizes in px strings: Preact 11 adds no unit to numbers. */
export function ApiImage({ path, alt, size = 64 }: { path: string; alt: string; size?: number }) {
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    dataUrl(path).then((url) => live && setSrc(url), () => live && setFailed(true));
    return () => { live = false; };
  }, [path]);
  if (failed) return <span class="image-missing" style={{ width: `${size}px`, height: `${size}px` }}>?</span>;
  return src ? <img class="pixelated" src={src} alt={alt} width={size} height={size} /> : <span class="image-loading" style={{ width: `${size}px`, height: `${size}px` }} />;
}
