import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "../../../components/stackConfig";

function configWith(values: Record<string, string>): pulumi.Config {
  return { get: (key: string) => values[key] } as unknown as pulumi.Config;
}

const valid = {
  target: JSON.stringify({ kind: "simulator", stateFile: ".lab/lab.json" }),
  writebackOu: "OU=Entra Writeback,OU=Groups,OU=Corp,DC=contoso,DC=com",
  connectorAccountDn: "CN=MSOL_a08ff49b6f77,CN=Users,DC=contoso,DC=com",
};

test("fills the documented defaults", () => {
  expect(readStackConfig(configWith(valid))).toEqual({
    target: { kind: "simulator", stateFile: ".lab/lab.json" },
    writebackOu: valid.writebackOu,
    connectorAccountDn: valid.connectorAccountDn,
    dnFormat: "objectId",
    groupWritebackV2: "enable",
    role: "active",
    permissions: "ou",
    syncIdleTimeoutSeconds: 600,
    wizardWaitSeconds: 0,
    wizardPollSeconds: 10,
    allowNonEmptyOuDeletion: false,
    disableV2OnDestroy: false,
    acknowledgedOptedOutGroups: 0,
  });
});

test("reads numbers, booleans and a remote target", () => {
  const args = readStackConfig(
    configWith({
      ...valid,
      target: JSON.stringify({
        kind: "remote",
        computerName: "connect01.contoso.com",
        username: "CONTOSO\\svc-gwb",
      }),
      wizardWaitSeconds: "900",
      allowNonEmptyOuDeletion: "true",
      role: "staging",
    }),
  );
  expect(args.target).toEqual({
    kind: "remote",
    computerName: "connect01.contoso.com",
    username: "CONTOSO\\svc-gwb",
    transport: "wsman",
  });
  expect(args).toMatchObject({ wizardWaitSeconds: 900, allowNonEmptyOuDeletion: true, role: "staging" });
});

test("names every wrong key and says how to fix it", () => {
  const attempt = () =>
    readStackConfig(
      configWith({
        ...valid,
        writebackOu: "Entra Writeback",
        groupWritebackV2: "maybe",
        target: '{"kind":"cloud"}',
      }),
    );
  expect(attempt).toThrow(/entra-writeback:target/);
  expect(attempt).toThrow(/entra-writeback:writebackOu: must be a distinguished name/);
  expect(attempt).toThrow(/entra-writeback:groupWritebackV2/);
  expect(attempt).toThrow(/pulumi config set entra-writeback:<key>/);
});

test("a missing required key is named", () => {
  expect(() => readStackConfig(configWith({ target: valid.target }))).toThrow(/entra-writeback:writebackOu/);
});

