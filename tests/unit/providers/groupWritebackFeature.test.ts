import { type Backend, EntraConnectClient } from "../../../contract/backend";
import { MIGRATION_WINDOW_CHANGE } from "../../../domain/cloudSyncMigration";
import { clearClaimsForTests } from "../../../providers/common/claims";
import { closeClients, useClientForTests } from "../../../providers/common/connection";
import { implementationFor } from "../../../providers/registry";
import { groupWritebackFeatureProvider as provider } from "../../../providers/groupWritebackFeature/provider";
import { addFault, createSimulatorBackend, wizardEnableGroupWriteback, withState } from "../../../simulator";
import { captureProgress, type Lab, newLab, rejection, versioned } from "./support";

let lab: Lab;
let progress: ReturnType<typeof captureProgress>;
afterEach(async () => {
  progress.restore();
  await lab.cleanup();
});
async function start(options: Parameters<typeof newLab>[0] = {}) {
  lab = await newLab(options);
  progress = captureProgress();
}

const v2 = (extra: object = {}) =>
  provider.check({}, versioned({ target: lab.target, version: "v2", ...extra })).then((r) => r.inputs!);
const v1 = (extra: object = {}) =>
  provider
    .check({}, versioned({ target: lab.target, version: "v1", writebackOu: lab.ou, ...extra }))
    .then((r) => r.inputs!);

