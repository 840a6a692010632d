// The migration of Group Writeback V2 security groups to Cloud Sync (docs/cloud-sync-migration.md), run by the real
// `pulumi` CLI against the simulated server: a legacy tenant converged by today's stack, the plan refused without the
// name-keeping mapping and then stated with live counts, the wizard steps done as printed, the stop before the
// irreversible step until it is confirmed, and afterwards the same 50 AD groups, none renamed, moved or deleted,
// while the Microsoft 365 groups follow v1.
import { type RunningGraphSimulator, startGraphSimulator } from "../../simulator/graph";
import { type CliProject, type CliRun, cliProject, failed, setKey } from "./support/cliProject";
import { graphKeysFor } from "./support/graph";
import {
  type AdObject,
  groupsIn,
  LAB_ACCOUNT,
  LAB_OU,
  labServersForThisFile,
  providerOperations,
  show,
  simOk,
  wizardEnable,
} from "./support/lab";

jest.setTimeout(10 * 60_000);

const newServer = labServersForThisFile();
const LEGACY = ["--m365", "40", "--m365-opted-out", "10", "--security", "50", "--security-enabled", "50"];
const UP = ["up", "--yes", "--skip-preview"];
const MIGRATION = "entra-writeback:cloudSyncMigration";

interface Group extends AdObject {
  externalDirectoryObjectId?: string | null;
  objectGuid?: string;
}

function groups(stateFile: string): Group[] {
  return groupsIn(stateFile, LAB_OU) as Group[];
}

/** The written-back cloud security groups (a Microsoft 365 group may be written back as a security group too). */
function security(stateFile: string): Group[] {
  const ids = new Set(
    show(stateFile)
      .state.tenant.groups.filter((group) => group.type === "security")
      .map((group) => `Group_${group.objectId}`),
  );
  return groups(stateFile).filter((group) => ids.has(group.adminDescription ?? ""));
}

/** Converged by today's stack: up (stops at the wizard step), the wizard step, up again. */
async function convergedLegacy(name: string): Promise<{ stateFile: string; project: CliProject }> {
  const stateFile = newServer(LEGACY);
  const project = await cliProject(name, stateFile);
  const first = await project.run(UP);
  expect(first.output).toContain(
    "Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard",
  );
  wizardEnable(stateFile);
  const second = await project.run(UP);
  expect(second.exitCode).toBe(0);
  simOk(["clock", stateFile, "--advance", "120"]);
  expect(security(stateFile)).toHaveLength(50);
  expect(groups(stateFile)).toHaveLength(80);
  return { stateFile, project };
}

/** The simulated Graph (Cloud Sync's API) on loopback, and the stack keys that reach it. */
async function graphFor(
  stateFile: string,
): Promise<{ simulator: RunningGraphSimulator; config: Record<string, string> }> {
  simOk(["cloudsync", stateFile, "settings", "--replication-delay", "0"]);
  const simulator = await startGraphSimulator({ stateFile });
  const keys = await graphKeysFor(stateFile, simulator);
  return { simulator, config: { graph: keys.graph, graphClientSecret: keys.clientSecret } };
}

/** Cloud Sync for the lab's domain, its groups in the writeback OU; the migrated groups join the scope. */
function cloudSyncConfig(naming: "connect" | "cloudSync"): string {
  return JSON.stringify({ domain: "contoso.com", targetOu: LAB_OU, naming });
}

/** Cloud Sync's configurations, jobs, scope and last cycle (entra-sim cloudsync show). */
function cloudSyncShow(stateFile: string): string {
  return simOk(["cloudsync", stateFile, "show"]);
}

/** What must not change about a migrated group: the object (objectGUID), its DN and anchor; and the copied match. */
function identity(group: Group): Record<string, unknown> {
  const { dn, objectGuid, adminDescription } = group;
  return { dn, objectGuid, adminDescription, externalDirectoryObjectId: group.adminDescription };
}

