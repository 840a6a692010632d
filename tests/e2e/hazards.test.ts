// The hazards Microsoft documents are seen before they bite: in the preview, in the update, and in the outputs.
// Each test reproduces one on the simulated server, asserts on what the engine prints, and follows the advice the
// message gives to check that it works.
import { callOperation, dnKey, runAction } from "../../simulator";
import { DELETE_RULE_NAME } from "../../domain/groupWritebackRules";
import { convergedLabsForThisFile } from "./support/convergedLab";
import {
  failureOf,
  finishSync,
  groupsIn,
  LAB_ACCOUNT,
  LAB_OU,
  labServersForThisFile,
  labStack,
  plannedStep,
  show,
  simOk,
  wizardEnable,
} from "./support/lab";

jest.setTimeout(10 * 60_000);

const newServer = labServersForThisFile();
// The tests that start converged start from copies of one lab converged once.
const convergedLab = convergedLabsForThisFile();

interface Group {
  objectId: string;
  displayName: string;
  type: string;
  writebackEnabled: boolean | null;
}

function tenantGroups(stateFile: string): Group[] {
  return show(stateFile).state.tenant.groups as Group[];
}

function optedOutNames(stateFile: string): string[] {
  return tenantGroups(stateFile)
    .filter((g) => g.type === "m365" && g.writebackEnabled === false)
    .map((g) => g.displayName)
    .sort();
}

function exportErrors(stateFile: string): { errorType: string; dn: string }[] {
  const { state } = JSON.parse(simOk(["show", stateFile, "--json"])) as {
    state: { servers: { exportErrors: { errorType: string; dn: string }[] }[] };
  };
  return state.servers[0]!.exportErrors;
}

/** The sync rules on the server, as Get-ADSyncRule reports them. */
async function rules(stateFile: string): Promise<{ name: string; precedence: number; disabled: boolean }[]> {
  const listed = (await callOperation(stateFile, "getSyncRules", {})) as {
    rules: { name: string; precedence: number; disabled: boolean }[];
  };
  return listed.rules;
}

const LAB_GROUPS = ["--m365", "5", "--m365-opted-out", "2", "--security", "2", "--security-enabled", "1"];