describe("v2", () => {
  test("enables the flag inside a pause/resume window", async () => {
    await start();
    const created = await provider.create(await v2());
    expect(created.outs).toMatchObject({ enabled: true, adopted: false, connectVersion: "2.4.18.0" });
    expect(lab.operations().filter((o) => o.startsWith("set"))).toEqual([
      'setSchedulerSyncCycleEnabled({"enabled":false})',
      'setGroupWritebackV2({"enabled":true})',
      'setSchedulerSyncCycleEnabled({"enabled":true})',
    ]);
    expect((await lab.features()).groupWritebackV2).toBe(true);
  });

  test("the window is marked on the server for its whole length, in this stack's name", async () => {
    await start();
    await provider.create(await v2({ stack: "entra-writeback/lab" }));
    const window = lab.operations().filter((o) => /SyncWindow|^set|^start/.test(o));
    expect(window[0]).toMatch(
      /^openSyncWindow\(\{"owner":"entra-writeback\/lab","change":"enabling Group Writeback V2","initialCycle":false,"leaseSeconds":\d+\}\)$/,
    );
    expect(window.slice(1)).toEqual([
      'setSchedulerSyncCycleEnabled({"enabled":false})',
      'setGroupWritebackV2({"enabled":true})',
      'setSchedulerSyncCycleEnabled({"enabled":true})',
      'closeSyncWindow({"owner":"entra-writeback/lab"})',
    ]);
    expect(((await lab.call("getSyncWindow")) as { window: unknown }).window).toBeNull();
  });

  test("another stack's open window: refused with its name, nothing changed", async () => {
    await start();
    await lab.call("openSyncWindow", {
      owner: "entra-writeback/staging",
      change: "enabling Group Writeback V2",
      initialCycle: false,
      leaseSeconds: 600,
    });
    expect(await rejection(provider.create(await v2({ stack: "entra-writeback/production" })))).toMatch(
      /^enabling Group Writeback V2: another stack, entra-writeback\/staging, has the sync scheduler on simulator .* paused for enabling Group Writeback V2 \(its window opened .* and lapses .*\)\. Two stacks must not pause and resume the same scheduler at once: nothing was changed\. Retry when that deployment has finished\./,
    );
    expect(lab.operations().filter((o) => o.startsWith("set"))).toEqual([]);
    expect((await lab.features()).groupWritebackV2).toBe(false);
  });

  test("a flag already on with this stack's window left open (killed before the Initial cycle): the cycle is started", async () => {
    await start();
    await lab.call("setGroupWritebackV2", { enabled: true });
    await lab.call("openSyncWindow", {
      owner: "entra-writeback/lab",
      change: "enabling Group Writeback V2",
      initialCycle: true,
      leaseSeconds: 600,
    });
    const created = await provider.create(await v2({ stack: "entra-writeback/lab" }));
    expect(created.outs).toMatchObject({ enabled: true, adopted: true });
    expect(lab.operations()).toContain('startSyncCycle({"policyType":"Initial"})');
    expect(((await lab.call("getSyncWindow")) as { window: unknown }).window).toBeNull();
    expect(progress.lines.join("\n")).toContain("started the Initial sync cycle that window owed");
  });

  test("adopts a flag that is already on without touching the scheduler", async () => {
    await start();
    await lab.call("setGroupWritebackV2", { enabled: true });
    const created = await provider.create(await v2({ mode: "require" }));
    expect(created.outs).toMatchObject({ enabled: true, adopted: true });
    expect(lab.operations().filter((o) => o.startsWith("set"))).toEqual([]);
  });

  test("refuses builds older than 2.0.89.0 before changing anything", async () => {
    await start({ connectVersion: "2.0.88.0" });
    expect(await rejection(provider.create(await v2()))).toMatch(
      /2\.0\.88\.0 on CONNECT01 is older than 2\.0\.89\.0/,
    );
    expect(lab.operations().filter((o) => o.startsWith("set"))).toEqual([]);
  });

  test("starts an Initial cycle when v1 was already configured, as Microsoft documents", async () => {
    await start();
    await wizardEnableGroupWriteback(lab.stateFile, { ou: "OU=Groups,OU=Corp,DC=contoso,DC=com" });
    await lab.call("getScheduler"); // the wizard's own cycle
    await withState(lab.stateFile, (tx) => tx.state.servers.forEach((s) => (s.currentCycle = null)));
    await provider.create(await v2());
    expect(lab.operations()).toContain('startSyncCycle({"policyType":"Initial"})');
  });

  test("read shows a flag turned off, and diff reports it", async () => {
    await start();
    const inputs = await v2();
    const created = await provider.create(inputs);
    await lab.call("setGroupWritebackV2", { enabled: false });
    const read = await provider.read(created.id, created.outs);
    expect(read.props?.enabled).toBe(false);
    expect((await provider.diff(created.id, read.props, inputs)).changes).toBe(true);
  });

  test("delete retains the flag by default and disables it only when asked", async () => {
    await start();
    const kept = await provider.create(await v2());
    await provider.delete(kept.id, kept.outs);
    expect((await lab.features()).groupWritebackV2).toBe(true);
    expect(progress.lines.join("\n")).toContain("GroupWritebackV2 stays on");
    const disabling = { ...(kept.outs as object), onDelete: "disable" };
    await provider.delete(kept.id, disabling);
    expect((await lab.features()).groupWritebackV2).toBe(false);
    expect(await lab.syncCycleEnabled()).toBe(true);
  });

  test("delete of a v2 resource whose flag is already off (the migration to Cloud Sync turned it off) says so and changes nothing", async () => {
    await start();
    const created = await provider.create(await v2());
    await lab.call("setGroupWritebackV2", { enabled: false });
    const before = lab.operations().length;
    progress.lines.length = 0;
    await provider.delete(created.id, created.outs);
    expect(progress.lines.join("\n")).toContain("GroupWritebackV2 is off for the tenant");
    expect(progress.lines.join("\n")).not.toContain("stays on");
    expect(
      lab
        .operations()
        .slice(before)
        .filter((operation) => !operation.startsWith("get")),
    ).toEqual([]);
  });

  test("a failed flag change re-enables the scheduler and says so", async () => {
    await start();
    await withState(lab.stateFile, (tx) =>
      addFault(tx, { operation: "setGroupWritebackV2", message: "boom" }),
    );
    const message = await rejection(provider.create(await v2()));
    expect(message).toMatch(
      /enabling Group Writeback V2 failed on .*boom.*The sync scheduler was re-enabled/s,
    );
    expect(await lab.syncCycleEnabled()).toBe(true);
  });
});

