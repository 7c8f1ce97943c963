/**
 * True when the module at `moduleUrl` is the script Node was started with (`tsx lib/x.ts`, `node dist/x.js`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && path.resolve(script) === fileURLToPath(moduleUrl);
}
