import * as path from "node:path";
import { EntraConnectClient } from "../../../contract/backend";
import {
  advance,
  createSimulatorBackend,
  formatTimeSpan,
  initState,
  parseTimeSpan,
  readState,
  withState,
} from "../../../simulator";
import { FIXED_NOW, tempDir } from "./testSupport";

describe("time", () => {
  it("formats and parses .NET TimeSpan text", () => {
    expect(formatTimeSpan(1800)).toBe("00:30:00");
    expect(formatTimeSpan(7 * 86_400)).toBe("7.00:00:00");
    expect(formatTimeSpan(90_061)).toBe("1.01:01:01");
    expect(parseTimeSpan("7.00:00:00")).toBe(604_800);
    expect(parseTimeSpan("03:00:00")).toBe(10_800);
    expect(parseTimeSpan("soon")).toBeNull();
  });

  it("a simulated clock moves only when told to, and the backend's sleep advances it at once", async () => {
    const file = path.join(tempDir(), "lab.json");
    await initState(file, { clock: "simulated", now: FIXED_NOW });
    const client = new EntraConnectClient(createSimulatorBackend({ stateFile: file }));
    const started = Date.now();
    await client.sleep(3_600_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await readState(file)).clock).toEqual({ mode: "simulated", now: "2025-01-06T09:00:00.000Z" });
    await withState(file, (tx) => advance(tx, 90));
    expect((await readState(file)).clock).toEqual({ mode: "simulated", now: "2025-01-06T09:01:30.000Z" });
  });

  it("a real clock cannot be advanced, and the backend really sleeps on it", async () => {
    const file = path.join(tempDir(), "lab.json");
    await initState(file, { clock: "real" });
    await expect(withState(file, (tx) => advance(tx, 10))).rejects.toThrow(/the clock is real/);
    const client = new EntraConnectClient(
      createSimulatorBackend({ stateFile: path.relative(process.cwd(), file) }),
    );
    const started = Date.now();
    await client.sleep(150);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const scheduler = await client.call("getScheduler", {});
    expect(Date.parse(scheduler.nextSyncCycleStartTimeInUtc) - Date.now()).toBeGreaterThan(29 * 60_000);
  });
});
