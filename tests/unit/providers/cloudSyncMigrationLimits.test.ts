// The migration's irreversible step checks first, through Microsoft Graph, that Cloud Sync can take every migrated
// group over (the groups still in Entra ID, Microsoft's limits of selected security groups): otherwise, once
// GroupWritebackV2 is off, step 7 refuses the scope and the groups are left to nobody.
import { cloudSyncMigrationStepProvider as provider } from "../../../providers/cloudSyncMigration/provider";
import type { MigrationStep } from "../../../domain/cloudSyncMigration";
import {
  advance,
  callOperation,
  readState,
  runAction,
  wizardEnableGroupWriteback,
  wizardSetStagingMode,
  withState,
} from "../../../simulator";
import { closeClients } from "../../../providers/common/connection";
import { configureProvidersFor, newGraphSim, type GraphSim } from "../graph/support";
import { captureProgress, rejection, versioned } from "./support";

let g: GraphSim;
let progress: ReturnType<typeof captureProgress>;
afterEach(async () => {
  progress.restore();
  await closeClients();
  await g.cleanup();
});

test("a migrated group gone from Entra ID stops the migration before GroupWritebackV2 goes off; the advice works", async () => {
  g = await newGraphSim({ era: "legacy", m365: 2, security: 3, securityEnabled: 3 });
  progress = captureProgress();
  const file = g.sim.file;
  const ou = g.sim.ou;
  const call = (operation: Parameters<typeof callOperation>[1], args: unknown = {}) =>
    callOperation(file, operation, args);
  configureProvidersFor(g);
  // A tenant today's stack converged: v2 on, 3 security groups written back.
  await call("newOrganizationalUnit", { name: "Entra Writeback", parentDn: g.sim.ouParent });
  await call("grantWritebackAccess", { dn: ou, accountDn: g.sim.account });
  await call("setGroupWritebackV2", { enabled: true });
  await wizardEnableGroupWriteback(file, { ou });
  for (let i = 0; i < 20; i++) {
    const scheduler = (await call("getScheduler")) as { syncCycleInProgress: boolean };
    if (!scheduler.syncCycleInProgress) break;
    await runAction(file, "test.advance", {}, {}, (tx) => advance(tx, 60));
  }
  const { groups } = (await call("listGroupDirectoryObjectIds", { dn: ou })) as {
    groups: { dn: string; cloudObjectId: string }[];
  };
  expect(groups).toHaveLength(3);
  const run = async (step: MigrationStep, extra: Record<string, unknown> = {}) => {
    const checked = await provider.check(
      {},
      versioned({
        target: { kind: "simulator", stateFile: file },
        step,
        writebackOu: ou,
        stack: "e/unit",
        ...extra,
      }),
    );
    expect(checked.failures).toBeUndefined();
    return provider.create(checked.inputs);
  };
  await run("copyDirectoryObjectIds");
  await wizardSetStagingMode(file, true);
  await run("schedulerOff");
  await run("syncRules");
  await run("initialCycleBeforeV2Off");

  // While the migration waits, one migrated group is deleted for good in Entra ID (its AD group stays: no export).
  const gone = groups[0]!;
  await withState(file, (tx) => {
    tx.state.tenant.groups.find((group) => group.objectId.toLowerCase() === gone.cloudObjectId)!.deleted =
      "hard";
  });
  const refused = await rejection(run("disableGroupWritebackV2", { confirmDisableGroupWritebackV2: true }));
  expect(refused).toMatch(
    /^Cloud Sync could not take over every written-back security group, so GroupWritebackV2 stays on/,
  );
  expect(refused).toContain(`${gone.cloudObjectId}: no such group in the tenant`);
  expect(refused).not.toContain("entra-writeback:cloudSync.groupIds");
  expect((await readState(file)).tenant.features.groupWritebackV2).toBe(true);

  // The advice: delete its AD group (the cloud group is gone for good); then the irreversible step goes on.
  await withState(file, (tx) => {
    const objects = tx.state.domain.objects;
    const key = Object.keys(objects).find((each) => objects[each]!.dn === gone.dn)!;
    delete objects[key];
  });
  const { outs } = await run("disableGroupWritebackV2", { confirmDisableGroupWritebackV2: true });
  expect(outs.summary).toBe("GroupWritebackV2 is off for the tenant (irreversible)");
  expect((await readState(file)).tenant.features.groupWritebackV2).toBe(false);
});
