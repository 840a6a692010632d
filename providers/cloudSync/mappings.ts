// CloudSyncMappings: the group mappings the stack manages in the job's schema (parentDistinguishedName, cn,
// sAMAccountName). Read the whole schema, change only those, write the whole schema back with PUT (docs/cloud-sync.md).
import { MANAGED_TARGETS, sameMapping, sameScopingFilters, type ScopingFilter } from "../../domain/cloudSync";
import { isNotFound, type SynchronizationApi, type SynchronizationSchema } from "../../graph/synchronization";
import { UNKNOWN } from "../common/checkInputs";
import type { ProviderImplementation } from "../common/defineResource";
import { progressFor } from "../common/progress";
import { withKnownIds, withSync } from "./graph";
import { cloudSyncMappings, type CloudSyncMappingsInputs, type CloudSyncMappingsOutputs } from "./schema";
import {
  applyManaged,
  applyScopingFilters,
  describe,
  type ManagedMappings,
  readManaged,
  readScopingFilters,
} from "./schemaMappings";

const KIND = "CloudSyncMappings";
const progress = progressFor(KIND);

const wantedOf = (inputs: CloudSyncMappingsInputs): ManagedMappings => ({
  parentDistinguishedName: inputs.parentDistinguishedName,
  cn: inputs.cn,
  sAMAccountName: inputs.sAMAccountName,
});

/**
 * A first write (create) to a job that has already exported to AD (an adopted configuration) must not rename or move
 * the groups it provisioned: a changed cn or parentDistinguishedName, or a new sAMAccountName, is refused.
 */
async function refuseRenamingAdopted(
  sync: SynchronizationApi,
  inputs: CloudSyncMappingsInputs,
  schema: SynchronizationSchema,
): Promise<void> {
  const live = readManaged(schema).mappings;
  const wanted = wantedOf(inputs);
  const renaming = MANAGED_TARGETS.filter(
    (target) =>
      !sameMapping(live[target], wanted[target]) && (target !== "sAMAccountName" || wanted[target] !== null),
  );
  if (renaming.length === 0) return;
  const job = await sync.job(inputs.servicePrincipalId, inputs.jobId);
  const exported = (job.status as { lastSuccessfulExecutionWithExports?: unknown } | null | undefined)
    ?.lastSuccessfulExecutionWithExports;
  if (exported === null || exported === undefined) return;
  throw new Error(
    `the Cloud Sync job ${inputs.jobId} has already provisioned groups to AD, and the stack would change its ` +
      `${renaming.map((target) => `${target} mapping (${describe(live[target])} -> ${describe(wanted[target])})`).join(", ")}: ` +
      "that renames or moves every group it provisioned. Nothing was changed. Declare the mappings the configuration " +
      "has (entra-writeback:cloudSync naming, targetOu, samAccountName), or, to rename or move them on purpose, change " +
      "the mappings in the Microsoft Entra admin center first, then run pulumi up again.",
  );
}

async function ensure(raw: unknown, creating = false): Promise<CloudSyncMappingsOutputs> {
  const inputs = cloudSyncMappings.parse(raw);
  return withSync(
    KIND,
    `cannot set the group mappings of the Cloud Sync job ${inputs.jobId}`,
    async (sync) => {
      const schema = await sync.schema(inputs.servicePrincipalId, inputs.jobId);
      if (creating) await refuseRenamingAdopted(sync, inputs, schema);
      const managed = applyManaged(schema, wantedOf(inputs));
      let next = managed.schema;
      const changes = [...managed.changes];
      if (inputs.scopingFilter !== null) {
        const scoped = applyScopingFilters(next, inputs.scopingFilter);
        next = scoped.schema;
        if (scoped.change !== null) changes.push(scoped.change);
      }
      const { objectMapping } = readManaged(next);
      if (changes.length > 0) {
        progress(
          `writing the job's schema (PUT), ${objectMapping}: ${changes.join("; ")}; every other mapping is kept`,
        );
        await sync.putSchema(inputs.servicePrincipalId, inputs.jobId, next);
      } else {
        progress(`the group mappings of ${inputs.jobId} are as declared: nothing to change`);
      }
      return { ...inputs, objectMapping };
    },
  );
}

