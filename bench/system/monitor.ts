// What the machine did while bench:system measured: the resident memory of the API and each worker per phase,
// and the CPU time of our processes, Postgres, Redis and everything else, read from Linux's /proc.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const HZ = 100;

export interface Watched {
  name: string;
  pid: number;
}

export interface PhaseMemory {
  phase: string;
  /** Peak resident MiB per process during the phase, and its resident MiB when the phase began. */
  peaks: { name: string; startMb: number; peakMb: number }[];
}

function status(pid: number): { rssKb: number; hwmKb: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rssKb: Number(/^VmRSS:\s+(\d+)/m.exec(text)?.[1] ?? 0), hwmKb: Number(/^VmHWM:\s+(\d+)/m.exec(text)?.[1] ?? 0) };
  } catch {
    return null;
  }
}

/**
 * Per phase: VmHWM is reset when the phase begins (writing 5 to /proc/<pid>/clear_refs, which our own
 * children allow), read when it ends, and VmRSS sampled every 100 ms besides, in case a kernel refuses the reset.
 */
export class MemoryMonitor {
  private readonly phases: PhaseMemory[] = [];
  private current?: { phase: string; start: Map<string, number>; peak: Map<string, number>; timer: NodeJS.Timeout };

  constructor(private readonly watched: () => Watched[]) {}

  begin(phase: string): void {
    this.end();
    const start = new Map<string, number>();
    const peak = new Map<string, number>();
    for (const { name, pid } of this.watched()) {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // Not allowed here: the samples below still see the peak, at 100 ms resolution.
      }
      const now = status(pid)?.rssKb ?? 0;
      start.set(name, now);
      peak.set(name, now);
    }
    const sample = () => {
      for (const { name, pid } of this.watched()) {
        const s = status(pid);
        if (s) peak.set(name, Math.max(peak.get(name) ?? 0, s.rssKb));
      }
    };
    this.current = { phase, start, peak, timer: setInterval(sample, 100) };
  }

  end(): PhaseMemory | undefined {
    const current = this.current;
    if (!current) return undefined;
    clearInterval(current.timer);
    this.current = undefined;
    const peaks = this.watched().map(({ name, pid }) => {
      const s = status(pid);
      const peakKb = Math.max(current.peak.get(name) ?? 0, s?.hwmKb ?? 0);
      return { name, startMb: (current.start.get(name) ?? 0) / 1024, peakMb: peakKb / 1024 };
    });
    const result = { phase: current.phase, peaks };
    this.phases.push(result);
    return result;
  }

  all(): PhaseMemory[] {
    return this.phases;
  }
}

export interface CpuSnapshot {
  at: number;
  /** Busy CPU-seconds of the whole machine (user, nice, system, irq, softirq, steal). */
  machine: number;
  /** CPU-seconds by pid: utime + stime (+ the reaped children's, for this process). */
  byPid: Map<number, { comm: string; seconds: number }>;
}

export function cpuSnapshot(): CpuSnapshot {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  const byPid = new Map<number, { comm: string; seconds: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      // utime, stime, cutime, cstime are fields 14-17; `rest` starts at field 3. Reaped children count for this process only.
      const own = Number(rest[11]) + Number(rest[12]) + (pid === process.pid ? Number(rest[13]) + Number(rest[14]) : 0);
      byPid.set(pid, { comm, seconds: own / HZ });
    } catch {
      // The process ended while we looked.
    }
  }
  return { at: performance.now(), machine: (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / HZ, byPid };
}

export interface CpuShare {
  seconds: number;
  /** Busy CPU-seconds: ours (this process, its peers and the apps), Postgres, Redis, and the rest of the machine. */
  ours: number;
  postgres: number;
  redis: number;
  others: number;
}

/** Who used the CPU between two snapshots; `ours` are the app pids (this process and its reaped children count too). */
export function cpuShare(from: CpuSnapshot, to: CpuSnapshot, ours: Set<number>): CpuShare {
  const delta = (pid: number) => (to.byPid.get(pid)?.seconds ?? 0) - (from.byPid.get(pid)?.seconds ?? 0);
  let own = 0;
  let postgres = 0;
  let redis = 0;
  for (const [pid, { comm }] of to.byPid) {
    const d = Math.max(0, delta(pid));
    if (ours.has(pid) || pid === process.pid) own += d;
    else if (comm === 'postgres') postgres += d;
    else if (comm.startsWith('redis-server')) redis += d;
  }
  const machine = to.machine - from.machine;
  return { seconds: (to.at - from.at) / 1000, ours: own, postgres, redis, others: Math.max(0, machine - own - postgres - redis) };
}
