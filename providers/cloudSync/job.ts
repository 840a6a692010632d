// CloudSyncJob: the job running or paused as declared, its status as outputs, quarantines handled (a TooManyDeletes
// quarantine only by the explicit, named release), and the optional provisionOnDemand smoke test (docs/cloud-sync.md).
import { jobStateOf, type JobState, quarantineReleaseName, TOO_MANY_DELETES } from "../../domain/cloudSync";
import { isNotFound, type SynchronizationApi, type SynchronizationJob } from "../../graph/synchronization";
import type { ProviderImplementation } from "../common/defineResource";
import { diffByKeys } from "../common/diff";
import { progressFor } from "../common/progress";
import { CloudSyncRefusal, withKnownIds, withSync } from "./graph";
import { cloudSyncJob, type CloudSyncJobInputs, type CloudSyncJobOutputs } from "./schema";
import { groupObjectMapping } from "./schemaMappings";

const KIND = "CloudSyncJob";
const progress = progressFor(KIND);

/** The configuration key that names the quarantine to release (docs/cloud-sync.md). */
export const RELEASE_KEY = "entra-writeback:cloudSync.releaseQuarantine";

interface LiveStatus {
  state: JobState;
  statusCode: string;
  quarantineReason: string | null;
  quarantineSince: string | null;
  quarantineRelease: string | null;
  synchronizedCounts: Record<string, number>;
  needsAttention: string[];
}

/** One statement of a held-deletes quarantine: what happened, that nothing was released, how to release it. */
export function heldDeletesMessage(jobId: string, since: string | null, release: string | null): string {
  const how =
    release !== null
      ? `To let exactly these deletes go, set ${RELEASE_KEY} to "${release}" and run pulumi up ` +
        "(a later quarantine needs its own value); or restore the deleted groups in Entra ID."
      : "Microsoft Graph reports no time for this quarantine, so the stack offers no release value (one without a " +
        "time would also release any later quarantine): to let these deletes go, release them by hand (the " +
        "configuration in the Microsoft Entra admin center, or Graph's restart of the job with resetScope " +
        "ForceDeletes), then run pulumi up; or restore the deleted groups in Entra ID.";
  return (
    `the Cloud Sync job ${jobId} is quarantined with ${TOO_MANY_DELETES}${since ? ` since ${since}` : ""}: a cycle ` +
    "would delete at least as many groups in AD as the delete threshold allows, and Cloud Sync holds all of those " +
    "deletes back. Nothing is released automatically. Review them in the configuration's provisioning logs (Microsoft " +
    `Entra admin center). ${how}`
  );
}

function liveStatus(job: SynchronizationJob): LiveStatus {
  const status = job.status ?? { code: "NotConfigured" };
  const state = jobStateOf(job.schedule?.state, status.code);
  const quarantine = state === "quarantined" ? (status.quarantine ?? null) : null;
  const reason = quarantine ? (quarantine.reason ?? "Unknown") : null;
  const since = quarantine ? (quarantine.seriesBegan ?? quarantine.currentBegan ?? null) : null;
  const release = reason === TOO_MANY_DELETES ? quarantineReleaseName(reason, since) : null;
  const counts: Record<string, number> = {};
  for (const each of status.synchronizedEntryCountByType ?? []) counts[each.key] = each.value;
  return {
    state,
    statusCode: status.code,
    quarantineReason: reason,
    quarantineSince: since,
    quarantineRelease: release,
    synchronizedCounts: counts,
    needsAttention: reason === TOO_MANY_DELETES ? [heldDeletesMessage(job.id, since, release)] : [],
  };
}

async function smokeTest(
  sync: SynchronizationApi,
  inputs: CloudSyncJobInputs,
  groupId: string,
): Promise<{ groupId: string; result: string }> {
  const { ruleId } = groupObjectMapping(await sync.schema(inputs.servicePrincipalId, inputs.jobId));
  if (!ruleId) throw new Error(`the job's schema names no synchronization rule id for provisionOnDemand`);
  progress(`provisioning the group ${groupId} on demand (smoke test)`);
  const { result } = await sync.provisionOnDemand(inputs.servicePrincipalId, inputs.jobId, ruleId, groupId);
  progress(`provisionOnDemand of ${groupId}: ${result}`);
  return { groupId, result };
}

