import * as path from "node:path";
import { writebackOuProvider as provider } from "../../../providers/writebackOu/provider";
import { advance, withState, wizardEnableGroupWriteback } from "../../../simulator";
import { clearClaimsForTests } from "../../../providers/common/claims";
import { captureProgress, type Lab, newLab, rejection, versioned } from "./support";

let lab: Lab;
let progress: ReturnType<typeof captureProgress>;
beforeEach(async () => {
  lab = await newLab({ m365: 2, m365OptedOut: 0, security: 0, securityEnabled: 0 });
  progress = captureProgress();
});
afterEach(async () => {
  progress.restore();
  await lab.cleanup();
});

const inputsFor = (dn: string, extra: object = {}) =>
  provider.check({}, versioned({ target: lab.target, writebackOu: dn, ...extra })).then((r) => r.inputs!);

test("check rejects a DN that is not an OU", async () => {
  const result = await provider.check(
    {},
    versioned({ target: lab.target, writebackOu: "CN=Users,DC=contoso,DC=com" }),
  );
  expect(result.failures).toEqual([
    { property: "writebackOu", reason: expect.stringContaining("does not name an OU") },
  ]);
});

test("create makes a protected OU; read and an unchanged diff follow", async () => {
  const inputs = await inputsFor(lab.ou);
  const created = await provider.create(inputs);
  expect(created.id).toBe(lab.ou);
  expect(created.outs).toMatchObject({
    name: "Entra Writeback",
    protectedFromAccidentalDeletion: true,
    childCount: 0,
    adopted: false,
  });
  const read = await provider.read(created.id, created.outs);
  expect(read.id).toBe(lab.ou);
  expect(await provider.diff(created.id, read.props, inputs)).toMatchObject({ changes: false });
});

test("an OU outside the sync scope is refused with the wizard's reason", async () => {
  const message = await rejection(
    provider.create(await inputsFor("OU=Writeback,OU=Excluded,DC=contoso,DC=com")),
  );
  expect(message).toContain("is outside the sync scope");
  expect(message).toContain("excluded by OU=Excluded,DC=contoso,DC=com");
  expect(lab.operations().some((o) => o.startsWith("newOrganizationalUnit"))).toBe(false);
});

test("a missing parent is named", async () => {
  const message = await rejection(
    provider.create(await inputsFor("OU=Writeback,OU=Nowhere,DC=contoso,DC=com")),
  );
  expect(message).toContain("its parent OU=Nowhere,DC=contoso,DC=com does not exist");
});

test("read of a deleted OU answers an empty id, so the engine recreates it", async () => {
  const created = await provider.create(await inputsFor(lab.ou));
  await lab.call("removeOrganizationalUnit", { dn: lab.ou, recursive: false });
  expect(await provider.read(created.id, created.outs)).toEqual({ id: "" });
});

test("delete refuses a non-empty OU, removes an empty one, and leaves an adopted one", async () => {
  const created = await provider.create(await inputsFor(lab.ou));
  await lab.call("setGroupWritebackV2", { enabled: true });
  await lab.call("grantWritebackAccess", { dn: lab.ou, accountDn: lab.account });
  await wizardEnableGroupWriteback(lab.stateFile, { ou: lab.ou });
  await withState(lab.stateFile, (tx) => advance(tx, 120)); // the wizard's cycle completes
  const message = await rejection(provider.delete(created.id, created.outs));
  expect(message).toMatch(/refusing to delete .* it still holds 2 object\(s\)/);
  expect(await lab.call("getOrganizationalUnit", { dn: lab.ou })).toMatchObject({
    exists: true,
    childCount: 2,
  });

  const second = "OU=Second,OU=Groups,OU=Corp,DC=contoso,DC=com";
  const empty = await provider.create(await inputsFor(second));
  await provider.delete(empty.id, empty.outs);
  expect(await lab.call("getOrganizationalUnit", { dn: second })).toMatchObject({ exists: false });

  const existing = "OU=Groups,OU=Corp,DC=contoso,DC=com";
  const adopted = await provider.create(await inputsFor(existing));
  expect(adopted.outs).toMatchObject({ adopted: true });
  await provider.delete(adopted.id, adopted.outs);
  expect(await lab.call("getOrganizationalUnit", { dn: existing })).toMatchObject({ exists: true });
});

