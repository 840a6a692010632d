import { isOperationError } from "../../../contract/errors";
import { addFault, clearFaults, runAction, withState } from "../../../simulator";
import { newSim, type Sim } from "./testSupport";

let sim: Sim;
beforeEach(async () => {
  sim = await newSim();
});
afterEach(async () => sim.cleanup());

describe("injected faults", () => {
  it("fail the next N calls of the operation with InjectedFault, then stop", async () => {
    await runAction(sim.file, "fault.add", {}, {}, (tx) =>
      addFault(tx, { operation: "getScheduler", times: 2 }),
    );
    for (let i = 0; i < 2; i++) {
      await expect(sim.client.call("getScheduler", {})).rejects.toMatchObject({
        code: "InjectedFault",
        message: "injected fault: getScheduler failed (entra-sim fault)",
      });
    }
    expect((await sim.client.call("getScheduler", {})).syncCycleEnabled).toBe(true);
    // Other operations are not affected.
    expect((await sim.client.call("getServerInfo", {})).computerName).toBe("CONNECT01");
    const fired = sim.journal().filter((entry) => entry.kind === "event" && entry.event === "fault-fired");
    expect(fired.map((entry) => entry.kind === "event" && entry.details.remaining)).toEqual([1, 0]);
    const failed = sim.journal().filter((entry) => entry.kind === "operation" && entry.outcome === "error");
    expect(failed.map((entry) => entry.kind === "operation" && entry.code)).toEqual([
      "InjectedFault",
      "InjectedFault",
    ]);
    expect((await sim.state()).faults).toEqual([]);
  });

  it("use the given message, and do not apply the operation", async () => {
    await runAction(sim.file, "fault.add", {}, {}, (tx) =>
      addFault(tx, { operation: "setSchedulerSyncCycleEnabled", message: "WinRM dropped the session" }),
    );
    const error = await sim.client
      .call("setSchedulerSyncCycleEnabled", { enabled: false })
      .catch((caught: unknown) => caught);
    expect(isOperationError(error, "InjectedFault")).toBe(true);
    expect((error as Error).message).toBe("WinRM dropped the session");
    expect((await sim.state()).tenant.scheduler.syncCycleEnabled).toBe(true);
  });

  it("hang: the call does not return, the caller's timeout fires, and the state stays usable", async () => {
    await runAction(sim.file, "fault.add", {}, {}, (tx) =>
      addFault(tx, { operation: "startSyncCycle", kind: "hang" }),
    );
    const hung = sim.client.call("startSyncCycle", { policyType: "Delta" });
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve("timed out"), 200));
    expect(
      await Promise.race([
        hung.then(
          () => "returned",
          () => "failed",
        ),
        timeout,
      ]),
    ).toBe("timed out");
    // The lock is free while the call hangs: other calls go through.
    expect((await sim.client.call("getScheduler", {})).syncCycleInProgress).toBe(false);
    await sim.client.close();
    await expect(hung).rejects.toMatchObject({ code: "Transport" });
    expect(
      sim
        .journal()
        .some(
          (entry) => entry.kind === "event" && entry.event === "fault-fired" && entry.details.kind === "hang",
        ),
    ).toBe(true);
  });

  it("can be cleared", async () => {
    await runAction(sim.file, "fault.add", {}, {}, (tx) =>
      addFault(tx, { operation: "getScheduler", times: 5 }),
    );
    expect(await withState(sim.file, clearFaults)).toBe(1);
    expect((await sim.client.call("getScheduler", {})).syncCycleEnabled).toBe(true);
  });

  it("reject an unknown operation", async () => {
    await expect(withState(sim.file, (tx) => addFault(tx, { operation: "nope" as never }))).rejects.toThrow(
      /an operation of the contract/,
    );
  });
});

describe("a fault armed --after N calls", () => {
  it("lets N calls through, then fires: a hang on the resume, not on the pause", async () => {
    await runAction(sim.file, "fault.add", {}, {}, (tx) =>
      addFault(tx, { operation: "setSchedulerSyncCycleEnabled", after: 1, message: "resume lost" }),
    );
    expect((await sim.client.call("setSchedulerSyncCycleEnabled", { enabled: false })).syncCycleEnabled).toBe(
      false,
    );
    await expect(sim.client.call("setSchedulerSyncCycleEnabled", { enabled: true })).rejects.toMatchObject({
      code: "InjectedFault",
      message: "resume lost",
    });
    expect((await sim.state()).faults).toEqual([]);
    expect((await sim.client.call("setSchedulerSyncCycleEnabled", { enabled: true })).syncCycleEnabled).toBe(
      true,
    );
  });
});
