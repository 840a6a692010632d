// UnifiedGroupWritebackDefault on the real engine against the simulated Microsoft Graph: up sets the tenant default,
// a second up changes nothing, a value flipped by hand is drift that preview --refresh shows and up repairs, and
// destroy keeps the value and says so.
import * as fs from "fs";
import * as path from "path";
import { startGraphSimulator, withGraphTenant, type RunningGraphSimulator } from "../../simulator/graph";
import { graphKeysFor } from "./support/graph";
import program from "../../index";
import { UnifiedGroupWritebackDefault } from "../../providers";
import { createTestStack } from "./support/pulumiHarness";
import { failureOf, labConfig, labServersForThisFile, show, type JournalOperation } from "./support/lab";

jest.setTimeout(5 * 60_000);

const NAME = "NewUnifiedGroupWritebackDefault";
const newLab = labServersForThisFile();

async function tenantValue(stateFile: string): Promise<{ settings: number; value: string | undefined }> {
  return withGraphTenant(stateFile, (_tx, graph) => ({
    settings: graph.directorySettings.length,
    value: graph.directorySettings[0]?.values.find((each) => each.name === NAME)?.value,
  }));
}

test("up sets the tenant default; a second up changes nothing; drift is shown and repaired; destroy keeps it", async () => {
  const stateFile = newLab();
  let simulator: RunningGraphSimulator | undefined;
  const testStack = await (async () => {
    simulator = await startGraphSimulator({ stateFile });
    const keys = await graphKeysFor(stateFile, simulator);
    return {
      secret: keys.clientSecret,
      stack: await createTestStack({
        stackName: "tenant-default",
        program: async () => {
          const setting = new UnifiedGroupWritebackDefault("tenant-default", {
            newUnifiedGroupWritebackDefault: false,
          });
          return { settingId: setting.settingId, previousValue: setting.previousValue };
        },
        config: {
          "entra-writeback:graph": { value: keys.graph },
          "entra-writeback:graphClientSecret": { value: keys.clientSecret, secret: true },
        },
      }),
    };
  })();
  const { stack } = testStack.stack;
  try {
    expect(await tenantValue(stateFile)).toEqual({ settings: 0, value: undefined });
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toEqual({ create: 2 }); // the stack and the setting
    expect(await tenantValue(stateFile)).toEqual({ settings: 1, value: "false" });
    expect(up.outputs.previousValue?.value).toBeNull();
    // The secret is configuration only: the stored state holds it encrypted (as Pulumi keeps secret config of the
    // default provider), never as text, and the engine's output never shows it.
    const stored = fs
      .readdirSync(path.join(testStack.stack.stateDir, ".pulumi", "stacks"), {
        recursive: true,
        withFileTypes: true,
      })
      .filter((entry) => entry.isFile() && entry.name.startsWith("tenant-default.json"))
      .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), "utf8"));
    expect(stored.join("")).toContain(`"id":"${up.outputs.settingId?.value}"`);
    expect(stored.join("")).not.toContain(testStack.secret);
    expect(up.stdout).not.toContain(testStack.secret);

    const again = await stack.up();
    expect(again.summary.resourceChanges).toEqual({ same: 2 });

    // Someone flips it back in the tenant.
    await withGraphTenant(stateFile, (_tx, graph) => {
      graph.directorySettings[0]!.values.find((each) => each.name === NAME)!.value = "true";
    });
    const drift = await stack.preview({ refresh: true, diff: true });
    expect(drift.changeSummary.update).toBe(1);
    // The refresh reads the flipped value, and the plan updates this resource back.
    expect(drift.stdout).toContain("~ newUnifiedGroupWritebackDefault: false => true");
    expect(drift.stdout).toContain(
      "~ pulumi-nodejs:dynamic/entra-writeback:UnifiedGroupWritebackDefault: (update)",
    );

    const repair = await stack.up({ refresh: true });
    expect(repair.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(await tenantValue(stateFile)).toEqual({ settings: 1, value: "false" });
    await stack.preview({ refresh: true, expectNoChanges: true });

    const destroy = await stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(destroy.stdout).toContain(`leaving ${NAME} = false in the tenant (onDelete: retain)`);
    expect(await tenantValue(stateFile)).toEqual({ settings: 1, value: "false" });
  } finally {
    await testStack.stack.cleanup();
    await simulator?.stop();
  }
});

test("the lab program with defaults: the tenant default is set before the sync window opens", async () => {
  const stateFile = newLab();
  const simulator = await startGraphSimulator({ stateFile });
  const keys = await graphKeysFor(stateFile, simulator);
  const testStack = await createTestStack({
    stackName: "lab-defaults",
    program,
    config: {
      ...labConfig(stateFile, {
        defaults: JSON.stringify({}),
        graph: keys.graph,
      }),
      "entra-writeback:graphClientSecret": { value: keys.clientSecret, secret: true },
    },
  });
  try {
    // The first up stops at the wizard step (v1), after v2 was enabled inside its pause window.
    const first = await failureOf(testStack.stack.up());
    expect(first).toContain("Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard");
    expect(await tenantValue(stateFile)).toEqual({ settings: 1, value: "false" });
    const journal = show(stateFile).journal.filter(
      (entry): entry is JournalOperation => entry.kind === "operation",
    );
    const settingCreated = journal.findIndex(
      (entry) =>
        entry.server === "graph" && entry.operation === "graph.createSetting" && entry.outcome === "ok",
    );
    const windowOpened = journal.findIndex(
      (entry) => entry.client === "pulumi" && entry.operation === "openSyncWindow",
    );
    // Both happened, in Microsoft's order.
    expect(settingCreated).toBeGreaterThanOrEqual(0);
    expect(windowOpened).toBeGreaterThan(settingCreated);
  } finally {
    await testStack.cleanup();
    await simulator.stop();
  }
});