test("v1 enabled before v2: preview and up say which opted-out groups are in AD; not converged until acknowledged", async () => {
  const stateFile = newServer(LAB_GROUPS);
  // Someone created the OU, granted the rights and enabled v1 in the wizard while v2 was off, and a cycle ran:
  // every Microsoft 365 group is in the OU.
  simOk(["ad", stateFile, "new-ou", "Entra Writeback", "OU=Groups,OU=Corp,DC=contoso,DC=com"]);
  simOk(["ad", stateFile, "grant", LAB_OU, LAB_ACCOUNT]);
  wizardEnable(stateFile);
  finishSync(stateFile);
  expect(groupsIn(stateFile, LAB_OU)).toHaveLength(5);
  const optedOut = optedOutNames(stateFile);
  expect(optedOut).toHaveLength(2);

  const testStack = await labStack("hazard-v1-first", stateFile);
  try {
    const preview = await testStack.stack.preview();
    expect(preview.stdout).toContain(
      "HAZARD: group writeback v1 was enabled in the wizard on CONNECT01 while GroupWritebackV2 was off.",
    );
    expect(preview.stdout).toContain(
      `2 Microsoft 365 groups that opted out of writeback (writebackConfiguration.isEnabled = false) are in ${LAB_OU} and should not be in Active Directory:`,
    );
    for (const name of optedOut) expect(preview.stdout).toContain(`${name} (CN=Group_`);
    expect(preview.stdout).toContain(
      'add Microsoft\'s documented delete rule "In from AAD - Group SOAinAAD Delete WriteBackOutOfScope and SoftDelete"',
    );

    const up = await testStack.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.stdout).toContain("HAZARD: group writeback v1 was enabled in the wizard");
    expect(up.stdout).toContain(`NOT CONVERGED: 2 Microsoft 365 groups that opted out of writeback`);
    expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(true);
    // v2 does not remove them: they stay in the OU (with the security group v2 now writes back).
    const inOu = groupsIn(stateFile, LAB_OU).map((g) => g.displayName);
    expect(inOu).toHaveLength(5 + 1);
    for (const name of optedOut) expect(inOu).toContain(name);
    // entra-sim show agrees with the directory: they are in the OU, not "not written back".
    const summary = simOk(["show", stateFile]);
    const [, afterNotWritten = ""] = summary.split("Not written back:");
    const [notWrittenSection = "", inOuSection = ""] = afterNotWritten.split(
      "In the OU, but not written back by the current rules: 2",
    );
    expect(inOuSection).not.toBe("");
    for (const name of optedOut) {
      expect(notWrittenSection).not.toContain(name);
      expect(inOuSection).toMatch(
        new RegExp(
          `CN=Group_.* ${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(m365\\): writeback disabled on the group`,
        ),
      );
    }
    const attention = (await testStack.stack.outputs()).needsAttention?.value as string[];
    expect(attention).toHaveLength(1);
    expect(attention[0]).toContain("entra-writeback:acknowledgedOptedOutGroups is 0");

    // The drift check shows it too, on the v1 resource, with the message.
    const drift = await failureOf(testStack.stack.preview({ refresh: true, expectNoChanges: true }));
    expect(plannedStep(drift, "group-writeback-v1")).toMatch(/update$/);
    expect(drift).toContain("NOT CONVERGED: 2 Microsoft 365 groups that opted out of writeback");

    // Advice (b): an admin deletes one of them by hand (Remove-ADGroup). It does not come back with the next
    // cycle (v2 honours the opt-out), and the stack now counts one.
    const [byHand, kept] = optedOut;
    const byHandDn = groupsIn(stateFile, LAB_OU).find((g) => g.displayName === byHand)!.dn;
    await runAction(stateFile, "Remove-ADGroup", { dn: byHandDn }, { client: "admin" }, (tx) => {
      delete tx.state.domain.objects[dnKey(byHandDn)];
    });
    simOk(["sync", stateFile, "--wait"]);
    expect(groupsIn(stateFile, LAB_OU).map((g) => g.displayName)).not.toContain(byHand);
    const afterDelete = await testStack.stack.up({ refresh: true });
    expect(afterDelete.stdout).toContain(`NOT CONVERGED: 1 Microsoft 365 group that opted out of writeback`);
    expect(afterDelete.stdout).toContain(`${kept} (CN=Group_`);

    // Advice: acknowledge the one kept in configuration, run pulumi up. Then the stack is converged.
    await testStack.stack.setConfig("entra-writeback:acknowledgedOptedOutGroups", { value: "1" });
    await testStack.stack.up();
    expect((await testStack.stack.outputs()).needsAttention?.value).toEqual([]);
    await testStack.stack.preview({ refresh: true, expectNoChanges: true });
    expect(groupsIn(stateFile, LAB_OU)).toHaveLength(5);
  } finally {
    await testStack.cleanup();
  }
});

