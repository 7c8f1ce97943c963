/**
 * Terraform state backends for region stacks. Credentials are never written: OSS and S3 read them from the
 * environment (ALICLOUD_ACCESS_KEY / AWS_ACCESS_KEY_ID ...) when Terraform runs.
 */
import { LocalBackend, OssBackend, S3Backend, type TerraformStack } from 'cdktf';

import type { BackendSpec } from '../lib/spec/region-spec.js';

/**
 * Configures `stack`'s backend. `localStatePath` is relative, so synthesized JSON carries no absolute path
 * of the machine that produced it (cdktf's implicit local backend would write one).
 */
export function configureBackend(
  stack: TerraformStack,
  backend: BackendSpec,
  options: { readonly localStatePath: string; readonly alicloudRegion?: string },
): void {
  const stackName = stack.node.id;
  switch (backend.type) {
    case 'local':
      new LocalBackend(stack, { path: options.localStatePath });
      return;
    case 'oss':
      new OssBackend(stack, {
        bucket: backend.bucket,
        prefix: backend.prefix,
        key: `${stackName}.tfstate`,
        region: backend.region ?? options.alicloudRegion,
        encrypt: true,
        ...(backend.tablestoreEndpoint
          ? { tablestoreEndpoint: backend.tablestoreEndpoint, tablestoreTable: backend.tablestoreTable }
          : {}),
      });
      return;
    case 's3':
      // The pre-1.6 argument names (endpoint, force_path_style) are the ones both Terraform >= 1.5 and
      // OpenTofu >= 1.6 accept; newer releases warn but work.
      new S3Backend(stack, {
        bucket: backend.bucket,
        key: `${backend.keyPrefix}/${stackName}.tfstate`,
        region: backend.region,
        encrypt: true,
        ...(backend.endpoint
          ? {
              endpoint: backend.endpoint,
              forcePathStyle: true,
              skipCredentialsValidation: true,
              skipRegionValidation: true,
              skipMetadataApiCheck: true,
            }
          : {}),
      });
      return;
  }
}