/** The OU created by the provider, the wizard's step done and its cycle over: 2 written-back groups in it. */
async function nonEmptyOu(extra: object = {}) {
  const inputs = await inputsFor(lab.ou, extra);
  const created = await provider.create(inputs);
  await lab.call("setGroupWritebackV2", { enabled: true });
  await lab.call("grantWritebackAccess", { dn: lab.ou, accountDn: lab.account });
  await wizardEnableGroupWriteback(lab.stateFile, { ou: lab.ou });
  await withState(lab.stateFile, (tx) => advance(tx, 120));
  expect(await lab.call("getOrganizationalUnit", { dn: lab.ou })).toMatchObject({ childCount: 2 });
  return { inputs, created };
}

test("allowNonEmptyOuDeletion declared at create: delete removes the OU and the groups in it, and says so", async () => {
  const { created } = await nonEmptyOu({ allowNonEmptyOuDeletion: true });
  expect(created.outs).toMatchObject({ allowNonEmptyOuDeletion: true });
  // What the engine hands back after a refresh (read) is what delete gets: the key survives it.
  const refreshed = await provider.read(created.id, created.outs);
  expect(refreshed.props).toMatchObject({ allowNonEmptyOuDeletion: true });
  await provider.delete(created.id, refreshed.props);
  expect(await lab.call("getOrganizationalUnit", { dn: lab.ou })).toMatchObject({ exists: false });
  expect(progress.lines).toContain(
    `[entra-writeback] WritebackOU: removing ${lab.ou} and the 2 object(s) in it, as allowed`,
  );
});

test("allowNonEmptyOuDeletion set after create: destroy reads the state, so the refusal says to run pulumi up first; following it works", async () => {
  const { inputs, created } = await nonEmptyOu();
  // The key set in the stack's configuration only: delete still gets the state recorded at create (false).
  const message = await rejection(provider.delete(created.id, created.outs));
  expect(message).toBe(
    `refusing to delete ${lab.ou}: it still holds 2 object(s), normally written-back groups. entra-writeback never ` +
      "deletes written-back groups unless asked by name: move or delete them yourself, or set " +
      "entra-writeback:allowNonEmptyOuDeletion to true, run pulumi up (destroy reads the value the stack recorded " +
      "at its last up, not the configuration: setting the key alone is not enough), then run pulumi destroy again. " +
      "(To keep the OU, run `pulumi state delete` on this resource.)",
  );
  expect(await lab.call("getOrganizationalUnit", { dn: lab.ou })).toMatchObject({
    exists: true,
    childCount: 2,
  });
  // The advice: pulumi up records the key (an in-place update, nothing on the server changes), then destroy.
  const news = { ...inputs, allowNonEmptyOuDeletion: true };
  const diff = await provider.diff(created.id, created.outs, news);
  expect(diff).toMatchObject({ changes: true, replaces: [] });
  const updated = await provider.update(created.id, created.outs, news);
  expect(updated.outs).toMatchObject({ allowNonEmptyOuDeletion: true, adopted: false });
  clearClaimsForTests(); // pulumi destroy runs in a provider process of its own
  await provider.delete(created.id, updated.outs);
  expect(await lab.call("getOrganizationalUnit", { dn: lab.ou })).toMatchObject({ exists: false });
});

