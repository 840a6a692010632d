// The journal's operation names for the Cloud Sync requests of the simulated Graph (simulator/graph/synchronization.ts).

const V = String.raw`^\/(v1\.0|beta)`;
const SP = String.raw`${V}\/servicePrincipals\/[^/]+`;
const JOB = String.raw`${SP}\/synchronization\/jobs\/[^/]+`;

export const CLOUD_SYNC_OPERATIONS: ReadonlyArray<[method: string, path: RegExp, operation: string]> = [
  ["GET", new RegExp(`${V}\\/applicationTemplates$`), "graph.listApplicationTemplates"],
  ["GET", new RegExp(`${V}\\/applicationTemplates\\/[^/]+$`), "graph.getApplicationTemplate"],
  [
    "POST",
    new RegExp(`${V}\\/applicationTemplates\\/[^/]+\\/instantiate$`),
    "graph.instantiateApplicationTemplate",
  ],
  ["GET", new RegExp(`${V}\\/servicePrincipals$`), "graph.listServicePrincipals"],
  ["GET", new RegExp(`${SP}$`), "graph.getServicePrincipal"],
  ["DELETE", new RegExp(`${SP}$`), "graph.deleteServicePrincipal"],
  ["GET", new RegExp(`${SP}\\/synchronization\\/templates$`), "graph.listSynchronizationTemplates"],
  ["GET", new RegExp(`${SP}\\/synchronization\\/jobs$`), "graph.listSynchronizationJobs"],
  ["POST", new RegExp(`${SP}\\/synchronization\\/jobs$`), "graph.createSynchronizationJob"],
  ["GET", new RegExp(`${JOB}$`), "graph.getSynchronizationJob"],
  ["DELETE", new RegExp(`${JOB}$`), "graph.deleteSynchronizationJob"],
  ["POST", new RegExp(`${JOB}\\/start$`), "graph.startSynchronizationJob"],
  ["POST", new RegExp(`${JOB}\\/pause$`), "graph.pauseSynchronizationJob"],
  ["POST", new RegExp(`${JOB}\\/restart$`), "graph.restartSynchronizationJob"],
  ["POST", new RegExp(`${JOB}\\/provisionOnDemand$`), "graph.provisionOnDemand"],
  ["GET", new RegExp(`${JOB}\\/schema$`), "graph.getSynchronizationSchema"],
  ["PUT", new RegExp(`${JOB}\\/schema$`), "graph.putSynchronizationSchema"],
  ["PATCH", new RegExp(`${JOB}\\/schema$`), "graph.patchSynchronizationSchema"],
  ["DELETE", new RegExp(`${JOB}\\/schema$`), "graph.resetSynchronizationSchema"],
  ["GET", new RegExp(`${SP}\\/synchronization\\/secrets$`), "graph.getSynchronizationSecrets"],
  ["PUT", new RegExp(`${SP}\\/synchronization\\/secrets$`), "graph.putSynchronizationSecrets"],
  ["GET", new RegExp(`${SP}\\/appRoleAssignedTo$`), "graph.listAppRoleAssignedTo"],
  ["POST", new RegExp(`${SP}\\/appRoleAssignedTo$`), "graph.addAppRoleAssignedTo"],
  ["DELETE", new RegExp(`${SP}\\/appRoleAssignedTo\\/[^/]+$`), "graph.removeAppRoleAssignedTo"],
  ["GET", new RegExp(`${V}\\/groups\\/[^/]+\\/members$`), "graph.listGroupMembers"],
  ["GET", new RegExp(`${V}\\/groups\\/[^/]+\\/members\\/\\$count$`), "graph.countGroupMembers"],
  ["GET", /^\/beta\/onPremisesPublishingProfiles\/provisioning\/.*$/, "graph.onPremisesPublishingProfiles"],
];
