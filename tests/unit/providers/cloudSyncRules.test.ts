// The Cloud Sync rules that need no Graph: the managed mappings written into a whole schema (nothing else touched,
// no target twice), the secrets merge (no value the stack does not manage is dropped), the stack settings, the job
// state and the quarantine release name.
import { cloudSyncSettings, cnMapping, targetOuMapping } from "../../../components/cloudSyncSettings";
import {
  CLOUD_SYNC_DEFAULT_CN,
  CONNECT_COMPATIBLE_CN,
  cloudOfGraphEndpoint,
  connectSyncMembersNote,
  jobStateOf,
  normalizedExpression,
  quarantineReleaseName,
  routingExpression,
  sameMapping,
} from "../../../domain/cloudSync";
import type { SynchronizationSchema } from "../../../graph";
import { applyManaged, readManaged } from "../../../providers/cloudSync/schemaMappings";
import { mergeSecrets, readManagedSecrets } from "../../../providers/cloudSync/secrets";

const GROUP_ID = "0b6a8f4e-2a6b-4c1d-9f4e-3c2b1a0d9e8f";

/** A schema shaped as Microsoft's AAD2AD group mappings (docs), with an unknown property to carry through. */
function templateSchema(): SynchronizationSchema {
  const mapping = (target: string, source: Record<string, unknown>) => ({
    defaultValue: null,
    exportMissingReferences: false,
    flowBehavior: "FlowWhenChanged",
    flowType: "Always",
    matchingPriority: 0,
    targetAttributeName: target,
    source,
  });
  return {
    version: "date:2026-11-29",
    directories: [{ id: "AzureActiveDirectory" }, { id: "ActiveDirectory" }],
    synchronizationRules: [
      {
        id: "rule-1#V2",
        name: "AAD2ADGroupProvisioning",
        objectMappings: [
          {
            name: "Provision Microsoft Entra ID Groups",
            enabled: true,
            sourceObjectName: "Group",
            targetObjectName: "group",
            scope: { categoryFilterGroups: [] },
            attributeMappings: [
              mapping("cn", {
                type: "Function",
                expression: CLOUD_SYNC_DEFAULT_CN,
                name: "Append",
                parameters: [],
              }),
              mapping("parentDistinguishedName", {
                type: "Constant",
                expression: '"CN=Users,DC=contoso,DC=com"',
                name: "CN=Users,DC=contoso,DC=com",
                parameters: [],
              }),
              mapping("adminDescription", { type: "Function", expression: 'Append("Group_", [objectId])' }),
              mapping("msDS-ExternalDirectoryObjectId", {
                type: "Function",
                expression: 'Append("Group_", [objectId])',
              }),
              mapping("member", { type: "Attribute", name: "members" }),
            ],
          },
        ],
      },
    ],
  } as unknown as SynchronizationSchema;
}

const wanted = {
  parentDistinguishedName: { type: "Constant" as const, value: "OU=Cloud Groups,DC=contoso,DC=com" },
  cn: { type: "Expression" as const, expression: CONNECT_COMPATIBLE_CN },
  sAMAccountName: { type: "Expression" as const, expression: 'Append("G_", Mid([objectId], 25, 12))' },
};