async function setPath(project: CliProject, key: string, value: string): Promise<void> {
  const set = await project.run(["config", "set", "--path", `${MIGRATION}.${key}`, value]);
  expect(set.exitCode).toBe(0);
}

function writes(stateFile: string, after = 0): string[] {
  return providerOperations(stateFile)
    .slice(after)
    .filter((entry) => entry.outcome === "ok" && !/^(get|list)/.test(entry.operation))
    .map((entry) => `${entry.operation} ${JSON.stringify(entry.args)}`);
}

test("a legacy tenant migrates: refused without the name-keeping naming, the plan with live counts, the wizard steps, the confirmation; the same 50 AD groups are Cloud Sync's, the Microsoft 365 groups follow v1", async () => {
  const { stateFile, project } = await convergedLegacy("migrate-main");
  const { simulator, config } = await graphFor(stateFile);
  try {
    const before = security(stateFile);
    const opsBefore = providerOperations(stateFile).length;

    // Declared with Cloud Sync's default naming: refused in the preview, naming the groups; nothing changes.
    await setKey(project, "graph", config.graph!);
    await setKey(project, "graphClientSecret", config.graphClientSecret!, true);
    await setKey(project, "cloudSync", cloudSyncConfig("cloudSync"));
    await setPath(project, "confirmDisableGroupWritebackV2", "false");
    const refused = failed(await project.run(["preview"]));
    expect(refused).toContain("REFUSED: the migration of Group Writeback V2 to Cloud Sync");
    expect(refused).toContain("would RENAME 50 written-back security groups");
    expect(refused).toContain(before[0]!.dn);
    expect(refused).toContain("Set entra-writeback:cloudSync.naming to connect");
    expect(writes(stateFile, opsBefore)).toEqual([]);
    expect(cloudSyncShow(stateFile)).not.toContain("AAD2ADGroupProvisioning");

    // The advice: the naming that keeps the names. The preview states the plan.
    await setKey(project, "cloudSync", cloudSyncConfig("connect"));
    const preview = await project.run(["preview"]);
    expect(preview.exitCode).toBe(0);
    expect(preview.output).toContain("Cloud Sync takes over 50 written-back security groups");
    expect(preview.output).toContain("50 to copy from adminDescription, 0 already set, 0 that cannot be set");
    expect(preview.output).toContain("Cloud Sync would rename 50 groups");
    expect(preview.output).toContain(
      "writes back EVERY Microsoft 365 group, whatever its writeback setting: 40 Microsoft 365 groups, including 10 opted-out groups",
    );
    expect(preview.output).toContain("30 are in the OU now, 10 will be added");
    expect(preview.output).toContain("GroupWritebackV2 off: NOT CONFIRMED");
    expect(writes(stateFile, opsBefore)).toEqual([]);

    // Up: step 1, then the wizard step for staging mode.
    const first = failed(await project.run(UP));
    expect(first).toContain(
      "Staging mode is off on CONNECT01; step 2 of the migration to Cloud Sync needs it on",
    );
    // The GroupWritebackV2 resource stays in the stack in release mode, first: it only reads the flag. (Its lines start
    // with "GroupWritebackFeature v2", which the last up below is shown not to print.)
    expect(first).toContain(
      "GroupWritebackFeature v2: GroupWritebackV2 is on for the tenant of CONNECT01; this resource only reads it: the migration to Cloud Sync",
    );
    expect(
      security(stateFile).every((group) => group.externalDirectoryObjectId === group.adminDescription),
    ).toBe(true);
    const wizardLine = /the admin's wizard step is: npx entra-sim wizard (\S+) staging --enable/.exec(first);
    expect(wizardLine?.[1]).toBe(stateFile);
    simOk(["wizard", stateFile, "staging", "--enable"]);

    // Up: the pause, the rules, the staged Initial cycle; then it waits for the confirmation.
    const second = failed(await project.run(UP));
    expect(second).toContain("WAITING FOR CONFIRMATION: the next step turns GroupWritebackV2 off");
    expect(second).toContain(`${MIGRATION}.confirmDisableGroupWritebackV2`);
    let state = show(stateFile).state;
    expect(state.tenant.features.groupWritebackV2).toBe(true);
    expect(state.tenant.scheduler.syncCycleEnabled).toBe(false);
    expect(security(stateFile)).toEqual(
      before.map((group) => ({ ...group, externalDirectoryObjectId: group.adminDescription })),
    );

    // pulumi destroy inside the migration's window: the deletes that would forget the steps done (the next up would
    // run them again) or write to the server refuse, and the engine stops there: nothing written, the scheduler still
    // off in the window (docs/cloud-sync-migration.md, "`pulumi destroy` mid-migration"). The ups below, as the
    // refusal advises, finish the migration with each step run once (the order of the server's writes, below).
    const window = state.servers[0]!.syncWindow;
    const opsBeforeDestroy = providerOperations(stateFile).length;
    const destroyed = failed(await project.run(["destroy", "--yes", "--skip-preview"]));
    expect(destroyed).toMatch(
      /CloudSyncMigrationStep: REFUSED: the migration to Cloud Sync is under way on [^:]*\(CONNECT01\): the stack \S+\/migrate-main holds the sync scheduler off/,
    );
    expect(destroyed).toContain("would forget that the migration's step");
    expect(destroyed).toContain("Either finish the migration first: run pulumi up of");
    expect(writes(stateFile, opsBeforeDestroy)).toEqual([]);
    state = show(stateFile).state;
    expect(state.tenant.scheduler.syncCycleEnabled).toBe(false);
    expect(state.servers[0]!.syncWindow).toEqual(window);

    // Confirmed: v2 off, the second cycle, the scheduler on; then the wizard step for staging off.
    await setPath(project, "confirmDisableGroupWritebackV2", "true");
    const third = failed(await project.run(UP));
    expect(third).toContain('Clear "Enable staging mode"');
    state = show(stateFile).state;
    expect(state.tenant.features.groupWritebackV2).toBe(false);
    expect(state.tenant.scheduler.syncCycleEnabled).toBe(true);
    simOk(["wizard", stateFile, "staging", "--disable"]);

    // Nothing of Cloud Sync before the migration's last step.
    expect(cloudSyncShow(stateFile)).not.toContain("AAD2ADGroupProvisioning");
    const last = await project.run(UP);
    expect(last.exitCode === 0 ? "" : last.output).toBe("");
    // The v2 resource is still declared (release mode): nothing of it is deleted or changed by this up.
    expect(last.output).not.toContain("GroupWritebackFeature v2");

    // The scheduler's next cycle exports what staging held; Cloud Sync's cycle takes the 50 groups over.
    simOk(["clock", stateFile, "--advance", "2400"]);
    simOk(["cloudsync", stateFile, "cycle"]);
    const cloudSync = cloudSyncShow(stateFile);
    expect(cloudSync).toContain("AAD2ADGroupProvisioning");
    const after = groups(stateFile);
    // The same AD objects (objectGUID), DNs and names: matched and updated in place by Cloud Sync, not recreated.
    const kept = security(stateFile);
    expect(
      kept.map((group) => ({
        ...identity(group),
        externalDirectoryObjectId: group.externalDirectoryObjectId,
      })),
    ).toEqual(before.map(identity));
    expect(before.every((group) => typeof group.objectGuid === "string")).toBe(true);
    expect(cloudSync).toContain("50 selected group(s)");
    expect(cloudSync).toContain("provisioned 50");
    expect(cloudSync).toContain('cn <- Append("Group_", [objectId])');
    expect(cloudSync).toContain(LAB_OU);
    expect(cloudSync).toMatch(/last cycle .*: ran/);
    expect(after).toHaveLength(90);
    expect(new Set(after.map((group) => group.dn)).size).toBe(after.length);
    const journal = show(stateFile).journal as { kind: string; event?: string }[];
    expect(journal.some((entry) => entry.kind === "event" && entry.event === "groups-deleted")).toBe(false);

    // The journal: every step in the documented order.
    const order = writes(stateFile, opsBefore).map(
      (line) =>
        line.split(" {")[0] +
        (line.includes('"enabled":false') ? " off" : line.includes('"enabled":true') ? " on" : ""),
    );
    // One window, the migration's held one: the rules (SyncRule) are made inside it and open none of their own.
    const between = order.slice(
      order.indexOf("setSchedulerSyncCycleEnabled off"),
      order.indexOf("setSchedulerSyncCycleEnabled on"),
    );
    expect(between.filter((line) => line.startsWith("newSyncRule"))).toHaveLength(2);
    expect(between.filter((line) => /SyncWindow/.test(line))).toEqual([]);
    expect(order.filter((line) => line.startsWith("openSyncWindow"))).toHaveLength(1);
    expect(
      order.filter((line) => !line.startsWith("openSyncWindow") && !line.startsWith("closeSyncWindow")),
    ).toEqual([
      "copyGroupDirectoryObjectIds",
      "setSchedulerSyncCycleEnabled off",
      "newSyncRule",
      "newSyncRule",
      "startSyncCycle",
      "setGroupWritebackV2 off",
      "startSyncCycle",
      "setSchedulerSyncCycleEnabled on",
    ]);

    // The plan output: read again when the confirmation changed the declaration (step 1 was done by then).
    const outputs = await project.run(["stack", "output", "--json"]);
    expect(outputs.exitCode).toBe(0);
    const stackOutputs = JSON.parse(outputs.stdout) as {
      cloudSyncMigrationPlan: Record<string, unknown>;
      v2State: string;
    };
    expect(stackOutputs.v2State).toBe("disabled");
    const plan = stackOutputs.cloudSyncMigrationPlan;
    expect(plan).toMatchObject({
      securityGroups: { count: 50 },
      renamedWithoutMapping: { count: 50 },
      movedWithoutTargetOu: { count: 50 },
      renamedByDeclaredMapping: { count: 0 },
      movedByDeclaredTargetOu: { count: 0 },
      directoryObjectIdsToCopy: 0,
      directoryObjectIdsAlreadySet: 50,
      directoryObjectIdConflicts: { count: 0 },
      groupWritebackV2: true,
      confirmed: true,
      microsoft365GroupsWrittenBackByV1: 40,
      optedOutMicrosoft365GroupsWrittenBackByV1: { count: 10 },
      microsoft365GroupsInOu: 30,
      status: expect.stringMatching(
        /^done: every step of the migration ran; the counts above were read before/,
      ),
    });
    expect((plan.securityGroupIds as string[]).sort()).toEqual(
      before.map((group) => (group.adminDescription ?? "").slice("Group_".length)).sort(),
    );

    const again = await project.run(["preview", "--expect-no-changes"]);
    expect(again.exitCode).toBe(0);
    // v2 is off because the migration turned it off: no skip warning (tests/unit/providers/migratedV1Warning.test.ts
    // shows the same v1 without the migration prints it).
    expect(again.output).not.toContain("groupWritebackV2 is skip");
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(true);
  } finally {
    await project.cleanup();
    await simulator.stop();
  }
});

