import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { defaultParallelism, leastWallSeconds, mapWithConcurrency } from "../../../tools/drift/pool";
import { ensureBuilt, PROJECT_ROOT } from "../simulator/testSupport";

describe("the drift pool", () => {
  it("runs at most the limit at once and keeps the results in the items' order", async () => {
    let running = 0;
    let peak = 0;
    const finishedOrder: string[] = [];
    const delays: Record<string, number> = { a: 40, b: 5, c: 25, d: 1, e: 10 };
    const results = await mapWithConcurrency(Object.keys(delays), 2, async (item) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, delays[item]));
      running--;
      finishedOrder.push(item);
      return item.toUpperCase();
    });
    expect(results).toEqual(["A", "B", "C", "D", "E"]);
    // They did finish out of order, and two ran at once.
    expect(finishedOrder).not.toEqual(["a", "b", "c", "d", "e"]);
    expect(peak).toBe(2);
  });

  it("runs one at a time with a limit of 1", async () => {
    let running = 0;
    let peak = 0;
    await mapWithConcurrency([1, 2, 3], 1, async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
    });
    expect(peak).toBe(1);
  });

  it("bounds the wall time of n stacks by the start and then the rounds of previews or the work", () => {
    // 2 cores, 4 at a time: 3 rounds. One stack 2.0 s of which its preview 1.5 s: 0.5 s start + 3 × 1.5 s.
    expect(leastWallSeconds(10, 2, 2.0, 0.5, 1.5)).toBeCloseTo(5.0);
    // Without a start of its own (the preview is the whole stack's time), rounds of the whole.
    expect(leastWallSeconds(10, 2, 2.0, 0.5)).toBeCloseTo(6.0);
    // The work: 10 × 1.9 s of CPU on 2 cores is more than the rounds, and comes after the start.
    expect(leastWallSeconds(10, 2, 2.0, 1.9, 1.5)).toBeCloseTo(10.0);
    // --parallel 10 on 2 cores: one round of previews, so the work bounds it: 0.5 s + 10 × 0.5 s ÷ 2.
    expect(leastWallSeconds(10, 2, 2.0, 0.5, 1.5, 10)).toBeCloseTo(3.0);
    // --parallel 1: ten rounds.
    expect(leastWallSeconds(10, 2, 2.0, 0.5, 1.5, 1)).toBeCloseTo(15.5);
  });

  it("defaults to twice the cores, between 2 and 8", () => {
    expect(defaultParallelism(1)).toBe(2);
    expect(defaultParallelism(2)).toBe(4);
    expect(defaultParallelism(16)).toBe(8);
  });
});

describe("npm run drift --parallel", () => {
  it("refuses a value that is not a whole number from 1 to 64, in one line, with exit code 2", async () => {
    await ensureBuilt();
    for (const value of ["0", "x", "65"]) {
      const run = spawnSync(
        process.execPath,
        [path.join(PROJECT_ROOT, "dist", "tools", "drift.js"), "--parallel", value],
        { encoding: "utf8" },
      );
      expect({ value, status: run.status, stderr: run.stderr }).toEqual({
        value,
        status: 2,
        stderr: "drift: --parallel: a whole number of stacks from 1 to 64\n",
      });
    }
  }, 180_000);
});