describe("every value a resource would refuse later is refused by the program, with the providers' rules", () => {
  const longName = "x".repeat(65);
  it.each([
    ["writebackOu", "OU=a,b,DC=contoso,DC=com", /writebackOu: must be a distinguished name.*missing "="/],
    ["writebackOu", `OU=${longName},OU=Groups,DC=contoso,DC=com`, /writebackOu: .*at most 64 characters/],
    ["writebackOu", "CN=Writeback,OU=Groups,DC=contoso,DC=com", /writebackOu: .*must start with OU=/],
    ["writebackOu", "OU=Writeback", /writebackOu: .*has no parent/],
    ["writebackOu", "OU=a+CN=b,DC=contoso,DC=com", /writebackOu: .*multi-valued RDN/],
    ["writebackOu", "1OU=a,DC=contoso,DC=com", /writebackOu: .*invalid attribute type/],
    ["connectorAccountDn", "MSOL_a08ff49b6f77", /connectorAccountDn: must be a distinguished name/],
    ["connectorAccountDn", "CN=MSOL;x,DC=contoso,DC=com", /connectorAccountDn: .*unescaped ";"/],
    ["callTimeoutSeconds", "abc", /callTimeoutSeconds: .*number/],
    ["callTimeoutSeconds", "-5", /callTimeoutSeconds: .*>=1/],
    ["wizardPollSeconds", "0", /wizardPollSeconds: .*>=1/],
    ["syncIdleTimeoutSeconds", "1.5", /syncIdleTimeoutSeconds: .*number/],
    ["permissions", "domain", /permissions: .*"ou"\|"forest"/],
  ])("%s = %j", (key, value, message) => {
    expect(() => readStackConfig(configWith({ ...valid, [key]: value }))).toThrow(message);
  });

  it("refuses an unknown or misspelt key, naming it and the closest known key", () => {
    const keys = [...Object.keys(valid), "writebakOu", "callTimeoutSecs", "colour"];
    const attempt = () => readStackConfig(configWith(valid), keys);
    expect(attempt).toThrow(
      "entra-writeback:writebakOu: not a known key (did you mean entra-writeback:writebackOu?)",
    );
    expect(attempt).toThrow(
      "entra-writeback:callTimeoutSecs: not a known key (did you mean entra-writeback:callTimeoutSeconds?)",
    );
    expect(attempt).toThrow(/entra-writeback:colour: not a known key\n/);
    expect(attempt).toThrow(/pulumi config rm entra-writeback:<key>/);
  });

  it("knows the providers' keys, and accepts a valid timeout and password", () => {
    const keys = [...Object.keys(valid), "password", "callTimeoutSeconds"];
    expect(() =>
      readStackConfig(configWith({ ...valid, password: "s3cret-123", callTimeoutSeconds: "45" }), keys),
    ).not.toThrow();
  });

  it("checks the Graph connection keys: types, unknown keys, and exactly one credential", () => {
    const graph = {
      tenantId: "contoso.onmicrosoft.com",
      clientId: "0b6a8f4e-2a6b-4c1d-9f4e-3c2b1a0d9e8f",
      graphEndpoint: "https://graph.microsoft.us",
      authorityHost: "https://login.microsoftonline.us",
    };
    const keys = [...Object.keys(valid), "graph", "graphClientSecret"];
    const read = (values: Record<string, string>) => () =>
      readStackConfig(configWith({ ...valid, ...values }), keys);
    // A secret that looks like a number or JSON stays text.
    expect(read({ graph: JSON.stringify(graph), graphClientSecret: "12345" })).not.toThrow();
    expect(read({ graph: JSON.stringify({ ...graph, certificateFile: "app.pem" }) })).not.toThrow();
    expect(read({ graph: JSON.stringify(graph) })).toThrow(
      "entra-writeback:graph: the app needs a credential: set entra-writeback:graphClientSecret with --secret, or graph.certificateFile",
    );
    expect(
      read({ graph: JSON.stringify({ ...graph, certificateFile: "app.pem" }), graphClientSecret: "x" }),
    ).toThrow("entra-writeback:graph: give either graphClientSecret or graph.certificateFile, not both");
    expect(read({ graphClientSecret: "x" })).toThrow(
      "entra-writeback:graphClientSecret: set entra-writeback:graph",
    );
    expect(read({ graph: JSON.stringify({ ...graph, clientID: "x" }), graphClientSecret: "x" })).toThrow(
      /entra-writeback:graph: Unrecognized key: "clientID"/,
    );
    expect(
      read({ graph: JSON.stringify({ ...graph, graphEndpoint: "http://graph" }), graphClientSecret: "x" }),
    ).toThrow("entra-writeback:graph.graphEndpoint: graphEndpoint must be an https URL");
    expect(read({ graph: JSON.stringify({ ...graph, clientId: "app" }), graphClientSecret: "x" })).toThrow(
      "entra-writeback:graph.clientId: clientId must be the application (client) id, a GUID",
    );
  });

  it("defaults need the Graph connection; with it they are accepted, defaults applied", () => {
    const keys = [...Object.keys(valid), "defaults", "graph", "graphClientSecret"];
    expect(() => readStackConfig(configWith({ ...valid, defaults: "{}" }), keys)).toThrow(
      "entra-writeback:defaults: declared, but entra-writeback:graph is not set",
    );
    expect(() =>
      readStackConfig(
        configWith({ ...valid, defaults: JSON.stringify({ newUnifiedGroupWritebackDefault: "no" }) }),
        keys,
      ),
    ).toThrow(/entra-writeback:defaults\.newUnifiedGroupWritebackDefault: .*boolean/);
    // Following the advice: set graph and the secret.
    const graph = JSON.stringify({
      tenantId: "contoso.onmicrosoft.com",
      clientId: "0b6a8f4e-2a6b-4c1d-9f4e-3c2b1a0d9e8f",
    });
    const args = readStackConfig(
      configWith({ ...valid, defaults: "{}", graph, graphClientSecret: "x" }),
      keys,
    );
    expect(args.defaults).toEqual({
      newUnifiedGroupWritebackDefault: false,
      restoreTenantDefaultOnDestroy: false,
    });
    expect(readStackConfig(configWith(valid)).defaults).toBeUndefined();
  });

  it("cloudSync needs the Graph connection and valid values; with them it is accepted, defaults applied", () => {
    const keys = [...Object.keys(valid), "cloudSync", "graph", "graphClientSecret"];
    const cloudSync = {
      domain: "contoso.com",
      targetOu: "OU=Cloud Groups,OU=Corp,DC=contoso,DC=com",
      groupIds: ["0B6A8F4E-2A6B-4C1D-9F4E-3C2B1A0D9E8F"],
    };
    expect(() =>
      readStackConfig(configWith({ ...valid, cloudSync: JSON.stringify(cloudSync) }), keys),
    ).toThrow("entra-writeback:cloudSync: declared, but entra-writeback:graph is not set");
    const graph = JSON.stringify({
      tenantId: "contoso.onmicrosoft.com",
      clientId: "0b6a8f4e-2a6b-4c1d-9f4e-3c2b1a0d9e8f",
    });
    const withGraph = (value: unknown) =>
      readStackConfig(
        configWith({ ...valid, cloudSync: JSON.stringify(value), graph, graphClientSecret: "x" }),
        keys,
      );
    expect(() => withGraph({ ...cloudSync, targetOu: "OU=Groups,DC=fabrikam,DC=com" })).toThrow(
      "entra-writeback:cloudSync.targetOu: OU=Groups,DC=fabrikam,DC=com is not in the domain contoso.com (DC=contoso,DC=com)",
    );
    expect(() => withGraph({ ...cloudSync, naming: "Group_" })).toThrow(
      /entra-writeback:cloudSync\.naming: /,
    );
    expect(() => withGraph({ ...cloudSync, deleteTreshold: 100 })).toThrow(
      /entra-writeback:cloudSync: .*deleteTreshold/,
    );
    expect(withGraph(cloudSync).cloudSync).toMatchObject({
      ...cloudSync,
      groupIds: ["0b6a8f4e-2a6b-4c1d-9f4e-3c2b1a0d9e8f"],
      naming: "cloudSync",
      samAccountName: null,
      deleteThreshold: 500,
      jobState: "running",
    });
    expect(readStackConfig(configWith(valid)).cloudSync).toBeUndefined();
  });

  it("without Graph, the Connect-side defaults alone are accepted (no Graph-side key filled in); a Graph-side key is refused", () => {
    const keys = [...Object.keys(valid), "defaults"];
    const connectSide = {
      deleteRulePrecedence: 50,
      disableMemberLimitRule: true,
      revertRulesOnDestroy: false,
    };
    expect(
      readStackConfig(configWith({ ...valid, defaults: JSON.stringify(connectSide) }), keys).defaults,
    ).toEqual(connectSide);
    const mixed = JSON.stringify({ deleteRulePrecedence: 50, newUnifiedGroupWritebackDefault: false });
    expect(() => readStackConfig(configWith({ ...valid, defaults: mixed }), keys)).toThrow(
      "entra-writeback:defaults: declared, but entra-writeback:graph is not set: newUnifiedGroupWritebackDefault " +
        "lives in Microsoft Graph (set graph.tenantId and graph.clientId with --path, and graphClientSecret with " +
        "--secret; or declare only the Connect-side keys, which need no Graph: deleteRulePrecedence, " +
        "disableMemberLimitRule, revertRulesOnDestroy; see docs/defaults.md)",
    );
    // Following the advice: the Graph-side key left out.
    const followed = JSON.stringify({ deleteRulePrecedence: 50 });
    expect(readStackConfig(configWith({ ...valid, defaults: followed }), keys).defaults).toEqual({
      deleteRulePrecedence: 50,
    });
    // With Graph, the same keys keep the tenant default's values as before.
    const graph = JSON.stringify({
      tenantId: "contoso.onmicrosoft.com",
      clientId: "0b6a8f4e-2a6b-4c1d-9f4e-3c2b1a0d9e8f",
    });
    expect(
      readStackConfig(configWith({ ...valid, defaults: followed, graph, graphClientSecret: "x" }), [
        ...keys,
        "graph",
        "graphClientSecret",
      ]).defaults,
    ).toEqual({
      deleteRulePrecedence: 50,
      newUnifiedGroupWritebackDefault: false,
      restoreTenantDefaultOnDestroy: false,
    });
  });

  it("is a RunError: the engine prints its message once, without a stack trace", () => {
    expect(() => readStackConfig(configWith({ ...valid, writebackOu: "x" }))).toThrow(pulumi.RunError);
  });
});

