/** A confusion matrix (rows = true class, columns = predicted) as a table whose cells darken with their share of the row. */
export function ConfusionHeatmap({ classes, confusion }: { classes: string[]; confusion: number[][] }) {
  return (
    <table class="heatmap" aria-label="confusion matrix">
      <thead>
        <tr><th>true ↓ / predicted →</th>{classes.map((c) => <th key={c}>{c}</th>)}</tr>
      </thead>
      <tbody>
        {confusion.map((row, i) => {
          const total = row.reduce((a, b) => a + b, 0) || 1;
          return (
            <tr key={i}>
              <th>{classes[i]}</th>
              {row.map((n, j) => {
                const share = n / total;
                const hue = i === j ? 140 : 0;
                return (
                  <td key={j} style={{ background: `hsla(${hue}, 70%, 45%, ${share.toFixed(3)})`, color: share > 0.55 ? '#fff' : undefined }} title={`${n} of ${total}`}>
                    {n}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
