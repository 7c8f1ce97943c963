import type { CloudCredentials } from '../credentials.js';

/**
 * Credential sources of aliyun/alicloud 1.289.0, from the `DefaultFunc` environment names of its provider
 * schema; the first name of each list is the one the docs lead with. The OSS state backend reads the same.
 * @see https://github.com/aliyun/terraform-provider-alicloud/blob/v1.289.0/alicloud/provider.go
 */
export const ALICLOUD_CREDENTIALS: CloudCredentials = {
  provider: 'aliyun/alicloud',
  see: 'https://registry.terraform.io/providers/aliyun/alicloud/1.289.0/docs#authentication',
  sources: [
    {
      name: 'access key',
      all: [
        ['ALICLOUD_ACCESS_KEY', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABACLOUD_ACCESS_KEY_ID'],
        ['ALICLOUD_SECRET_KEY', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABACLOUD_ACCESS_KEY_SECRET'],
      ],
    },
    { name: 'shared credentials profile', all: [['ALICLOUD_PROFILE', 'ALIBABA_CLOUD_PROFILE']] },
    { name: 'ECS RAM role', all: [['ALICLOUD_ECS_ROLE_NAME', 'ALIBABA_CLOUD_ECS_METADATA']] },
    { name: 'credentials URI', all: [['ALICLOUD_CREDENTIALS_URI', 'ALIBABA_CLOUD_CREDENTIALS_URI']] },
  ],
};
