// What the measure: and bench scripts share: the median of their measurements and their --rounds option.

/** The median of the measurements (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The value of --rounds: a positive whole number, else an error that says so. */
export function roundsOption(value: string | undefined): number {
  const rounds = Number(value);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds: a positive whole number, got "${value}"`);
  return rounds;
}
