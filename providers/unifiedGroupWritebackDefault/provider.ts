// UnifiedGroupWritebackDefault: create-or-update the tenant's one Group.Unified directory setting through Microsoft
// Graph (docs/defaults.md). A create carries every value of the template as Graph requires (read from the template
// at run time); an update sends the setting's values with only NewUnifiedGroupWritebackDefault changed.
import type { ProviderImplementation } from "../common/defineResource";
import type { DirectorySetting, DirectorySettingTemplate, GraphClient } from "../../graph";
import { clientFor } from "../common/connection";
import { withGraph as withGraphAs } from "../common/graphAccess";
import { diffByKeys } from "../common/diff";
import { preflight } from "../common/preflight";
import { progressFor } from "../common/progress";
import {
  GROUP_UNIFIED,
  NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT,
  unifiedGroupWritebackDefault,
  type UnifiedGroupWritebackDefaultOutputs,
} from "./schema";

const KIND = "UnifiedGroupWritebackDefault";
const progress = progressFor(KIND);
/** The application permission the Group.Unified setting needs (read and write). */
export const REQUIRED_PERMISSION = "Directory.ReadWrite.All";

function withGraph<T>(doing: string, run: (graph: GraphClient) => Promise<T>): Promise<T> {
  return withGraphAs(KIND, REQUIRED_PERMISSION, doing, run);
}

interface Tenant {
  template: DirectorySettingTemplate;
  setting: DirectorySetting | undefined;
}

async function readTenant(graph: GraphClient): Promise<Tenant> {
  const template = await graph.findDirectorySettingTemplate(GROUP_UNIFIED);
  if (!template) {
    throw new Error(
      `the tenant has no ${GROUP_UNIFIED} directory setting template; Microsoft Graph did not list it under /beta/directorySettingTemplates`,
    );
  }
  const settings = (await graph.listDirectorySettings()).filter((each) => each.templateId === template.id);
  if (settings.length > 1) {
    throw new Error(
      `the tenant has ${settings.length} ${GROUP_UNIFIED} directory settings (${settings.map((each) => each.id).join(", ")}); ` +
        "there should be one: delete the extra ones in Microsoft Graph, then run again",
    );
  }
  return { template, setting: settings[0] };
}

function asBoolean(value: string | null | undefined): boolean | null {
  if (value === null || value === undefined || value === "") return null;
  return value.toLowerCase() !== "false";
}

/** The value in the setting (null when the tenant has no setting or no such value). */
function settingValue(tenant: Tenant): boolean | null {
  return asBoolean(
    tenant.setting?.values.find((each) => each.name === NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT)?.value,
  );
}

/** What new groups get: the value, or the template's default when the tenant has none (true). */
function effectiveValue(tenant: Tenant): boolean {
  const templateDefault = tenant.template.values.find(
    (each) => each.name === NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT,
  )?.defaultValue;
  return settingValue(tenant) ?? asBoolean(templateDefault) ?? true;
}

/** Sets the value on the one Group.Unified setting (created with every template value when missing). */
async function setValue(
  graph: GraphClient,
  tenant: Tenant,
  value: boolean,
): Promise<{ settingId: string; created: boolean; changed: boolean }> {
  const text = String(value);
  const { template, setting } = tenant;
  if (setting) {
    if (settingValue(tenant) === value) return { settingId: setting.id, created: false, changed: false };
    progress(
      `setting ${NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT} to ${text} on the ${GROUP_UNIFIED} setting ${setting.id}`,
    );
    const named = setting.values.some((each) => each.name === NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT);
    const values = setting.values.map((each) =>
      each.name === NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT
        ? { name: each.name, value: text }
        : { name: each.name, value: each.value ?? "" },
    );
    if (!named) values.push({ name: NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT, value: text });
    await graph.updateDirectorySetting(setting.id, values);
    return { settingId: setting.id, created: false, changed: true };
  }
  progress(
    `creating the tenant's ${GROUP_UNIFIED} setting with ${NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT} = ${text} ` +
      `(the template's defaults for its ${template.values.length - 1} other values)`,
  );
  const values = template.values.map((each) => ({
    name: each.name,
    value: each.name === NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT ? text : (each.defaultValue ?? ""),
  }));
  const created = await graph.createDirectorySetting(template.id, values);
  return { settingId: created.id, created: true, changed: true };
}

async function ensure(
  raw: unknown,
  olds?: UnifiedGroupWritebackDefaultOutputs,
): Promise<UnifiedGroupWritebackDefaultOutputs> {
  const inputs = unifiedGroupWritebackDefault.parse(raw);
  const wanted = inputs.newUnifiedGroupWritebackDefault;
  // The first change of the stack: the checks the later resources would fail run before it (preflight.ts).
  if (inputs.target !== undefined)
    await preflight(
      clientFor(inputs.target),
      inputs.preflight,
      `changing the tenant's ${NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT}`,
    );
  return withGraph(`cannot set ${NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT} to ${wanted}`, async (graph) => {
    const tenant = await readTenant(graph);
    const before = settingValue(tenant);
    const result = await setValue(graph, tenant, wanted);
    if (!result.changed)
      progress(
        `${NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT} is already ${wanted} (setting ${result.settingId}): nothing to change`,
      );
    return {
      ...inputs,
      settingId: result.settingId,
      previousValue: olds ? olds.previousValue : before,
      settingCreated: olds ? olds.settingCreated : result.created,
    };
  });
}

export const unifiedGroupWritebackDefaultProvider: ProviderImplementation = {
  async check(_olds, news) {
    return unifiedGroupWritebackDefault.check(news);
  },

  async diff(_id, olds, news) {
    return diffByKeys(olds, news, { replaceKeys: [], ignoreKeys: ["target", "preflight"] });
  },

  async create(raw) {
    const outs = await ensure(raw);
    return { id: outs.settingId, outs };
  },

  async read(id, props) {
    const olds = props as UnifiedGroupWritebackDefaultOutputs;
    const tenant = await withGraph(`cannot read ${NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT}`, readTenant);
    // The live value under the input's key: diff then shows a value flipped by hand as a change to repair.
    return {
      id,
      props: {
        ...olds,
        newUnifiedGroupWritebackDefault: effectiveValue(tenant),
        settingId: tenant.setting?.id ?? olds.settingId,
      },
    };
  },

  async update(_id, olds, news) {
    return { outs: await ensure(news, olds as UnifiedGroupWritebackDefaultOutputs) };
  },

  async delete(_id, props) {
    const olds = props as UnifiedGroupWritebackDefaultOutputs;
    const current = olds.newUnifiedGroupWritebackDefault;
    if (olds.onDelete === "retain") {
      progress(
        `leaving ${NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT} = ${current} in the tenant (onDelete: retain): new Microsoft 365 ` +
          `groups keep getting writeback ${current ? "enabled" : "disabled"}. To put back the earlier value on destroy, ` +
          "declare onDelete: restore, run pulumi up, then destroy.",
      );
      return;
    }
    const restored = olds.previousValue ?? true;
    await withGraph(`cannot restore ${NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT} to ${restored}`, async (graph) => {
      const tenant = await readTenant(graph);
      if (!tenant.setting) {
        progress(
          `the tenant has no ${GROUP_UNIFIED} setting any more: new groups already get the default (${restored})`,
        );
        return;
      }
      const result = await setValue(graph, tenant, restored);
      progress(
        result.changed
          ? `restored ${NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT} to ${restored} (onDelete: restore)`
          : `${NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT} is already ${restored}, the value before this stack (onDelete: restore)`,
      );
    });
  },
};
