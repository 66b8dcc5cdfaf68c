// How numbers, times and durations read on every page.
export const pct = (x: number | null | undefined) => (x == null ? '—' : `${(x * 100).toFixed(1)}%`);
export const num = (x: number | null | undefined, digits = 4) => (x == null ? '—' : x.toFixed(digits));
export const short = (id: string | null | undefined) => (id ? id.slice(0, 8) : '—');

export function duration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min ${Math.round(seconds % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** Seconds from `iso` to now. */
export const ageSeconds = (iso: string) => (Date.now() - new Date(iso).getTime()) / 1000;

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  for (; n >= 1024 && i < units.length - 1; i++) n /= 1024;
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
