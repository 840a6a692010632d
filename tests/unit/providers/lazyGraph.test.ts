// The provider process loads the Microsoft Graph client (@azure/identity, MSAL, undici) only when a resource calls
// Graph: most deployments call none, and loading it costs about 0.2 s of CPU per provider process, two processes per
// `preview --refresh` (docs/toolchain.md). A provider module that imports a value from graph/index.ts would load it
// for every deployment; this test keeps them importing from the submodules they need.
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..", "..");

/** The modules a fresh Node process has loaded after running `script` (compiled code from dist/, as the plugins run). */
function loadedAfter(script: string): string[] {
  const out = execFileSync(
    process.execPath,
    ["-e", `${script}; process.stdout.write(JSON.stringify(Object.keys(require.cache)))`],
    { cwd: root, encoding: "utf8" },
  );
  return JSON.parse(out) as string[];
}

const graphClient = (loaded: string[]) =>
  loaded.filter(
    (file) =>
      file.includes(`${path.sep}@azure${path.sep}identity${path.sep}`) ||
      file.endsWith(path.join("graph", "client.js")),
  );

test("loading every provider does not load the Graph client; creating a Graph client does (the check can see it)", () => {
  const registry = path.join(root, "dist", "providers", "registry.js");
  expect(graphClient(loadedAfter(`require(${JSON.stringify(registry)})`))).toEqual([]);
  // The same filter finds the client once it is loaded, as the first Graph call loads it.
  const client = path.join(root, "dist", "graph", "client.js");
  expect(
    graphClient(loadedAfter(`require(${JSON.stringify(registry)}); require(${JSON.stringify(client)})`))
      .length,
  ).toBeGreaterThan(1);
});