test("cloudSyncMigration needs cloudSync, and reads its settings with their defaults", () => {
  const refused = (() => {
    try {
      readStackConfig(configWith({ ...valid, cloudSyncMigration: "{}" }), [
        ...Object.keys(valid),
        "cloudSyncMigration",
      ]);
    } catch (error) {
      return (error as Error).message;
    }
    return "accepted";
  })();
  expect(refused).toContain(
    "entra-writeback:cloudSyncMigration: declared, but entra-writeback:cloudSync is not",
  );
  expect(refused).toContain("nothing was changed");
  const graph = JSON.stringify({
    tenantId: "11111111-2222-4333-8444-555555555555",
    clientId: "11111111-2222-4333-8444-555555555556",
  });
  const cloudSync = JSON.stringify({
    domain: "contoso.com",
    targetOu: valid.writebackOu,
    naming: "connect",
    groupIds: [],
  });
  const args = readStackConfig(
    configWith({
      ...valid,
      graph,
      graphClientSecret: "a-secret-of-sixteen-characters",
      cloudSync,
      cloudSyncMigration: JSON.stringify({ confirmDisableGroupWritebackV2: true }),
    }),
    [...Object.keys(valid), "graph", "graphClientSecret", "cloudSync", "cloudSyncMigration"],
  );
  expect(args.cloudSyncMigration).toEqual({
    confirmDisableGroupWritebackV2: true,
    syncRulePrecedences: { inbound: null, outbound: null },
  });
});
