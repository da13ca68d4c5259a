/** Classification metrics for the sentiment evaluation: a confusion matrix and what follows from it. */

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** How many gold examples carry this label. */
  support: number;
}

export interface Report<L extends string> {
  total: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<L, ClassScores>;
  /** confusion[gold][predicted] */
  confusion: Record<L, Record<L, number>>;
}

export function confusionMatrix<L extends string>(
  labels: readonly L[],
  gold: readonly L[],
  predicted: readonly L[],
): Record<L, Record<L, number>> {
  if (gold.length !== predicted.length) throw new Error("gold and predicted differ in length");
  const matrix = {} as Record<L, Record<L, number>>;
  for (const g of labels) {
    const row = {} as Record<L, number>;
    for (const p of labels) row[p] = 0;
    matrix[g] = row;
  }
  for (let i = 0; i < gold.length; i++) {
    const row = matrix[gold[i] as L];
    const p = predicted[i] as L;
    if (!row || !(p in row)) throw new Error(`unknown label at ${i}: ${gold[i]} / ${p}`);
    row[p] += 1;
  }
  return matrix;
}

/** 0 rather than NaN when a ratio has nothing to divide by (a class never predicted or never present). */
function ratio(n: number, d: number): number {
  return d === 0 ? 0 : n / d;
}

export function scoreConfusion<L extends string>(
  labels: readonly L[],
  confusion: Record<L, Record<L, number>>,
): Report<L> {
  let total = 0;
  let correct = 0;
  const perClass = {} as Record<L, ClassScores>;
  for (const c of labels) {
    let support = 0;
    let predictedAs = 0;
    for (const other of labels) {
      support += confusion[c][other];
      predictedAs += confusion[other][c];
    }
    const tp = confusion[c][c];
    total += support;
    correct += tp;
    const precision = ratio(tp, predictedAs);
    const recall = ratio(tp, support);
    perClass[c] = { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  }
  const macroF1 = labels.reduce((sum, c) => sum + perClass[c].f1, 0) / labels.length;
  return { total, accuracy: ratio(correct, total), macroF1, perClass, confusion };
}

export function evaluate<L extends string>(
  labels: readonly L[],
  gold: readonly L[],
  predicted: readonly L[],
): Report<L> {
  return scoreConfusion(labels, confusionMatrix(labels, gold, predicted));
}
