// UnifiedGroupWritebackDefault against the simulated Microsoft Graph, configured as the engine configures the
// providers (entra-writeback:graph and graphClientSecret through configureProviders).
import { addCloudGroup, runAction } from "../../../simulator";
import { armGraphFault, GROUP_UNIFIED_TEMPLATE_ID, withGraphTenant } from "../../../simulator/graph";
import { closeClients } from "../../../providers/common/connection";
import { implementationFor } from "../../../providers/registry";
import { configureProvidersFor, graphEntries, newGraphSim, type GraphSim } from "../graph/support";
import { captureProgress, versioned } from "./support";

const provider = implementationFor("UnifiedGroupWritebackDefault");
const NAME = "NewUnifiedGroupWritebackDefault";

let g: GraphSim;
let progress: ReturnType<typeof captureProgress>;

beforeEach(async () => {
  g = await newGraphSim({ m365: 2, security: 1 });
  progress = captureProgress();
  configureProvidersFor(g);
});
afterEach(async () => {
  progress.restore();
  await closeClients();
  await g.cleanup();
});

async function settings(): Promise<
  Array<{ id: string; templateId: string; values: Array<{ name: string; value: string }> }>
> {
  return withGraphTenant(g.sim.file, (_tx, graph) => structuredClone(graph.directorySettings));
}

async function valueOf(name = NAME): Promise<string | undefined> {
  const all = await settings();
  return all[0]?.values.find((each) => each.name === name)?.value;
}

/** Sets the value by hand, as an admin would in Graph (the writer app, not the provider). */
async function setByHand(value: string): Promise<void> {
  await withGraphTenant(g.sim.file, (_tx, graph) => {
    const setting = graph.directorySettings[0]!;
    setting.values.find((each) => each.name === NAME)!.value = value;
  });
}

/** Microsoft's documented Group.Unified create, with some values an admin chose. */
async function existingSetting(overrides: Record<string, string>): Promise<string> {
  const client = g.client();
  const template = (await client.findDirectorySettingTemplate("Group.Unified"))!;
  const values = template.values.map((each) => ({
    name: each.name,
    value: overrides[each.name] ?? each.defaultValue ?? "",
  }));
  return (await client.createDirectorySetting(template.id, values)).id;
}

const settingRequests = () =>
  graphEntries(g)
    .filter((entry) => entry.client !== "anonymous" && /setting/i.test(entry.operation))
    .map(
      (entry) => `${(entry.args as { method: string }).method} ${(entry.args as { status: unknown }).status}`,
    );

async function newGroupWritebackEnabled(): Promise<boolean | null> {
  const group = await runAction(g.sim.file, "tenant.addGroup", {}, { client: "test" }, (tx) =>
    addCloudGroup(tx, { type: "m365" }),
  );
  return group.writebackEnabled;
}

