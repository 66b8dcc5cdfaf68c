/** One class's scores on the test split. */
export interface ClassScore {
  label: string;
  /** Of the samples predicted as this class, the share that are it (0 when none were predicted). */
  precision: number;
  /** Of the samples of this class, the share predicted as it. */
  recall: number;
  f1: number;
  /** Test samples of this class. */
  support: number;
}

/** A test sample the model got wrong; `index` is its index for GET /datasets/:id/samples/:index. */
export interface Misclassified {
  index: number;
  label: string;
  predicted: string;
  /** The probability the model gave its (wrong) prediction. */
  confidence: number;
}

/** GET /runs/:id/evaluation: a succeeded run's model on its dataset's test split. */
export interface EvaluationView {
  split: 'test';
  samples: number;
  accuracy: number;
  loss: number;
  classes: string[];
  /** rows = true class, columns = predicted, in `classes` order */
  confusion: number[][];
  perClass: ClassScore[];
  misclassified: Misclassified[];
}