describe("managed mappings", () => {
  test("only parentDistinguishedName, cn and sAMAccountName change; everything else is carried through", () => {
    const before = templateSchema();
    const { schema, changes } = applyManaged(before, wanted);
    expect(changes).toHaveLength(3);
    const read = readManaged(schema);
    expect(read.mappings).toEqual(wanted);
    expect(read.duplicated).toEqual([]);
    const mappings = schema.synchronizationRules[0]!.objectMappings[0]!.attributeMappings;
    expect(mappings.map((each) => each.targetAttributeName)).toEqual([
      "cn",
      "parentDistinguishedName",
      "adminDescription",
      "msDS-ExternalDirectoryObjectId",
      "member",
      "sAMAccountName",
    ]);
    // The service-managed mappings and the unknown properties are exactly as read.
    const original = before.synchronizationRules[0]!.objectMappings[0]!.attributeMappings;
    expect(mappings[2]).toEqual(original[2]);
    expect(mappings[3]).toEqual(original[3]);
    expect((schema as Record<string, unknown>).version).toBe("date:2026-11-29");
    expect((schema.synchronizationRules[0]!.objectMappings[0] as Record<string, unknown>).scope).toEqual({
      categoryFilterGroups: [],
    });
    // The input was not modified, and a second pass changes nothing.
    expect(readManaged(before).mappings.cn).toEqual({
      type: "Expression",
      expression: CLOUD_SYNC_DEFAULT_CN,
    });
    expect(applyManaged(schema, wanted).changes).toEqual([]);
  });

  test("a target mapped twice is left mapped once; unmapped sAMAccountName is removed", () => {
    const schema = templateSchema();
    const attributeMappings = schema.synchronizationRules[0]!.objectMappings[0]!.attributeMappings;
    attributeMappings.push({
      ...attributeMappings[0]!,
      source: { type: "Function", expression: "[displayName]" },
    });
    attributeMappings.push({
      targetAttributeName: "sAMAccountName",
      source: { type: "Attribute", name: "mailNickname" },
    });
    expect(readManaged(schema).duplicated).toEqual(["cn"]);
    const { schema: fixed, changes } = applyManaged(schema, { ...wanted, sAMAccountName: null });
    expect(changes.join("; ")).toContain("was mapped 2 times");
    expect(changes.join("; ")).toContain("sAMAccountName: removed");
    const targets = fixed.synchronizationRules[0]!.objectMappings[0]!.attributeMappings.map(
      (each) => each.targetAttributeName,
    );
    expect(targets.filter((each) => each === "cn")).toHaveLength(1);
    expect(targets).not.toContain("sAMAccountName");
    expect(readManaged(fixed).duplicated).toEqual([]);
  });

  test("expressions compare without insignificant whitespace, string literals exactly", () => {
    expect(normalizedExpression('Append( "Group_" ,\n [objectId])')).toBe('Append("Group_",[objectId])');
    expect(
      sameMapping(
        { type: "Expression", expression: CLOUD_SYNC_DEFAULT_CN },
        {
          type: "Expression",
          expression: CLOUD_SYNC_DEFAULT_CN.replace(/ /g, ""),
        },
      ),
    ).toBe(true);
    expect(
      sameMapping(
        { type: "Expression", expression: 'Append("Group _", [objectId])' },
        {
          type: "Expression",
          expression: 'Append("Group_", [objectId])',
        },
      ),
    ).toBe(false);
  });

  test("a schema without a group mapping is refused with what it has", () => {
    const schema = templateSchema();
    schema.synchronizationRules[0]!.objectMappings[0]!.targetObjectName = "user";
    expect(() => readManaged(schema)).toThrow(/no object mapping from Entra ID groups to AD groups/);
  });
});

describe("secrets", () => {
  const existing = [
    { key: "Domain", value: JSON.stringify({ domain: "contoso.com", extra: 1 }) },
    {
      key: "SyncNotificationSettings",
      value: JSON.stringify({
        Enabled: false,
        Recipients: "",
        DeleteThresholdEnabled: true,
        DeleteThresholdValue: 500,
        Other: "x",
      }),
    },
    { key: "AppKey", value: "something-the-stack-does-not-manage" },
  ];
  const declared = {
    domain: "contoso.com",
    deleteThreshold: 500,
    deleteThresholdEnabled: true,
    notifications: { enabled: false, recipients: [] },
  };

  test("nothing to write when the managed values are as declared", () => {
    expect(mergeSecrets(existing, declared).changes).toEqual([]);
  });

  test("a raised threshold is put back, and every other value is kept", () => {
    const raised = existing.map((pair) =>
      pair.key === "SyncNotificationSettings"
        ? { ...pair, value: pair.value.replace('"DeleteThresholdValue":500', '"DeleteThresholdValue":5000') }
        : pair,
    );
    expect(readManagedSecrets(raised).deleteThreshold).toBe(5000);
    const { pairs, changes } = mergeSecrets(raised, {
      ...declared,
      notifications: { enabled: true, recipients: ["ops@contoso.com", "it@contoso.com"] },
    });
    expect(changes).toContain("delete threshold: 5000 -> 500");
    expect(pairs.map((pair) => pair.key)).toEqual(["Domain", "SyncNotificationSettings", "AppKey"]);
    expect(pairs[2]).toEqual(existing[2]);
    expect(JSON.parse(pairs[0]!.value!)).toEqual({ domain: "contoso.com", extra: 1 });
    expect(JSON.parse(pairs[1]!.value!)).toEqual({
      Enabled: true,
      Recipients: "ops@contoso.com;it@contoso.com",
      DeleteThresholdEnabled: true,
      DeleteThresholdValue: 500,
      Other: "x",
    });
    expect(readManagedSecrets(pairs)).toEqual({
      domain: "contoso.com",
      deleteThreshold: 500,
      deleteThresholdEnabled: true,
      notifications: { enabled: true, recipients: ["ops@contoso.com", "it@contoso.com"] },
    });
  });

  test("a configuration without secrets gets the Domain; the service's threshold default needs no write", () => {
    const { pairs, changes } = mergeSecrets([], declared);
    expect(changes).toEqual(["Domain: (not set) -> contoso.com"]);
    expect(pairs.map((pair) => pair.key).sort()).toEqual(["Domain", "SyncNotificationSettings"]);
  });
});

