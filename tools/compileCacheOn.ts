// Imported first by a tool's entry module (npm run drift): every module loaded after it compiles through Node's
// compile cache (compileCache.ts).
import { enableCompileCache } from "./compileCache";

enableCompileCache();
