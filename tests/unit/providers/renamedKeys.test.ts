// Stacks whose state was written before each setting had one name in every layer (WritebackOU `dn` and
// `allowNonEmptyDelete`, WritebackPermission `ouDn`, `accountDn` and `scope`): the registry upgrades what the engine
// hands back from state, so the rename is no change, no replacement, and read and delete still work.
import { implementationFor } from "../../../providers/registry";
import { advance, withState, wizardEnableGroupWriteback } from "../../../simulator";
import { clearClaimsForTests } from "../../../providers/common/claims";
import { captureProgress, type Lab, newLab, versioned } from "./support";

let lab: Lab;
let progress: ReturnType<typeof captureProgress>;
beforeEach(async () => {
  lab = await newLab();
  progress = captureProgress();
});
afterEach(async () => {
  progress.restore();
  clearClaimsForTests();
  await lab.cleanup();
});

/** Stored values as an older version wrote them: today's values under the old keys. */
function asStoredBefore(values: Record<string, unknown>, renamed: Record<string, string>) {
  const stored = { ...values };
  for (const [old, current] of Object.entries(renamed)) {
    stored[old] = stored[current];
    delete stored[current];
  }
  return stored;
}

test("WritebackOU: state with `dn` diffs as no change, reads, and destroy removes the OU it created", async () => {
  const ou = implementationFor("WritebackOU");
  const news = (await ou.check({}, versioned({ target: lab.target, writebackOu: lab.ou }))).inputs!;
  const created = await ou.create(news);
  const stored = asStoredBefore(created.outs, {
    dn: "writebackOu",
    allowNonEmptyDelete: "allowNonEmptyOuDeletion",
  });
  expect(stored).toMatchObject({ dn: lab.ou, allowNonEmptyDelete: false });
  expect(stored).not.toHaveProperty("writebackOu");

  // The same check on the old keys can fail: a declared OU that differs is a replacement.
  const other = { ...news, writebackOu: "OU=Other,OU=Groups,OU=Corp,DC=contoso,DC=com" };
  expect(await ou.diff(created.id, stored, other)).toMatchObject({
    changes: true,
    replaces: ["writebackOu"],
  });
  expect(await ou.diff(created.id, stored, news)).toMatchObject({ changes: false, replaces: [] });

  const read = await ou.read(created.id, stored);
  expect(read.props).toMatchObject({ writebackOu: lab.ou, childCount: 0 });
  expect(read.props).not.toHaveProperty("dn");

  await ou.delete(created.id, stored);
  expect(await lab.call("getOrganizationalUnit", { dn: lab.ou })).toMatchObject({ exists: false });
});

test("WritebackPermission: state with `ouDn` and `accountDn` diffs as no change and destroy revokes the ACE", async () => {
  await lab.call("newOrganizationalUnit", {
    name: "Entra Writeback",
    parentDn: "OU=Groups,OU=Corp,DC=contoso,DC=com",
  });
  const permission = implementationFor("WritebackPermission");
  const news = (
    await permission.check(
      {},
      versioned({ target: lab.target, writebackOu: lab.ou, connectorAccountDn: lab.account }),
    )
  ).inputs!;
  const created = await permission.create(news);
  const stored = asStoredBefore(created.outs, {
    ouDn: "writebackOu",
    accountDn: "connectorAccountDn",
    scope: "permissions",
  });
  expect(stored).toMatchObject({ ouDn: lab.ou, accountDn: lab.account, scope: "ou", granted: true });

  expect(await permission.diff(created.id, stored, news)).toMatchObject({ changes: false, replaces: [] });
  const read = await permission.read(created.id, stored);
  expect(read.props).toMatchObject({
    writebackOu: lab.ou,
    connectorAccountDn: lab.account,
    permissions: "ou",
    granted: true,
  });

  await permission.delete(created.id, stored);
  expect(lab.operations()).toContain(
    `revokeWritebackAccess(${JSON.stringify({ dn: lab.ou, accountDn: lab.account })})`,
  );
  expect(await lab.call("getAccessRules", { dn: lab.ou, accountDn: lab.account })).toMatchObject({
    rules: [],
  });
});

test("WritebackOU: a stored allowNonEmptyDelete still decides whether destroy may delete a non-empty OU", async () => {
  const ou = implementationFor("WritebackOU");
  const news = (await ou.check({}, versioned({ target: lab.target, writebackOu: lab.ou }))).inputs!;
  const created = await ou.create(news);
  await lab.call("setGroupWritebackV2", { enabled: true });
  await lab.call("grantWritebackAccess", { dn: lab.ou, accountDn: lab.account });
  await wizardEnableGroupWriteback(lab.stateFile, { ou: lab.ou });
  await withState(lab.stateFile, (tx) => advance(tx, 120)); // the wizard's cycle writes groups into the OU
  const stored = (allow: boolean) => ({
    ...asStoredBefore(created.outs, { dn: "writebackOu", allowNonEmptyDelete: "allowNonEmptyOuDeletion" }),
    allowNonEmptyDelete: allow,
  });
  // Stored false: refused, the OU and its groups stay.
  await expect(ou.delete(created.id, stored(false))).rejects.toThrow(/refusing to delete .* still holds/);
  expect(await lab.call("getOrganizationalUnit", { dn: lab.ou })).toMatchObject({ exists: true });
  // Stored true: allowed, as the stack recorded it.
  await ou.delete(created.id, stored(true));
  expect(await lab.call("getOrganizationalUnit", { dn: lab.ou })).toMatchObject({ exists: false });
});
