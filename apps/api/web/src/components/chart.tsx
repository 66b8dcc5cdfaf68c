import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Line { label: string; color: string; values: (number | null)[]; dash?: boolean }

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f', '#a16207', '#475569'];

/** A line chart of per-epoch values (uPlot); `data-points` says how many epochs it shows, for tests and readers alike. */
export function Chart({ title, x, lines, height = 220 }: { title: string; x: number[]; lines: Line[]; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = lines.map((l) => l.label).join('|');

  useEffect(() => {
    const width = Math.max(320, box.current!.clientWidth || 480);
    plot.current = new uPlot(
      {
        title,
        width,
        height,
        scales: { x: { time: false } },
        axes: [{ label: 'epoch' }, {}],
        series: [{ label: 'epoch' }, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 2, dash: l.dash ? [6, 4] : undefined, spanGaps: true, points: { show: x.length < 40 } }))],
      },
      [x, ...lines.map((l) => l.values)] as uPlot.AlignedData,
      box.current!,
    );
    return () => plot.current?.destroy();
  }, [shape, title]);

  useEffect(() => {
    plot.current?.setData([x, ...lines.map((l) => l.values)] as uPlot.AlignedData);
  }, [x, lines]);

  return <div class="chart" ref={box} data-points={x.length} />;
}
