import { GraphRequestError, type PageProgress } from "../../../graph";
import { withState } from "../../../simulator";
import { graphEntries, newGraphSim, rawGraph, writerToken, type GraphSim } from "./support";

let g: GraphSim;
afterEach(async () => g.cleanup());

describe("GET /groups paging", () => {
  beforeEach(async () => {
    g = await newGraphSim({ m365: 2000, security: 500 });
  });

  it("reads 2,500 groups in pages of 999, following @odata.nextLink to the end, with progress", async () => {
    const progress: PageProgress[] = [];
    const groups = await g
      .client()
      .listGroups({ select: ["id", "displayName"], onPage: (page) => progress.push(page) });
    expect(groups).toHaveLength(2500);
    expect(new Set(groups.map((group) => group.id)).size).toBe(2500);
    expect(progress.map(({ pages, items }) => [pages, items])).toEqual([
      [1, 999],
      [2, 1998],
      [3, 2500],
    ]);
    expect(progress[0]?.nextLink).toMatch(
      /^https:\/\/127\.0\.0\.1:\d+\/beta\/groups\?.*\$skiptoken=[\w.-]+$/,
    );
    expect(progress[2]?.nextLink).toBeUndefined();
    const lists = graphEntries(g).filter((entry) => entry.operation === "graph.listGroups");
    expect(lists).toHaveLength(3);
    expect(
      lists.map((entry) => (entry.args as { query: Record<string, string> }).query.$skiptoken !== undefined),
    ).toEqual([false, true, true]);
  });

  it("resumes from a nextLink a previous listing reported", async () => {
    const client = g.client();
    const first = await client.groupPages({ top: 500 }).next();
    const nextLink = first.value?.nextLink as string;
    const rest = await client.listGroups({ startAt: nextLink });
    expect(rest).toHaveLength(2000);
    expect(rest.some((group) => group.id === first.value?.groups[0]?.id)).toBe(false);
  });

  it("pages on correctly when groups of later pages are opted out between pages", async () => {
    const client = g.client();
    const seen: string[] = [];
    let patched = 0;
    for await (const page of client.groupPages({ filter: "groupTypes/any(c:c eq 'Unified')", top: 500 })) {
      seen.push(...page.groups.map((group) => group.id));
      if (patched === 0) {
        const state = await g.sim.state();
        const later = state.tenant.groups.filter((group) => group.type === "m365").slice(600, 603);
        for (const group of later) await client.updateGroupWriteback(group.objectId, { isEnabled: false });
        patched = later.length;
      }
    }
    expect(patched).toBe(3);
    expect(seen).toHaveLength(2000);
    expect(new Set(seen).size).toBe(2000);
  });

  it("continues after the last group of a page even when that group was hard-deleted in between", async () => {
    const client = g.client();
    const first = await client.groupPages({ top: 500 }).next();
    const page = first.value?.groups ?? [];
    const last = page.at(-1)?.id as string;
    await withState(g.sim.file, (tx) => {
      tx.state.tenant.groups = tx.state.tenant.groups.filter((group) => group.objectId !== last);
    });
    const rest = await client.listGroups({ startAt: first.value?.nextLink as string });
    expect(rest).toHaveLength(2500 - 500);
    const all = (await g.sim.state()).tenant.groups.map((group) => group.objectId);
    expect(rest[0]?.id).toBe(all[499]);
  });

  it("refuses a $skiptoken used with a different query, and $top above 999", async () => {
    const token = await writerToken(g);
    const page = await rawGraph(g, "GET", "/beta/groups?$top=10&$filter=securityEnabled%20eq%20true", {
      token,
    });
    const nextLink = (page.body as Record<string, string>)["@odata.nextLink"] as string;
    const skiptoken = new URL(nextLink).searchParams.get("$skiptoken") as string;
    const dropped = await rawGraph(g, "GET", `/beta/groups?$top=10&$skiptoken=${skiptoken}`, { token });
    expect(dropped).toMatchObject({ status: 400, body: { error: { code: "Request_BadRequest" } } });
    const followed = await rawGraph(g, "GET", nextLink.slice(g.graph.graphEndpoint.length), { token });
    expect(followed.status).toBe(200);
    const tooBig = await g
      .client()
      .listGroups({ top: 1000 })
      .catch((caught: unknown) => caught);
    expect(tooBig).toBeInstanceOf(GraphRequestError);
    expect((tooBig as Error).message).toContain(
      "400 Request_BadRequest: Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.",
    );
  });
});

