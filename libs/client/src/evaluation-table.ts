import type { EvaluationView } from '#libs/contracts';

/** An evaluation as text: test accuracy and loss, then the confusion matrix (rows true, columns predicted). */
export function formatEvaluation(evaluation: EvaluationView): string {
  const { classes, confusion, perClass } = evaluation;
  const width = Math.max(9, ...classes.map((c) => c.length), ...confusion.flat().map((n) => String(n).length)) + 2;
  const cell = (text: string) => text.padStart(width);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `test accuracy ${pct(evaluation.accuracy)} (${evaluation.samples} samples never trained or validated on), loss ${evaluation.loss.toFixed(4)}`,
    `confusion matrix (rows: true class, columns: predicted)`,
    cell('') + classes.map(cell).join('') + cell('recall'),
    ...classes.map((label, i) => cell(label) + confusion[i]!.map((n) => cell(String(n))).join('') + cell(pct(perClass[i]!.recall))),
    cell('precision') + perClass.map((s) => cell(pct(s.precision))).join(''),
  ];
  return lines.join('\n');
}