test("v1 enabled before v2: advice (a), Microsoft's delete rule declared with the stack key it names, removes the opted-out groups and the stack converges", async () => {
  const stateFile = newServer(LAB_GROUPS);
  simOk(["ad", stateFile, "new-ou", "Entra Writeback", "OU=Groups,OU=Corp,DC=contoso,DC=com"]);
  simOk(["ad", stateFile, "grant", LAB_OU, LAB_ACCOUNT]);
  wizardEnable(stateFile);
  finishSync(stateFile);
  const optedOut = optedOutNames(stateFile);
  expect(optedOut).toHaveLength(2);

  // The lab stack has no Microsoft Graph: the advice needs none.
  const testStack = await labStack("hazard-v1-first-rule", stateFile);
  try {
    // What the providers print (not the outputs' diff, which shows a removed needsAttention entry too).
    const providerLines = (stdout: string) =>
      stdout.split("\n").filter((line) => line.includes("[entra-writeback]"));
    const up = await testStack.stack.up();
    const notConverged = providerLines(up.stdout).find((line) =>
      line.includes("NOT CONVERGED: 2 Microsoft 365 groups that opted out of writeback"),
    );
    expect(notConverged).toBeDefined();
    expect(notConverged).toContain(
      `(a) add Microsoft's documented delete rule "${DELETE_RULE_NAME}" (https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-modify-group-writeback) ` +
        "with this stack: `pulumi config set --path entra-writeback:defaults.deleteRulePrecedence 50`",
    );
    // The opted-out groups are there after v2 is on (the filter below can match).
    for (const name of optedOut)
      expect(groupsIn(stateFile, LAB_OU).map((g) => g.displayName)).toContain(name);
    expect((await rules(stateFile)).map((rule) => rule.name)).not.toContain(DELETE_RULE_NAME);

    // Advice (a), exactly as printed: the command in backquotes, then pulumi up.
    const [, key, value] = /`pulumi config set --path (\S+) (\S+)`/.exec(notConverged!)!;
    await testStack.stack.setConfig(key!, { value: value! }, true);
    const withRule = await testStack.stack.up();
    expect(withRule.summary.resourceChanges).toMatchObject({ create: 1 });
    expect(withRule.stdout).toContain("group-writeback-delete-rule");
    expect(withRule.stdout).not.toContain("group-writeback-tenant-default");
    expect((await rules(stateFile)).find((rule) => rule.name === DELETE_RULE_NAME)).toMatchObject({
      precedence: 50,
      disabled: false,
    });
    // The next cycle (a full one: the new rule set the flag) deletes the groups out of writeback scope.
    simOk(["sync", stateFile, "--wait"]);
    const inOu = groupsIn(stateFile, LAB_OU).map((g) => g.displayName);
    for (const name of optedOut) expect(inOu).not.toContain(name);
    expect(inOu).toHaveLength(5 - 2 + 1); // the three that did not opt out, and the security group v2 writes back

    const after = await testStack.stack.up({ refresh: true });
    expect(providerLines(after.stdout).join("\n")).not.toContain("NOT CONVERGED");
    expect((await testStack.stack.outputs()).needsAttention?.value).toEqual([]);
    await testStack.stack.preview({ refresh: true, expectNoChanges: true });
  } finally {
    await testStack.cleanup();
  }
});

test("skip: the preview and the wizard steps say v1 alone writes back every Microsoft 365 group, with counts", async () => {
  const stateFile = newServer(["--era", "current", ...LAB_GROUPS]);
  const testStack = await labStack("hazard-skip", stateFile, { groupWritebackV2: "skip" });
  try {
    const statement =
      "groupWritebackV2 is skip and GroupWritebackV2 is off: group writeback v1 alone writes back EVERY Microsoft 365 " +
      "group, ignoring each group's writeback setting. On this tenant that is all 5 Microsoft 365 groups, including " +
      "the 2 that opted out of writeback (writebackConfiguration.isEnabled = false)";
    const preview = await testStack.stack.preview();
    expect(preview.stdout).toContain(statement);
    for (const name of optedOutNames(stateFile)) expect(preview.stdout).toContain(name);

    const wizardSteps = await failureOf(testStack.stack.up());
    expect(wizardSteps).toContain(`BEFORE YOU DO THE WIZARD STEP: ${statement}`);
    expect(wizardSteps).toContain(
      "Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard",
    );

    // What it says happens: the wizard step writes back all 5, the opted-out ones too.
    wizardEnable(stateFile);
    finishSync(stateFile);
    expect(groupsIn(stateFile, LAB_OU)).toHaveLength(5);
  } finally {
    await testStack.cleanup();
  }
});

