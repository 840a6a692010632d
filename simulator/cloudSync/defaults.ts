// Cloud Sync's defaults in the simulated service: application templates, the job and schema a new job starts with, the
// simulator's timings. Microsoft's documented names, ids, expressions and limits live in domain/cloudSync.ts (one home,
// shared with the providers); this file adds what only the simulated service needs. Sources and guesses:
// docs/simulator.md, "Cloud Sync".
import * as crypto from "node:crypto";
import {
  AAD2AD_JOB_TEMPLATE,
  CLOUD_SYNC_APPLICATION_TEMPLATE,
  CLOUD_SYNC_DEFAULT_CN,
  type CloudName,
  MINIMUM_AGENT_BUILD,
} from "../../domain/cloudSync";
import type { CloudSyncState, SynchronizationJob, SynchronizationSchema } from "./model";

/** UNVERIFIED: the template one third-party group provisioning script instantiates. */
export const THIRD_PARTY_GROUP_PROVISIONING_TEMPLATE_ID = "fb81332f-3eca-4ecf-a939-4278e501d330";

/** The job templates Microsoft's support material lists on Cloud Sync service principals. */
export const CLOUD_SYNC_JOB_TEMPLATES = [
  "AD2AADProvisioning",
  "AD2AADPasswordHash",
  AAD2AD_JOB_TEMPLATE,
  "AAD2ADExchangeHybridWriteback",
] as const;

/** The simulator's cloud setting (settings.cloud, Microsoft's environment names) as domain/ names the clouds. */
export const SIMULATED_CLOUDS = {
  Public: "public",
  AzureChinaCloud: "china",
  AzureUSGovernment: "usGovernment",
  AzureUSNatCloud: "usNat",
  AzureUSSecCloud: "usSec",
} as const satisfies Record<CloudSyncState["settings"]["cloud"], CloudName>;

/** Cloud Sync's schedule interval (the documented job shows PT40M). */
export const CLOUD_SYNC_INTERVAL_SECONDS = 40 * 60;
/** GUESSED: how soon after start (or a change to an active job) the service runs a cycle. */
export const CLOUD_SYNC_START_DELAY_SECONDS = 10;
/** provisionOnDemand: at most this many calls per window, and members per call. */
export const ON_DEMAND_CALLS_PER_WINDOW = 5;
export const ON_DEMAND_WINDOW_MS = 10_000;
export const ON_DEMAND_MAX_MEMBERS = 5;

/** The status times Graph shows before anything happened. */
export const NEVER = "0001-01-01T00:00:00Z";

/** The object mapping the engine evaluates. */
export const GROUP_OBJECT_MAPPING_NAME = "Provision Microsoft Entra ID Groups";
export const DEFAULT_DESCRIPTION_EXPRESSION = "Left(Trim([description]), 448)";
/** The mapping the service matches on (service-managed: must not be edited or removed). */
export const MATCHING_ATTRIBUTE = "msDS-ExternalDirectoryObjectId";
export const MATCHING_EXPRESSION = 'Append("Group_", [objectId])';

/** The Cloud Sync section of a state that has none yet. */
export function newCloudSyncState(domainDnsName: string): CloudSyncState {
  return {
    settings: {
      intervalSeconds: CLOUD_SYNC_INTERVAL_SECONDS,
      startDelaySeconds: CLOUD_SYNC_START_DELAY_SECONDS,
      replicationDelaySeconds: 0,
      cloud: "Public",
    },
    applicationTemplates: [
      {
        id: CLOUD_SYNC_APPLICATION_TEMPLATE,
        displayName: "Microsoft Entra Cloud Sync",
        verifiedForGroupProvisioning: false,
        synchronizationTemplates: [...CLOUD_SYNC_JOB_TEMPLATES],
      },
      {
        id: THIRD_PARTY_GROUP_PROVISIONING_TEMPLATE_ID,
        displayName: "Microsoft Entra Cloud Sync (group provisioning, unverified)",
        verifiedForGroupProvisioning: false,
        synchronizationTemplates: [AAD2AD_JOB_TEMPLATE],
      },
    ],
    users: [],
    servicePrincipals: [],
    appRoleAssignments: [],
    // The lab has the provisioning agent installed for its domain (installing it stays a manual step).
    agents: [
      {
        id: crypto.randomUUID(),
        machineName: `AGENT01.${domainDnsName}`,
        externalIp: "203.0.113.10",
        status: "active",
        // The 2026 prerequisites' minimum build.
        version: MINIMUM_AGENT_BUILD,
        domain: domainDnsName,
      },
    ],
  };
}