describe("$filter and $select", () => {
  beforeEach(async () => {
    g = await newGraphSim({ m365: 12, security: 7, securityEnabled: 3 });
  });

  it("selects Microsoft 365 groups, security groups, and both combined with and", async () => {
    const client = g.client();
    const state = await g.sim.state();
    const unified = await client.listGroups({ filter: "groupTypes/any(c:c eq 'Unified')" });
    expect(unified.map((group) => group.id).sort()).toEqual(
      state.tenant.groups
        .filter((group) => group.type === "m365")
        .map((group) => group.objectId)
        .sort(),
    );
    const security = await client.listGroups({
      filter: "securityEnabled eq true",
      select: ["id", "securityEnabled"],
    });
    expect(security).toHaveLength(7);
    expect(security.every((group) => group.securityEnabled === true && group.displayName === undefined)).toBe(
      true,
    );
    const both = await client.listGroups({
      filter: "groupTypes/any(x:x eq 'Unified') and securityEnabled eq true",
    });
    expect(both).toEqual([]);
    const mail = await client.listGroups({
      filter: "groupTypes/any(c:c eq 'Unified') and mailEnabled eq true",
    });
    expect(mail).toHaveLength(12);
  });

  it("selects ids with `in` (up to 15 values) and refuses forms it does not model", async () => {
    const client = g.client();
    const ids = (await g.sim.state()).tenant.groups.slice(0, 3).map((group) => group.objectId);
    const chosen = await client.listGroups({ filter: `id in (${ids.map((id) => `'${id}'`).join(", ")})` });
    expect(chosen.map((group) => group.id).sort()).toEqual([...ids].sort());
    const many = Array.from(
      { length: 16 },
      (_, i) => `'00000000-0000-4000-8000-${String(i).padStart(12, "0")}'`,
    );
    await expect(client.listGroups({ filter: `id in (${many.join(",")})` })).rejects.toMatchObject({
      status: 400,
      code: "Request_UnsupportedQuery",
    });
    await expect(
      client.listGroups({ filter: "securityEnabled eq true or mailEnabled eq true" }),
    ).rejects.toMatchObject({
      status: 400,
      code: "Request_UnsupportedQuery",
    });
  });

  it("returns writebackConfiguration on beta only", async () => {
    const client = g.client();
    const beta = await client.listGroups({ select: ["id", "writebackConfiguration"] });
    const state = await g.sim.state();
    expect(beta).toHaveLength(19);
    for (const group of beta) {
      const cloud = state.tenant.groups.find((each) => each.objectId === group.id);
      expect(group.writebackConfiguration).toEqual({
        isEnabled: cloud?.writebackEnabled,
        onPremisesGroupType: cloud?.onPremisesGroupType ?? null,
      });
    }
    const v1 = await client.listGroups({ version: "v1.0" });
    expect(v1).toHaveLength(19);
    expect(v1.every((group) => group.writebackConfiguration === undefined)).toBe(true);
    const selected = await client
      .listGroups({ version: "v1.0", select: ["id", "writebackConfiguration"] })
      .catch((caught: unknown) => caught);
    expect((selected as Error).message).toContain(
      "400 BadRequest: Could not find a property named 'writebackConfiguration' on type 'microsoft.graph.group'.",
    );
  });
});