async function ensure(raw: unknown, olds?: CloudSyncJobOutputs): Promise<CloudSyncJobOutputs> {
  const inputs = cloudSyncJob.parse(raw);
  const { servicePrincipalId: spId, jobId } = inputs;
  return withSync(KIND, `cannot set the Cloud Sync job ${jobId} ${inputs.state}`, async (sync) => {
    const job = await sync.job(spId, jobId);
    const before = liveStatus(job);
    let started = false;
    if (before.state === "quarantined") {
      if (before.quarantineReason === TOO_MANY_DELETES) {
        if (before.quarantineRelease === null || inputs.releaseQuarantine !== before.quarantineRelease) {
          throw new CloudSyncRefusal(
            heldDeletesMessage(jobId, before.quarantineSince, before.quarantineRelease),
          );
        }
        progress(
          `releasing the deletes held back by ${before.quarantineRelease} (${RELEASE_KEY}): restart with resetScope ForceDeletes`,
        );
        await sync.restart(spId, jobId, "ForceDeletes");
      } else if (inputs.state === "running") {
        progress(
          `the job is quarantined (${before.quarantineReason}): starting it, which clears the quarantine`,
        );
        await sync.start(spId, jobId);
        started = true;
      }
    }
    const after = before.state === "quarantined" ? await sync.job(spId, jobId) : job;
    const scheduleActive = after.schedule?.state === "Active" && after.status?.code !== "Paused";
    if (inputs.state === "running" && !scheduleActive && !started) {
      progress(
        `starting the job ${jobId}: Cloud Sync runs an initial cycle, then every ${after.schedule?.interval ?? "40 minutes"}`,
      );
      await sync.start(spId, jobId);
    }
    if (inputs.state === "paused" && scheduleActive) {
      progress(`pausing the job ${jobId} (its progress is kept)`);
      await sync.pause(spId, jobId);
    }
    let test = olds?.smokeTest ?? null;
    const groupId = inputs.provisionOnDemandGroupId;
    if (groupId !== null && inputs.state === "running" && test?.groupId !== groupId) {
      test = await smokeTest(sync, inputs, groupId);
    }
    const live = liveStatus(await sync.job(spId, jobId));
    for (const line of live.needsAttention) progress(line);
    return { ...inputs, ...live, smokeTest: test };
  });
}

const noted = new Set<string>();

/** The live status of a stored job; the stored values when Graph cannot be asked (the read reports that). */
async function liveOrStored(stored: CloudSyncJobOutputs): Promise<Partial<LiveStatus>> {
  if (!stored.servicePrincipalId || !stored.jobId) return {};
  try {
    return liveStatus(
      await withSync(KIND, "reading the job", (sync) => sync.job(stored.servicePrincipalId, stored.jobId)),
    );
  } catch {
    return {};
  }
}

export const cloudSyncJobProvider: ProviderImplementation = {
  async check(_olds, news) {
    return cloudSyncJob.check(news);
  },

  async diff(_id, stored, news) {
    // The job's live state, read in every diff (as SchedulerState reads the scheduler): a job paused by hand or
    // quarantined shows in a plain preview and up too, not only after a refresh.
    const olds = { ...stored, ...(await liveOrStored(stored as CloudSyncJobOutputs)) };
    // A held-deletes quarantine is said in the preview too, once per run.
    for (const line of (olds.needsAttention as string[] | undefined) ?? []) {
      if (noted.has(line)) continue;
      noted.add(line);
      progress(line);
    }
    return diffByKeys(olds, withKnownIds(olds, news), { replaceKeys: ["servicePrincipalId", "jobId"] });
  },

  async create(raw) {
    const outs = await ensure(raw);
    return { id: `${outs.jobId}/state`, outs };
  },

  async read(id, props) {
    const olds = props as CloudSyncJobOutputs;
    return withSync(KIND, `cannot read the Cloud Sync job ${olds.jobId}`, async (sync) => {
      let job: SynchronizationJob;
      try {
        job = await sync.job(olds.servicePrincipalId, olds.jobId);
      } catch (error) {
        if (isNotFound(error)) return { id: "", props: {} };
        throw error;
      }
      // The live state under the input key: paused by hand, or quarantined, shows as a change back to the declared state.
      return { id, props: { ...olds, ...liveStatus(job) } };
    });
  },

  async update(_id, olds, news) {
    return { outs: await ensure(news, olds as CloudSyncJobOutputs) };
  },

  async delete(_id, props) {
    const olds = props as CloudSyncJobOutputs;
    progress(
      `leaving the job ${olds.jobId} ${olds.state}: destroy does not stop provisioning (pause it with state: paused and ` +
        "pulumi up first, or delete the job with the configuration's onDelete: deleteJob)",
    );
  },
};
