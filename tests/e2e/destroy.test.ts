// Scenario 7: destroy retains the tenant flag, removes an empty OU, refuses a non-empty one, removes the
// ACEs it added, and deletes no written-back group.
import {
  convergeLab,
  failureOf,
  groupsIn,
  LAB_ACCOUNT,
  LAB_OU,
  labServersForThisFile,
  labStack,
  providerOperations,
  show,
  sim,
  simOk,
} from "./support/lab";

jest.setTimeout(5 * 60_000);

const newServer = labServersForThisFile();

const labServer = (flags: string[]) => newServer(flags);

function aceHolders(stateFile: string): string[] {
  const [ou] = JSON.parse(simOk(["ad", stateFile, "list", LAB_OU, "--json"])) as {
    aces: { accountDn: string }[];
  }[];
  return ou?.aces.map((ace) => ace.accountDn) ?? [];
}

test("a non-empty OU is refused; the ACE is removed; no group is deleted; v2 is retained", async () => {
  const stateFile = labServer([
    "--m365",
    "4",
    "--m365-opted-out",
    "1",
    "--security",
    "2",
    "--security-enabled",
    "1",
  ]);
  const testStack = await labStack("destroy-full", stateFile);
  try {
    await convergeLab(testStack, stateFile);
    const groupsBefore = groupsIn(stateFile, LAB_OU)
      .map((g) => g.dn)
      .sort();
    expect(groupsBefore).toHaveLength(3 + 1);
    expect(aceHolders(stateFile)).toContain(LAB_ACCOUNT);

    const output = await failureOf(testStack.stack.destroy());
    expect(output).toContain(`refusing to delete ${LAB_OU}: it still holds 4 object(s)`);
    expect(output).toContain("allowNonEmptyOuDeletion");

    expect(
      groupsIn(stateFile, LAB_OU)
        .map((g) => g.dn)
        .sort(),
    ).toEqual(groupsBefore);
    expect(aceHolders(stateFile)).not.toContain(LAB_ACCOUNT);
    const { state } = show(stateFile);
    expect(state.tenant.features.groupWritebackV2).toBe(true);
    expect(state.tenant.scheduler.syncCycleEnabled).toBe(true);
    expect(providerOperations(stateFile).map((o) => o.operation)).not.toContain("removeOrganizationalUnit");
  } finally {
    await testStack.cleanup();
  }
});

test("an empty OU is removed, with its ACE; the tenant flag and the scheduler stay on", async () => {
  const stateFile = labServer([
    "--m365",
    "0",
    "--m365-opted-out",
    "0",
    "--security",
    "0",
    "--security-enabled",
    "0",
  ]);
  const testStack = await labStack("destroy-empty", stateFile);
  try {
    await convergeLab(testStack, stateFile);
    const destroy = await testStack.stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(destroy.stdout).toContain("GroupWritebackV2 stays on");
    expect(destroy.stdout).toContain("group writeback v1 stays configured");

    expect(sim(["ad", stateFile, "list", LAB_OU, "--json"]).status).not.toBe(0);
    const operations = providerOperations(stateFile).map((o) => `${o.operation} ${o.outcome}`);
    expect(operations).toContain("revokeWritebackAccess ok");
    expect(operations).toContain("removeOrganizationalUnit ok");
    const { state } = show(stateFile);
    expect(state.tenant.features.groupWritebackV2).toBe(true);
    expect(state.tenant.scheduler.syncCycleEnabled).toBe(true);
    expect(
      providerOperations(stateFile)
        .filter((o) => o.operation === "setGroupWritebackV2")
        .map((o) => o.args),
    ).toEqual([{ enabled: true }]);
  } finally {
    await testStack.cleanup();
  }
});
