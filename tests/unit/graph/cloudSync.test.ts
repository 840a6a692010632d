// The Cloud Sync endpoints of the simulated Graph, over HTTPS, as a provider would call them.
import { advance, readState, runAction, withState } from "../../../simulator";
import { CLOUD_SYNC_APPLICATION_TEMPLATE, SCOPE_APP_ROLE_IDS } from "../../../domain/cloudSync";
import { runCloudSyncCycle, seedCloudSyncGroups, setCloudSyncSettings } from "../../../simulator/cloudSync";
import { armGraphFault } from "../../../simulator/graph";
import { SynchronizationApi } from "../../../graph/synchronization";
import { countText } from "../../../graph/schemas";
import { graphEntries, newGraphSim, rawGraph, rawToken, writerToken, type GraphSim } from "./support";

let g: GraphSim;
let token: string;
beforeEach(async () => {
  g = await newGraphSim({ m365: 1, m365OptedOut: 0, security: 1, securityEnabled: 0 });
  token = await writerToken(g);
});
afterEach(async () => g.cleanup());

const call = (method: string, path: string, body?: unknown) =>
  rawGraph(g, method, path, { token, ...(body !== undefined ? { body } : {}) });

interface Configuration {
  spId: string;
  jobId: string;
  base: string;
}

/** Microsoft's documented sequence: instantiate, verify the template, create the job, Domain secret. */
async function configure(domain = "contoso.com"): Promise<Configuration> {
  const created = await call(
    "POST",
    `/beta/applicationTemplates/${CLOUD_SYNC_APPLICATION_TEMPLATE}/instantiate`,
    {
      displayName: domain,
    },
  );
  expect(created.status).toBe(201);
  const spId = (created.body as { servicePrincipal: { objectId: string } }).servicePrincipal.objectId;
  const templates = await call("GET", `/beta/servicePrincipals/${spId}/synchronization/templates`);
  expect((templates.body as { value: { id: string }[] }).value.map((t) => t.id)).toContain(
    "AAD2ADGroupProvisioning",
  );
  const job = await call("POST", `/beta/servicePrincipals/${spId}/synchronization/jobs`, {
    templateId: "AAD2ADGroupProvisioning",
  });
  expect(job.status).toBe(201);
  const jobId = (job.body as { id: string }).id;
  const secrets = await call("PUT", `/beta/servicePrincipals/${spId}/synchronization/secrets`, {
    value: [{ key: "Domain", value: JSON.stringify({ domain }) }],
  });
  expect(secrets.status).toBe(204);
  return { spId, jobId, base: `/beta/servicePrincipals/${spId}/synchronization/jobs/${jobId}` };
}

async function assign(spId: string, groupId: string): Promise<string> {
  const response = await call("POST", `/v1.0/servicePrincipals/${spId}/appRoleAssignedTo`, {
    principalId: groupId,
    resourceId: spId,
    appRoleId: SCOPE_APP_ROLE_IDS.public,
  });
  expect(response.status).toBe(201);
  return (response.body as { id: string }).id;
}

async function seed(groups: number) {
  return withState(g.sim.file, (tx) =>
    seedCloudSyncGroups(tx, { groups, membersPerGroup: 2, onPremisesMembersPerGroup: 1 }),
  );
}

type Schema = {
  synchronizationRules: {
    id: string;
    objectMappings: {
      attributeMappings: {
        targetAttributeName: string;
        source: { type: string; name: string; expression: string };
      }[];
    }[];
  }[];
};

