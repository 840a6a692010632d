// CloudSyncGroupProvisioning's wiring under Pulumi mocks: the four resources, in order, with the mappings the
// settings stand for (as the migration declares it: Connect's names, the writeback OU as another resource's output).
import * as pulumi from "@pulumi/pulumi";
import { CloudSyncGroupProvisioning } from "../../../components/cloudSync";
import { cloudSyncSettings } from "../../../components/cloudSyncSettings";
import { CLOUD_SYNC_DEFAULT_CN, CONNECT_COMPATIBLE_CN } from "../../../domain/cloudSync";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type.endsWith(":CloudSyncConfiguration"))
          Object.assign(state, {
            servicePrincipalId: "sp-1",
            jobId: "AAD2ADGroupProvisioning.x.y",
            prerequisites: [],
          });
        if (args.type.endsWith(":CloudSyncJob"))
          Object.assign(state, { state: "running", statusCode: "Active", needsAttention: [] });
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        return args.inputs;
      },
    },
    "entra-writeback",
    "cloud-sync-wiring",
    false,
  );
});

const GROUP = "0b6a8f4e-2a6b-4c1d-9f4e-3c2b1a0d9e8f";
const OU = "OU=Entra Writeback,OU=Groups,OU=Corp,DC=contoso,DC=com";

function outputOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

const byName = (name: string) => registered.find((r) => r.name === name);

test("the migration's form: Connect's names, the writeback OU from another resource, the groups from an output", async () => {
  registered.length = 0;
  const component = new CloudSyncGroupProvisioning("cs", {
    domain: "contoso.com",
    naming: "connect",
    targetOu: pulumi.output(OU),
    groupIds: pulumi.output([GROUP]),
  });
  expect(await outputOf(component.jobState)).toBe("running");
  // The configuration first, the job last (mappings and scope in between, in either order).
  const names = registered.map((r) => r.name);
  expect(names.slice(0, 2)).toEqual(["cs", "cs-configuration"]);
  expect(names.slice(2, 4).sort()).toEqual(["cs-mappings", "cs-scope"]);
  expect(names[4]).toBe("cs-job");
  expect(byName("cs-configuration")?.inputs).toMatchObject({
    domain: "contoso.com",
    deleteThreshold: 500,
    onDelete: "retain",
    scopePreflight: { groupIds: [GROUP] },
  });
  expect(byName("cs-mappings")?.inputs).toMatchObject({
    servicePrincipalId: "sp-1",
    jobId: "AAD2ADGroupProvisioning.x.y",
    parentDistinguishedName: { type: "Constant", value: OU },
    cn: { type: "Expression", expression: CONNECT_COMPATIBLE_CN },
  });
  expect(byName("cs-scope")?.inputs).toMatchObject({ servicePrincipalId: "sp-1", groupIds: [GROUP] });
  expect(byName("cs-job")?.inputs).toMatchObject({ state: "running", releaseQuarantine: null });
});

test("defaults: Cloud Sync's names; a plain value the schema refuses stops the program with the key named", async () => {
  registered.length = 0;
  const component = new CloudSyncGroupProvisioning("cs", {
    domain: "contoso.com",
    targetOu: OU,
    groupIds: [GROUP],
  });
  await outputOf(component.jobState);
  expect(byName("cs-mappings")?.inputs).toMatchObject({
    cn: { type: "Expression", expression: CLOUD_SYNC_DEFAULT_CN },
    sAMAccountName: null,
  });
  expect(
    () =>
      new CloudSyncGroupProvisioning("bad", {
        domain: "contoso.com",
        targetOu: OU,
        groupIds: [],
        deleteThreshold: 0,
      }),
  ).toThrow(/^CloudSyncGroupProvisioning: deleteThreshold: /);
});

