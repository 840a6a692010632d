// SyncRule: a custom synchronization rule declared whole, or an existing rule enabled or disabled, each change made
// inside a scheduler pause window (domain/syncWindow.ts), as "Modify Microsoft Entra Connect group writeback default
// behavior" does: Set-ADSyncScheduler -SyncCycleEnabled $false, the rule, Set-ADSyncScheduler -SyncCycleEnabled $true.
// Connect sets its full-synchronization flag on every rule change: the next cycle runs as Initial (fullSyncPending).
import type { EntraConnectClient } from "../../contract/backend";
import { ENTRA_ID_CONNECTOR_ID, type SyncRule } from "../../contract/contract";
import { refuseDeleteDuringMigration, withSchedulerPaused } from "../../domain/syncWindow";
import { containsUnknown, UNKNOWN } from "../common/checkInputs";
import type { ProviderImplementation } from "../common/defineResource";
import { callTimeoutSeconds, clientFor, deploymentOwner, noteDeploymentStack } from "../common/connection";
import { progressFor } from "../common/progress";
import {
  CONNECTOR_ALIASES,
  type ConnectorAlias,
  syncRule,
  type SyncRuleDefinition,
  type SyncRuleInputs,
  type SyncRuleOutputs,
} from "./schema";

const progress = progressFor("SyncRule");

/** Names compared as a person reads them: case and the kind of dash ignored (Microsoft writes some with an en dash). */
function sameName(left: string, right: string): boolean {
  const plain = (name: string) => name.replace(/[\u2010-\u2015-]/g, "-").toLowerCase();
  return plain(left) === plain(right);
}

function isAlias(connector: string): connector is ConnectorAlias {
  return (CONNECTOR_ALIASES as readonly string[]).includes(connector);
}

/** A definition as the server would report it: GUIDs in lower case (a connector alias stays as declared). */
function normalized(definition: SyncRuleDefinition | null | undefined): SyncRuleDefinition | null {
  if (!definition) return null;
  return {
    ...definition,
    identifier: definition.identifier.toLowerCase(),
    connector: isAlias(definition.connector) ? definition.connector : definition.connector.toLowerCase(),
  };
}

/** The connector identifier an alias stands for on this server (a GUID is itself). */
function resolveConnector(client: EntraConnectClient, rules: readonly SyncRule[], connector: string): string {
  if (!isAlias(connector)) return connector.toLowerCase();
  if (connector === "EntraID") return ENTRA_ID_CONNECTOR_ID;
  // Connect's own rules (they carry Microsoft's tag) name the Active Directory connector.
  const found = [
    ...new Set(
      rules
        .filter((rule) => rule.immutableTag !== null)
        .map((rule) => rule.connector.toLowerCase())
        .filter((id) => id !== ENTRA_ID_CONNECTOR_ID),
    ),
  ];
  if (found.length === 1) return found[0]!;
  throw new Error(
    found.length === 0
      ? `connector "ActiveDirectory": none of the rules Entra Connect ships on ${client.description} names an Active ` +
          'Directory connector (group writeback\'s "Out to AD - Group SOAInAAD" does once it is enabled); declare the ' +
          "connector's identifier instead (Get-ADSyncConnector | Select-Object Name, Identifier). Nothing was changed."
      : `connector "ActiveDirectory": ${client.description} has ${found.length} Active Directory connectors ` +
          `(${found.join(", ")}); declare the identifier of the one this rule is for. Nothing was changed.`,
  );
}

/** The definition with its connector resolved on this server: what New-ADSyncRule receives. */
function resolved(
  client: EntraConnectClient,
  rules: readonly SyncRule[],
  definition: SyncRuleDefinition,
): SyncRuleDefinition {
  return { ...definition, connector: resolveConnector(client, rules, definition.connector) };
}

/** JSON with object keys sorted: state round trips do not keep key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : inner,
  );
}

/** The rule on the server in the resource's shape. */
function liveDefinition(rule: SyncRule): SyncRuleDefinition {
  return {
    identifier: rule.identifier.toLowerCase(),
    description: rule.description,
    direction: rule.direction,
    connector: rule.connector.toLowerCase(),
    sourceObjectType: rule.sourceObjectType,
    targetObjectType: rule.targetObjectType,
    linkType: rule.linkType,
    precedence: rule.precedence,
    scopeFilter: rule.scopeFilter,
    joinFilter: rule.joinFilter,
    attributeFlowMappings: rule.attributeFlowMappings,
  };
}