describe("v1", () => {
  /** 3 Microsoft 365 groups (1 opted out), v2 on, the writeback OU created and granted: only the wizard step is left. */
  async function startReadyForV1() {
    await start({ m365: 3, m365OptedOut: 1, security: 0, securityEnabled: 0 });
    await lab.call("setGroupWritebackV2", { enabled: true });
    await lab.call("newOrganizationalUnit", {
      name: "Entra Writeback",
      parentDn: "OU=Groups,OU=Corp,DC=contoso,DC=com",
    });
    await lab.call("grantWritebackAccess", { dn: lab.ou, accountDn: lab.account });
  }

  test("refuses while v2 is off, before printing any wizard step", async () => {
    await start();
    const message = await rejection(provider.create(await v1()));
    expect(message).toContain("refusing group writeback v1");
    expect(message).not.toContain("Optional features");
  });

  test("without the wizard step: fails with the exact steps, including the DN-format checkbox", async () => {
    await start();
    await lab.call("setGroupWritebackV2", { enabled: true });
    const message = await rejection(provider.create(await v1({ dnFormat: "displayName" })));
    expect(message).toContain(`choose the OU ${lab.ou}`);
    expect(message).toContain('SELECT "Writeback group Distinguished Name with cloud Display Name"');
    expect(message).toContain(
      `entra-sim wizard ${lab.stateFile} group-writeback --enable --ou "${lab.ou}" --display-name-dn`,
    );
    expect(message).toContain("UnifiedGroupWriteback (Get-ADSyncAADCompanyFeature) is False");
  });

  test("waits for the admin with progress messages and continues once the step is done", async () => {
    await startReadyForV1();
    // The admin does the wizard step during the second wait.
    const simulator = createSimulatorBackend({ stateFile: lab.stateFile, client: "pulumi" });
    let sleeps = 0;
    const admin: Backend = {
      ...simulator,
      description: simulator.description,
      run: (operation, args) => simulator.run(operation, args),
      async sleep(ms) {
        sleeps += 1;
        if (sleeps === 2) await wizardEnableGroupWriteback(lab.stateFile, { ou: lab.ou });
        await simulator.sleep(ms);
      },
    };
    useClientForTests(lab.target, new EntraConnectClient(admin));
    const created = await provider.create(await v1({ wizardWaitSeconds: 60, wizardPollSeconds: 5 }));
    const transcript = progress.lines.join("\n");
    expect(transcript).toContain("Waiting up to 60 s for the wizard step");
    expect(transcript).toContain("still waiting for the wizard step on CONNECT01 (5 s of 60 s)");
    expect(transcript).toMatch(/the wizard step is done on CONNECT01 \(after 10 s\)/);
    expect(created.outs).toMatchObject({ configured: true, containerDn: lab.ou, writtenBackGroupCount: 2 });
  });

  test("gives up after wizardWaitSeconds with the steps", async () => {
    await start();
    await lab.call("setGroupWritebackV2", { enabled: true });
    const message = await rejection(
      provider.create(await v1({ wizardWaitSeconds: 20, wizardPollSeconds: 10 })),
    );
    expect(message).toContain("Gave up after waiting 20 s (wizardWaitSeconds)");
  });

  test("another OU in the wizard needs a person: it explains and never waits", async () => {
    await start();
    await lab.call("setGroupWritebackV2", { enabled: true });
    await wizardEnableGroupWriteback(lab.stateFile, { ou: "OU=Groups,OU=Corp,DC=contoso,DC=com" });
    const message = await rejection(provider.create(await v1({ wizardWaitSeconds: 600 })));
    expect(message).toContain("writes to OU=Groups,OU=Corp,DC=contoso,DC=com");
    expect(message).toContain("DELETES every written-back group");
    expect(progress.lines.join("\n")).not.toContain("Waiting up to");
  });

  test("staging role reports the pending exports and the switch as manual steps", async () => {
    await start({ m365: 3, m365OptedOut: 0, security: 0, securityEnabled: 0, staging: true });
    await lab.call("setGroupWritebackV2", { enabled: true });
    await lab.call("newOrganizationalUnit", {
      name: "Entra Writeback",
      parentDn: "OU=Groups,OU=Corp,DC=contoso,DC=com",
    });
    await wizardEnableGroupWriteback(lab.stateFile, { ou: lab.ou });
    const created = await provider.create(await v1({ role: "staging" }));
    expect(created.outs).toMatchObject({
      writtenBackGroupCount: 0,
      pendingExports: { adds: 3, updates: 0, deletes: 0 },
    });
    expect((created.outs as { pendingManualSteps: string[] }).pendingManualSteps.join(" ")).toContain(
      "3 adds",
    );
  });

  test("read and diff: the wizard's OU changed by hand is drift", async () => {
    await start();
    await lab.call("setGroupWritebackV2", { enabled: true });
    await wizardEnableGroupWriteback(lab.stateFile, { ou: "OU=Groups,OU=Corp,DC=contoso,DC=com" });
    const inputs = await v1({ writebackOu: "OU=Groups,OU=Corp,DC=contoso,DC=com" });
    const created = await provider.create(inputs);
    expect((await provider.diff(created.id, created.outs, inputs)).changes).toBe(false);
    const moved = { ...(created.outs as object), containerDn: lab.ou };
    expect((await provider.diff(created.id, moved, inputs)).changes).toBe(true);
  });

  test("read: an OU that does not exist counts 0 written-back groups; any other failure is reported", async () => {
    await startReadyForV1();
    await wizardEnableGroupWriteback(lab.stateFile, { ou: lab.ou });
    const created = await provider.create(await v1());
    expect(created.outs).toMatchObject({ writtenBackGroupCount: 2 });
    const missingOu = { ...(created.outs as object), writebackOu: "OU=Missing,OU=Corp,DC=contoso,DC=com" };
    expect((await provider.read(created.id, missingOu)).props).toMatchObject({ writtenBackGroupCount: 0 });
    // The count comes from the hazard read (getCloudGroupWriteback); when that fails, from listWrittenBackGroups.
    await withState(lab.stateFile, (tx) => {
      addFault(tx, { operation: "getCloudGroupWriteback", message: "Graph unreachable" });
      addFault(tx, { operation: "listWrittenBackGroups", message: "directory unreachable" });
    });
    expect(await rejection(provider.read(created.id, created.outs))).toContain("directory unreachable");
  });

  test("delete never disables v1", async () => {
    await start();
    await lab.call("setGroupWritebackV2", { enabled: true });
    await wizardEnableGroupWriteback(lab.stateFile, { ou: "OU=Groups,OU=Corp,DC=contoso,DC=com" });
    const created = await provider.create(await v1({ writebackOu: "OU=Groups,OU=Corp,DC=contoso,DC=com" }));
    const before = lab.operations().length;
    await provider.delete(created.id, created.outs);
    expect(
      lab
        .operations()
        .slice(before)
        .filter((o) => o.startsWith("set")),
    ).toEqual([]);
    expect((await lab.features()).unifiedGroupWriteback).toBe(true);
  });
});

