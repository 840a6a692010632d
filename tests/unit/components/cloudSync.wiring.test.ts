// CloudSyncGroupProvisioning's wiring under Pulumi mocks: the four resources, in order, with the mappings the
// settings stand for (as the migration declares it: Connect's names, the writeback OU as another resource's output).
import * as pulumi from "@pulumi/pulumi";
import { CloudSyncGroupProvisioning } from "../../../components/cloudSync";
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
