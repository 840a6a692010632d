// Scenarios 4 and 5: a sync cycle running at the start, and a fault on the v2 step. Whatever happens,
// the scheduler ends enabled, and the error says what happened.
import { failureOf, labServersForThisFile, labStack, providerOperations, show, simOk } from "./support/lab";

jest.setTimeout(5 * 60_000);

const newServer = labServersForThisFile();

const labServer = (flags: string[] = []) => newServer(["--m365", "4", "--m365-opted-out", "1", ...flags]);

test("a running sync cycle: the pause waits with progress, then proceeds", async () => {
  const stateFile = labServer();
  simOk(["busy", stateFile, "--seconds", "30"]);
  const testStack = await labStack("busy-wait", stateFile, { syncIdleTimeoutSeconds: 120 });
  try {
    // It stops later, at the wizard step (not done here); what matters is that v2 went through.
    const output = await failureOf(testStack.stack.up());
    expect(output).toMatch(
      /waiting for the running sync cycle on simulator .* to finish \(0 s of at most 120 s\)/,
    );
    expect(output).toMatch(/the sync cycle finished after \d+ s/);
    expect(output).toContain("Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard");
    const { state } = show(stateFile);
    expect(state.tenant.features.groupWritebackV2).toBe(true);
    expect(state.tenant.scheduler.syncCycleEnabled).toBe(true);
  } finally {
    await testStack.cleanup();
  }
});

test("a sync cycle past syncIdleTimeoutSeconds: fails clearly and leaves the scheduler unchanged", async () => {
  const stateFile = labServer();
  simOk(["busy", stateFile, "--seconds", "3600"]);
  const testStack = await labStack("busy-timeout", stateFile, { syncIdleTimeoutSeconds: 60 });
  try {
    const output = await failureOf(testStack.stack.up());
    expect(output).toMatch(
      /a sync cycle is still running on simulator .* after 60 s \(syncIdleTimeoutSeconds\)/,
    );
    expect(output).toContain("Nothing was changed");
    const writes = providerOperations(stateFile).filter((o) => o.operation.startsWith("set"));
    expect(writes).toEqual([]);
    const { state } = show(stateFile);
    expect(state.tenant.scheduler.syncCycleEnabled).toBe(true);
    expect(state.tenant.features.groupWritebackV2).toBe(false);
  } finally {
    await testStack.cleanup();
  }
});

test("a fault on the v2 step: the scheduler ends enabled and the error says what happened", async () => {
  const stateFile = labServer();
  simOk(["fault", stateFile, "setGroupWritebackV2", "--message", "simulated tenant outage"]);
  const testStack = await labStack("fault", stateFile);
  try {
    const output = await failureOf(testStack.stack.up());
    expect(output).toMatch(/enabling Group Writeback V2 failed on simulator .*simulated tenant outage/);
    expect(output).toContain("The sync scheduler was re-enabled (SyncCycleEnabled = True)");
    const sequence = providerOperations(stateFile)
      .filter((o) => o.operation.startsWith("set"))
      .map((o) => `${o.operation}(${JSON.stringify(o.args)}) ${o.outcome}`);
    expect(sequence).toEqual([
      'setSchedulerSyncCycleEnabled({"enabled":false}) ok',
      'setGroupWritebackV2({"enabled":true}) error',
      'setSchedulerSyncCycleEnabled({"enabled":true}) ok',
    ]);
    const { state } = show(stateFile);
    expect(state.tenant.scheduler.syncCycleEnabled).toBe(true);
    expect(state.tenant.features.groupWritebackV2).toBe(false);
  } finally {
    await testStack.cleanup();
  }
});

test("a hang on the v2 step: the call times out and the scheduler ends enabled", async () => {
  const stateFile = labServer();
  simOk(["fault", stateFile, "setGroupWritebackV2", "--kind", "hang"]);
  const testStack = await labStack("hang", stateFile, { callTimeoutSeconds: 3 });
  try {
    const output = await failureOf(testStack.stack.up());
    expect(output).toMatch(/setGroupWritebackV2 on simulator .* did not answer within 3 s/);
    expect(output).toContain("The sync scheduler was re-enabled");
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(true);
  } finally {
    await testStack.cleanup();
  }
});