/** A legacy writeback made by hand (what today's stack converges to), staging mode already on for the migration. */
function legacyByHand(): string {
  const stateFile = newServer(LEGACY);
  simOk(["ad", stateFile, "new-ou", "Entra Writeback", "OU=Groups,OU=Corp,DC=contoso,DC=com"]);
  simOk(["ad", stateFile, "grant", LAB_OU, LAB_ACCOUNT]);
  simOk(["feature", stateFile, "--group-writeback-v2", "true"]);
  wizardEnable(stateFile);
  simOk(["clock", stateFile, "--advance", "120"]);
  simOk(["wizard", stateFile, "staging", "--enable"]);
  return stateFile;
}

const CONFIRMED = {
  cloudSyncMigration: JSON.stringify({ confirmDisableGroupWritebackV2: true }),
  cloudSync: cloudSyncConfig("connect"),
};

async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The operator's next step after a kill: a plain `pulumi up`, after `pulumi cancel` when the stack is locked. */
async function nextUp(project: CliProject): Promise<CliRun> {
  const first = await project.run(UP);
  if (!/locked/.test(first.output)) return first;
  expect((await project.run(["cancel", "--yes"])).exitCode).toBe(0);
  return project.run(UP);
}

// Each kill point hangs the call that starts a step, so the deployment dies with the steps before it done.
test.each([
  ["step 1 (the copy)", "copyGroupDirectoryObjectIds", 0],
  ["the scheduler off", "setSchedulerSyncCycleEnabled", 0],
  ["the second sync rule", "newSyncRule", 1],
  ["the first Initial cycle", "startSyncCycle", 0],
  ["GroupWritebackV2 off (the irreversible step)", "setGroupWritebackV2", 0],
  ["the Initial cycle after v2 off", "startSyncCycle", 1],
  ["the scheduler on", "setSchedulerSyncCycleEnabled", 1],
])(
  "killed at %s: the next up resumes to the same final state, the scheduler enabled",
  async (_label, operation, after) => {
    const stateFile = legacyByHand();
    const before = security(stateFile);
    expect(before).toHaveLength(50);
    simOk([
      "fault",
      stateFile,
      operation,
      "--kind",
      "hang",
      ...(after > 0 ? ["--after", String(after)] : []),
    ]);
    const { simulator, config } = await graphFor(stateFile);
    const project = await cliProject(`migrate-kill-${operation.toLowerCase()}-${after}`, stateFile, {
      ...CONFIRMED,
      ...config,
    });
    try {
      const up = project.start(UP);
      await until(
        `the ${operation} call to hang`,
        () =>
          providerOperations(stateFile).some((o) => o.operation === operation && o.code === "InjectedFault"),
        180_000,
      );
      up.child.kill("SIGKILL");
      expect((await up.done).signal).toBe("SIGKILL");

      const resumed = failed(await nextUp(project));
      expect(resumed).toContain('Clear "Enable staging mode"');
      simOk(["wizard", stateFile, "staging", "--disable"]);
      const last = await project.run(UP);
      expect(last.exitCode).toBe(0);

      const { state } = show(stateFile);
      expect(state.tenant.scheduler.syncCycleEnabled).toBe(true);
      expect(state.tenant.features.groupWritebackV2).toBe(false);
      expect(state.servers[0]?.syncWindow ?? null).toBeNull();
      simOk(["clock", stateFile, "--advance", "2400"]);
      simOk(["cloudsync", stateFile, "cycle"]);
      expect(
        security(stateFile).map((group) => ({
          ...identity(group),
          externalDirectoryObjectId: group.externalDirectoryObjectId,
        })),
      ).toEqual(before.map(identity));
      expect(cloudSyncShow(stateFile)).toContain("provisioned 50");
      expect(groups(stateFile)).toHaveLength(90);
      // Each step once: two rules, one v2 change, no group deleted.
      const done = writes(stateFile);
      expect(done.filter((line) => line.startsWith("newSyncRule"))).toHaveLength(2);
      expect(done.filter((line) => line.startsWith("setGroupWritebackV2"))).toHaveLength(1);
      const journal = show(stateFile).journal as { kind: string; event?: string }[];
      expect(journal.some((entry) => entry.kind === "event" && entry.event === "groups-deleted")).toBe(false);
    } finally {
      await project.cleanup();
      await simulator.stop();
    }
  },
);
