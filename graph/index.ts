// The Microsoft Graph client of the project (docs/graph.md).
export {
  GraphClient,
  type GraphClientOptions,
  type GroupPage,
  type GroupQuery,
  type GraphVersion,
  type PageProgress,
} from "./client";
export {
  graphConnectionSchema,
  type GraphConnection,
  type GraphConnectionInput,
  KNOWN_AUTHORITY_HOSTS,
  PUBLIC_AUTHORITY_HOST,
  PUBLIC_GRAPH_ENDPOINT,
} from "./config";
export {
  GraphAuthenticationError,
  GraphConnectionError,
  GraphRequestError,
  GraphResponseShapeError,
} from "./errors";
export { RETRY_STATUSES, type RetryInfo, RetryMiddleware, type RetryOptions, retryAfterMs } from "./retry";
export type { DirectorySetting, DirectorySettingTemplate, GraphGroup } from "./schemas";
export {
  AAD2AD_GROUP_PROVISIONING,
  type AppRoleAssignment,
  type AttributeMapping,
  type AttributeMappingSource,
  isNotFound,
  type ObjectMapping,
  RateLimiter,
  type ScopeGroup,
  type SecretPair,
  type ServicePrincipal,
  SynchronizationApi,
  type SynchronizationJob,
  type SynchronizationQuarantine,
  type SynchronizationSchema,
  waitForReplication,
} from "./synchronization";
