// The default writeback behaviour declared as code, on the real engine against the simulated server and Graph:
// Microsoft's whole order (tenant default -> pause -> delete rule -> resume -> pause -> v2 -> resume -> OU ->
// permission -> wizard -> pause -> member limit rule disabled -> resume), drift of the tenant default and of the delete
// rule shown by preview --refresh on the right resources and repaired, destroy that keeps them and says so; and, for
// a stack without defaults, the preview's warning with the count of groups that get written back.
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { callOperation } from "../../simulator";
import { startGraphSimulator, withGraphTenant, type RunningGraphSimulator } from "../../simulator/graph";
import { graphKeysFor } from "./support/graph";
import {
  DELETE_RULE_IDENTIFIER,
  DELETE_RULE_NAME,
  OUT_TO_AD_MEMBER_LIMIT,
} from "../../domain/groupWritebackRules";
import type { SyncRule } from "../../contract/contract";
import program from "../../index";
import { setTimeout as sleep } from "node:timers/promises";
import { cliProject } from "./support/cliProject";
import { createTestStack } from "./support/pulumiHarness";
import {
  convergeLab,
  labConfig,
  labServersForThisFile,
  providerOperations,
  show,
  simOk,
  type JournalOperation,
} from "./support/lab";

jest.setTimeout(8 * 60_000);

const NAME = "NewUnifiedGroupWritebackDefault";
const newLab = labServersForThisFile();

interface Graph {
  simulator: RunningGraphSimulator;
  /** The stack configuration that points the providers at it (graph and the secret). */
  config: ConfigMap;
  tenantId: string;
}

async function startGraph(stateFile: string): Promise<Graph> {
  const simulator = await startGraphSimulator({ stateFile });
  const keys = await graphKeysFor(stateFile, simulator);
  return {
    simulator,
    tenantId: keys.tenantId,
    config: {
      "entra-writeback:graph": { value: keys.graph },
      "entra-writeback:graphClientSecret": { value: keys.clientSecret, secret: true },
    },
  };
}

async function tenantValue(stateFile: string): Promise<string | undefined> {
  return withGraphTenant(
    stateFile,
    (_tx, graph) => graph.directorySettings[0]?.values.find((each) => each.name === NAME)?.value,
  );
}

async function until(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the hang");
    await sleep(200);
  }
}

async function rules(stateFile: string): Promise<SyncRule[]> {
  return ((await callOperation(stateFile, "getSyncRules", {})) as { rules: SyncRule[] }).rules;
}

