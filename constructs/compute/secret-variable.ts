/**
 * Sensitive Terraform variables that hold the secrets host roles reference. One per name per stack; the
 * value comes from TF_VAR_<name> or a .tfvars file at plan time and never appears in synthesized JSON.
 */
import { TerraformStack, TerraformVariable } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';

import { MAX_SECRET_BYTES } from '../../lib/cloudinit/secret.js';
import type { RoleSecret } from '../roles/host-role.js';

const NAMESPACE = 'Secrets';

/** The stack's variable for `secret`, created on first use. */
export function ensureSecretVariable(scope: IConstruct, secret: RoleSecret): TerraformVariable {
  const stack = TerraformStack.of(scope);
  const ns = (stack.node.tryFindChild(NAMESPACE) as Construct | undefined) ?? new Construct(stack, NAMESPACE);
  const existing = ns.node.tryFindChild(secret.name);
  if (existing) return existing as TerraformVariable;
  const variable = new TerraformVariable(ns, secret.name, {
    type: 'string',
    sensitive: true,
    nullable: false,
    description: secret.description,
    validation: [
      {
        // Values are spliced into cloud-config files: one line, bounded so user-data size stays predictable.
        condition: `\${length(var.${secret.name}) > 0 && length(var.${secret.name}) <= ${MAX_SECRET_BYTES} && !can(regex("[\\\\n\\\\r]", var.${secret.name}))}`,
        errorMessage: `${secret.name} must be 1-${MAX_SECRET_BYTES} characters on one line.`,
      },
    ],
  });
  variable.overrideLogicalId(secret.name);
  return variable;
}
