import type { CloudCredentials } from '../credentials.js';

/**
 * Credential sources of terraform-provider-openstack/openstack 3.4.0: the OS_* variables gophercloud's
 * client config reads, or a clouds.yaml entry named by OS_CLOUD (or by `openstack.cloud` in the region file).
 * @see https://github.com/terraform-provider-openstack/terraform-provider-openstack/blob/v3.4.0/openstack/provider.go
 */
export const OPENSTACK_CREDENTIALS: CloudCredentials = {
  provider: 'terraform-provider-openstack/openstack',
  see: 'https://registry.terraform.io/providers/terraform-provider-openstack/openstack/3.4.0/docs',
  sources: [
    { name: 'clouds.yaml entry', all: [['OS_CLOUD']] },
    {
      name: 'password',
      all: [
        ['OS_AUTH_URL'],
        ['OS_USERNAME', 'OS_USER_ID'],
        ['OS_PASSWORD'],
        ['OS_PROJECT_NAME', 'OS_PROJECT_ID', 'OS_TENANT_NAME', 'OS_TENANT_ID'],
      ],
    },
    {
      name: 'application credential',
      all: [
        ['OS_AUTH_URL'],
        ['OS_APPLICATION_CREDENTIAL_ID', 'OS_APPLICATION_CREDENTIAL_NAME'],
        ['OS_APPLICATION_CREDENTIAL_SECRET'],
      ],
    },
    { name: 'token', all: [['OS_AUTH_URL'], ['OS_TOKEN', 'OS_AUTH_TOKEN']] },
  ],
};
