// A stack that declares no `defaults` enables group writeback as before, but the preview says what that costs: how
// many existing Microsoft 365 groups the enabled writeback writes back to AD, counted in the live tenant (Microsoft
// Graph when the stack configures it, otherwise the tenant as the Entra Connect server sees it). Microsoft's procedure
// warns about exactly this before enabling group writeback ("Modify Microsoft Entra Connect group writeback default
// behavior"); docs/defaults.md.
import * as pulumi from "@pulumi/pulumi";
import { createDeploymentClient } from "../backends/select";
import type { Target } from "../contract/target";
import type { GraphClient } from "../graph";
import { newGraphClient } from "../providers/common/connection";
import { callTimeoutSeconds, graphSettings, type GraphSettings } from "../providers/common/settings";

/** The tenant's Microsoft 365 groups as group writeback sees them, and where they were counted. */
export interface WritebackExposure {
  microsoft365Groups: number;
  optedOut: number;
  /** "Microsoft Graph (tenant …)" or "the Entra Connect server …". */
  countedBy: string;
}

/** Filter and select of the Graph read: Microsoft 365 groups, and what decides whether one is written back. */
export const UNIFIED_GROUPS_FILTER = "groupTypes/any(c:c eq 'Unified')";

/** Counts in Microsoft Graph: cloud Microsoft 365 groups, and those opted out (writebackConfiguration.isEnabled false). */
export async function countInGraph(graph: GraphClient): Promise<Omit<WritebackExposure, "countedBy">> {
  let microsoft365Groups = 0;
  let optedOut = 0;
  for await (const page of graph.groupPages({
    filter: UNIFIED_GROUPS_FILTER,
    select: ["id", "onPremisesSyncEnabled", "writebackConfiguration"],
  })) {
    for (const group of page.groups) {
      if (group.onPremisesSyncEnabled === true) continue; // mastered in AD: never written back
      microsoft365Groups++;
      if (group.writebackConfiguration?.isEnabled === false) optedOut++;
    }
  }
  return { microsoft365Groups, optedOut };
}

/**
 * The warning's text. `v1Alone`: the stack skips v2, and v1 alone writes back every Microsoft 365 group, opted out
 * or not.
 */
export function noDefaultsWarning(exposure: WritebackExposure, v1Alone: boolean): string {
  const written = v1Alone ? exposure.microsoft365Groups : exposure.microsoft365Groups - exposure.optedOut;
  const which = v1Alone
    ? `every one of the tenant's ${exposure.microsoft365Groups} existing Microsoft 365 groups (groupWritebackV2 is skip: v1 alone ignores each group's writeback setting)`
    : `${written} of the tenant's ${exposure.microsoft365Groups} existing Microsoft 365 groups (all but the ${exposure.optedOut} opted out of writeback)`;
  return (
    `NO DEFAULTS DECLARED: group writeback will write back ${which} to Active Directory; counted by ` +
    `${exposure.countedBy}. Microsoft's procedure changes the default writeback behaviour before enabling group ` +
    'writeback ("Modify Microsoft Entra Connect group writeback default behavior"): declare entra-writeback:defaults ' +
    "(see docs/defaults.md) to set the tenant default and opt groups out first, or go ahead if all of them belong in AD."
  );
}

interface ProgramConfig {
  graph: GraphSettings | undefined;
  graphClientSecret: pulumi.Output<string | undefined>;
  password: pulumi.Output<string | undefined>;
  callTimeoutSeconds: number;
}

function programConfig(): ProgramConfig {
  const config = new pulumi.Config("entra-writeback");
  const graph = config.getObject<unknown>("graph");
  const timeout = config.getNumber("callTimeoutSeconds");
  return {
    // The program has validated these keys already (components/stackConfig.ts).
    graph: graph === undefined ? undefined : graphSettings.parse(graph),
    graphClientSecret: pulumi.output(config.getSecret("graphClientSecret")),
    password: pulumi.output(config.getSecret("password")),
    callTimeoutSeconds: callTimeoutSeconds.parse(timeout),
  };
}

async function measure(
  target: Target,
  config: ProgramConfig,
  secrets: { graphClientSecret: string | undefined; password: string | undefined },
): Promise<WritebackExposure> {
  if (config.graph) {
    const graph = newGraphClient(config.graph, secrets.graphClientSecret, "GroupWriteback");
    try {
      return {
        ...(await countInGraph(graph)),
        countedBy: `Microsoft Graph (tenant ${config.graph.tenantId})`,
      };
    } finally {
      await graph.close();
    }
  }
  const client = createDeploymentClient(target, {
    password: secrets.password,
    callTimeoutSeconds: config.callTimeoutSeconds,
    client: "pulumi",
  });
  try {
    const tenant = await client.call("getCloudGroupWriteback", { dn: null, sampleSize: 0 });
    return {
      microsoft365Groups: tenant.microsoft365Groups,
      optedOut: tenant.optedOutMicrosoft365Groups.count,
      countedBy: `the Entra Connect server (${client.description}; entra-writeback:graph is not set)`,
    };
  } finally {
    await client.close();
  }
}

/**
 * In a preview (and the preview of `pulumi up`) of a stack without `defaults`: warns on the component how many
 * existing Microsoft 365 groups group writeback will write back. A count that fails is said, not thrown: the warning
 * never blocks a deployment. Resolves when the warning is logged (the component waits for it).
 */
export function warnWithoutDefaults(
  component: pulumi.Resource,
  target: pulumi.Input<Target>,
  v1Alone: boolean,
): pulumi.Output<string | null> {
  if (!pulumi.runtime.isDryRun()) return pulumi.output(null);
  const config = programConfig();
  return pulumi
    .all([pulumi.output(target), config.graphClientSecret, config.password])
    .apply(async ([resolved, graphClientSecret, password]) => {
      let message: string;
      try {
        message = noDefaultsWarning(
          await measure(resolved as Target, config, { graphClientSecret, password }),
          v1Alone,
        );
      } catch (error) {
        message =
          "NO DEFAULTS DECLARED: group writeback will write back the tenant's existing Microsoft 365 groups that are " +
          `not opted out; counting them failed (${error instanceof Error ? error.message.split("\n")[0] : String(error)}). ` +
          "Declare entra-writeback:defaults to change the default writeback behaviour first (see docs/defaults.md).";
      }
      await pulumi.log.warn(message, component);
      return null;
    });
}