test("allowRenameOrMove: false by default, passed to the mappings when set; a value that is not a boolean is refused with the key named", async () => {
  registered.length = 0;
  const plain = new CloudSyncGroupProvisioning("plain", {
    domain: "contoso.com",
    targetOu: OU,
    groupIds: [GROUP],
  });
  await outputOf(plain.jobState);
  expect(byName("plain-mappings")?.inputs).toMatchObject({ allowRenameOrMove: false });
  const allowing = new CloudSyncGroupProvisioning("allowing", {
    domain: "contoso.com",
    targetOu: OU,
    groupIds: [GROUP],
    allowRenameOrMove: true,
  });
  await outputOf(allowing.jobState);
  expect(byName("allowing-mappings")?.inputs).toMatchObject({ allowRenameOrMove: true });
  expect(
    () =>
      new CloudSyncGroupProvisioning("bad", {
        domain: "contoso.com",
        targetOu: OU,
        groupIds: [],
        allowRenameOrMove: "yes" as never,
      }),
  ).toThrow(/^CloudSyncGroupProvisioning: allowRenameOrMove: /);
});

test("all security groups with attribute filters: SyncAll true on the configuration, the filters on the mappings, no group assigned", async () => {
  registered.length = 0;
  const filters = [
    { clauses: [{ attribute: "displayName", operator: "REGEX MATCH" as const, value: "^Sales" }] },
  ];
  const component = new CloudSyncGroupProvisioning("cs", {
    domain: "contoso.com",
    targetOu: OU,
    groupIds: [],
    allSecurityGroups: { filters },
  });
  await outputOf(component.jobState);
  expect(byName("cs-configuration")?.inputs).toMatchObject({
    syncAll: true,
    scopePreflight: { groupIds: [] },
  });
  expect(byName("cs-mappings")?.inputs).toMatchObject({ scopingFilter: filters });
  expect(byName("cs-scope")?.inputs).toMatchObject({ groupIds: [] });

  // Selected groups: SyncAll false and no filter (a filter found in the schema is removed).
  registered.length = 0;
  await outputOf(
    new CloudSyncGroupProvisioning("sel", { domain: "contoso.com", targetOu: OU, groupIds: [GROUP] })
      .jobState,
  );
  expect(byName("sel-configuration")?.inputs).toMatchObject({ syncAll: false });
  expect(byName("sel-mappings")?.inputs).toMatchObject({ scopingFilter: [] });
});

test("the scope settings refuse, with the key named: both modes at once, no filter, a value where the operator takes none and the reverse", () => {
  const base = { domain: "contoso.com", targetOu: OU };
  const messages = (settings: Record<string, unknown>) => {
    const parsed = cloudSyncSettings.safeParse({ ...base, ...settings });
    return parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  };
  const clause = (operator: string, value?: string | null) => ({
    filters: [
      { clauses: [{ attribute: "displayName", operator, ...(value === undefined ? {} : { value }) }] },
    ],
  });
  expect(messages({ allSecurityGroups: clause("EQUALS", "Sales") })).toEqual([]);
  expect(messages({ groupIds: [GROUP], allSecurityGroups: clause("EQUALS", "Sales") })).toEqual([
    "allSecurityGroups: groupIds selects 1 group(s) while allSecurityGroups selects every security group its filters match: declare one of them (remove groupIds for all security groups, or allSecurityGroups for selected groups)",
  ]);
  expect(messages({ allSecurityGroups: { filters: [] } })[0]).toMatch(
    /^allSecurityGroups\.filters: all security groups needs at least one attribute filter/,
  );
  expect(messages({ allSecurityGroups: clause("EQUALS") })).toEqual([
    "allSecurityGroups.filters.0.clauses.0.value: EQUALS on displayName needs a value to compare with",
  ]);
  expect(messages({ allSecurityGroups: clause("IS TRUE", "x") })).toEqual([
    "allSecurityGroups.filters.0.clauses.0.value: IS TRUE on displayName takes no value; remove it",
  ]);
  expect(messages({ allSecurityGroups: clause("REGEX MATCH", "(") })).toEqual([
    "allSecurityGroups.filters.0.clauses.0.value: ( is not a valid regular expression",
  ]);
  expect(messages({ allSecurityGroups: clause("CONTAINS", "x") })[0]).toContain(
    "allSecurityGroups.filters.0.clauses.0.operator: operator must be one of EQUALS, NOT EQUALS, IS TRUE",
  );

  // The component refuses both modes too (plain groups: at once).
  expect(
    () =>
      new CloudSyncGroupProvisioning("both", {
        ...base,
        groupIds: [GROUP],
        allSecurityGroups: clause("EQUALS", "Sales") as never,
      }),
  ).toThrow(/^CloudSyncGroupProvisioning: groupIds selects 1 group\(s\) while allSecurityGroups/);
});