test("defaults in Microsoft's order; drift of the tenant default and the delete rule shown and repaired; destroy keeps them", async () => {
  const stateFile = newLab([
    "--m365",
    "6",
    "--m365-opted-out",
    "2",
    "--security",
    "2",
    "--security-enabled",
    "1",
  ]);
  const graph = await startGraph(stateFile);
  const testStack = await createTestStack({
    stackName: "defaults-order",
    program,
    config: {
      ...labConfig(stateFile, {
        defaults: JSON.stringify({ deleteRulePrecedence: 50, disableMemberLimitRule: true }),
        // Destroy removes the OU with the groups written back: what it keeps is the point here.
        allowNonEmptyOuDeletion: true,
      }),
      ...graph.config,
    },
  });
  const { stack } = testStack;
  try {
    // up (stops at the wizard step), the wizard step, up again.
    await convergeLab(testStack, stateFile);

    // The order, from the simulator's journal (the Graph side and the Connect side share it).
    const journal = show(stateFile).journal.filter(
      (entry): entry is JournalOperation => entry.kind === "operation",
    );
    const at = (predicate: (entry: JournalOperation) => boolean, from = 0) =>
      journal.findIndex((entry, index) => index >= from && predicate(entry));
    const op =
      (name: string, args?: Record<string, unknown>) =>
      (entry: JournalOperation): boolean =>
        entry.operation === name &&
        entry.outcome === "ok" &&
        (args === undefined || Object.entries(args).every(([key, value]) => entry.args[key] === value));
    const pause = op("setSchedulerSyncCycleEnabled", { enabled: false });
    const resume = op("setSchedulerSyncCycleEnabled", { enabled: true });
    const tenantDefault = at(op("graph.createSetting"));
    const ruleWindow = at(
      (entry) =>
        op("openSyncWindow")(entry) && String(entry.args.change).startsWith("creating synchronization rule"),
    );
    const rulePause = at(pause, ruleWindow);
    const ruleCreated = at(op("newSyncRule"), rulePause);
    const ruleResume = at(resume, ruleCreated);
    const v2Pause = at(pause, ruleResume);
    const v2 = at(op("setGroupWritebackV2", { enabled: true }), v2Pause);
    const v2Resume = at(resume, v2);
    const ou = at(op("newOrganizationalUnit"), v2Resume);
    const permission = at(op("grantWritebackAccess"), ou);
    const wizard = at((entry) => entry.client === "cli" && entry.operation.startsWith("wizard"), permission);
    const limitPause = at(pause, wizard);
    const limitDisabled = at(op("setSyncRuleDisabled", { disabled: true }), limitPause);
    const limitResume = at(resume, limitDisabled);
    const order = {
      tenantDefault,
      ruleWindow,
      rulePause,
      ruleCreated,
      ruleResume,
      v2Pause,
      v2,
      v2Resume,
      ou,
      permission,
      wizard,
      limitPause,
      limitDisabled,
      limitResume,
    };
    // Every step found (each search starts after the one before it), the first after nothing.
    expect(Object.entries(order).filter(([, index]) => index < 0)).toEqual([]);
    expect(tenantDefault).toBeLessThan(ruleWindow);

    // The result: the tenant default false, the delete rule at 50, the member limit rule disabled.
    expect(await tenantValue(stateFile)).toBe("false");
    const onServer = await rules(stateFile);
    expect(onServer.find((rule) => rule.name === DELETE_RULE_NAME)).toMatchObject({
      precedence: 50,
      disabled: false,
    });
    expect(onServer.find((rule) => rule.name === OUT_TO_AD_MEMBER_LIMIT)).toMatchObject({ disabled: true });
    await stack.preview({ refresh: true, expectNoChanges: true });

    // Drift, by hand: the tenant default back to true in Graph, the delete rule removed on the server.
    await withGraphTenant(stateFile, (_tx, tenant) => {
      tenant.directorySettings[0]!.values.find((each) => each.name === NAME)!.value = "true";
    });
    await callOperation(stateFile, "removeSyncRule", { identifier: DELETE_RULE_IDENTIFIER });
    const drift = await stack.preview({ refresh: true, diff: true });
    // Each on its own resource: the tenant default updated back, the delete rule created again.
    expect(drift.stdout).toContain("~ newUnifiedGroupWritebackDefault: false => true");
    expect(drift.stdout).toMatch(
      /~ pulumi-nodejs:dynamic\/entra-writeback:UnifiedGroupWritebackDefault: \(update\)\n\s+\[id=[^\]\n]*\]\n\s+\[urn=[^\]\n]*::group-writeback-tenant-default\]/,
    );
    expect(drift.stdout).toMatch(
      /\+ pulumi-nodejs:dynamic\/entra-writeback:SyncRule: \(create\)\n\s+\[urn=[^\]\n]*::group-writeback-delete-rule\]/,
    );
    expect(drift.changeSummary).toMatchObject({ update: 1, create: 1 });

    const repair = await stack.up({ refresh: true });
    expect(repair.summary.resourceChanges).toMatchObject({ update: 1, create: 1 });
    expect(await tenantValue(stateFile)).toBe("false");
    expect((await rules(stateFile)).find((rule) => rule.name === DELETE_RULE_NAME)).toMatchObject({
      precedence: 50,
    });
    await stack.preview({ refresh: true, expectNoChanges: true });

    // Destroy keeps the tenant default and both rules, and says so for each.
    const destroy = await stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(destroy.stdout).toContain(`leaving ${NAME} = false in the tenant (onDelete: retain)`);
    expect(destroy.stdout).toContain(`leaving synchronization rule "${DELETE_RULE_NAME}" on`);
    expect(destroy.stdout).toContain(`leaving "${OUT_TO_AD_MEMBER_LIMIT}" disabled on`);
    expect(destroy.stdout).toContain("declare onDelete: revert, run pulumi up, then destroy");
    expect(await tenantValue(stateFile)).toBe("false");
    const after = await rules(stateFile);
    expect(after.find((rule) => rule.name === DELETE_RULE_NAME)).toBeDefined();
    expect(after.find((rule) => rule.name === OUT_TO_AD_MEMBER_LIMIT)).toMatchObject({ disabled: true });
  } finally {
    await testStack.cleanup();
    await graph.simulator.stop();
  }
});

test("without defaults the preview warns how many existing Microsoft 365 groups get written back; with them it does not", async () => {
  const stateFile = newLab(["--m365", "5", "--m365-opted-out", "2", "--security", "1"]);
  const graph = await startGraph(stateFile);
  const testStack = await createTestStack({
    stackName: "defaults-warning",
    program,
    config: labConfig(stateFile),
  });
  const { stack } = testStack;
  const warning = /NO DEFAULTS DECLARED: [^\n]*/;
  try {
    // No Graph configured: counted by what the Connect server sees.
    const connectSide = await stack.preview();
    expect(connectSide.stdout.match(warning)?.[0]).toContain(
      "group writeback will write back 3 of the tenant's 5 existing Microsoft 365 groups (all but the 2 opted out " +
        "of writeback) to Active Directory; counted by the Entra Connect server (simulator",
    );
    expect(connectSide.stdout).toContain("entra-writeback:graph is not set");

    // Graph configured: counted in Microsoft Graph.
    await stack.setAllConfig(graph.config);
    const graphSide = await stack.preview();
    expect(graphSide.stdout.match(warning)?.[0]).toContain(
      `group writeback will write back 3 of the tenant's 5 existing Microsoft 365 groups (all but the 2 opted out ` +
        `of writeback) to Active Directory; counted by Microsoft Graph (tenant ${graph.tenantId})`,
    );

    // Following the advice: defaults declared, and the warning (found by the same filter above) is gone.
    await stack.setConfig("entra-writeback:defaults", { value: JSON.stringify({}) });
    const declared = await stack.preview();
    expect(declared.stdout).not.toMatch(warning);
    expect(declared.stdout).toContain("group-writeback-tenant-default");
  } finally {
    await testStack.cleanup();
    await graph.simulator.stop();
  }
});

