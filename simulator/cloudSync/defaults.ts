// Cloud Sync's constants and defaults: application templates, the group provisioning template, the app role of each
// cloud, the job and schema a new job starts with. Sources and guesses: docs/simulator.md, "Cloud Sync".
import * as crypto from "node:crypto";
import type { CloudSyncState, SynchronizationJob, SynchronizationSchema } from "./model";

/** The synchronization template (job template) of "Group Provision to Active Directory". */
export const GROUP_PROVISIONING_TEMPLATE_ID = "AAD2ADGroupProvisioning";

/** The application template Microsoft documents for Cloud Sync (AD to Entra ID); AADCloudSyncTools finds every Cloud Sync SP by it. */
export const CLOUD_SYNC_APPLICATION_TEMPLATE_ID = "1a4721b3-e57f-4451-ae87-ef078703ec94";
/** UNVERIFIED: the template one third-party group provisioning script instantiates. */
export const THIRD_PARTY_GROUP_PROVISIONING_TEMPLATE_ID = "fb81332f-3eca-4ecf-a939-4278e501d330";

/** The job templates Microsoft's support material lists on Cloud Sync service principals. */
export const CLOUD_SYNC_JOB_TEMPLATES = [
  "AD2AADProvisioning",
  "AD2AADPasswordHash",
  GROUP_PROVISIONING_TEMPLATE_ID,
  "AAD2ADExchangeHybridWriteback",
] as const;

/** The app role that puts a group in scope ("Selected security groups"), per cloud. */
export const GROUP_SCOPE_APP_ROLE_IDS = {
  Public: "1a0abf4d-b9fa-4512-a3a2-51ee82c6fd9f",
  AzureChinaCloud: "15af7fd5-1a3f-4034-8ea1-1afa3d5ecf63",
  AzureUSGovernment: "d8fa317e-0713-4930-91d8-1dbeb150978f",
  AzureUSNatCloud: "50a55e47-aae2-425c-8dcb-ed711147a39f",
  AzureUSSecCloud: "52e862b9-0b95-43fe-9340-54f51248314f",
} as const;

/** Cloud Sync's schedule interval (the documented job shows PT40M). */
export const CLOUD_SYNC_INTERVAL_SECONDS = 40 * 60;
/** GUESSED: how soon after start (or a change to an active job) the service runs a cycle. */
export const CLOUD_SYNC_START_DELAY_SECONDS = 10;
/** Microsoft's delete threshold default: enabled, 500 ("the maximum number of deletes allowed is 499 in each execution"). */
export const DEFAULT_DELETE_THRESHOLD = 500;
/** Groups with more members than this are not supported. */
export const MAX_GROUP_MEMBERS = 50_000;
/** provisionOnDemand: at most this many calls per window, and members per call. */
export const ON_DEMAND_CALLS_PER_WINDOW = 5;
export const ON_DEMAND_WINDOW_MS = 10_000;
export const ON_DEMAND_MAX_MEMBERS = 5;
/** The default agent build the simulator registers (the 2026 prerequisites' minimum). */
export const DEFAULT_AGENT_VERSION = "1.1.2334.0";

/** The status times Graph shows before anything happened. */
export const NEVER = "0001-01-01T00:00:00Z";

/** The object mapping the engine evaluates, and the expression of the default cn. */
export const GROUP_OBJECT_MAPPING_NAME = "Provision Microsoft Entra ID Groups";
export const DEFAULT_CN_EXPRESSION =
  'Append(Append(Left(Trim([displayName]), 51), "_"), Mid([objectId], 25, 12))';
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
        id: CLOUD_SYNC_APPLICATION_TEMPLATE_ID,
        displayName: "Microsoft Entra Cloud Sync",
        verifiedForGroupProvisioning: false,
        synchronizationTemplates: [...CLOUD_SYNC_JOB_TEMPLATES],
      },
      {
        id: THIRD_PARTY_GROUP_PROVISIONING_TEMPLATE_ID,
        displayName: "Microsoft Entra Cloud Sync (group provisioning, unverified)",
        verifiedForGroupProvisioning: false,
        synchronizationTemplates: [GROUP_PROVISIONING_TEMPLATE_ID],
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
        version: DEFAULT_AGENT_VERSION,
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
    id: GROUP_PROVISIONING_TEMPLATE_ID,
    version: "Date:2026-11-29T00:00:00Z~###~Group Provisioning",
    directories: [
      { id: "AzureActiveDirectory", name: "Azure Active Directory", objects: [{ name: "Group" }] },
      { id: "ActiveDirectory", name: "Active Directory", objects: [{ name: "group" }] },
    ],
    synchronizationRules: [
      {
        id: `${crypto.randomUUID()}#V2`,
        name: GROUP_PROVISIONING_TEMPLATE_ID,
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
              mapping("cn", fn("Append", DEFAULT_CN_EXPRESSION)),
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
    id: `${GROUP_PROVISIONING_TEMPLATE_ID}.${crypto.randomBytes(16).toString("hex")}.${tenantId}`,
    templateId: GROUP_PROVISIONING_TEMPLATE_ID,
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
