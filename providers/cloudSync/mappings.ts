// CloudSyncMappings: the group mappings the stack manages in the job's schema (parentDistinguishedName, cn,
// sAMAccountName). Read the whole schema, change only those, write the whole schema back with PUT (docs/cloud-sync.md).
import { MANAGED_TARGETS, sameMapping, sameScopingFilters, type ScopingFilter } from "../../domain/cloudSync";
import {
  isNotFound,
  type SynchronizationApi,
  type SynchronizationJob,
  type SynchronizationSchema,
} from "../../graph/synchronization";
import { UNKNOWN } from "../common/checkInputs";
import type { ProviderImplementation } from "../common/defineResource";
import { progressFor } from "../common/progress";
import { CloudSyncRefusal, withKnownIds, withSync } from "./graph";
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

/** The configuration key that lets the stack rename or move the groups the job provisioned (docs/cloud-sync.md). */
export const RENAME_OR_MOVE_KEY = "entra-writeback:cloudSync.allowRenameOrMove";

type Target = (typeof MANAGED_TARGETS)[number];

/** What a changed mapping does to every group the job provisioned, on its next cycle. */
const EFFECT: Record<Target, string> = {
  cn: "renames",
  parentDistinguishedName: "moves to the new OU",
  sAMAccountName: "gives a new sAMAccountName to",
};

/** The managed mappings whose change renames or moves provisioned groups (unmapping sAMAccountName changes none). */
function renamingTargets(live: Record<Target, unknown>, wanted: Record<Target, unknown>): Target[] {
  return MANAGED_TARGETS.filter(
    (target) =>
      !sameMapping((live[target] ?? null) as never, (wanted[target] ?? null) as never) &&
      (target !== "sAMAccountName" || (wanted[target] ?? null) !== null),
  );
}

/**
 * What Microsoft Graph says of the groups the job provisioned. Graph lists no AD group and the stack cannot read AD
 * through it: the count is the job's status `synchronizedEntryCountByType` (the objects it synchronized, by type, as
 * of its last cycle; this job synchronizes only groups), and `lastSuccessfulExecutionWithExports` says it has written
 * to AD at all. null: Graph gave no count.
 */
interface Provisioned {
  count: number | null;
  exported: boolean;
}

function provisionedBy(job: SynchronizationJob): Provisioned {
  const counts = job.status?.synchronizedEntryCountByType ?? [];
  const exported = (job.status as { lastSuccessfulExecutionWithExports?: unknown } | null | undefined)
    ?.lastSuccessfulExecutionWithExports;
  return {
    count: counts.length > 0 ? counts.reduce((sum, each) => sum + each.value, 0) : null,
    exported: exported !== null && exported !== undefined,
  };
}

const hasProvisioned = (p: Provisioned): boolean => (p.count ?? 0) > 0 || p.exported;

function groupsText(p: Provisioned): string {
  if (p.count === null) return "an unknown number of groups (Graph reports no synchronizedEntryCountByType)";
  return `${p.count} group${p.count === 1 ? "" : "s"} (the job's synchronizedEntryCountByType in Graph)`;
}

/**
 * A write that would rename or move the groups the job already provisioned is refused unless the stack sets
 * allowRenameOrMove: a changed cn or parentDistinguishedName, or a new sAMAccountName.
 */
async function refuseRenamingProvisioned(
  sync: SynchronizationApi,
  inputs: CloudSyncMappingsInputs,
  schema: SynchronizationSchema,
  lastDeclared: ManagedMappings | undefined,
): Promise<void> {
  const live = readManaged(schema).mappings;
  const wanted = wantedOf(inputs);
  const all = renamingTargets(live, wanted);
  // Writing back what the stack last declared repairs a change made outside it (refusing would leave that change to
  // rename or move the groups on the next cycle).
  const repairs = lastDeclared
    ? all.filter((target) => sameMapping(lastDeclared[target], wanted[target]))
    : [];
  for (const target of repairs)
    progress(
      `putting back the ${target} mapping the stack declared (${describe(live[target])} -> ` +
        `${describe(wanted[target])}): it was changed outside the stack`,
    );
  const renaming = all.filter((target) => !repairs.includes(target));
  if (renaming.length === 0) return;
  const provisioned = provisionedBy(await sync.job(inputs.servicePrincipalId, inputs.jobId));
  if (!hasProvisioned(provisioned)) return;
  const changes = renaming.map(
    (target) => `${target} mapping (${describe(live[target])} -> ${describe(wanted[target])})`,
  );
  if (inputs.allowRenameOrMove) {
    progress(
      `changing the ${changes.join(", ")} as ${RENAME_OR_MOVE_KEY} allows: Cloud Sync renames or moves the ` +
        `${groupsText(provisioned)} it provisioned on its next cycle`,
    );
    return;
  }
  throw new CloudSyncRefusal(
    `the Cloud Sync job ${inputs.jobId} has already provisioned groups to AD, ${groupsText(provisioned)}, and the ` +
      `stack would change its ${changes.join(", ")}: that renames or moves every group it provisioned on its next ` +
      `cycle. Nothing was changed. To do it on purpose, set ${RENAME_OR_MOVE_KEY} to true and run pulumi up again ` +
      "(then remove it); or declare the mappings the configuration has (entra-writeback:cloudSync naming, targetOu, " +
      "samAccountName), or change them in the Microsoft Entra admin center first.",
  );
}

