import { useEffect, useState } from 'preact/hooks';

/** The page, from the URL's hash (`#/runs/<id>`), so every view has a link that works on reload. */
export function useRoute(): string[] {
  const read = () => (location.hash.replace(/^#\/?/, '') || 'runs').split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => setRoute(read());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

export const go = (path: string) => { location.hash = `#/${path}`; };