describe("DNs compared as AD compares them; a replacement never deletes what its successor adopted", () => {
  afterEach(() => clearClaimsForTests());

  test("the same OU with other letter case or spacing is no change; another OU is a replacement", async () => {
    const lab = await newLab();
    try {
      const created = await provider.create(
        await provider
          .check({}, versioned({ target: lab.target, writebackOu: lab.ou }))
          .then((r) => r.inputs!),
      );
      const respelt = versioned({
        target: lab.target,
        writebackOu: "ou=entra writeback, ou=groups, ou=corp, dc=contoso, dc=com",
        allowNonEmptyOuDeletion: false,
      });
      expect(await provider.diff(created.id, created.outs, respelt)).toMatchObject({ changes: false });
      const other = versioned({
        target: lab.target,
        writebackOu: "OU=Other,OU=Groups,OU=Corp,DC=contoso,DC=com",
        allowNonEmptyOuDeletion: false,
      });
      expect(await provider.diff(created.id, created.outs, other)).toMatchObject({
        changes: true,
        replaces: ["writebackOu"],
      });
    } finally {
      await lab.cleanup();
    }
  });

  test("delete of the replaced OU leaves the OU its successor adopted", async () => {
    const lab = await newLab();
    const progress = captureProgress();
    try {
      const old = await provider.create(
        await provider
          .check({}, versioned({ target: lab.target, writebackOu: lab.ou }))
          .then((r) => r.inputs!),
      );
      expect(old.outs.adopted).toBe(false);
      const successor = await provider.create(
        await provider
          .check({}, versioned({ target: lab.target, writebackOu: lab.ou.toLowerCase() }))
          .then((r) => r.inputs!),
      );
      expect(successor.outs.adopted).toBe(true);
      await provider.delete(old.id, old.outs);
      expect(await lab.call("getOrganizationalUnit", { dn: lab.ou })).toMatchObject({ exists: true });
      expect(progress.lines.join("\n")).toContain("the resource that replaces this one manages it");
      // Without a successor in this deployment, the same delete removes the (empty) OU.
      clearClaimsForTests();
      await provider.delete(old.id, old.outs);
      expect(await lab.call("getOrganizationalUnit", { dn: lab.ou })).toMatchObject({ exists: false });
    } finally {
      progress.restore();
      await lab.cleanup();
    }
  });
});

test("a target respelt (a replacement) does not let the old resource delete the OU its successor adopted", async () => {
  const lab = await newLab();
  const progress = captureProgress();
  try {
    const old = await provider.create(
      await provider.check({}, versioned({ target: lab.target, writebackOu: lab.ou })).then((r) => r.inputs!),
    );
    // The same server, spelt another way: the engine replaces the resource (target is an identity key).
    const respelt = { kind: "simulator", stateFile: `${path.dirname(lab.stateFile)}/./lab.json` };
    expect(respelt.stateFile).not.toBe(lab.target.stateFile);
    const successor = await provider.create(
      await provider.check({}, versioned({ target: respelt, writebackOu: lab.ou })).then((r) => r.inputs!),
    );
    expect(successor.outs.adopted).toBe(true);
    await provider.delete(old.id, old.outs);
    expect(await lab.call("getOrganizationalUnit", { dn: lab.ou })).toMatchObject({ exists: true });
    expect(progress.lines.join("\n")).toContain("the resource that replaces this one manages it");
  } finally {
    progress.restore();
    await lab.cleanup();
  }
});

test("with preflight (v2 skipped or already on), a wrong connector account is refused before the OU is created", async () => {
  const lab = await newLab();
  try {
    const wrong = "CN=MSOL_0000old00000,CN=Users,DC=contoso,DC=com";
    const inputs = (account: string) =>
      provider
        .check(
          {},
          versioned({
            target: lab.target,
            writebackOu: lab.ou,
            preflight: { writebackOu: lab.ou, connectorAccountDn: account },
          }),
        )
        .then((r) => r.inputs!);
    expect(await rejection(provider.create(await inputs(wrong)))).toMatch(
      /exports with CN=MSOL_.* Nothing was changed: checked before creating or adopting OU=Entra Writeback/,
    );
    expect(lab.operations().filter((o) => !/^(get|list)/.test(o))).toEqual([]);
    // With the right account the OU is created (the write can be seen).
    await provider.create(await inputs(lab.account));
    expect(lab.operations().filter((o) => !/^(get|list)/.test(o))).toEqual([
      expect.stringMatching(/^newOrganizationalUnit/),
    ]);
  } finally {
    await lab.cleanup();
  }
});
