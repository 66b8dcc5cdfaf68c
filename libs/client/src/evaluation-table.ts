import type { EvaluationView } from '#libs/contracts';
import { textTable } from './text-table.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
/** The first column names a row; the others hold numbers. */
const numbers = (head: string[]) => head.map((_, i) => (i === 0 ? 'left' : 'right') as 'left' | 'right');

/**
 * An evaluation as text for a terminal (the demo and `trainyard runs eval`): test accuracy and loss, the
 * confusion matrix (rows true, columns predicted) and precision, recall, F1 and support per class.
 */
export function formatEvaluation(evaluation: EvaluationView): string {
  const { classes, confusion, perClass } = evaluation;
  const matrixHead = ['true \\ predicted', ...classes];
  const scoresHead = ['class', 'precision', 'recall', 'f1', 'support'];
  return [
    `test accuracy ${pct(evaluation.accuracy)} (${evaluation.samples} samples never trained or validated on), loss ${evaluation.loss.toFixed(4)}`,
    'confusion matrix (rows: true class, columns: predicted)',
    textTable(matrixHead, classes.map((label, i) => [label, ...confusion[i]!]), numbers(matrixHead)),
    textTable(scoresHead, perClass.map((s) => [s.label, pct(s.precision), pct(s.recall), s.f1.toFixed(3), s.support]), numbers(scoresHead)),
    `${evaluation.misclassified.length} misclassified`,
  ].join('\n');
}
