// When the engine is gone (tools/plugins/engine-watch.js emits the event), the PowerShell backend kills its
// session in the middle of a call and sends nothing more.
import * as fs from "node:fs";
import * as path from "node:path";
import { isOperationError } from "../../../contract/errors";
import { abandonAllBackends } from "../../../powershell/backend";
import { ENGINE_GONE_EVENT, type WaitFor } from "../../../powershell/engineGone";
import { createTestBackend, errorOf, type TestBackend } from "../../support/powerShellTestBackend";
import { exists } from "../../support/processes";

let harness: TestBackend | undefined;
afterEach(() => harness?.dispose());

test("engine-watch.js and the backend agree on the event's name", () => {
  const watch = fs.readFileSync(path.join(__dirname, "../../../tools/plugins/engine-watch.js"), "utf8");
  expect(watch).toContain(`const ENGINE_GONE = "${ENGINE_GONE_EVENT}";`);
});

test("the engine gone: the in-flight call's PowerShell is killed, and no later call is sent", async () => {
  const h = (harness = createTestBackend({
    callTimeoutMs: 60_000,
    control: { faults: [{ operation: "setSchedulerSyncCycleEnabled", fault: "hang" }] },
  }));
  // A call that works first: the filter below can match this backend's calls.
  await expect(h.backend.run("getScheduler", {})).resolves.toMatchObject({ syncCycleEnabled: true });
  const inFlight = errorOf(h.backend.run("setSchedulerSyncCycleEnabled", { enabled: false }));
  const queued = errorOf(h.backend.run("setSchedulerSyncCycleEnabled", { enabled: true }));
  for (let waited = 0; !h.fake.calls().some((c) => c.script === "setSchedulerSyncCycleEnabled"); waited++) {
    if (waited > 100) throw new Error("the hanging call never reached the fake PowerShell");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const [pid] = h.fake.processIds();
  expect(exists(pid!)).toBe(true);

  const started = Date.now();
  const pending: Promise<unknown>[] = [];
  const waitFor: WaitFor = (work) => pending.push(work);
  (process as NodeJS.EventEmitter).emit(ENGINE_GONE_EVENT, waitFor);
  await Promise.all(pending);
  expect(pending).toHaveLength(1);

  const error = await inFlight;
  expect(isOperationError(error, "Transport")).toBe(true);
  expect(Date.now() - started).toBeLessThan(3_000);
  expect(exists(pid!)).toBe(false);
  const refused = await queued;
  expect(refused.message).toContain("the deployment that started this provider process is gone");
  const later = await errorOf(h.backend.run("getScheduler", {}));
  expect(later.message).toContain("was not sent to this server (local PowerShell)");
  // One PowerShell process only, and after the hanging call nothing more reached it.
  expect(h.fake.processIds()).toEqual([pid]);
  expect(h.fake.calls().map((call) => call.script)).toEqual([
    "_session",
    "getScheduler",
    "setSchedulerSyncCycleEnabled",
  ]);
  expect(h.logLines.join("\n")).toContain("the deployment that started this process is gone");
  await abandonAllBackends();
});