/** The live rule in the declared shape: a connector the declared alias stands for is shown as the alias. */
function asDeclared(
  client: EntraConnectClient,
  rules: readonly SyncRule[],
  rule: SyncRule,
  declared: SyncRuleDefinition,
): SyncRuleDefinition {
  const live = liveDefinition(rule);
  if (!isAlias(declared.connector)) return live;
  try {
    return resolveConnector(client, rules, declared.connector) === live.connector
      ? { ...live, connector: declared.connector }
      : live;
  } catch {
    return live; // shown as a change; the update says why the alias cannot be resolved
  }
}

function find(rules: readonly SyncRule[], inputs: Pick<SyncRuleInputs, "name" | "definition">) {
  if (inputs.definition) {
    const identifier = inputs.definition.identifier.toLowerCase();
    return rules.find((rule) => rule.identifier.toLowerCase() === identifier);
  }
  return rules.find((rule) => sameName(rule.name, inputs.name));
}

/** The custom rule on the server is the declared one (connector resolved): name, Disabled and every part of it. */
function matches(rule: SyncRule, inputs: SyncRuleInputs, definition: SyncRuleDefinition): boolean {
  return (
    rule.name === inputs.name &&
    rule.disabled === inputs.disabled &&
    canonical(liveDefinition(rule)) === canonical(definition)
  );
}

function notFoundMessage(client: EntraConnectClient, name: string, rules: readonly SyncRule[]): string {
  const same = rules.filter((rule) => rule.direction === "Outbound" || rule.direction === "Inbound");
  return (
    `there is no synchronization rule named "${name}" on ${client.description} (Get-ADSyncRule lists ` +
    `${same.length}: ${same.map((rule) => `"${rule.name}"`).join(", ") || "none"}). Connect creates the group ` +
    "writeback rules when group writeback is enabled in the wizard: do that step (or correct the name), then run " +
    "pulumi up again. Nothing was changed."
  );
}

async function inPauseWindow(
  client: EntraConnectClient,
  inputs: SyncRuleInputs,
  change: string,
  work: () => Promise<void>,
): Promise<boolean> {
  await withSchedulerPaused(
    client,
    {
      timeoutSeconds: inputs.syncIdleTimeoutSeconds,
      progress,
      change,
      owner: inputs.stack ?? deploymentOwner(),
      callTimeoutSeconds: callTimeoutSeconds(),
    },
    work,
  );
  const scheduler = await client.call("getScheduler", {});
  const pending = scheduler.nextSyncCyclePolicyType === "Initial";
  if (pending) {
    progress(
      `Connect set its full synchronization flag on ${client.description} (${change}): the next sync cycle runs as ` +
        "Initial (full import and full synchronization), as Microsoft documents for a rule change",
    );
  }
  return pending;
}

function refuseTakenPrecedence(
  client: EntraConnectClient,
  rules: readonly SyncRule[],
  definition: SyncRuleDefinition,
): void {
  const identifier = definition.identifier.toLowerCase();
  const taken = rules.find(
    (rule) => rule.precedence === definition.precedence && rule.identifier.toLowerCase() !== identifier,
  );
  if (!taken) return;
  const used = new Set(rules.map((rule) => rule.precedence));
  const free = Array.from({ length: 100 }, (_, index) => index).filter((each) => !used.has(each));
  throw new Error(
    `precedence ${definition.precedence} is already taken on ${client.description} by "${taken.name}"; a sync rule's ` +
      `precedence must be unique: declare a free one from 0 to 99${free.length > 0 ? ` (the lowest free is ${free[0]})` : ""}. ` +
      "Nothing was changed.",
  );
}