/** What a changed naming or OU mapping does to the groups already provisioned (said in the preview, once per run). */
const EFFECT: Partial<Record<(typeof MANAGED_TARGETS)[number], string>> = {
  cn: "Cloud Sync renames every group it provisioned on its next cycle",
  parentDistinguishedName: "Cloud Sync moves every group it provisioned to the new OU on its next cycle",
};
const warned = new Set<string>();

function warnOnce(key: (typeof MANAGED_TARGETS)[number], live: unknown, wanted: unknown): void {
  const effect = EFFECT[key];
  if (!effect || live === undefined || wanted === UNKNOWN) return;
  const line = `CHANGE: ${key} ${describe((live ?? null) as never)} -> ${describe((wanted ?? null) as never)}: ${effect}`;
  if (warned.has(line)) return;
  warned.add(line);
  progress(line);
}

export const cloudSyncMappingsProvider: ProviderImplementation = {
  async check(_olds, news) {
    return cloudSyncMappings.check(news);
  },

  async diff(_id, olds, planned) {
    const news = withKnownIds(olds, planned);
    const replaces = ["servicePrincipalId", "jobId"].filter(
      (key) => news[key] === UNKNOWN || news[key] !== olds[key],
    );
    // Mappings compare as the service compares expressions (whitespace outside string literals does not count).
    const changed = MANAGED_TARGETS.filter((key) => {
      const wanted = news[key] ?? null;
      if (wanted === UNKNOWN || JSON.stringify(wanted).includes(UNKNOWN)) return true;
      return !sameMapping((olds[key] ?? null) as never, wanted as never);
    });
    for (const key of changed) warnOnce(key, olds[key], news[key]);
    const wantedFilter = news.scopingFilter ?? null;
    const filterChanged =
      wantedFilter !== null &&
      (wantedFilter === UNKNOWN ||
        !Array.isArray(olds.scopingFilter) ||
        !sameScopingFilters(olds.scopingFilter as ScopingFilter[], wantedFilter as ScopingFilter[]));
    const count = replaces.length + changed.length + (filterChanged ? 1 : 0);
    return { changes: count > 0, replaces, deleteBeforeReplace: false };
  },

  async create(raw) {
    const outs = await ensure(raw, true);
    return { id: `${outs.jobId}/mappings`, outs };
  },

  async read(id, props) {
    const olds = props as CloudSyncMappingsOutputs;
    return withSync(KIND, `cannot read the schema of the Cloud Sync job ${olds.jobId}`, async (sync) => {
      let live: ReturnType<typeof readManaged>;
      let liveFilters: ScopingFilter[];
      try {
        const schema = await sync.schema(olds.servicePrincipalId, olds.jobId);
        live = readManaged(schema);
        liveFilters = readScopingFilters(schema);
      } catch (error) {
        if (isNotFound(error)) return { id: "", props: {} };
        throw error;
      }
      const values: Partial<Record<(typeof MANAGED_TARGETS)[number], unknown>> = {};
      for (const key of MANAGED_TARGETS) {
        // The declared spelling when it means the same, so that only a real change shows.
        values[key] = live.duplicated.includes(key)
          ? { type: "Expression", expression: `(mapped more than once) ${describe(live.mappings[key])}` }
          : sameMapping(live.mappings[key], olds[key])
            ? olds[key]
            : live.mappings[key];
      }
      if (live.duplicated.length > 0)
        progress(
          `the job's schema maps ${live.duplicated.join(", ")} more than once: pulumi up leaves one mapping each`,
        );
      // A managed scoping filter under its input key, in the declared spelling when it means the same.
      const scopingFilter = Array.isArray(olds.scopingFilter)
        ? sameScopingFilters(olds.scopingFilter, liveFilters)
          ? olds.scopingFilter
          : liveFilters
        : (olds.scopingFilter ?? null);
      return {
        id,
        props: { ...olds, ...values, scopingFilter, objectMapping: live.objectMapping },
      };
    });
  },

  async update(_id, _olds, news) {
    return { outs: await ensure(news) };
  },

  async delete(_id, props) {
    const olds = props as CloudSyncMappingsOutputs;
    progress(
      `leaving the group mappings of the job ${olds.jobId} as they are: a destroyed stack does not rename or move the groups`,
    );
  },
};