describe("PATCH /beta/groups/{id} writebackConfiguration", () => {
  beforeEach(async () => {
    g = await newGraphSim({ m365: 3, security: 2 });
  });

  async function ids(): Promise<{ m365: string; security: string }> {
    const groups = (await g.sim.state()).tenant.groups;
    return {
      m365: groups.find((group) => group.type === "m365" && group.onPremisesGroupType === undefined)
        ?.objectId as string,
      security: groups.find((group) => group.type === "security")?.objectId as string,
    };
  }

  it("sets isEnabled and onPremisesGroupType (any case), read back through GET", async () => {
    const client = g.client();
    const { m365 } = await ids();
    await client.updateGroupWriteback(m365, { isEnabled: false });
    expect((await client.getGroup(m365)).writebackConfiguration).toEqual({
      isEnabled: false,
      onPremisesGroupType: null,
    });
    await client.updateGroupWriteback(m365, {
      isEnabled: true,
      onPremisesGroupType: "UniversalSecurityGroup",
    });
    expect((await client.getGroup(m365)).writebackConfiguration).toEqual({
      isEnabled: true,
      onPremisesGroupType: "universalSecurityGroup",
    });
    const group = (await g.sim.state()).tenant.groups.find((each) => each.objectId === m365);
    expect(group).toMatchObject({ writebackEnabled: true, onPremisesGroupType: "universalSecurityGroup" });
  });

  it("refuses onPremisesGroupType back to null once set, and changes nothing", async () => {
    const client = g.client();
    const { m365 } = await ids();
    const token = await writerToken(g);
    // Null is accepted while the type was never set.
    const unset = await rawGraph(g, "PATCH", `/beta/groups/${m365}`, {
      token,
      body: { writebackConfiguration: { onPremisesGroupType: null } },
    });
    expect(unset.status).toBe(204);
    await client.updateGroupWriteback(m365, { onPremisesGroupType: "universalDistributionGroup" });
    const before = (await client.getGroup(m365)).writebackConfiguration;
    expect(before?.onPremisesGroupType).toBe("universalDistributionGroup");
    const refused = await rawGraph(g, "PATCH", `/beta/groups/${m365}`, {
      token,
      body: { writebackConfiguration: { isEnabled: false, onPremisesGroupType: null } },
    });
    expect(refused).toMatchObject({
      status: 400,
      body: {
        error: {
          code: "Request_BadRequest",
          message: "Invalid value specified for property 'onPremisesGroupType' of resource 'Group'.",
          innerError: { "request-id": expect.any(String) },
        },
      },
    });
    // isEnabled: false in the refused request was not applied either.
    expect((await client.getGroup(m365)).writebackConfiguration).toEqual(before);
    expect(before?.isEnabled).not.toBe(false);
  });

  it("refuses a type other than universalSecurityGroup on a security group, writebackConfiguration on v1.0, and unknown groups", async () => {
    const client = g.client();
    const { security } = await ids();
    await expect(
      client.updateGroupWriteback(security, { onPremisesGroupType: "universalDistributionGroup" }),
    ).rejects.toMatchObject({ status: 400, code: "Request_BadRequest" });
    await client.updateGroupWriteback(security, {
      isEnabled: true,
      onPremisesGroupType: "universalSecurityGroup",
    });
    const token = await writerToken(g);
    const v1 = await rawGraph(g, "PATCH", `/v1.0/groups/${security}`, {
      token,
      body: { writebackConfiguration: { isEnabled: false } },
    });
    expect(v1).toMatchObject({ status: 400, body: { error: { code: "BadRequest" } } });
    expect((await client.getGroup(security)).writebackConfiguration?.isEnabled).toBe(true);
    const missing = "00000000-0000-4000-8000-00000000abcd";
    const error = await client
      .updateGroupWriteback(missing, { isEnabled: false })
      .catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(
      `Microsoft Graph refused PATCH /beta/groups/${missing}: 404 Request_ResourceNotFound: Resource '${missing}' does not exist or one of its queried reference-property objects are not present. (request-id ${(error as GraphRequestError).requestId})`,
    );
  });
});