type Source = {
  expression: string;
  name: string;
  parameters: unknown[];
  type: "Attribute" | "Constant" | "Function";
};

const attribute = (name: string): Source => ({
  expression: `[${name}]`,
  name,
  parameters: [],
  type: "Attribute",
});
const constant = (value: string): Source => ({
  expression: `"${value}"`,
  name: value,
  parameters: [],
  type: "Constant",
});
const fn = (name: string, expression: string): Source => ({
  expression,
  name,
  parameters: [],
  type: "Function",
});

type AttributeMapping =
  SynchronizationSchema["synchronizationRules"][number]["objectMappings"][number]["attributeMappings"][number];

function mapping(targetAttributeName: string, source: Source, matchingPriority = 0): AttributeMapping {
  return {
    defaultValue: null,
    exportMissingReferences: false,
    flowBehavior: "FlowWhenChanged",
    flowType: "Always",
    matchingPriority,
    targetAttributeName,
    source,
  };
}

/** The schema a new AAD2ADGroupProvisioning job has, for the AD domain whose root is rootDn. */
export function defaultGroupProvisioningSchema(rootDn: string): SynchronizationSchema {
  return {
    id: AAD2AD_JOB_TEMPLATE,
    version: "Date:2026-11-29T00:00:00Z~###~Group Provisioning",
    directories: [
      { id: "AzureActiveDirectory", name: "Azure Active Directory", objects: [{ name: "Group" }] },
      { id: "ActiveDirectory", name: "Active Directory", objects: [{ name: "group" }] },
    ],
    synchronizationRules: [
      {
        id: `${crypto.randomUUID()}#V2`,
        name: AAD2AD_JOB_TEMPLATE,
        editable: true,
        priority: 1,
        sourceDirectoryName: "Azure Active Directory",
        targetDirectoryName: "Active Directory",
        containerFilter: { includedContainers: [] },
        groupFilter: { includedGroups: [] },
        metadata: [],
        objectMappings: [
          {
            name: GROUP_OBJECT_MAPPING_NAME,
            enabled: true,
            flowTypes: "Add,Update,Delete",
            sourceObjectName: "Group",
            targetObjectName: "group",
            scope: null,
            metadata: [],
            attributeMappings: [
              mapping(MATCHING_ATTRIBUTE, fn("Append", MATCHING_EXPRESSION), 1),
              mapping("cn", fn("Append", CLOUD_SYNC_DEFAULT_CN)),
              mapping("description", fn("Left", DEFAULT_DESCRIPTION_EXPRESSION)),
              mapping("displayName", attribute("displayName")),
              mapping("isSecurityGroup", constant("True")),
              mapping("member", attribute("members")),
              // INFERRED: Microsoft's table gives CN=Users,DC=<selected AD domain>.
              mapping("parentDistinguishedName", constant(`CN=Users,${rootDn}`)),
              mapping("UniversalScope", constant("True")),
            ],
          },
        ],
      },
    ],
  };
}

/** A new job: created disabled, status Paused (the Cloud Sync doc's example), 40-minute schedule. */
export function newGroupProvisioningJob(tenantId: string, rootDn: string): SynchronizationJob {
  return {
    id: `${AAD2AD_JOB_TEMPLATE}.${crypto.randomBytes(16).toString("hex")}.${tenantId}`,
    templateId: AAD2AD_JOB_TEMPLATE,
    schedule: { expiration: null, interval: "PT40M", state: "Disabled" },
    status: {
      code: "Paused",
      countSuccessiveCompleteFailures: 0,
      escrowsPruned: false,
      lastExecution: null,
      lastSuccessfulExecution: null,
      lastSuccessfulExecutionWithExports: null,
      quarantine: null,
      steadyStateFirstAchievedTime: NEVER,
      steadyStateLastAchievedTime: NEVER,
      synchronizedEntryCountByType: [],
      troubleshootingUrl: null,
    },
    schema: defaultGroupProvisioningSchema(rootDn),
    nextRunAt: null,
    forceDeletes: false,
    provisioned: {},
    lastCycle: null,
  };
}
