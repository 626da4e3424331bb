/** Fractions this close are a tie: 36 × 0.6 / 1.05 and 36 × 0.25 / 1.05 both end in 4/7, but not in floating point. */
const TIE = 1e-9;

/**
 * Splits `total` into whole parts proportional to `weights` by the largest-remainder method: each
 * part first gets `minimum`, then the rest is shared by weight, floors first and the leftover units
 * to the largest fractions (ties to the earlier part). The parts always add up to `total`.
 */
export function apportion(total: number, weights: readonly number[], minimum = 0): number[] {
  if (!Number.isInteger(total) || total < 0)
    throw new RangeError(`total must be an integer >= 0, not ${total}`);
  if (!Number.isInteger(minimum) || minimum < 0)
    throw new RangeError(`minimum must be an integer >= 0, not ${minimum}`);
  if (weights.length === 0) throw new RangeError('no weights to apportion by');
  if (weights.some((w) => !Number.isFinite(w) || w < 0))
    throw new RangeError(`weights must be finite and >= 0: ${weights.join(', ')}`);
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) throw new RangeError('the weights add up to 0');
  const rest = total - minimum * weights.length;
  if (rest < 0) throw new RangeError(`${total} cannot give ${weights.length} parts at least ${minimum} each`);

  const quotas = weights.map((w) => (rest * w) / sum);
  const parts = quotas.map((q) => minimum + Math.floor(q));
  const leftover = total - parts.reduce((a, b) => a + b, 0);
  const byFraction = quotas
    .map((q, index) => ({ index, fraction: q - Math.floor(q) }))
    // Stable: parts of equal fractions keep their order, so a tie goes to the earlier part.
    .sort((a, b) => {
      const larger = b.fraction - a.fraction;
      // Stryker disable next-line EqualityOperator: a difference of exactly TIE is no real case
      return Math.abs(larger) > TIE ? larger : 0;
    });
  for (const { index } of byFraction.slice(0, leftover)) parts[index] = (parts[index] as number) + 1;
  return parts;
}
