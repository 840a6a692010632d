import { groupWritebackFeatureProvider } from "../../../providers/groupWritebackFeature/provider";
import { closeClients } from "../../../providers/common/connection";
import { schedulerStateProvider as provider } from "../../../providers/schedulerState/provider";
import { advance, wizardSetStagingMode, withState } from "../../../simulator";
import { captureProgress, type Lab, newLab, rejection, versioned } from "./support";

let lab: Lab;
let progress: ReturnType<typeof captureProgress>;
beforeEach(async () => {
  lab = await newLab();
  progress = captureProgress();
});
afterEach(async () => {
  progress.restore();
  await lab.cleanup();
});

test("check fills defaults and names a wrong value", async () => {
  const ok = await provider.check({}, versioned({ target: lab.target }));
  expect(ok.failures).toBeUndefined();
  expect(ok.inputs).toMatchObject({
    syncCycleEnabled: true,
    role: "active",
    startSyncCycleAfterEnable: null,
    syncIdleTimeoutSeconds: 600,
  });
  const bad = await provider.check({}, versioned({ target: lab.target, role: "primary" }));
  expect(bad.failures?.map((f) => f.property)).toEqual(["role"]);
});

test("create enables a disabled scheduler after the running cycle, and read shows it", async () => {
  await lab.call("setSchedulerSyncCycleEnabled", { enabled: false });
  await lab.call("startSyncCycle", { policyType: "Delta" });
  const inputs = (await provider.check({}, versioned({ target: lab.target }))).inputs!;
  const created = await provider.create(inputs);
  expect(created.id).toBe("scheduler/CONNECT01");
  expect(created.outs).toMatchObject({
    syncCycleEnabled: true,
    computerName: "CONNECT01",
    connectVersion: "2.4.18.0",
  });
  expect(await lab.syncCycleEnabled()).toBe(true);
  expect(progress.lines.join("\n")).toMatch(/waiting for the running sync cycle/);

  await lab.call("setSchedulerSyncCycleEnabled", { enabled: false });
  const read = await provider.read(created.id, created.outs);
  expect(read.props?.syncCycleEnabled).toBe(false);
  expect((await provider.diff(created.id, read.props, inputs)).changes).toBe(true);
});

test("a staging stack refuses an active server, and the reverse shows as drift", async () => {
  const staging = (await provider.check({}, versioned({ target: lab.target, role: "staging" }))).inputs!;
  expect(await rejection(provider.create(staging))).toMatch(
    /CONNECT01 is not in staging mode, but this stack's role is staging/,
  );
  expect(lab.operations().filter((o) => o.startsWith("set"))).toEqual([]);

  const active = (await provider.check({}, versioned({ target: lab.target }))).inputs!;
  const created = await provider.create(active);
  await wizardSetStagingMode(lab.stateFile, true);
  const read = await provider.read(created.id, created.outs);
  expect(read.props?.stagingModeEnabled).toBe(true);
  expect((await provider.diff(created.id, read.props, active)).changes).toBe(true);
});

test("delete never leaves the scheduler disabled", async () => {
  const inputs = (await provider.check({}, versioned({ target: lab.target }))).inputs!;
  const created = await provider.create(inputs);
  await lab.call("setSchedulerSyncCycleEnabled", { enabled: false });
  await provider.delete(created.id, created.outs);
  expect(await lab.syncCycleEnabled()).toBe(true);
});

test("diff replaces on another target and ignores nothing else silently", async () => {
  const inputs = (await provider.check({}, versioned({ target: lab.target }))).inputs!;
  const created = await provider.create(inputs);
  expect(await provider.diff(created.id, created.outs, inputs)).toMatchObject({
    changes: false,
    replaces: [],
  });
  const moved = { ...inputs, target: { kind: "simulator", stateFile: "/elsewhere.json" } };
  expect(await provider.diff(created.id, created.outs, moved)).toMatchObject({
    changes: true,
    replaces: ["target"],
  });
  const slower = { ...inputs, syncIdleTimeoutSeconds: 30 };
  expect(await provider.diff(created.id, created.outs, slower)).toMatchObject({
    changes: true,
    replaces: [],
  });
});

test("a scheduler left disabled is a change on a plain diff, and the update re-enables it and says so", async () => {
  const inputs = (await provider.check({}, versioned({ target: lab.target }))).inputs!;
  const created = await provider.create(inputs);
  expect(await provider.diff(created.id, created.outs, inputs)).toMatchObject({ changes: false });
  // What an interrupted pause window leaves: the server disabled, the stack's state still enabled.
  await lab.call("setSchedulerSyncCycleEnabled", { enabled: false });
  expect(created.outs.syncCycleEnabled).toBe(true);
  await closeClients(); // the next deployment runs in a new provider process, with nothing remembered
  expect(await provider.diff(created.id, created.outs, inputs)).toMatchObject({
    changes: true,
    replaces: [],
  });
  expect(progress.lines.join("\n")).toContain(
    "the sync scheduler on CONNECT01 is disabled (SyncCycleEnabled = False), but this stack declares it enabled",
  );
  const updated = await provider.update(created.id, created.outs, inputs);
  expect(updated.outs).toMatchObject({ syncCycleEnabled: true });
  expect(await lab.syncCycleEnabled()).toBe(true);
  expect(progress.lines.join("\n")).toContain(
    "REPAIRED: the sync scheduler on CONNECT01 was disabled (SyncCycleEnabled = False) although this stack declares it enabled",
  );
});

