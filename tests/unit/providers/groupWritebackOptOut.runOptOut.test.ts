// runOptOut's decisions on group shapes the simulator does not produce (a Microsoft 365 group mastered
// on-premises; groups synced from AD, against the simulator, are in groupWritebackOptOut.test.ts): a stand-in for
// the Graph client that serves fixed pages and records the writes.
import type { GraphClient, GraphGroup, GroupPage, GroupQuery } from "../../../graph";
import { runOptOut } from "../../../providers/groupWritebackOptOut/optOut";

function fakeGraph(groups: GraphGroup[]) {
  const writes: Array<{ id: string; isEnabled: boolean | null | undefined }> = [];
  const graph = {
    async *groupPages(query: GroupQuery = {}): AsyncGenerator<GroupPage> {
      expect(query.filter).toBe("groupTypes/any(c:c eq 'Unified')");
      yield { groups: groups.filter((group) => group.groupTypes?.includes("Unified")) };
    },
    async listGroups(): Promise<GraphGroup[]> {
      return [];
    },
    async updateGroupWriteback(id: string, change: { isEnabled?: boolean | null }): Promise<void> {
      writes.push({ id, isEnabled: change.isEnabled });
    },
  };
  return { graph: graph as unknown as GraphClient, writes };
}

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const m365 = (n: number, extra: Partial<GraphGroup> = {}): GraphGroup => ({
  id: id(n),
  groupTypes: ["Unified"],
  onPremisesSyncEnabled: null,
  writebackConfiguration: { isEnabled: null, onPremisesGroupType: null },
  ...extra,
});

test("a group mastered on-premises is skipped and reported with its reason; the others are opted out", async () => {
  const { graph, writes } = fakeGraph([
    m365(1),
    m365(2, { onPremisesSyncEnabled: true }),
    m365(3, { writebackConfiguration: { isEnabled: false, onPremisesGroupType: null } }),
    m365(4, {
      writebackConfiguration: { isEnabled: true, onPremisesGroupType: "universalDistributionGroup" },
    }),
  ]);
  const lines: string[] = [];
  const report = await runOptOut(
    graph,
    { groups: "all", keepEnabled: [], concurrency: 2 },
    { progress: (line) => lines.push(line) },
  );
  expect(writes).toEqual([
    { id: id(1), isEnabled: false },
    { id: id(4), isEnabled: false },
  ]);
  expect(report).toMatchObject({
    selected: 4,
    optedOut: { count: 2, sample: [id(1), id(4)] },
    alreadyOptedOut: { count: 1, sample: [id(3)] },
    skippedOnPremises: { count: 1, sample: [id(2)] },
  });
  expect(lines.at(-1)).toBe(
    "2 Microsoft 365 groups opted out of writeback (isEnabled = false); 1 already opted out (not written); " +
      "1 group skipped: mastered on-premises (onPremisesSyncEnabled) (4 groups selected, 1 page read)",
  );
});