async function ensure(raw: unknown, lastDeclared?: ManagedMappings): Promise<CloudSyncMappingsOutputs> {
  const inputs = cloudSyncMappings.parse(raw);
  return withSync(
    KIND,
    `cannot set the group mappings of the Cloud Sync job ${inputs.jobId}`,
    async (sync) => {
      const schema = await sync.schema(inputs.servicePrincipalId, inputs.jobId);
      await refuseRenamingProvisioned(sync, inputs, schema, lastDeclared);
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
      const { parentDistinguishedName, cn, sAMAccountName } = inputs;
      return { ...inputs, objectMapping, lastDeclared: { parentDistinguishedName, cn, sAMAccountName } };
    },
  );
}

/** The groups the job provisioned, as Graph reports them; unknown when Graph cannot be asked now. */
async function provisionedNow(olds: Record<string, unknown>): Promise<Provisioned> {
  try {
    return provisionedBy(
      await withSync(KIND, "reading the job", (sync) =>
        sync.job(olds.servicePrincipalId as string, olds.jobId as string),
      ),
    );
  } catch {
    return { count: null, exported: true };
  }
}

/** The preview line's effect when Graph reports no group provisioned yet. */
const EFFECT_ON_NONE: Record<Target, string> = {
  cn: "Cloud Sync renames every group it provisioned on its next cycle",
  parentDistinguishedName: "Cloud Sync moves every group it provisioned to the new OU on its next cycle",
  sAMAccountName: "Cloud Sync gives a new sAMAccountName to every group it provisioned on its next cycle",
};
const warned = new Set<string>();

/**
 * The preview says what a changed naming or OU mapping does to the groups already provisioned, with their count
 * from Graph, and whether pulumi up will do it (once per run).
 */
async function warnRenaming(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<void> {
  const targets = renamingTargets(olds as never, news as never).filter(
    (key) => olds[key] !== undefined && !JSON.stringify(news[key] ?? null).includes(UNKNOWN),
  );
  if (targets.length === 0) return;
  const provisioned = await provisionedNow(olds);
  const lastDeclared = olds.lastDeclared as ManagedMappings | undefined;
  for (const key of targets) {
    const change = `${key} ${describe((olds[key] ?? null) as never)} -> ${describe((news[key] ?? null) as never)}`;
    const repair = lastDeclared !== undefined && sameMapping(lastDeclared[key], (news[key] ?? null) as never);
    const line = !hasProvisioned(provisioned)
      ? `CHANGE: ${change}: ${EFFECT_ON_NONE[key]}`
      : repair
        ? `CHANGE: ${change}: puts back the mapping the stack declared (changed outside the stack), so that the ` +
          `next cycle names and places the ${groupsText(provisioned)} this job provisioned as declared`
        : `HAZARD: ${change}: Cloud Sync ${EFFECT[key]} the ${groupsText(provisioned)} this job provisioned, on its ` +
          (news.allowRenameOrMove === true
            ? `next cycle (${RENAME_OR_MOVE_KEY} is true)`
            : `next cycle; pulumi up refuses this unless ${RENAME_OR_MOVE_KEY} is true`);
    if (warned.has(line)) continue;
    warned.add(line);
    progress(line);
  }
}

/** The preview's line while allowRenameOrMove stays true after the change it allowed (docs/cloud-sync.md). */
export const RENAME_OR_MOVE_LEFT_ON =
  `WARNING: ${RENAME_OR_MOVE_KEY} is true and no rename or move is pending: a later change of naming, targetOu or ` +
  "samAccountName would rename or move the groups this job provisioned without being refused. Set it back to false " +
  `now that the change is done: pulumi config set --path '${RENAME_OR_MOVE_KEY}' false`;

/** allowRenameOrMove true on a resource whose mappings the stack does not change now: said once per run. */
function warnRenameOrMoveLeftOn(olds: Record<string, unknown>, news: Record<string, unknown>): void {
  if (news.allowRenameOrMove !== true || Object.keys(olds).length === 0) return;
  const pending = MANAGED_TARGETS.some((key) => {
    const wanted = news[key] ?? null;
    return (
      JSON.stringify(wanted).includes(UNKNOWN) || !sameMapping((olds[key] ?? null) as never, wanted as never)
    );
  });
  if (pending || warned.has(RENAME_OR_MOVE_LEFT_ON)) return;
  warned.add(RENAME_OR_MOVE_LEFT_ON);
  progress(RENAME_OR_MOVE_LEFT_ON);
}

export const cloudSyncMappingsProvider: ProviderImplementation = {
  async check(olds, news) {
    const result = cloudSyncMappings.check(news);
    if ((result.failures?.length ?? 0) === 0) warnRenameOrMoveLeftOn(olds ?? {}, news);
    return result;
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
    if (changed.length > 0) await warnRenaming(olds, news);
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
    const outs = await ensure(raw);
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

  async update(_id, olds, news) {
    return { outs: await ensure(news, (olds as CloudSyncMappingsOutputs).lastDeclared) };
  },

  async delete(_id, props) {
    const olds = props as CloudSyncMappingsOutputs;
    progress(
      `leaving the group mappings of the job ${olds.jobId} as they are: a destroyed stack does not rename or move the groups`,
    );
  },
};