test("diff reuses the scheduler read that refresh made in the same process", async () => {
  const inputs = (await provider.check({}, versioned({ target: lab.target }))).inputs!;
  const created = await provider.create(inputs); // a change: the client forgets what it read before
  const reads = () =>
    lab.operations().filter((o) => o.startsWith("getScheduler") || o.startsWith("getServerState")).length;
  const before = reads();
  const refreshed = await provider.read(created.id, created.outs);
  expect(reads()).toBe(before + 1); // the refresh reads the server once
  await provider.diff(created.id, refreshed.props, inputs);
  await provider.diff(created.id, refreshed.props, inputs); // preview --refresh diffs twice
  expect(reads()).toBe(before + 1); // the refresh's read, not another round trip
});

describe("pause windows left on the server", () => {
  const openWindow = (owner: string, initialCycle = false) =>
    lab.call("openSyncWindow", {
      owner,
      change: "enabling Group Writeback V2",
      initialCycle,
      leaseSeconds: 600,
    });
  const windowOnServer = async () => ((await lab.call("getSyncWindow")) as { window: unknown }).window;

  test("destroy leaves another stack's open window to that stack, and finishes this stack's own", async () => {
    const inputs = (await provider.check({}, versioned({ target: lab.target, stack: "entra-writeback/lab" })))
      .inputs!;
    const created = await provider.create(inputs);
    await openWindow("entra-writeback/other");
    await lab.call("setSchedulerSyncCycleEnabled", { enabled: false });
    await provider.delete(created.id, created.outs);
    expect(await lab.syncCycleEnabled()).toBe(false); // the other deployment's resume re-enables it
    expect(progress.lines.join("\n")).toContain(
      "is paused by entra-writeback/other for enabling Group Writeback V2",
    );

    await lab.call("closeSyncWindow", { owner: "entra-writeback/other" });
    await openWindow("entra-writeback/lab");
    await provider.delete(created.id, created.outs);
    expect(await lab.syncCycleEnabled()).toBe(true);
    expect(await windowOnServer()).toBeNull();
  });

  test("this stack's own, left by an interrupted deployment after the v2 change: the scheduler is re-enabled here, the owed Initial cycle by the v2 step", async () => {
    const inputs = (await provider.check({}, versioned({ target: lab.target, stack: "entra-writeback/lab" })))
      .inputs!;
    const created = await provider.create(inputs);
    await openWindow("entra-writeback/lab", true);
    await lab.call("setSchedulerSyncCycleEnabled", { enabled: false });
    await lab.call("setGroupWritebackV2", { enabled: true });
    expect(await provider.diff(created.id, created.outs, inputs)).toMatchObject({ changes: true });
    await provider.update(created.id, created.outs, inputs);
    expect(await lab.syncCycleEnabled()).toBe(true);
    expect(progress.lines.join("\n")).toMatch(
      /REPAIRED: an interrupted deployment of this stack \(entra-writeback\/lab\) left its pause window on simulator .* open \(opened .* for enabling Group Writeback V2\): re-enabled the sync scheduler \(SyncCycleEnabled = True\); the Initial sync cycle that window owes is left to the enabling Group Writeback V2 step/,
    );
    expect(lab.operations()).not.toContain('startSyncCycle({"policyType":"Initial"})');
    expect(await windowOnServer()).not.toBeNull();

    // The v2 step of the same run: the flag is on, so the cycle is owed; it starts it and closes the window.
    const v2 = (
      await groupWritebackFeatureProvider.check(
        {},
        versioned({ target: lab.target, version: "v2", stack: "entra-writeback/lab" }),
      )
    ).inputs!;
    await groupWritebackFeatureProvider.create(v2);
    expect(lab.operations()).toContain('startSyncCycle({"policyType":"Initial"})');
    expect(await windowOnServer()).toBeNull();
    expect(progress.lines.join("\n")).toMatch(
      /REPAIRED: an interrupted deployment of this stack \(entra-writeback\/lab\) left its pause window .*: started the Initial sync cycle that window owed .*; closed the window/,
    );
  });

  test("another stack's open window: diff leaves the scheduler to it, create refuses naming it; once lapsed, it is taken over", async () => {
    const inputs = (await provider.check({}, versioned({ target: lab.target, stack: "entra-writeback/lab" })))
      .inputs!;
    const created = await provider.create(inputs);
    await openWindow("entra-writeback/other");
    await lab.call("setSchedulerSyncCycleEnabled", { enabled: false });
    expect(await provider.diff(created.id, created.outs, inputs)).toMatchObject({ changes: false });
    expect(progress.lines.join("\n")).toContain(
      "the sync scheduler on CONNECT01 is paused by entra-writeback/other for enabling Group Writeback V2",
    );
    const writesBefore = lab.operations().filter((o) => /^(set|start|close)/.test(o));
    expect(await rejection(provider.update(created.id, created.outs, inputs))).toMatch(
      /another stack, entra-writeback\/other, has the sync scheduler on CONNECT01 paused for enabling Group Writeback V2 \(its window opened .* and lapses .*\)\. Two stacks must not pause and resume the same scheduler at once: nothing was changed/,
    );
    expect(lab.operations().filter((o) => /^(set|start|close)/.test(o))).toEqual(writesBefore);
    expect(await lab.syncCycleEnabled()).toBe(false);

    await withState(lab.stateFile, (tx) => advance(tx, 601));
    expect(await provider.diff(created.id, created.outs, inputs)).toMatchObject({ changes: true });
    await provider.update(created.id, created.outs, inputs);
    expect(await lab.syncCycleEnabled()).toBe(true);
    expect(await windowOnServer()).toBeNull();
    expect(progress.lines.join("\n")).toMatch(
      /REPAIRED: entra-writeback\/other, whose window lapsed at .*, left its pause window on simulator .* open/,
    );
  });
});