describe("stack settings", () => {
  const base = { domain: "contoso.com", targetOu: "OU=Cloud Groups,DC=contoso,DC=com", groupIds: [GROUP_ID] };

  test("defaults: Cloud Sync naming, unmapped sAMAccountName, threshold 500, running", () => {
    const parsed = cloudSyncSettings.parse(base);
    expect(parsed).toMatchObject({
      naming: "cloudSync",
      samAccountName: null,
      deleteThreshold: 500,
      deleteThresholdEnabled: true,
      jobState: "running",
      releaseQuarantine: null,
    });
    expect(cnMapping(parsed.naming)).toEqual({ type: "Expression", expression: CLOUD_SYNC_DEFAULT_CN });
    expect(targetOuMapping(parsed.targetOu)).toEqual({ type: "Constant", value: base.targetOu });
  });

  test("an OU outside the domain, a bad group id, too many groups are refused with the reason", () => {
    const outside = cloudSyncSettings.safeParse({ ...base, targetOu: "OU=Groups,DC=fabrikam,DC=com" });
    expect(outside.error?.issues[0]?.message).toBe(
      "OU=Groups,DC=fabrikam,DC=com is not in the domain contoso.com (DC=contoso,DC=com)",
    );
    expect(cloudSyncSettings.safeParse({ ...base, groupIds: ["not-a-guid"] }).error?.issues[0]?.message).toBe(
      "each group id must be a GUID",
    );
    const many = Array.from(
      { length: 10_001 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
    expect(cloudSyncSettings.safeParse({ ...base, groupIds: many }).error?.issues[0]?.message).toBe(
      "at most 10,000 groups can be selected (Microsoft's limit for selected security groups)",
    );
  });

  test("routing rules become Microsoft's Switch expression", () => {
    const parsed = cloudSyncSettings.parse({
      ...base,
      targetOu: {
        attribute: "extension_0b6a8f4e_GroupDN",
        defaultOu: "OU=Default,DC=contoso,DC=com",
        routes: [{ value: "Sales", ou: "OU=Sales,DC=contoso,DC=com" }],
      },
    });
    expect(targetOuMapping(parsed.targetOu)).toEqual({
      type: "Expression",
      expression:
        'Switch([extension_0b6a8f4e_GroupDN], "OU=Default,DC=contoso,DC=com", "Sales", "OU=Sales,DC=contoso,DC=com")',
    });
    expect(routingExpression("displayName", 'OU=a\\"b,DC=x', [])).toBe(
      'Switch([displayName], "OU=a\\\\\\"b,DC=x")',
    );
  });
});

describe("job state and quarantine", () => {
  test("running, paused, quarantined", () => {
    expect(jobStateOf("Active", "Active")).toBe("running");
    expect(jobStateOf("Active", "NotRun")).toBe("running");
    expect(jobStateOf("Disabled", "Paused")).toBe("paused");
    expect(jobStateOf("Active", "Paused")).toBe("paused");
    expect(jobStateOf("Active", "Quarantine")).toBe("quarantined");
  });

  test("a release names one quarantine", () => {
    expect(quarantineReleaseName("TooManyDeletes", "2026-11-29T17:00:00Z")).toBe(
      "TooManyDeletes@2026-11-29T17:00:00Z",
    );
    // Without a time there is no value: one would name every later quarantine too.
    expect(quarantineReleaseName("TooManyDeletes", null)).toBeNull();
    expect(quarantineReleaseName("TooManyDeletes", undefined)).toBeNull();
  });

  test("Connect Sync 2.2.8.0 or later is needed for synced users to be members", () => {
    expect(connectSyncMembersNote("CONNECT01", "2.4.18.0")).toMatch(
      /^Connect Sync 2\.4\.18\.0 on CONNECT01 syncs/,
    );
    expect(connectSyncMembersNote("CONNECT01", "2.2.8.0")).toMatch(
      /^Connect Sync 2\.2\.8\.0 on CONNECT01 syncs/,
    );
    expect(connectSyncMembersNote("CONNECT01", "2.1.20.0")).toMatch(
      /^WARNING: Connect Sync 2\.1\.20\.0 on CONNECT01 is older than 2\.2\.8\.0/,
    );
  });

  test("the scope's app role follows the cloud of the Graph endpoint", () => {
    expect(cloudOfGraphEndpoint("https://graph.microsoft.com")).toBe("public");
    expect(cloudOfGraphEndpoint("https://graph.microsoft.us")).toBe("usGovernment");
    expect(cloudOfGraphEndpoint("https://microsoftgraph.chinacloudapi.cn")).toBe("china");
    expect(cloudOfGraphEndpoint("https://127.0.0.1:4443")).toBe("public");
  });
});