test("asked to (revertRulesOnDestroy, restoreTenantDefaultOnDestroy), destroy removes the delete rule, enables the member limit rule again and restores the tenant default", async () => {
  const stateFile = newLab(["--m365", "3", "--m365-opted-out", "1", "--security", "1"]);
  const graph = await startGraph(stateFile);
  const testStack = await createTestStack({
    stackName: "defaults-revert",
    program,
    config: {
      ...labConfig(stateFile, {
        defaults: JSON.stringify({
          deleteRulePrecedence: 7,
          disableMemberLimitRule: true,
          revertRulesOnDestroy: true,
          restoreTenantDefaultOnDestroy: true,
        }),
        allowNonEmptyOuDeletion: true,
      }),
      ...graph.config,
    },
  });
  try {
    await convergeLab(testStack, stateFile);
    expect((await rules(stateFile)).find((rule) => rule.name === DELETE_RULE_NAME)).toMatchObject({
      precedence: 7,
    });
    const destroy = await testStack.stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(destroy.stdout).toContain(`Remove-ADSyncRule -Identifier ${DELETE_RULE_IDENTIFIER}`);
    expect(destroy.stdout).toContain(
      `putting back "${OUT_TO_AD_MEMBER_LIMIT}" Disabled = false (onDelete: revert)`,
    );
    expect(destroy.stdout).toContain(`restored ${NAME} to true (onDelete: restore)`);
    const after = await rules(stateFile);
    expect(after.find((rule) => rule.name === DELETE_RULE_NAME)).toBeUndefined();
    expect(after.find((rule) => rule.name === OUT_TO_AD_MEMBER_LIMIT)).toMatchObject({ disabled: false });
    expect(await tenantValue(stateFile)).toBe("true");
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(true);
  } finally {
    await testStack.cleanup();
    await graph.simulator.stop();
  }
});

test("killed inside the delete rule's pause window: the next plain up re-enables the scheduler, says so, and makes the rule", async () => {
  const stateFile = newLab(["--m365", "3", "--m365-opted-out", "1"]);
  const graph = await startGraph(stateFile);
  simOk(["fault", stateFile, "newSyncRule", "--kind", "hang"]);
  const plain = Object.fromEntries(
    Object.entries(graph.config).map(([key, { value }]) => [key.replace("entra-writeback:", ""), value]),
  );
  const project = await cliProject("rule-killed", stateFile, {
    ...plain,
    defaults: JSON.stringify({ deleteRulePrecedence: 50 }),
    callTimeoutSeconds: 12,
  });
  try {
    const up = project.start(["up", "--yes", "--skip-preview"]);
    await until(
      () =>
        providerOperations(stateFile).some(
          (o) => o.operation === "newSyncRule" && o.code === "InjectedFault",
        ),
      120_000,
    );
    up.child.kill("SIGKILL");
    await up.done;
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(false);
    expect(show(stateFile).state.servers[0]!.syncWindow).toMatchObject({
      owner: "entra-writeback/rule-killed",
      change: `creating synchronization rule "${DELETE_RULE_NAME}"`,
    });

    // The operator's next step: a plain up (after pulumi cancel when the engine says the stack is locked).
    let next = await project.run(["up", "--yes", "--skip-preview"]);
    if (/locked/.test(next.output)) {
      expect((await project.run(["cancel", "--yes"])).exitCode).toBe(0);
      next = await project.run(["up", "--yes", "--skip-preview"]);
    }
    expect(next.output).toMatch(
      new RegExp(
        "REPAIRED: an interrupted deployment of this stack \\(entra-writeback/rule-killed\\) left its pause window on " +
          'simulator .* open \\(opened .* for creating synchronization rule "In from AAD - Group SOAinAAD Delete ' +
          'WriteBackOutOfScope and SoftDelete"\\): re-enabled the sync scheduler \\(SyncCycleEnabled = True\\); closed the window',
      ),
    );
    // It goes on in order, up to the wizard step.
    expect(next.output).toContain(
      "Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard",
    );
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(true);
    expect((await rules(stateFile)).find((rule) => rule.name === DELETE_RULE_NAME)).toMatchObject({
      precedence: 50,
    });
  } finally {
    await project.cleanup();
    await graph.simulator.stop();
  }
});
