// zod's CommonJS build loads every one of its 63 locales (zod/v4/locales/index.cjs) when it loads, though only its
// default, English, is used: about 20 ms of CPU in each process that loads zod, that is the program and the provider
// process of every deployment (docs/toolchain.md, "What a refresh costs"). Imported before anything loads zod (first
// in index.ts and providers/registry.ts), this module puts in Node's module cache a locales index with the same
// names, each read on first access (getters, as zod's own index defines them). If zod's index is not in the shape
// this expects (another zod version), nothing is done and zod loads its own. tests/unit/providers/lazyModules.test.ts
// checks both.
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";

/** `var ar_js_1 = require("./ar.cjs");` then `Object.defineProperty(exports, "ar", { ... ar_js_1 ... })`. */
const LOCALE =
  /var (\w+) = require\("(\.\/[\w-]+\.cjs)"\);\s*Object\.defineProperty\(exports, "(\w+)", \{ enumerable: true, get: function \(\) \{ return __importDefault\(\1\)\.default; \} \}\);/g;

function registerLazyLocales(): void {
  let index: string;
  try {
    index = require.resolve("zod/v4/locales");
  } catch {
    return;
  }
  if (require.cache[index]) return;
  const source = fs.readFileSync(index, "utf8");
  const locales = [...source.matchAll(LOCALE)].map((match) => ({
    name: match[3] as string,
    file: match[2] as string,
  }));
  // Every export of the index is one of these locales (and __esModule): anything else, and zod loads its own index.
  const exported = source.match(/Object\.defineProperty\(exports, "/g)?.length ?? 0;
  if (locales.length === 0 || exported !== locales.length + 1) return;
  const exports: Record<string, unknown> = {};
  Object.defineProperty(exports, "__esModule", { value: true });
  for (const { name, file } of locales) {
    Object.defineProperty(exports, name, {
      enumerable: true,
      get: () => {
        const loaded = require(path.join(path.dirname(index), file)) as {
          __esModule?: boolean;
          default?: unknown;
        };
        return loaded && loaded.__esModule ? loaded.default : loaded;
      },
    });
  }
  const module = new Module(index);
  module.filename = index;
  module.exports = exports;
  module.loaded = true;
  require.cache[index] = module;
}

registerLazyLocales();