async function converge(inputs: SyncRuleInputs, olds?: SyncRuleOutputs): Promise<SyncRuleOutputs> {
  noteDeploymentStack(inputs.stack);
  const client = clientFor(inputs.target);
  const { rules } = await client.call("getSyncRules", {});
  const found = find(rules, inputs);
  const declared = normalized(inputs.definition);

  if (declared) {
    const definition = resolved(client, rules, declared);
    if (found && matches(found, inputs, definition)) {
      if (!olds)
        progress(`"${inputs.name}" is on ${client.description} as declared: adopted, nothing changed`);
      const scheduler = await client.call("getScheduler", {});
      return {
        ...inputs,
        identifier: found.identifier,
        immutableTag: found.immutableTag,
        previousDisabled: null,
        adopted: olds ? olds.adopted : true,
        fullSyncPending: scheduler.nextSyncCyclePolicyType === "Initial",
      };
    }
    if (found?.immutableTag) {
      throw new Error(
        `the identifier ${definition.identifier} belongs to "${found.name}", one of the rules Entra Connect ships; a ` +
          "custom rule needs its own identifier (a new GUID). Nothing was changed.",
      );
    }
    refuseTakenPrecedence(client, rules, definition);
    const change = found
      ? `replacing synchronization rule "${inputs.name}" with its declared definition`
      : `creating synchronization rule "${inputs.name}"`;
    const fullSyncPending = await inPauseWindow(client, inputs, change, async () => {
      if (found) {
        progress(`Remove-ADSyncRule -Identifier ${found.identifier} ("${found.name}", not as declared)`);
        await client.call("removeSyncRule", { identifier: found.identifier });
      }
      progress(
        `New-ADSyncRule "${inputs.name}" (${definition.direction}, precedence ${definition.precedence}), Add-ADSyncRule`,
      );
      await client.call("newSyncRule", { ...definition, name: inputs.name, disabled: inputs.disabled });
    });
    return {
      ...inputs,
      identifier: definition.identifier,
      immutableTag: null,
      previousDisabled: null,
      adopted: olds ? olds.adopted : false,
      fullSyncPending,
    };
  }

  if (!found) throw new Error(notFoundMessage(client, inputs.name, rules));
  const previousDisabled = olds?.previousDisabled ?? found.disabled;
  let fullSyncPending = (await client.call("getScheduler", {})).nextSyncCyclePolicyType === "Initial";
  if (found.disabled !== inputs.disabled) {
    const verb = inputs.disabled ? "disabling" : "enabling";
    fullSyncPending = await inPauseWindow(
      client,
      inputs,
      `${verb} synchronization rule "${found.name}"`,
      async () => {
        progress(`${verb} "${found.name}" (Get-ADSyncRule, Disabled = ${inputs.disabled}, Add-ADSyncRule)`);
        await client.call("setSyncRuleDisabled", { identifier: found.identifier, disabled: inputs.disabled });
      },
    );
  } else if (!olds) {
    progress(
      `"${found.name}" on ${client.description} is already ${inputs.disabled ? "disabled" : "enabled"}: nothing to change`,
    );
  }
  return {
    ...inputs,
    identifier: found.identifier,
    immutableTag: found.immutableTag,
    previousDisabled,
    adopted: false,
    fullSyncPending,
  };
}

/** What `npm run drift` names for a SyncRule: the rule's keys whose live value differs from the declared one. */
export function syncRuleDrift(
  outputs: Record<string, unknown>,
  inputs: Record<string, unknown>,
): Array<{ property: string; live: unknown; declared: unknown }> {
  const value = (from: Record<string, unknown>, key: string): unknown =>
    key === "definition" ? normalized(from[key] as SyncRuleDefinition | null) : from[key];
  return (["name", "disabled", "definition"] as const)
    .filter((key) => key in inputs && canonical(value(outputs, key)) !== canonical(value(inputs, key)))
    .map((property) => ({ property, live: outputs[property], declared: inputs[property] }));
}

/** Keys compared in diff (`stack` names the window only; outputs are never compared). */
const COMPARED = [
  "target",
  "name",
  "disabled",
  "definition",
  "onDelete",
  "syncIdleTimeoutSeconds",
  "providerVersion",
] as const;

