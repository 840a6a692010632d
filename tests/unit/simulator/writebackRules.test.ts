import {
  type CloudGroup,
  decideWriteback,
  DISPLAY_NAME_DN_MAX,
  parseDn,
  writebackDn,
} from "../../../simulator";

const OBJECT_ID = "3a5c3221-c465-48c0-95b8-e9305786a271";
const CONTAINER = "OU=WritebackContainer,DC=domain,DC=com";

function group(overrides: Partial<CloudGroup>): CloudGroup {
  return {
    objectId: OBJECT_ID,
    displayName: "Team",
    type: "m365",
    writebackEnabled: null,
    deleted: "none",
    ...overrides,
  };
}

// https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-group-writeback-v2
describe("which groups are written back", () => {
  const v1Only = { v1: true, v2: false };
  const v1v2 = { v1: true, v2: true };

  it.each([true, false, null])(
    "v1 on, v2 off: an M365 group with isEnabled=%j is written back as distribution",
    (enabled) => {
      expect(decideWriteback(group({ writebackEnabled: enabled }), v1Only)).toEqual({
        action: "write",
        category: "Distribution",
      });
    },
  );

  it.each([true, null])(
    "a group synced from Active Directory (onPremisesSyncEnabled) is never written back, isEnabled=%j",
    (enabled) => {
      const synced = group({ type: "security", writebackEnabled: enabled, onPremisesSyncEnabled: true });
      expect(decideWriteback(synced, v1v2)).toEqual({
        action: "keep",
        reason: "mastered on-premises (synced from Active Directory)",
      });
      // The same group created in the cloud and enabled is written back.
      const { onPremisesSyncEnabled: _synced, ...cloud } = synced;
      expect(decideWriteback(cloud, v1v2).action).toBe(enabled ? "write" : "keep");
    },
  );

  it("v1 on, v2 off: onPremisesGroupType is ignored, it is still a distribution group", () => {
    const decision = decideWriteback(group({ onPremisesGroupType: "universalSecurityGroup" }), v1Only);
    expect(decision).toEqual({ action: "write", category: "Distribution" });
  });

  it.each([true, false, null])(
    "v1 on, v2 off: a security group with isEnabled=%j is not written back",
    (enabled) => {
      expect(decideWriteback(group({ type: "security", writebackEnabled: enabled }), v1Only).action).toBe(
        "delete",
      );
    },
  );

  it("v1 on, v2 on: an M365 group with isEnabled=false is not written back (an existing copy stays)", () => {
    expect(decideWriteback(group({ writebackEnabled: false }), v1v2)).toMatchObject({ action: "keep" });
  });

  it.each([true, null])("v1 on, v2 on: an M365 group with isEnabled=%j is written back", (enabled) => {
    expect(decideWriteback(group({ writebackEnabled: enabled }), v1v2)).toEqual({
      action: "write",
      category: "Distribution",
    });
  });

  it.each([
    ["universalDistributionGroup", "Distribution"],
    ["universalSecurityGroup", "Security"],
    ["universalMailEnabledSecurityGroup", "Security"],
  ] as const)("v1 on, v2 on: onPremisesGroupType %s gives a %s group", (type, category) => {
    expect(decideWriteback(group({ onPremisesGroupType: type }), v1v2)).toEqual({
      action: "write",
      category,
    });
  });

  it("v1 on, v2 on: a security group with isEnabled=true is written back as security", () => {
    expect(decideWriteback(group({ type: "security", writebackEnabled: true }), v1v2)).toEqual({
      action: "write",
      category: "Security",
    });
  });

  it.each([null, false])(
    "v1 on, v2 on: a security group with isEnabled=%j is not written back",
    (enabled) => {
      expect(decideWriteback(group({ type: "security", writebackEnabled: enabled }), v1v2).action).toBe(
        "keep",
      );
    },
  );

  it.each([
    [{ v1: false, v2: false }, "m365"],
    [{ v1: false, v2: true }, "m365"],
    [{ v1: false, v2: true }, "security"],
  ] as const)("v1 off (%j): a %s group is not written back", (flags, type) => {
    expect(decideWriteback(group({ type, writebackEnabled: true }), flags)).toMatchObject({
      action: "delete",
      reason: expect.stringContaining("v1"),
    });
  });

  it("v2: soft-deleted stays in AD, hard-deleted is deleted", () => {
    expect(decideWriteback(group({ deleted: "soft" }), v1v2).action).toBe("keep");
    expect(decideWriteback(group({ deleted: "hard" }), v1v2).action).toBe("delete");
  });

  it("v1 only: a deleted group is deleted in AD", () => {
    expect(decideWriteback(group({ deleted: "soft" }), v1Only).action).toBe("delete");
    expect(decideWriteback(group({ deleted: "hard" }), v1Only).action).toBe("delete");
  });
});

// https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-group-writeback-enable
describe("the DN of a written-back group", () => {
  it("defaults to CN=Group_<objectId>", () => {
    expect(writebackDn(group({}), CONTAINER, false)).toBe(`CN=Group_${OBJECT_ID},${CONTAINER}`);
  });

  it("with the display-name option: display name, underscore, last 12 characters of the objectId", () => {
    expect(writebackDn(group({ displayName: "Administrators" }), CONTAINER, true)).toBe(
      `CN=Administrators_e9305786a271,${CONTAINER}`,
    );
  });

  it("trims the display name and keeps at most 51 characters of it", () => {
    const long = `  ${"x".repeat(60)}  `;
    const dn = writebackDn(group({ displayName: long }), CONTAINER, true);
    expect(dn).toBe(`CN=${"x".repeat(DISPLAY_NAME_DN_MAX)}_e9305786a271,${CONTAINER}`);
    const exactly = "y".repeat(51);
    expect(writebackDn(group({ displayName: exactly }), CONTAINER, true)).toBe(
      `CN=${exactly}_e9305786a271,${CONTAINER}`,
    );
  });

  it("escapes the characters a DN needs escaped, after truncating", () => {
    expect(writebackDn(group({ displayName: "Finance, Legal & Compliance" }), CONTAINER, true)).toBe(
      `CN=Finance\\, Legal & Compliance_e9305786a271,${CONTAINER}`,
    );
    expect(writebackDn(group({ displayName: "#general" }), CONTAINER, true)).toBe(
      `CN=\\#general_e9305786a271,${CONTAINER}`,
    );
    const dn = writebackDn(group({ displayName: 'a+b "c" <d>; e=f\\g' }), CONTAINER, true);
    expect(dn).toBe(`CN=a\\+b \\"c\\" \\<d\\>\\; e\\=f\\\\g_e9305786a271,${CONTAINER}`);
    expect(parseDn(dn)[0]?.value).toBe('a+b "c" <d>; e=f\\g_e9305786a271');
  });

  it("counts 51 characters before escaping, so escapes do not shorten the name", () => {
    const name = `${",".repeat(51)}tail`;
    const dn = writebackDn(group({ displayName: name }), CONTAINER, true);
    expect(parseDn(dn)[0]?.value).toBe(`${",".repeat(51)}_e9305786a271`);
  });
});