describe("v2 preflight: the later resources' live checks run before the tenant-wide change", () => {
  test.each([
    [
      "an OU outside the sync scope",
      () => ({ writebackOu: "OU=Writeback,OU=Excluded,DC=contoso,DC=com", connectorAccountDn: lab.account }),
      /outside the sync scope .*\(excluded by OU=Excluded,DC=contoso,DC=com\).* Nothing was changed: checked before pausing the scheduler/,
    ],
    [
      "another connector account",
      () => ({ writebackOu: lab.ou, connectorAccountDn: "CN=MSOL_0000old00000,CN=Users,DC=contoso,DC=com" }),
      /exports with CN=MSOL_.*but entra-writeback:connectorAccountDn is CN=MSOL_0000old00000.* Nothing was changed/,
    ],
  ])("%s: refused with no write", async (_what, preflight, message) => {
    await start();
    expect(await rejection(provider.create(await v2({ preflight: preflight() })))).toMatch(message);
    expect(lab.writesSince()).toEqual([]);
    expect((await lab.features()).groupWritebackV2).toBe(false);
  });

  test("passes with the right OU and account, and the change goes ahead (the write can be seen)", async () => {
    await start();
    await provider.create(await v2({ preflight: { writebackOu: lab.ou, connectorAccountDn: lab.account } }));
    expect(lab.writesSince()).toContain('setGroupWritebackV2({"enabled":true})');
  });

  test("a change of the preflight values alone is no change of the v2 resource", async () => {
    await start();
    const created = await provider.create(
      await v2({ preflight: { writebackOu: lab.ou, connectorAccountDn: lab.account } }),
    );
    const moved = await v2({
      preflight: { writebackOu: `OU=Other,${lab.ou}`, connectorAccountDn: lab.account },
    });
    expect(await provider.diff(created.id, created.outs, moved)).toMatchObject({ changes: false });
  });
});