describe("Cloud Sync configuration through the simulated Graph", () => {
  it("instantiates a service principal named after the domain, found by displayName, with a job created disabled", async () => {
    const { spId, jobId, base } = await configure();
    expect(jobId).toMatch(/^AAD2ADGroupProvisioning\.[0-9a-f]{32}\.[0-9a-f-]{36}$/);
    const found = await call(
      "GET",
      `/v1.0/servicePrincipals?$filter=${encodeURIComponent("displayName eq 'contoso.com'")}`,
    );
    expect((found.body as { value: { id: string }[] }).value.map((sp) => sp.id)).toEqual([spId]);
    const job = await call("GET", base);
    expect(job.body).toMatchObject({
      id: jobId,
      templateId: "AAD2ADGroupProvisioning",
      schedule: { interval: "PT40M", state: "Disabled" },
      status: { code: "Paused", quarantine: null },
    });
    const list = await call("GET", `/beta/servicePrincipals/${spId}/synchronization/jobs`);
    expect((list.body as { value: { id: string }[] }).value.map((each) => each.id)).toEqual([jobId]);
  });

  it("serves the default schema (cn default, CN=Users target), writes it with PUT and answers PATCH with syncfabric's 404", async () => {
    const { base } = await configure();
    const schema = (await call("GET", `${base}/schema`)).body as Schema;
    const mappings = schema.synchronizationRules[0]!.objectMappings[0]!.attributeMappings;
    const byTarget = (name: string) => mappings.find((each) => each.targetAttributeName === name);
    expect(byTarget("cn")?.source.expression).toBe(
      'Append(Append(Left(Trim([displayName]), 51), "_"), Mid([objectId], 25, 12))',
    );
    expect(byTarget("parentDistinguishedName")?.source).toMatchObject({
      type: "Constant",
      name: "CN=Users,DC=contoso,DC=com",
    });
    expect(byTarget("sAMAccountName")).toBeUndefined();

    byTarget("parentDistinguishedName")!.source.name = "OU=Groups,OU=Corp,DC=contoso,DC=com";
    expect((await call("PUT", `${base}/schema`, schema)).status).toBe(204);
    const again = (await call("GET", `${base}/schema`)).body as Schema;
    expect(
      again.synchronizationRules[0]!.objectMappings[0]!.attributeMappings.find(
        (each) => each.targetAttributeName === "parentDistinguishedName",
      )?.source.name,
    ).toBe("OU=Groups,OU=Corp,DC=contoso,DC=com");

    const patched = await call("PATCH", `${base}/schema`, schema);
    expect(patched.status).toBe(404);
    expect(patched.body).toMatchObject({ error: { code: "UnknownError" } });
    expect(JSON.parse((patched.body as { error: { message: string } }).error.message).Message).toMatch(
      /^No HTTP resource was found that matches the request URI 'https:\/\/syncfabric\.windowsazure\.com\/api\/servicePrincipals\(/,
    );
  });

  it("refuses a schema that maps a target twice or uses a function the simulator does not model, and keeps the old one", async () => {
    const { base } = await configure();
    const schema = (await call("GET", `${base}/schema`)).body as Schema;
    const mappings = schema.synchronizationRules[0]!.objectMappings[0]!.attributeMappings;
    mappings.push({ ...mappings.find((each) => each.targetAttributeName === "cn")! });
    const duplicate = await call("PUT", `${base}/schema`, schema);
    expect(duplicate.status).toBe(400);
    expect((duplicate.body as { error: { message: string } }).error.message).toContain(
      "cn is mapped more than once",
    );
    mappings.pop();
    mappings.find((each) => each.targetAttributeName === "cn")!.source.expression =
      'IIF([displayName], "a", "b")';
    const unknown = await call("PUT", `${base}/schema`, schema);
    expect((unknown.body as { error: { message: string } }).error.message).toContain(
      "does not model the function IIF()",
    );
    const kept = (await call("GET", `${base}/schema`)).body as Schema;
    expect(
      kept.synchronizationRules[0]!.objectMappings[0]!.attributeMappings.find(
        (each) => each.targetAttributeName === "cn",
      )?.source.expression,
    ).toMatch(/^Append\(Append/);
  });

  it("replaces every secret on PUT", async () => {
    const { spId } = await configure();
    const path = `/beta/servicePrincipals/${spId}/synchronization/secrets`;
    const notifications = JSON.stringify({
      Enabled: true,
      Recipients: "ops@contoso.com",
      DeleteThresholdEnabled: true,
      DeleteThresholdValue: 50,
    });
    await call("PUT", path, { value: [{ key: "SyncNotificationSettings", value: notifications }] });
    expect((await call("GET", path)).body).toEqual({
      value: [{ key: "SyncNotificationSettings", value: notifications }],
    });
  });

  it("provisions assigned groups on the cycle after start, with members that have an AD account, matched by msDS-ExternalDirectoryObjectId", async () => {
    const { spId, base } = await configure();
    const groups = await seed(3);
    for (const group of groups.slice(0, 2)) await assign(spId, group.objectId);
    expect((await call("POST", `${base}/start`)).status).toBe(204);
    // The first cycle runs 10 s (simulated) after start.
    expect(
      ((await call("GET", base)).body as { status: { lastExecution: unknown } }).status.lastExecution,
    ).toBeNull();
    await runAction(g.sim.file, "clock", {}, { client: "test" }, (tx) => advance(tx, 10));
    const job = (await call("GET", base)).body as {
      status: { code: string; lastExecution: { countExported: number } };
    };
    expect(job.status.code).toBe("Active");
    expect(job.status.lastExecution.countExported).toBe(2);
    const state = await readState(g.sim.file);
    const provisioned = Object.values(state.domain.objects).filter(
      (object) => object.objectClass === "group" && object.externalDirectoryObjectId,
    );
    expect(provisioned.map((object) => object.dn).sort()).toEqual(
      groups
        .slice(0, 2)
        .map((group) => `CN=${group.displayName}_${group.objectId.slice(-12)},CN=Users,DC=contoso,DC=com`)
        .sort(),
    );
    for (const object of provisioned) {
      if (object.objectClass !== "group") throw new Error("not a group");
      expect(object).toMatchObject({
        groupCategory: "Security",
        groupScope: "Universal",
        adminDescription: null,
      });
      expect(object.members).toHaveLength(1);
      expect(object.samAccountName).toMatch(/^\$/);
    }
    const assigned = await call("GET", `/v1.0/servicePrincipals/${spId}/appRoleAssignedTo`);
    expect((assigned.body as { value: unknown[] }).value).toHaveLength(2);
  });

  it("pauses; a cycle of a paused job changes nothing; restart ForceDeletes is validated", async () => {
    const { spId, base } = await configure();
    const [group] = await seed(1);
    await assign(spId, group!.objectId);
    await call("POST", `${base}/start`);
    await call("POST", `${base}/pause`);
    expect(((await call("GET", base)).body as { status: { code: string } }).status.code).toBe("Paused");
    const [report] = await runCloudSyncCycle(g.sim.file, { client: "test" });
    expect(report?.outcome).toBe("not-run");
    const bad = await call("POST", `${base}/restart`, { criteria: { resetScope: "Everything" } });
    expect(bad.status).toBe(400);
    expect((await call("POST", `${base}/restart`, { criteria: { resetScope: "ForceDeletes" } })).status).toBe(
      204,
    );
  });

  it("limits provisionOnDemand to one group with five members and five calls in ten seconds", async () => {
    const { spId, base } = await configure();
    const [group] = await seed(1);
    await assign(spId, group!.objectId);
    const schema = (await call("GET", `${base}/schema`)).body as Schema;
    const ruleId = schema.synchronizationRules[0]!.id;
    const body = (members: number) => ({
      parameters: [
        {
          ruleId,
          subjects: [
            {
              objectId: group!.objectId,
              objectTypeName: "Group",
              links: {
                members: group!.members
                  .concat(
                    Array.from({ length: Math.max(0, members - group!.members.length) }, () =>
                      crypto.randomUUID(),
                    ),
                  )
                  .slice(0, members)
                  .map((objectId) => ({ objectId, objectTypeName: "User" })),
              },
            },
          ],
        },
      ],
    });
    const six = await call("POST", `${base}/provisionOnDemand`, body(6));
    expect(six.status).toBe(400);
    const first = await call("POST", `${base}/provisionOnDemand`, body(2));
    expect(first.status).toBe(200);
    expect(JSON.parse((first.body as { key: string }).key)).toEqual({ result: "Success", details: {} });
    const steps = JSON.parse((first.body as { value: string }).value).provisioningSteps as {
      type: string;
      status: string;
    }[];
    expect(steps.map((step) => `${step.type}:${step.status}`)).toEqual([
      "Import:Success",
      "Scoping:Success",
      "Matching:Success",
      "Export:Success",
    ]);
    // A group not assigned to the configuration is skipped at the scoping step, not provisioned.
    const [outside] = await seed(1);
    const skipped = await call("POST", `${base}/provisionOnDemand`, {
      parameters: [{ ruleId, subjects: [{ objectId: outside!.objectId, objectTypeName: "Group" }] }],
    });
    expect(JSON.parse((skipped.body as { key: string }).key).result).toBe("Skipped");
    for (let i = 0; i < 3; i++)
      expect((await call("POST", `${base}/provisionOnDemand`, body(1))).status).toBe(200);
    const limited = await call("POST", `${base}/provisionOnDemand`, body(1));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("removes an assignment, refuses a duplicate and an unknown app role", async () => {
    const { spId } = await configure();
    const [group] = await seed(1);
    const id = await assign(spId, group!.objectId);
    const duplicate = await call("POST", `/v1.0/servicePrincipals/${spId}/appRoleAssignedTo`, {
      principalId: group!.objectId,
      resourceId: spId,
      appRoleId: SCOPE_APP_ROLE_IDS.public,
    });
    expect(duplicate.status).toBe(400);
    const otherCloud = await call("POST", `/v1.0/servicePrincipals/${spId}/appRoleAssignedTo`, {
      principalId: group!.objectId,
      resourceId: spId,
      appRoleId: SCOPE_APP_ROLE_IDS.usGovernment,
    });
    expect(otherCloud.status).toBe(400);
    expect((await call("DELETE", `/v1.0/servicePrincipals/${spId}/appRoleAssignedTo/${id}`)).status).toBe(
      204,
    );
    expect((await call("GET", `/v1.0/servicePrincipals/${spId}/appRoleAssignedTo`)).body).toMatchObject({
      value: [],
    });
  });

  it("refuses the delegated-only agent APIs to an app-only token", async () => {
    const response = await call("GET", "/beta/onPremisesPublishingProfiles/provisioning/agents");
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: { code: "Authorization_RequestDenied" } });
  });

  it("answers the $count segment as Graph does: the number as text/plain, only with ConsistencyLevel: eventual; the client reads it", async () => {
    const [group] = await seed(1);
    const groups = (await readState(g.sim.file)).tenant.groups.filter((each) => each.deleted === "none");
    for (const [path, count] of [
      ["/v1.0/groups/$count", groups.length],
      [`/v1.0/groups/${group!.objectId}/members/$count`, 2],
    ] as const) {
      const counted = await rawGraph(g, "GET", path, { token, headers: { ConsistencyLevel: "eventual" } });
      expect(counted.status).toBe(200);
      expect(counted.headers.get("content-type")).toBe("text/plain");
      expect(counted.body).toBe(String(count));
      // Without the header it is not an advanced query, and Graph does not count.
      const refused = await rawGraph(g, "GET", path, { token });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        error: { code: "Request_BadRequest", message: "$count is not currently supported." },
      });
    }
    const sync = new SynchronizationApi(g.client());
    expect(groups.length).toBeGreaterThan(2);
    expect(await sync.groupCount()).toBe(groups.length);
    expect(await sync.memberCount(group!.objectId)).toBe(2);
    // What the client accepts is Graph's text; a JSON number is not what Graph sends.
    expect(countText.parse("893")).toBe(893);
    expect(countText.safeParse(893).success).toBe(false);
  });

  it("serves group members with their count, and refuses the sync endpoints to the read-only app", async () => {
    const [group] = await seed(1);
    const members = await call("GET", `/beta/groups/${group!.objectId}/members?$count=true`);
    expect(members.body).toMatchObject({ "@odata.count": 2 });
    expect(
      (
        await rawGraph(g, "GET", `/v1.0/groups/${group!.objectId}/members/$count`, {
          token,
          headers: { ConsistencyLevel: "eventual" },
        })
      ).body,
    ).toBe("2");
    const readerToken = (
      await rawToken(g, {
        grant_type: "client_credentials",
        client_id: g.reader.clientId,
        client_secret: g.reader.clientSecret,
        scope: `${g.graph.graphEndpoint}/.default`,
      })
    ).body.access_token as string;
    const refused = await rawGraph(
      g,
      "POST",
      `/beta/applicationTemplates/${CLOUD_SYNC_APPLICATION_TEMPLATE}/instantiate`,
      {
        token: readerToken,
        body: { displayName: "contoso.com" },
      },
    );
    expect(refused.status).toBe(403);
    expect(graphEntries(g).map((entry) => entry.operation)).toContain("graph.instantiateApplicationTemplate");
  });

  it("hides a new service principal and job during the replication delay, then finds them; DELETE removes it with its job and assignments", async () => {
    // 2 s: each request that must land inside the delay reaches the simulator well within it on a loaded machine.
    await withState(g.sim.file, (tx) => setCloudSyncSettings(tx, { replicationDelaySeconds: 2 }));
    const created = await call(
      "POST",
      `/v1.0/applicationTemplates/${CLOUD_SYNC_APPLICATION_TEMPLATE}/instantiate`,
      {
        displayName: "contoso.com",
      },
    );
    const sp = (created.body as { servicePrincipal: { id: string; objectId?: string } }).servicePrincipal;
    expect(sp.objectId).toBeUndefined(); // v1.0 names it id only
    expect((await call("GET", `/v1.0/servicePrincipals/${sp.id}`)).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await call("GET", `/v1.0/servicePrincipals/${sp.id}`)).status).toBe(200);
    const job = await call("POST", `/v1.0/servicePrincipals/${sp.id}/synchronization/jobs`, {
      templateId: "AAD2ADGroupProvisioning",
    });
    const jobPath = `/v1.0/servicePrincipals/${sp.id}/synchronization/jobs/${(job.body as { id: string }).id}`;
    expect((await call("GET", jobPath)).status).toBe(404);
    expect((await call("POST", `${jobPath}/start`)).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await call("GET", jobPath)).status).toBe(200);
    expect((await call("DELETE", `/v1.0/servicePrincipals/${sp.id}`)).status).toBe(204);
    expect((await call("GET", `/v1.0/servicePrincipals/${sp.id}/synchronization/jobs`)).status).toBe(404);
  }, 30_000);

  it("fires armed faults on the synchronization endpoints before the request is applied", async () => {
    const { spId, base } = await configure();
    await armGraphFault(g.sim.file, {
      method: "POST",
      path: "/beta/servicePrincipals/*/synchronization/jobs/*/start",
      kind: "throttle",
      retryAfterSeconds: 2,
    });
    const throttled = await call("POST", `${base}/start`);
    expect(throttled.status).toBe(429);
    expect(((await call("GET", base)).body as { schedule: { state: string } }).schedule.state).toBe(
      "Disabled",
    );
    expect((await call("POST", `${base}/start`)).status).toBe(204);
    expect(((await call("GET", base)).body as { schedule: { state: string } }).schedule.state).toBe("Active");
    expect(spId).toBeDefined();
  });
});
