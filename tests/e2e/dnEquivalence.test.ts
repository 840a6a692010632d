// An edit that used to wedge a stack: the same writebackOu written with other letter case and spacing. AD
// compares DNs case-insensitively and ignores spaces around separators, so it is no change at all: no
// replacement, no revoked ACE, no refused delete; and a real OU change still plans a replacement. And a DN is
// carried exactly, whatever characters its OU name holds.
import { escapeDnValue, parseDn } from "../../domain/dn";
import {
  convergeLab,
  failureOf,
  LAB_ACCOUNT,
  LAB_OU,
  labServersForThisFile,
  labStack,
  adObjects,
  providerOperations,
  show,
} from "./support/lab";

jest.setTimeout(10 * 60_000);

const newServer = labServersForThisFile();

test("writebackOu respelt (letter case, spaces) is no change: up, up --refresh and preview stay quiet", async () => {
  const stateFile = newServer(["--m365", "3"]);
  const testStack = await labStack("respelt", stateFile);
  try {
    await convergeLab(testStack, stateFile);
    const before = providerOperations(stateFile).length;

    await testStack.stack.setConfig("entra-writeback:writebackOu", {
      value: "ou=entra writeback, ou=groups, ou=corp, dc=contoso, dc=com",
    });
    await testStack.stack.setConfig("entra-writeback:connectorAccountDn", {
      value: LAB_ACCOUNT.toLowerCase().replace(/,/g, " , "),
    });
    const preview = await testStack.stack.preview({ expectNoChanges: true, diff: true });
    expect(preview.changeSummary.replace ?? 0).toBe(0);
    const up = await testStack.stack.up();
    expect(up.summary.resourceChanges).not.toHaveProperty("replace");
    expect(up.summary.resourceChanges).not.toHaveProperty("delete");
    const refreshed = await testStack.stack.up({ refresh: true });
    expect(refreshed.summary.result).toBe("succeeded");
    await testStack.stack.preview({ refresh: true, expectNoChanges: true });

    const writes = providerOperations(stateFile)
      .slice(before)
      .filter((o) => !/^(get|list)/.test(o.operation));
    expect(writes).toEqual([]);
    // The OU and the connector account's ACE are still there.
    const ou = adObjects(stateFile, LAB_OU).find((o) => o.objectClass === "organizationalUnit");
    expect(ou?.aces.map((ace) => ace.accountDn.toLowerCase())).toContain(LAB_ACCOUNT.toLowerCase());
    expect(show(stateFile).state.servers[0]?.groupWriteback.containerDn).toBe(LAB_OU);

    // The comparison can see a change: another OU is a replacement in the preview.
    await testStack.stack.setConfig("entra-writeback:writebackOu", {
      value: "OU=Other Writeback,OU=Groups,OU=Corp,DC=contoso,DC=com",
    });
    const other = await testStack.stack.preview({ diff: true });
    expect(other.changeSummary.replace).toBe(2);
    expect(other.stdout).toContain("+-pulumi-nodejs:dynamic/entra-writeback:WritebackOU: (replace)");
  } finally {
    await testStack.cleanup();
  }
});

test("an OU name with an emoji and a trailing backslash and space is created and granted exactly", async () => {
  const stateFile = newServer(["--m365", "2"]);
  const name = "Write😀back x\\ ";
  const ou = `OU=${escapeDnValue(name)},OU=Groups,OU=Corp,DC=contoso,DC=com`;
  const testStack = await labStack("exact", stateFile, { writebackOu: ou });
  try {
    const output = await failureOf(testStack.stack.up()); // stops at the wizard step, after OU and permission
    expect(output).toContain("Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard");
    const created = adObjects(stateFile, ou).find((o) => o.objectClass === "organizationalUnit");
    expect(created && parseDn(created.dn)[0]?.value).toBe(name);
    expect(created?.aces.map((ace) => ace.accountDn)).toContain(LAB_ACCOUNT);
  } finally {
    await testStack.cleanup();
  }
});
