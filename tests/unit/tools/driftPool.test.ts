import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { defaultParallelism, mapWithConcurrency } from "../../../tools/drift/pool";
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
