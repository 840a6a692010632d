// Which property drifted, with its live and declared values, for each resource type: what `npm run drift`
// reports next to the resource. It follows the providers' diff rules: input keys compared with the outputs of the
// same name (providers/common/diff.ts), plus the drift each provider adds that is not a plain key comparison.
import { sameDn } from "./common/dn";
import { unacknowledgedOptedOut } from "./groupWritebackFeature/v1";
import { syncRuleDrift } from "./syncRule/provider";

export interface PropertyDrift {
  property: string;
  live: unknown;
  declared: unknown;
}

type Values = Record<string, unknown>;

/** Inputs that only describe the provider itself, never the live object. */
const NOT_LIVE = new Set(["__provider", "providerVersion"]);

function keyDrift(outputs: Values, inputs: Values, ignore: readonly string[]): PropertyDrift[] {
  return Object.keys(inputs)
    .filter((key) => !NOT_LIVE.has(key) && !ignore.includes(key) && key in outputs)
    .filter((key) => JSON.stringify(outputs[key]) !== JSON.stringify(inputs[key]))
    .map((property) => ({ property, live: outputs[property], declared: inputs[property] }));
}

function schedulerDrift(outputs: Values, inputs: Values): PropertyDrift[] {
  const drift = keyDrift(outputs, inputs, []);
  const wantStaging = inputs.role === "staging";
  if (typeof outputs.stagingModeEnabled === "boolean" && outputs.stagingModeEnabled !== wantStaging) {
    drift.push({ property: "stagingModeEnabled", live: outputs.stagingModeEnabled, declared: wantStaging });
  }
  return drift;
}

function featureDrift(outputs: Values, inputs: Values): PropertyDrift[] {
  const drift = keyDrift(outputs, inputs, []);
  if (inputs.version === "v2") {
    if (outputs.enabled === false) drift.push({ property: "enabled", live: false, declared: true });
    return drift;
  }
  if (outputs.configured === undefined) return drift;
  if (outputs.configured === false) drift.push({ property: "configured", live: false, declared: true });
  const ou = typeof inputs.writebackOu === "string" ? inputs.writebackOu : null;
  if (!sameDn((outputs.containerDn as string | null) ?? null, ou)) {
    drift.push({ property: "containerDn", live: outputs.containerDn ?? null, declared: ou });
  }
  const wantDisplayName = inputs.dnFormat === "displayName";
  if (typeof outputs.displayNameDn === "boolean" && outputs.displayNameDn !== wantDisplayName) {
    drift.push({ property: "displayNameDn", live: outputs.displayNameDn, declared: wantDisplayName });
  }
  const acknowledged =
    typeof inputs.acknowledgedOptedOutGroups === "number" ? inputs.acknowledgedOptedOutGroups : 0;
  if (inputs.requireV2 !== false && unacknowledgedOptedOut(outputs, acknowledged)) {
    drift.push({
      property: "optedOutGroupsInOu",
      live: (outputs.optedOutGroupsInOu as { count: number }).count,
      declared: `at most ${acknowledged} (acknowledgedOptedOutGroups)`,
    });
  }
  return drift;
}

function permissionDrift(outputs: Values, inputs: Values): PropertyDrift[] {
  const drift = keyDrift(outputs, inputs, []);
  if (outputs.granted === false) drift.push({ property: "granted", live: false, declared: true });
  return drift;
}

const byType: Record<string, (outputs: Values, inputs: Values) => PropertyDrift[]> = {
  SchedulerState: schedulerDrift,
  GroupWritebackFeature: featureDrift,
  WritebackOU: (outputs, inputs) => keyDrift(outputs, inputs, []),
  WritebackPermission: permissionDrift,
  SyncRule: syncRuleDrift,
};

/**
 * The properties that differ between a resource's live outputs (after refresh) and its declared inputs. An
 * object that is gone (no outputs) is one entry: `exists`, live false, declared true.
 */
export function explainDrift(
  type: string,
  outputs: Values | undefined,
  inputs: Values | undefined,
): PropertyDrift[] {
  if (!inputs) return [];
  if (!outputs) return [{ property: "exists", live: false, declared: true }];
  return (byType[type] ?? ((o, i) => keyDrift(o, i, [])))(outputs, inputs);
}