test("v2 turned off outside the stack: the drift says what the next cycle does, with counts, and the options work", async () => {
  const { stateFile, testStack } = await convergedLab("hazard-v2-off", LAB_GROUPS);
  try {
    const securityInOu = groupsIn(stateFile, LAB_OU).filter((g) => g.groupCategory === "Security");
    const before = groupsIn(stateFile, LAB_OU)
      .map((g) => g.dn)
      .sort();
    expect(before).toHaveLength(3 + 1);

    simOk(["feature", stateFile, "--group-writeback-v2", "false"]);
    const drift = await failureOf(testStack.stack.preview({ refresh: true, expectNoChanges: true }));
    expect(plannedStep(drift, "group-writeback-v2")).toMatch(/update$/);
    expect(drift).toContain("has been turned off outside it, on the tenant of CONNECT01");
    expect(drift).toContain(
      "On the next sync cycle, v1 alone writes back every Microsoft 365 group, ignoring each group's writeback " +
        "setting: the 2 Microsoft 365 groups that opted out (2 not yet in Active Directory)",
    );
    expect(drift).toContain(`And it DELETES the 1 security group v2 wrote back to ${LAB_OU}`);
    expect(drift).toContain(
      "pause the scheduler on the server with `Set-ADSyncScheduler -SyncCycleEnabled $false`",
    );
    expect(drift).toContain("re-enable GroupWritebackV2 with pulumi up if the tenant still allows it");
    expect(drift).toContain("migrate the security groups to Microsoft Entra Cloud Sync");

    // Option 1: pause the scheduler; an hour later nothing changed in the OU.
    simOk(["scheduler", stateFile, "--sync-cycle-enabled", "false"]);
    simOk(["clock", stateFile, "--advance", "3600"]);
    expect(
      groupsIn(stateFile, LAB_OU)
        .map((g) => g.dn)
        .sort(),
    ).toEqual(before);

    // Option 2 on this tenant: pulumi up tries, and the tenant refuses; the message says what happens next. As the
    // message warned, the stack turned the scheduler back on.
    const refused = await failureOf(testStack.stack.up({ refresh: true }));
    expect(refused).toContain("the tenant refused to enable GroupWritebackV2 again");
    expect(refused).toContain("And it DELETES the 1 security group");
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(true);

    // What the message said would happen, happens with the next cycle.
    simOk(["sync", stateFile, "--wait"]);
    const after = groupsIn(stateFile, LAB_OU);
    expect(after).toHaveLength(5);
    for (const group of securityInOu) expect(after.map((g) => g.dn)).not.toContain(group.dn);

    // Option 3's last step: with the security groups provisioned elsewhere, set groupWritebackV2 to skip; the stack
    // converges again on v1 alone (and says what v1 alone writes back).
    await testStack.stack.setConfig("entra-writeback:groupWritebackV2", { value: "skip" });
    const skipped = await testStack.stack.up();
    expect(skipped.stdout).toContain("groupWritebackV2 is skip and GroupWritebackV2 is off");
    expect((await testStack.stack.outputs()).v2State?.value).toBe("skipped");
    await testStack.stack.preview({ refresh: true, expectNoChanges: true });
  } finally {
    await testStack.cleanup();
  }
});

test("destroy says v1 stays configured and exports fail without the ACE; every hint names a real key and works", async () => {
  const { stateFile, testStack } = await convergedLab("hazard-destroy", LAB_GROUPS);
  try {
    const refused = await failureOf(testStack.stack.destroy());
    expect(refused).toMatch(
      new RegExp(`WARNING: group writeback v1 stays configured on .*\\(CONNECT01\\) with the OU ${LAB_OU}`),
    );
    expect(refused).toContain("every later export to that OU FAILS with permission-issue");
    expect(refused).toContain("set entra-writeback:allowNonEmptyOuDeletion to true, run pulumi up");
    // One statement, no JavaScript stack trace.
    expect(refused).toContain("WritebackOU delete failed: refusing to delete");
    expect(refused).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);

    // What it says: a new group cannot be written back.
    simOk(["tenant", stateFile, "add-group", "--type", "m365", "--name", "Created after destroy"]);
    simOk(["sync", stateFile, "--wait"]);
    expect(exportErrors(stateFile).map((e) => e.errorType)).toContain("permission-issue");
    expect(groupsIn(stateFile, LAB_OU).map((g) => g.displayName)).not.toContain("Created after destroy");

    // Its advice: run pulumi up with this stack; the next cycle writes the group back.
    await testStack.stack.up();
    simOk(["sync", stateFile, "--wait"]);
    expect(groupsIn(stateFile, LAB_OU).map((g) => g.displayName)).toContain("Created after destroy");
    expect(exportErrors(stateFile)).toEqual([]);

    // The OU hint, followed: destroy removes the OU and the groups in it (asked by name); v2 stays, and its hint
    // names the real key.
    await testStack.stack.setConfig("entra-writeback:allowNonEmptyOuDeletion", { value: "true" });
    await testStack.stack.up();
    const destroyed = await testStack.stack.destroy();
    expect(groupsIn(stateFile, LAB_OU)).toEqual([]);
    expect(destroyed.stdout).toContain(
      "To turn it off on destroy, set entra-writeback:disableV2OnDestroy to true and run pulumi up (so the stack " +
        "records it) before pulumi destroy.",
    );
    expect(destroyed.stdout).not.toContain("onDelete");
    expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(true);

    // The v2 hint, followed: set the key, pulumi up, destroy turns v2 off.
    await testStack.stack.setConfig("entra-writeback:disableV2OnDestroy", { value: "true" });
    await testStack.stack.up();
    await testStack.stack.destroy();
    expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(false);
  } finally {
    await testStack.cleanup();
  }
});

