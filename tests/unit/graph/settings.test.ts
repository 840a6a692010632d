import { addCloudGroup, runAction } from "../../../simulator";
import { GROUP_UNIFIED_TEMPLATE_ID } from "../../../simulator/graph";
import { newGraphSim, rawGraph, writerToken, type GraphSim } from "./support";

let g: GraphSim;
beforeEach(async () => {
  g = await newGraphSim({ m365: 2, security: 1 });
});
afterEach(async () => g.cleanup());

/** Microsoft's documented procedure: every template default, NewUnifiedGroupWritebackDefault overridden. */
async function createGroupUnified(writebackDefault: string): Promise<string> {
  const client = g.client();
  const template = await client.findDirectorySettingTemplate("Group.Unified");
  if (!template) throw new Error("no Group.Unified template");
  const values = template.values.map((value) => ({
    name: value.name,
    value: value.name === "NewUnifiedGroupWritebackDefault" ? writebackDefault : (value.defaultValue ?? ""),
  }));
  return (await client.createDirectorySetting(template.id, values)).id;
}

async function newM365Group(): Promise<boolean | null> {
  const group = await runAction(g.sim.file, "tenant.addGroup", {}, { client: "test" }, (tx) =>
    addCloudGroup(tx, { type: "m365" }),
  );
  return group.writebackEnabled;
}

describe("directory setting templates and settings", () => {
  it("finds Group.Unified by display name, with NewUnifiedGroupWritebackDefault defaulting to true", async () => {
    const client = g.client();
    const templates = await client.listDirectorySettingTemplates();
    expect(templates.map((template) => template.displayName)).toEqual([
      "Group.Unified",
      "Group.Unified.Guest",
    ]);
    const template = await client.findDirectorySettingTemplate("Group.Unified");
    expect(template?.id).toBe(GROUP_UNIFIED_TEMPLATE_ID);
    expect(template?.values.find((value) => value.name === "NewUnifiedGroupWritebackDefault")).toMatchObject({
      type: "System.Boolean",
      defaultValue: "true",
    });
    expect(await client.listDirectorySettings()).toEqual([]);
  });

  it("creates the one Group.Unified setting, refuses a second and a create without every value", async () => {
    const client = g.client();
    const id = await createGroupUnified("false");
    const settings = await client.listDirectorySettings();
    expect(settings).toHaveLength(1);
    expect(settings[0]).toMatchObject({
      id,
      displayName: "Group.Unified",
      templateId: GROUP_UNIFIED_TEMPLATE_ID,
    });
    expect(settings[0]?.values).toContainEqual({ name: "NewUnifiedGroupWritebackDefault", value: "false" });
    const second = await createGroupUnified("true").catch((caught: unknown) => caught);
    expect(second).toMatchObject({
      status: 400,
      code: "Request_BadRequest",
      graphMessage:
        "A conflicting object with one or more of the specified property values is present in the directory.",
    });
    await client.deleteDirectorySetting(id);
    const partial = await client
      .createDirectorySetting(GROUP_UNIFIED_TEMPLATE_ID, [
        { name: "NewUnifiedGroupWritebackDefault", value: "false" },
      ])
      .catch((caught: unknown) => caught);
    expect((partial as Error).message).toContain(
      "The creation request must provide settingValues for all the settings defined in the template",
    );
    expect(await client.listDirectorySettings()).toEqual([]);
  });

  it("PATCH changes only the values given; a JSON boolean is taken as Microsoft's script sends it", async () => {
    const client = g.client();
    const id = await createGroupUnified("true");
    const token = await writerToken(g);
    const patched = await rawGraph(g, "PATCH", `/beta/settings/${id}`, {
      token,
      body: { values: [{ name: "NewUnifiedGroupWritebackDefault", value: false }] },
    });
    expect(patched.status).toBe(204);
    const setting = (await client.listDirectorySettings())[0];
    expect(setting?.values).toContainEqual({ name: "NewUnifiedGroupWritebackDefault", value: "false" });
    expect(setting?.values).toContainEqual({ name: "EnableGroupCreation", value: "true" });
    expect(setting?.values).toHaveLength(15);
    await expect(
      client.updateDirectorySetting(id, [{ name: "NoSuchSetting", value: "x" }]),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      client.updateDirectorySetting(id, [{ name: "EnableGroupCreation", value: "maybe" }]),
    ).rejects.toMatchObject({ status: 400 });
  });

  it("the tenant default decides isEnabled of Microsoft 365 groups created afterwards", async () => {
    const client = g.client();
    // Without a Group.Unified setting a new group's isEnabled stays unset (null: written back).
    expect(await newM365Group()).toBeNull();
    const id = await createGroupUnified("false");
    expect(await newM365Group()).toBe(false);
    const existing = (await g.sim.state()).tenant.groups.slice(0, 2).map((group) => group.writebackEnabled);
    await client.updateDirectorySetting(id, [{ name: "NewUnifiedGroupWritebackDefault", value: "true" }]);
    expect(await newM365Group()).toBe(true);
    // Existing groups keep their value; security groups are not affected.
    expect((await g.sim.state()).tenant.groups.slice(0, 2).map((group) => group.writebackEnabled)).toEqual(
      existing,
    );
    const security = await runAction(g.sim.file, "tenant.addGroup", {}, { client: "test" }, (tx) =>
      addCloudGroup(tx, { type: "security" }),
    );
    expect(security.writebackEnabled).toBeNull();
    await client.deleteDirectorySetting(id);
    expect(await newM365Group()).toBeNull();
  });
});
