// What the measure: and bench scripts share: the median of their measurements, their --rounds option, and the CPU time
// of the processes they ran (the converged lab stacks the measure: scripts run the CLI on are in measureLab.ts).
import * as fs from "node:fs";

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

/** Clock ticks per second of /proc's CPU times (USER_HZ on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The CPU time (user + system) of a process's finished children and their descendants, from its /proc/PID/stat line
 * (Linux): fields 16 and 17, cutime and cstime (1-based, as in proc(5)), after the command name, which may hold
 * spaces and parentheses. NaN when the line is not one.
 */
export function childrenCpuSecondsOf(stat: string): number {
  const fields = stat
    .slice(stat.lastIndexOf(")") + 2)
    .trim()
    .split(" ");
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
}

/** The CPU time of this process's finished children and their descendants. */
export function childrenCpuSeconds(): number {
  return childrenCpuSecondsOf(fs.readFileSync("/proc/self/stat", "utf8"));
}
