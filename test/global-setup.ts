// Bindings are generated before any test imports them (a no-op when the schema files are unchanged).
import { generateAll } from '../lib/providers/generate.js';

export default async function setup(): Promise<void> {
  await generateAll();
}