test("the wizard hint quotes the OU for the shell: pasted, $(…) and backticks stay text", async () => {
  await start();
  await lab.call("setGroupWritebackV2", { enabled: true });
  const ou = "OU=$(touch pwned) `id`,OU=Groups,OU=Corp,DC=contoso,DC=com";
  const message = await rejection(provider.create(await v1({ writebackOu: ou })));
  const hint = /the admin's wizard step is: (npx entra-sim .*)$/m.exec(message)?.[1];
  expect(hint).toBe(`npx entra-sim wizard ${lab.stateFile} group-writeback --enable --ou '${ou}'`);
  const argv = require("node:child_process")
    .spawnSync("sh", ["-c", `printf '%s\\0' ${hint}`], {
      encoding: "utf8",
    })
    .stdout.split("\0");
  expect(argv.slice(0, -1)).toEqual([
    "npx",
    "entra-sim",
    "wizard",
    lab.stateFile,
    "group-writeback",
    "--enable",
    "--ou",
    ou,
  ]);
});

describe("v2 leaving the stack during the migration to Cloud Sync", () => {
  test("delete with onDelete disable leaves GroupWritebackV2 to the migration (its confirmation, its rules) while it is under way", async () => {
    await start();
    const created = await provider.create(await v2({ stack: "entra-writeback/unit" }));
    const disabling = { ...(created.outs as object), onDelete: "disable" };
    // The same stack's migration holds the server's pause window (steps 2 to 5).
    await lab.call("openSyncWindow", {
      owner: "entra-writeback/unit",
      change: MIGRATION_WINDOW_CHANGE,
      initialCycle: false,
      leaseSeconds: 3600,
    });
    await provider.delete(created.id, disabling);
    expect((await lab.features()).groupWritebackV2).toBe(true);
    expect(progress.lines.join("\n")).toContain("the migration to Cloud Sync is under way on");
    // Without the migration, the same delete disables it (the filter above can fail).
    await lab.call("closeSyncWindow", { owner: "entra-writeback/unit" });
    await provider.delete(created.id, disabling);
    expect((await lab.features()).groupWritebackV2).toBe(false);
  });
});

describe("v2 leaving the stack in the deployment that declares the migration", () => {
  afterEach(() => clearClaimsForTests());

  test("delete with onDelete disable leaves GroupWritebackV2 on when a migration step was checked in this deployment, before any step ran on the server (--continue-on-error)", async () => {
    await start();
    const created = await provider.create(await v2({ stack: "entra-writeback/unit" }));
    const disabling = { ...(created.outs as object), onDelete: "disable" };
    // The program declares the migration: the engine checks its steps before it deletes what left the program.
    // No window, no rules on the server yet (the wizard step refused; --continue-on-error went on to the delete).
    const checked = await implementationFor("CloudSyncMigrationStep").check(
      {},
      versioned({
        target: lab.target,
        step: "stagingOn",
        writebackOu: lab.ou,
        stack: "entra-writeback/unit",
      }),
    );
    expect(checked.failures ?? []).toEqual([]);
    const before = lab.operations().length;
    await provider.delete(created.id, disabling);
    expect((await lab.features()).groupWritebackV2).toBe(true);
    expect(lab.writesSince(before)).toEqual([]);
    expect(progress.lines.join("\n")).toContain(
      "(CONNECT01): this deployment declares the migration to Cloud Sync (entra-writeback:cloudSyncMigration), which turns it off itself",
    );
    // A deployment that does not declare it (a new provider process): the same delete disables the flag.
    clearClaimsForTests();
    await provider.delete(created.id, disabling);
    expect((await lab.features()).groupWritebackV2).toBe(false);
  });
});