describe("UnifiedGroupWritebackDefault", () => {
  it("creates the one Group.Unified setting with every template value when the tenant has none", async () => {
    expect(await settings()).toEqual([]);
    expect(await newGroupWritebackEnabled()).not.toBe(false);
    const { id, outs } = await provider.create(versioned({}));
    const all = await settings();
    expect(all).toHaveLength(1);
    expect(all[0]!.templateId).toBe(GROUP_UNIFIED_TEMPLATE_ID);
    expect(id).toBe(all[0]!.id);
    expect(all[0]!.values).toHaveLength(15);
    expect(await valueOf()).toBe("false");
    expect(await valueOf("EnableGroupCreation")).toBe("true");
    expect(outs).toMatchObject({
      newUnifiedGroupWritebackDefault: false,
      onDelete: "retain",
      settingId: all[0]!.id,
      previousValue: null,
      settingCreated: true,
    });
    // The effect: a new Microsoft 365 group is not written back.
    expect(await newGroupWritebackEnabled()).toBe(false);
    expect(progress.lines.join("\n")).toContain(
      "[entra-writeback] UnifiedGroupWritebackDefault: creating the tenant's Group.Unified setting with NewUnifiedGroupWritebackDefault = false",
    );
  });

  it("with the server's checks (the component passes them), a wrong connector account changes nothing in the tenant", async () => {
    const target = { kind: "simulator", stateFile: g.sim.file };
    const wrong = "CN=MSOL_0000old00000,CN=Users,DC=contoso,DC=com";
    const declared = (connectorAccountDn: string) =>
      versioned({ target, preflight: { writebackOu: g.sim.ou, connectorAccountDn } });
    const message = await provider.create(declared(wrong)).then(
      () => "",
      (error: Error) => error.message,
    );
    expect(message).toContain(
      "Nothing was changed: checked before changing the tenant's NewUnifiedGroupWritebackDefault",
    );
    expect(await settings()).toEqual([]);
    // The same declaration with the server's own account goes ahead (the filter above can see a setting).
    await provider.create(declared(g.sim.account));
    expect(await valueOf()).toBe("false");
  });

  it("updates an existing setting without touching its other values, and never creates a second one", async () => {
    const existing = await existingSetting({
      EnableGroupCreation: "false",
      UsageGuidelinesUrl: "https://contoso.com/groups",
    });
    const before = await settings();
    // The test's own create is the POST the filter below would see.
    expect(settingRequests()).toContain("POST 201");
    const requestsBefore = settingRequests().length;
    const { outs } = await provider.create(versioned({}));
    const after = await settings();
    expect(after.map((each) => each.id)).toEqual([existing]);
    expect(after[0]!.values).toEqual(
      before[0]!.values.map((each) => (each.name === NAME ? { name: NAME, value: "false" } : each)),
    );
    expect(outs).toMatchObject({ settingId: existing, previousValue: true, settingCreated: false });
    expect(settingRequests().slice(requestsBefore)).toEqual(["GET 200", "GET 200", "PATCH 204"]);
  });

  it("adopts a setting that is already right (no write), and writes once it is not", async () => {
    await existingSetting({ [NAME]: "false" });
    const requestsBefore = settingRequests().length;
    const { outs } = await provider.create(versioned({}));
    expect(outs).toMatchObject({ previousValue: false, settingCreated: false });
    expect(
      settingRequests()
        .slice(requestsBefore)
        .filter((each) => !each.startsWith("GET")),
    ).toEqual([]);
    expect(progress.lines.join("\n")).toContain("NewUnifiedGroupWritebackDefault is already false");
    // The filter sees writes: declaring true writes one PATCH.
    await provider.update(outs.settingId, outs, versioned({ newUnifiedGroupWritebackDefault: true }));
    expect(
      settingRequests()
        .slice(requestsBefore)
        .filter((each) => !each.startsWith("GET")),
    ).toEqual(["PATCH 204"]);
    expect(await valueOf()).toBe("true");
  });

  it("read shows a value flipped back by hand as drift, and update repairs it", async () => {
    const { id, outs } = await provider.create(versioned({}));
    const news = versioned({ newUnifiedGroupWritebackDefault: false, onDelete: "retain" });
    const converged = await provider.read(id, outs);
    expect((await provider.diff(id, converged.props!, news)).changes).toBe(false);

    await setByHand("true");
    const drifted = await provider.read(id, outs);
    expect(drifted.props).toMatchObject({ newUnifiedGroupWritebackDefault: true });
    expect((await provider.diff(id, drifted.props!, news)).changes).toBe(true);

    await provider.update(id, drifted.props!, news);
    expect(await valueOf()).toBe("false");
    const repaired = await provider.read(id, outs);
    expect((await provider.diff(id, repaired.props!, news)).changes).toBe(false);
  });

  it("delete retains the value by default and says so; restore puts back the value found at create", async () => {
    await existingSetting({});
    const retained = await provider.create(versioned({}));
    await provider.delete(retained.id, retained.outs);
    expect(await valueOf()).toBe("false");
    expect(progress.lines.join("\n")).toContain(
      "leaving NewUnifiedGroupWritebackDefault = false in the tenant (onDelete: retain)",
    );
    // Following the advice: declare onDelete: restore, update, destroy.
    const { outs } = await provider.update(retained.id, retained.outs, versioned({ onDelete: "restore" }));
    expect(outs).toMatchObject({ onDelete: "restore", previousValue: true });
    await provider.delete(retained.id, outs!);
    expect(await valueOf()).toBe("true");
    expect(progress.lines.join("\n")).toContain(
      "restored NewUnifiedGroupWritebackDefault to true (onDelete: restore)",
    );
    expect(await settings()).toHaveLength(1);
  });

  it("a read-only app gets one line naming Directory.ReadWrite.All; granting it makes the same call work", async () => {
    configureProvidersFor(g, g.reader);
    const failure = await provider.create(versioned({})).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toMatch(
      /^cannot set NewUnifiedGroupWritebackDefault to false: Microsoft Graph refused GET \/beta\/\S+ with 403 Authorization_RequestDenied\. The app \(entra-writeback:graph\.clientId\) needs the application permission Directory\.ReadWrite\.All with admin consent/,
    );
    expect(failure?.message).not.toContain("\n");
    expect(failure?.message).not.toContain(g.reader.clientSecret);
    expect(await settings()).toEqual([]);
    // Following the advice: grant the permission (admin consent), run again. A new token carries the role.
    await withGraphTenant(g.sim.file, (_tx, graph) => {
      graph.apps.find((app) => app.clientId === g.reader.clientId)!.roles.push("Directory.ReadWrite.All");
    });
    await closeClients();
    configureProvidersFor(g, g.reader);
    await provider.create(versioned({}));
    expect(await valueOf()).toBe("false");
  });

  it("survives a 429 with Retry-After: waits as told, says so, and sets the value", async () => {
    await armGraphFault(g.sim.file, {
      method: "GET",
      path: "/beta/settings",
      kind: "throttle",
      retryAfterSeconds: 1,
    });
    const started = Date.now();
    await provider.create(versioned({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await valueOf()).toBe("false");
    expect(
      graphEntries(g)
        .filter((entry) => entry.operation === "graph.listSettings")
        .map((entry) => (entry.args as { status: unknown }).status),
    ).toEqual([429, 200]);
    expect(progress.lines.join("\n")).toContain(
      "UnifiedGroupWritebackDefault: Microsoft Graph answered 429 to GET /beta/settings: waiting 1 s (its Retry-After) before retry 1",
    );
  });
});
