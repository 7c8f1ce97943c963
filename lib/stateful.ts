/**
 * Resources that hold data a replacement would lose (data disks of stateful roles, instances whose disks are
 * inline). Marked resources are listed in the stack's JSON under the comment key `//.regionkit.stateful`
 * (engines ignore `//` keys), so `regionkit plan` names them loudly and `regionkit deploy` refuses a plan
 * that replaces or destroys one unless `--allow-replace <address>` names it.
 */
import { Lazy, TerraformStack, type TerraformResource } from 'cdktf';

/** The comment path the list is written under, and read from by the lifecycle commands. */
export const STATEFUL_COMMENT_KEY = 'regionkit';

const marked = new WeakMap<TerraformStack, Map<TerraformResource, string>>();

/**
 * Marks `resource` as holding state, with the reason shown when a plan would replace it.
 * @param why - what would be lost, e.g. `ZooKeeper and etcd data of control-1`
 */
export function markStateful(resource: TerraformResource, why: string): void {
  const stack = TerraformStack.of(resource);
  let resources = marked.get(stack);
  if (!resources) {
    const list = new Map<TerraformResource, string>();
    marked.set(stack, list);
    resources = list;
    stack.addOverride(`//.${STATEFUL_COMMENT_KEY}.stateful`, Lazy.anyValue({ produce: () => statefulList(list) }));
  }
  resources.set(resource, why);
}

function statefulList(list: Map<TerraformResource, string>): Record<string, string> {
  const entries = [...list].map(([r, why]) => [`${r.terraformResourceType}.${r.friendlyUniqueId}`, why] as const);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** Stateful addresses (without instance keys) and reasons listed in a synthesized stack's JSON. */
export function statefulAddresses(stackJson: unknown): Map<string, string> {
  const comment = (stackJson as { '//'?: Record<string, { stateful?: Record<string, string> }> })['//'];
  return new Map(Object.entries(comment?.[STATEFUL_COMMENT_KEY]?.stateful ?? {}));
}