describe("v2 release mode (the component's while the migration to Cloud Sync is declared)", () => {
  test("refused with onDelete disable: the migration turns the flag off, never this resource", async () => {
    await start();
    const checked = await provider.check(
      {},
      versioned({ target: lab.target, version: "v2", mode: "release", onDelete: "disable" }),
    );
    expect(checked.failures).toEqual([
      {
        property: "onDelete",
        reason:
          'mode "release" leaves GroupWritebackV2 to the migration to Cloud Sync, which turns it off itself: onDelete must be "retain"',
      },
    ]);
    expect((await v2({ mode: "release" })).onDelete).toBe("retain");
  });

  test("the update of a stored v2 resource with onDelete disable records retain and writes nothing; its delete then leaves the flag on", async () => {
    await start();
    const stored = await provider.create(await v2({ onDelete: "disable", stack: "entra-writeback/unit" }));
    expect(stored.outs).toMatchObject({ onDelete: "disable", enabled: true });
    const released = await v2({ mode: "release", stack: "entra-writeback/unit" });
    const diff = await provider.diff(stored.id, stored.outs, released);
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    const before = lab.operations().length;
    const updated = await provider.update!(stored.id, stored.outs, released);
    expect(lab.writesSince(before)).toEqual([]);
    expect(updated.outs).toMatchObject({ mode: "release", onDelete: "retain", enabled: true });
    expect(progress.lines.join("\n")).toContain(
      "GroupWritebackV2 is on for the tenant of CONNECT01; this resource only reads it: the migration to Cloud Sync " +
        "(entra-writeback:cloudSyncMigration) turns it off itself",
    );
    await provider.delete(stored.id, updated.outs!);
    expect(lab.writesSince(before)).toEqual([]);
    expect((await lab.features()).groupWritebackV2).toBe(true);
    expect(progress.lines.join("\n")).toContain(
      "GroupWritebackV2 is left as it is for the tenant of simulator",
    );
    // What the update replaced: the stored resource's own delete turns the flag off (the check above can fail).
    await provider.delete(stored.id, stored.outs);
    expect((await lab.features()).groupWritebackV2).toBe(false);
  });

  test("created with the flag on or off: a read-only adoption; read reports the flag; no drift either way", async () => {
    await start();
    const before = lab.operations().length;
    const released = await v2({ mode: "release" });
    const off = await provider.create(released);
    expect(off.outs).toMatchObject({ enabled: false, mode: "release", onDelete: "retain" });
    expect((await provider.diff(off.id, off.outs, released)).changes).toBe(false);
    // Someone turns it on; the next deployment's refresh (a new provider process: a new client) reads it.
    await lab.call("setGroupWritebackV2", { enabled: true });
    await closeClients();
    const on = await provider.read(off.id, off.outs);
    expect(on.props?.enabled).toBe(true);
    expect((await provider.diff(off.id, on.props, released)).changes).toBe(false);
    await lab.call("setGroupWritebackV2", { enabled: false });
    await closeClients();
    const offAgain = await provider.read(off.id, on.props);
    expect(offAgain.props?.enabled).toBe(false);
    expect((await provider.diff(off.id, offAgain.props, released)).changes).toBe(false);
    await provider.delete(off.id, offAgain.props);
    // The provider wrote nothing (the test's own writes go through another client).
    expect(lab.writesSince(before)).toEqual([]);
    // The same flag off in enable mode is drift, and its create tries to turn it on (the checks above can fail:
    // this tenant refuses, v2 was turned off on it).
    const enabling = await v2();
    expect((await provider.diff(off.id, { ...offAgain.props, mode: "enable" }, enabling)).changes).toBe(true);
    const enableFrom = lab.operations().length;
    expect(await rejection(provider.create(enabling))).toMatch(
      /the tenant refused to enable GroupWritebackV2/,
    );
    expect(lab.writesSince(enableFrom)).toContain('setSchedulerSyncCycleEnabled({"enabled":false})');
  });
});