test("a dnFormat or OU edit after enabling previews as needing a person, with the cost; a recreated OU says when groups return", async () => {
  const { stateFile, testStack } = await convergedLab("hazard-wizard-change", LAB_GROUPS);
  try {
    const written = groupsIn(stateFile, LAB_OU).length;
    expect(written).toBe(4);

    await testStack.stack.setConfig("entra-writeback:dnFormat", { value: "displayName" });
    const preview = await testStack.stack.preview();
    expect(preview.stdout).toContain("CHANGE NEEDS A PERSON: dnFormat objectId -> displayName.");
    expect(preview.stdout).toContain(`which DELETES all ${written} groups written back to ${LAB_OU}`);
    expect(preview.stdout).toContain("set entra-writeback:dnFormat back to objectId");
    // The advice: set it back; nothing to change.
    await testStack.stack.setConfig("entra-writeback:dnFormat", { value: "objectId" });
    await testStack.stack.preview({ refresh: true, expectNoChanges: true });

    const otherOu = "OU=Other Writeback,OU=Groups,OU=Corp,DC=contoso,DC=com";
    await testStack.stack.setConfig("entra-writeback:writebackOu", { value: otherOu });
    const ouPreview = await testStack.stack.preview();
    expect(ouPreview.stdout).toContain(`CHANGE NEEDS A PERSON: writebackOu ${LAB_OU} -> ${otherOu}.`);
    expect(ouPreview.stdout).toContain(`which DELETES all ${written} groups written back to ${LAB_OU}`);
    await testStack.stack.setConfig("entra-writeback:writebackOu", { value: LAB_OU });
    await testStack.stack.preview({ refresh: true, expectNoChanges: true });

    // The OU deleted out of band and recreated by the repair: the output says when the groups come back.
    simOk(["ad", stateFile, "delete-ou", LAB_OU, "--recursive"]);
    const repair = await testStack.stack.up({ refresh: true });
    expect(repair.stdout).toContain(`${LAB_OU} was created again, empty.`);
    expect(repair.stdout).toContain("the next sync cycle writes them back");
    expect(groupsIn(stateFile, LAB_OU)).toHaveLength(0);
    // Its advice: a Delta cycle brings them back.
    simOk(["sync", stateFile, "--policy", "Delta", "--wait"]);
    expect(groupsIn(stateFile, LAB_OU)).toHaveLength(written);
  } finally {
    await testStack.cleanup();
  }
});

test("a refresh after a sync cycle wrote a new group back shows no drift: counts and childCount are outputs only", async () => {
  const { stateFile, testStack } = await convergedLab("hazard-refresh-noise", LAB_GROUPS);
  try {
    await testStack.stack.refresh();
    const ouOutputs = async () => {
      const deployment = await testStack.stack.exportStack();
      const resources = deployment.deployment.resources as {
        urn: string;
        outputs?: Record<string, unknown>;
      }[];
      return resources.find((r) => r.urn.endsWith("::group-writeback-ou"))?.outputs ?? {};
    };
    const before = await ouOutputs();

    simOk(["tenant", stateFile, "add-group", "--type", "m365", "--name", "New after convergence"]);
    simOk(["sync", stateFile, "--wait"]);
    const refresh = await testStack.stack.refresh();
    // The outputs did change (the new group is counted) ...
    expect((await ouOutputs()).childCount).toBe((before.childCount as number) + 1);
    // ... and the refresh reports no resource as changed, nor does the drift check.
    expect(refresh.summary.resourceChanges?.update ?? 0).toBe(0);
    expect(refresh.stdout).toMatch(/Resources:\s+\d+ unchanged\s+Duration/);
    expect(refresh.stdout).not.toMatch(/\[diff:|childCount/);
    await testStack.stack.preview({ refresh: true, expectNoChanges: true });
  } finally {
    await testStack.cleanup();
  }
});
