// The drift check's bounded pool: several stacks at once, results in the order the stacks were given.
import * as os from "node:os";

/**
 * Stacks checked at once by default: a preview is mostly waiting (the CLI, the language host and the
 * provider talk over gRPC, the servers answer over PowerShell), so twice the cores, at least 2, at most 8.
 */
export function defaultParallelism(cores = os.availableParallelism()): number {
  return Math.min(8, Math.max(2, cores * 2));
}

/**
 * The least wall time of n stacks on `cores` idle cores, from one stack's wall time, its preview's part of it (the
 * rest, the drift tool's start and the shared host's, comes once, before any preview starts) and the CPU one stack
 * costs: after the start, the pool runs `parallel` previews at once (by default what the tool runs on that many
 * cores), so at least ceil(n / parallel) rounds of one preview, and the work needs n × CPU ÷ cores. (A lower bound:
 * it leaves out that stacks sharing the cores slow each other.)
 */
export function leastWallSeconds(
  n: number,
  cores: number,
  oneWall: number,
  cpuPerStack: number,
  previewWall = oneWall,
  parallel = defaultParallelism(cores),
): number {
  const rounds = Math.ceil(n / parallel);
  return oneWall - previewWall + Math.max(rounds * previewWall, (n * cpuPerStack) / cores);
}

/** Runs fn over the items, at most `limit` at once; the results keep the items' order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
