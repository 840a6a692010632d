// What a deployment loads is what its stack declares (docs/toolchain.md, "What a refresh costs"): the provider
// registry loads a resource kind's modules when the engine first calls that kind, and the program loads the Cloud
// Sync and migration components only for a stack that declares them. A stack of the Connect-side resources (the lab
// stack) then loads no Cloud Sync, migration or Microsoft Graph module in either process. Each check runs in a fresh
// Node process on the compiled code (dist/, as the plugins run it), and the same filter sees the modules once a stack
// uses them.
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..", "..");
const dist = path.join(root, "dist");

/** The project modules (relative to dist/) and packages a fresh Node process has loaded after running `script`. */
function loadedAfter(script: string, env: Record<string, string> = {}): string[] {
  const out = execFileSync(
    process.execPath,
    [
      "-e",
      `(async () => { ${script} })().then(() => process.stdout.write(JSON.stringify(Object.keys(require.cache))))`,
    ],
    { cwd: root, encoding: "utf8", env: { ...process.env, ...env } },
  );
  return (JSON.parse(out) as string[]).map((file) =>
    file.startsWith(dist + path.sep) ? path.relative(dist, file).split(path.sep).join("/") : file,
  );
}

/** The Cloud Sync, migration and Graph modules among the loaded ones. */
const cloudSyncOrGraph = (loaded: string[]) =>
  loaded.filter(
    (file) =>
      /^(providers\/cloudSync|providers\/cloudSyncMigration)\/(provider|configuration|job|mappings|scope|graph|plan)\.js$/.test(
        file,
      ) ||
      /^components\/(cloudSync|cloudSyncMigration)\.js$/.test(file) ||
      /^graph\/(client|errors|synchronization|transport|retry)\.js$/.test(file) ||
      file.includes(`${path.sep}@microsoft${path.sep}microsoft-graph-client${path.sep}`) ||
      file.includes(`${path.sep}@azure${path.sep}identity${path.sep}`),
  );

const REGISTRY = JSON.stringify(path.join(dist, "providers", "registry.js"));
const CONNECT_SIDE_KINDS = [
  "SchedulerState",
  "GroupWritebackFeature",
  "WritebackOU",
  "WritebackPermission",
  "SyncRule",
];

test("the registry loads a kind's modules on its first call: the Connect-side kinds load no Cloud Sync, migration or Graph module; a Cloud Sync or migration kind does", () => {
  const connectSide = `const registry = require(${REGISTRY}); for (const kind of ${JSON.stringify(CONNECT_SIDE_KINDS)}) registry.implementationFor(kind);`;
  const loaded = loadedAfter(connectSide);
  // The Connect-side kinds were loaded (the check is not vacuous) ...
  expect(loaded).toEqual(
    expect.arrayContaining(["providers/schedulerState/provider.js", "providers/syncRule/provider.js"]),
  );
  // ... and nothing of Cloud Sync, the migration or Graph.
  expect(cloudSyncOrGraph(loaded)).toEqual([]);
  // The same filter sees them once a stack uses them.
  const withCloudSync = cloudSyncOrGraph(
    loadedAfter(
      `${connectSide} registry.implementationFor("CloudSyncJob"); registry.implementationFor("CloudSyncMigrationStep");`,
    ),
  );
  expect(withCloudSync).toEqual(
    expect.arrayContaining([
      "providers/cloudSync/job.js",
      "providers/cloudSyncMigration/provider.js",
      "graph/synchronization.js",
    ]),
  );
  // Every kind the shells can name has a loader that gives its own definition.
  const all = loadedAfter(
    `const registry = require(${REGISTRY}); for (const kind of ["SchedulerState", "GroupWritebackFeature", "WritebackOU", "WritebackPermission", "UnifiedGroupWritebackDefault", "GroupWritebackOptOut", "SyncRule", "CloudSyncMigrationStep", "CloudSyncConfiguration", "CloudSyncMappings", "CloudSyncScope", "CloudSyncJob"]) registry.implementationFor(kind);`,
  );
  expect(all).toEqual(
    expect.arrayContaining([
      "providers/cloudSync/configuration.js",
      "providers/cloudSync/mappings.js",
      "providers/cloudSync/scope.js",
      "providers/groupWritebackOptOut/provider.js",
      "providers/unifiedGroupWritebackDefault/provider.js",
    ]),
  );
});

const OU = "OU=Entra Writeback,OU=Groups,OU=Corp,DC=contoso,DC=com";

/** Runs the program's entry (dist/index.js) under Pulumi mocks with this stack configuration. */
function programLoads(config: Record<string, unknown>): string[] {
  const stackConfig = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      `entra-writeback:${key}`,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
  return loadedAfter(
    `const pulumi = require("@pulumi/pulumi");
    await pulumi.runtime.setMocks({
      newResource: (args) => ({ id: args.name + "-id", state: { prerequisites: [], connectVersion: "2.5.3.0", computerName: "SYNC01", ...args.inputs, ...(args.inputs.step === "syncRules" ? { syncRules: { inbound: 3, outbound: 4, adConnector: "dc0a3e6e-5e34-4b1b-9d42-1c1f1d3a9b01" } } : {}) } }),
      call: (args) => args.inputs,
    }, "entra-writeback", "lazy-modules", false);
    const outputs = await require(${JSON.stringify(path.join(dist, "index.js"))}).default();
    if (!outputs.computerName) throw new Error("the program declared nothing");`,
    { PULUMI_CONFIG: JSON.stringify(stackConfig) },
  );
}

test("the program loads the Cloud Sync and migration components only for a stack that declares them", () => {
  const connectSide = {
    target: { kind: "simulator", stateFile: path.join(root, "no-such-lab.json") },
    writebackOu: OU,
    connectorAccountDn: "CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com",
  };
  const loaded = programLoads(connectSide);
  // The program ran and declared the Connect-side resources ...
  expect(loaded).toEqual(
    expect.arrayContaining(["components/groupWriteback.js", "providers/schedulerState/resource.js"]),
  );
  // ... without the Cloud Sync or migration components, or anything of Graph.
  expect(cloudSyncOrGraph(loaded)).toEqual([]);
  expect(loaded.filter((file) => /^providers\/cloudSync(Migration)?\/resource\.js$/.test(file))).toEqual([]);
  // The same filters see them when the stack declares Cloud Sync and the migration.
  const withCloudSync = programLoads({
    ...connectSide,
    graph: {
      tenantId: "11111111-1111-1111-1111-111111111111",
      clientId: "22222222-2222-2222-2222-222222222222",
    },
    graphClientSecret: "secret",
    cloudSync: { domain: "contoso.com", targetOu: OU, naming: "connect" },
    cloudSyncMigration: {},
  });
  expect(cloudSyncOrGraph(withCloudSync)).toEqual(
    expect.arrayContaining(["components/cloudSync.js", "components/cloudSyncMigration.js"]),
  );
  expect(withCloudSync).toEqual(
    expect.arrayContaining(["providers/cloudSync/resource.js", "providers/cloudSyncMigration/resource.js"]),
  );
});