export const syncRuleProvider: ProviderImplementation = {
  async check(_olds, news) {
    return syncRule.check(news);
  },

  async diff(_id, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const value = (from: Record<string, unknown>, key: string): unknown =>
      key === "definition" ? normalized(from[key] as SyncRuleDefinition | null) : from[key];
    const changed = COMPARED.filter(
      (key) =>
        news[key] === UNKNOWN ||
        containsUnknown(news[key]) ||
        canonical(value(olds, key)) !== canonical(value(news, key)),
    );
    const oldDefinition = olds.definition as SyncRuleDefinition | null | undefined;
    const newDefinition = news.definition as SyncRuleDefinition | null | undefined;
    const replaces: string[] = changed.filter((key) => key === "target");
    if (changed.includes("definition")) {
      // Another rule: a custom rule with another identifier, or a switch between the two forms.
      const otherRule =
        !oldDefinition ||
        !newDefinition ||
        containsUnknown(newDefinition.identifier) ||
        oldDefinition.identifier.toLowerCase() !== String(newDefinition.identifier).toLowerCase();
      if (otherRule) replaces.push("definition");
    }
    if (!newDefinition && changed.includes("name")) replaces.push("name");
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(raw) {
    const outs = await converge(syncRule.parse(raw));
    return { id: outs.identifier, outs };
  },

  async read(id, props) {
    const olds = props as SyncRuleOutputs;
    const inputs = syncRule.inputsOf(olds);
    const client = clientFor(inputs.target);
    const { rules } = await client.call("getSyncRules", {});
    const found = find(rules, inputs);
    // Gone (removed by hand, or Connect's rules with group writeback disabled): the engine creates it again.
    if (!found) return { id: "" };
    // Live values under the input keys: diff shows a rule changed, disabled or enabled by hand as a change to repair.
    return {
      id,
      props: {
        ...olds,
        name: inputs.definition ? found.name : inputs.name,
        disabled: found.disabled,
        definition: inputs.definition ? asDeclared(client, rules, found, inputs.definition) : null,
        identifier: found.identifier,
        immutableTag: found.immutableTag,
      },
    };
  },

  async update(_id, olds, news) {
    return { outs: await converge(syncRule.parse(news), olds as SyncRuleOutputs) };
  },

  async delete(_id, props) {
    const olds = props as SyncRuleOutputs;
    const inputs = syncRule.inputsOf(olds);
    noteDeploymentStack(inputs.stack);
    const client = clientFor(inputs.target);
    if (inputs.onDelete === "retain") {
      progress(
        inputs.definition
          ? `leaving synchronization rule "${inputs.name}" on ${client.description} (onDelete: retain). To remove it ` +
              "on destroy, declare onDelete: revert, run pulumi up, then destroy."
          : `leaving "${inputs.name}" ${inputs.disabled ? "disabled" : "enabled"} on ${client.description} ` +
              "(onDelete: retain). To put back its earlier state on destroy, declare onDelete: revert, run pulumi " +
              "up, then destroy.",
      );
      return;
    }
    const { rules } = await client.call("getSyncRules", {});
    const found = find(rules, inputs);
    if (!found) {
      progress(`"${inputs.name}" is no longer on ${client.description}: nothing to remove`);
      return;
    }
    if (inputs.definition) {
      await refuseDeleteDuringMigration(
        client,
        inputs.stack,
        "SyncRule",
        `remove synchronization rule "${found.name}"`,
      );
      await inPauseWindow(client, inputs, `removing synchronization rule "${found.name}"`, async () => {
        progress(`Remove-ADSyncRule -Identifier ${found.identifier} ("${found.name}", onDelete: revert)`);
        await client.call("removeSyncRule", { identifier: found.identifier });
      });
      return;
    }
    const before = olds.previousDisabled;
    if (before === null || before === undefined || found.disabled === before) {
      progress(
        `"${found.name}" is ${found.disabled ? "disabled" : "enabled"}, as before this stack: nothing to put back`,
      );
      return;
    }
    await refuseDeleteDuringMigration(
      client,
      inputs.stack,
      "SyncRule",
      `${before ? "disable" : "enable"} synchronization rule "${found.name}" again`,
    );
    await inPauseWindow(
      client,
      inputs,
      `${before ? "disabling" : "enabling"} synchronization rule "${found.name}" again`,
      async () => {
        progress(`putting back "${found.name}" Disabled = ${before} (onDelete: revert)`);
        await client.call("setSyncRuleDisabled", { identifier: found.identifier, disabled: before });
      },
    );
  },
};
