import { schedulerStateProvider as provider } from "../../../providers/schedulerState/provider";
import { wizardSetStagingMode } from "../../../simulator";
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
