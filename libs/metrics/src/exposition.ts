/**
 * Joins Prometheus text expositions into one, keeping each family's HELP/TYPE once and its samples together:
 * BullMQ exports every queue separately with its own headers, and a scraper rejects a family declared twice.
 */
export function mergeExpositions(texts: string[]): string {
  const families = new Map<string, { headers: string[]; samples: string[] }>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { headers: [], samples: [] }));
    return f;
  };
  for (const line of texts.flatMap((t) => t.split('\n'))) {
    const header = /^# (HELP|TYPE) (\S+)/.exec(line);
    if (header) {
      const f = family(header[2]!);
      if (!f.headers.some((h) => h.startsWith(`# ${header[1]} `))) f.headers.push(line);
    } else if (line.trim() && !line.startsWith('#')) {
      family(/^[^{\s]+/.exec(line)![0]).samples.push(line);
    }
  }
  return [...families.values()].map((f) => [...f.headers, ...f.samples].join('\n')).join('\n') + '\n';
}
