/**
 * Replacement-forcing (ForceNew) attributes of every resource type regionkit's stacks use, per provider, read
 * from the provider's Go source at the pinned release tag: `ForceNew: true` in the type's `Schema` map (nested
 * block attributes as `<block>.<attribute>`), with the line of the flag in that file. The engine's
 * `providers schema -json` does not carry ForceNew, and the alicloud plugin cannot be built here, so the facts
 * are test data with their source.
 *
 * Read with `git -C <mirror> show <tag>:<file>` from github.com/aliyun/terraform-provider-alicloud (tag
 * v1.289.0, commit 28ee93bc63fa) and github.com/terraform-provider-openstack/terraform-provider-openstack
 * (tag v3.4.0), the versions of lib/versions.ts.
 *
 * CustomizeDiff replacements, checked by hand in the same files:
 * - alicloud_instance (resource_alicloud_instance.go:2707-2731): image_id forces a new instance only with the
 *   provider feature `features.ecs_instance.replace_on_image_update`, which regionkit does not set; without it
 *   a new image_id is applied in place by ReplaceSystemDisk (a restart, below).
 * - openstack_compute_instance_v2 (resource_openstack_compute_instance_v2.go:417-425): flavor_id / flavor_name
 *   force a new server only when the old flavor no longer exists (old value empty); otherwise a resize.
 */

/** Pinned provider source a fact was read from. */
export interface ProviderSource {
  readonly repository: string;
  readonly tag: string;
}

/** ForceNew attributes of one resource type: path -> line of `ForceNew: true` in `file` at the tag. */
export interface ForceNewFacts {
  readonly file: string;
  readonly attributes: Readonly<Record<string, number>>;
}

export const ALICLOUD_SOURCE: ProviderSource = {
  repository: 'https://github.com/aliyun/terraform-provider-alicloud',
  tag: 'v1.289.0',
};
export const OPENSTACK_SOURCE: ProviderSource = {
  repository: 'https://github.com/terraform-provider-openstack/terraform-provider-openstack',
  tag: 'v3.4.0',
};

// provider.go at v1.289.0 registers each of these under two names with one function (lines 1373-1378 and
// 1721-1735: alicloud_disk and alicloud_ecs_disk, alicloud_disk_attachment and alicloud_ecs_disk_attachment,
// alicloud_snapshot_policy and alicloud_ecs_auto_snapshot_policy), so both names share one set of facts.
const ECS_DISK: ForceNewFacts = {
  file: 'alicloud/resource_alicloud_ecs_disk.go',
  attributes: {
    encrypted: 86,
    kms_key_id: 97,
    multi_attach: 103,
    snapshot_id: 142,
    storage_set_id: 151,
    storage_set_partition_number: 156,
    zone_id: 168,
    availability_zone: 175,
  },
};
const ECS_DISK_ATTACHMENT: ForceNewFacts = {
  file: 'alicloud/resource_alicloud_ecs_disk_attachment.go',
  attributes: {
    bootable: 31,
    disk_id: 45,
    instance_id: 50,
    key_pair_name: 55,
    password: 60,
  },
};
const ECS_AUTO_SNAPSHOT_POLICY: ForceNewFacts = {
  file: 'alicloud/resource_alicloud_ecs_auto_snapshot_policy.go',
  attributes: {},
};

export const ALICLOUD_FORCE_NEW: Readonly<Record<string, ForceNewFacts>> = {
  // Types the instance lifecycle of issue 8 (branch day2-hosts) may add: disks of their own, deployment sets,
  // automatic snapshot policies. Read from the same tag, so a merge that adds them keeps this test's judge.
  alicloud_disk: ECS_DISK,
  alicloud_disk_attachment: ECS_DISK_ATTACHMENT,
  alicloud_ecs_auto_snapshot_policy: ECS_AUTO_SNAPSHOT_POLICY,
  alicloud_ecs_auto_snapshot_policy_attachment: {
    file: 'alicloud/resource_alicloud_ecs_auto_snapshot_policy_attachment.go',
    attributes: {
      auto_snapshot_policy_id: 30,
      disk_id: 35,
    },
  },
  // Managed Kubernetes (issue 10). Neither type has a CustomizeDiff at v1.289.0; a node pool's cluster_id is
  // ForceNew, so a replaced cluster takes its pools with it.
  alicloud_cs_kubernetes_node_pool: {
    file: 'alicloud/resource_alicloud_cs_kubernetes_node_pool.go',
    attributes: {
      auto_mode: 42,
      'auto_mode.enabled': 49,
      cis_enabled: 68,
      cluster_id: 74,
      deployment_set_id: 156,
      instance_metadata_options: 210,
      'instance_metadata_options.http_tokens': 217,
      login_as_non_root: 545,
      node_name_mode: 652,
      ram_role_name: 722,
      security_group_id: 833,
      security_group_ids: 840,
      security_hardening_os: 846,
      soc_enabled: 851,
      tee_config: 954,
      'tee_config.tee_enable': 961,
      type: 970,
    },
  },
  alicloud_cs_managed_kubernetes: {
    file: 'alicloud/resource_alicloud_cs_managed_kubernetes.go',
    attributes: {
      profile: 57,
      pod_cidr: 238,
      service_cidr: 243,
      node_cidr_mask: 248,
      proxy_mode: 320,
      ip_stack: 328,
      cluster_domain: 403,
      service_account_issuer: 664,
      api_audiences: 672,
      auto_mode: 788,
      'auto_mode.enabled': 794,
    },
  },
  alicloud_ecs_deployment_set: {
    file: 'alicloud/resource_alicloud_ecs_deployment_set.go',
    attributes: {
      strategy: 27,
      domain: 49,
      granularity: 57,
    },
  },
  alicloud_ecs_disk: ECS_DISK,
  alicloud_ecs_disk_attachment: ECS_DISK_ATTACHMENT,
  alicloud_snapshot_policy: ECS_AUTO_SNAPSHOT_POLICY,
  // Types in lib/providers/schemas/alicloud.json.
  alicloud_ecs_ram_role_attachment: {
    file: 'alicloud/resource_alicloud_ecs_ram_role_attachment.go',
    attributes: {
      instance_id: 34,
      ram_role_name: 43,
    },
  },
  alicloud_eip_address: {
    file: 'alicloud/resource_alicloud_eip_address.go',
    attributes: {
      allocation_id: 44,
      high_definition_monitor_log_status: 73,
      internet_charge_type: 80,
      ip_address: 87,
      isp: 93,
      netmode: 114,
      payment_type: 122,
      public_ip_address_pool_id: 138,
      security_protection_types: 148,
      zone: 160,
      instance_charge_type: 173,
    },
  },
  alicloud_eip_association: {
    file: 'alicloud/resource_alicloud_eip_association.go',
    attributes: {
      allocation_id: 33,
      instance_id: 42,
      instance_type: 48,
      private_ip_address: 59,
      vpc_id: 64,
    },
  },
  alicloud_havip: {
    file: 'alicloud/resource_alicloud_vpc_ha_vip.go',
    attributes: {
      ip_address: 68,
      vswitch_id: 87,
    },
  },
  alicloud_havip_attachment: {
    file: 'alicloud/resource_alicloud_havip_attachment.go',
    attributes: {
      ha_vip_id: 39,
      instance_id: 44,
      instance_type: 49,
      havip_id: 61,
    },
  },
  alicloud_instance: {
    file: 'alicloud/resource_alicloud_instance.go',
    attributes: {
      availability_zone: 39,
      network_interface_id: 67,
      system_disk_category: 139,
      system_disk_storage_cluster_id: 174,
      system_disk_encrypted: 179,
      system_disk_kms_key_id: 185,
      system_disk_encrypt_algorithm: 192,
      network_interface_traffic_mode: 209,
      network_card_index: 217,
      queue_pair_number: 223,
      source_dest_check: 229,
      'data_disks.name': 241,
      'data_disks.size': 247,
      'data_disks.category': 254,
      'data_disks.encrypted': 260,
      'data_disks.snapshot_id': 269,
      'data_disks.auto_snapshot_policy_id': 274,
      'data_disks.delete_with_instance': 279,
      'data_disks.description': 285,
      'data_disks.device': 297,
      'data_disks.provisioned_iops': 302,
      'data_disks.bursting_enabled': 307,
      'network_interfaces.network_interface_id': 321,
      'network_interfaces.vswitch_id': 327,
      'network_interfaces.network_interface_traffic_mode': 333,
      'network_interfaces.network_card_index': 340,
      'network_interfaces.queue_pair_number': 346,
      'network_interfaces.source_dest_check': 352,
      'network_interfaces.security_group_ids': 358,
      spot_strategy: 467,
      spot_price_limit: 474,
      security_enhancement_strategy: 493,
      hpc_cluster_id: 520,
      spot_interruption_behavior: 600,
      http_put_response_hop_limit: 618,
      ipv6_address_count: 627,
      dedicated_host_id: 662,
      launch_template_name: 668,
      launch_template_id: 673,
      launch_template_version: 678,
      'image_options.login_as_non_root': 719,
    },
  },
  alicloud_kms_secret: {
    file: 'alicloud/resource_alicloud_kms_secret.go',
    attributes: {
      secret_name: 31,
      secret_type: 57,
      encryption_key_id: 70,
      dkms_instance_id: 75,
      extended_config: 80,
    },
  },
  alicloud_nat_gateway: {
    file: 'alicloud/resource_alicloud_nat_gateway.go',
    attributes: {
      internet_charge_type: 50,
      payment_type: 76,
      instance_charge_type: 84,
      vpc_id: 167,
      private_link_enabled: 194,
      access_mode: 199,
      'access_mode.mode_value': 207,
      'access_mode.tunnel_type': 213,
      availability_mode: 222,
    },
  },
  alicloud_pvtz_zone: {
    file: 'alicloud/resource_alicloud_pvtz_zone.go',
    attributes: {
      resource_group_id: 62,
      zone_name: 73,
      name: 80,
    },
  },
  alicloud_pvtz_zone_attachment: {
    file: 'alicloud/resource_alicloud_pvtz_zone_attachment.go',
    attributes: {
      lang: 39,
      user_client_ip: 44,
      zone_id: 68,
    },
  },
  alicloud_pvtz_zone_record: {
    file: 'alicloud/resource_alicloud_pvtz_zone_record.go',
    attributes: {
      zone_id: 91,
    },
  },
  alicloud_ram_access_key: {
    file: 'alicloud/resource_alicloud_ram_access_key.go',
    attributes: {
      user_name: 41,
      secret_file: 46,
      pgp_key: 56,
    },
  },
  alicloud_ram_policy: {
    file: 'alicloud/resource_alicloud_ram_policy.go',
    attributes: {
      policy_name: 54,
      name: 87,
    },
  },
  alicloud_ram_role: {
    file: 'alicloud/resource_alicloud_ram_role.go',
    attributes: {
      role_name: 67,
      name: 75,
    },
  },
  alicloud_ram_role_policy_attachment: {
    file: 'alicloud/resource_alicloud_ram_role_policy_attachment.go',
    attributes: {
      policy_name: 31,
      policy_type: 36,
      role_name: 42,
    },
  },
  alicloud_ram_user: {
    // no ForceNew field: `name` is renamed in place (UpdateUser's NewUserName)
    file: 'alicloud/resource_alicloud_ram_user.go',
    attributes: {},
  },
  alicloud_ram_user_policy_attachment: {
    file: 'alicloud/resource_alicloud_ram_user_policy_attachment.go',
    attributes: {
      policy_name: 30,
      policy_type: 35,
      user_name: 41,
    },
  },
  alicloud_security_group: {
    file: 'alicloud/resource_alicloud_security_group.go',
    attributes: {
      security_group_type: 63,
      vpc_id: 71,
    },
  },
  alicloud_security_group_rule: {
    file: 'alicloud/resource_alicloud_security_group_rule.go',
    attributes: {
      security_group_id: 31,
      type: 36,
      ip_protocol: 43,
      policy: 49,
      priority: 56,
      cidr_ip: 63,
      ipv6_cidr_ip: 69,
      source_security_group_id: 79,
      source_group_owner_account: 85,
      source_group_owner_id: 91,
      prefix_list_id: 97,
      port_range: 103,
      nic_type: 110,
    },
  },
  // resourceAlicloudSlbAcl and resourceAlicloudSlbAclEntryAttachment (provider.go lines 1449 and 1970)
  alicloud_slb_acl: {
    file: 'alicloud/resource_alicloud_slb_acl.go',
    attributes: {
      resource_group_id: 32,
      ip_version: 38,
    },
  },
  alicloud_slb_acl_entry_attachment: {
    file: 'alicloud/resource_alicloud_slb_acl_entry_attachment.go',
    attributes: {
      acl_id: 29,
      entry: 34,
      comment: 39,
    },
  },
  alicloud_slb_backend_server: {
    file: 'alicloud/resource_alicloud_slb_backend_server.go',
    attributes: {
      load_balancer_id: 28,
    },
  },
  alicloud_slb_listener: {
    file: 'alicloud/resource_alicloud_slb_listener.go',
    attributes: {
      load_balancer_id: 32,
      frontend_port: 42,
      backend_port: 54,
      protocol: 73,
      forward_port: 355,
      listener_forward: 362,
    },
  },
  alicloud_slb_load_balancer: {
    file: 'alicloud/resource_alicloud_slb_load_balancer.go',
    attributes: {
      internet: 31,
      address: 39,
      address_ip_version: 50,
      address_type: 64,
      master_zone_id: 147,
      resource_group_id: 193,
      slave_zone_id: 199,
      vswitch_id: 211,
    },
  },
  alicloud_snat_entry: {
    file: 'alicloud/resource_alicloud_snat_entry.go',
    attributes: {
      snat_table_id: 50,
      source_cidr: 55,
      source_vswitch_id: 62,
    },
  },
  alicloud_vpc: {
    file: 'alicloud/resource_alicloud_vpc.go',
    attributes: {
      ipv6_cidr_block: 78,
      is_default: 173,
      user_cidrs: 184,
    },
  },
  alicloud_vswitch: {
    file: 'alicloud/resource_alicloud_vswitch.go',
    attributes: {
      cidr_block: 35,
      is_default: 64,
      vpc_id: 80,
      zone_id: 92,
      availability_zone: 105,
    },
  },
};

export const OPENSTACK_FORCE_NEW: Readonly<Record<string, ForceNewFacts>> = {
  // Anti-affinity server groups, which the instance placement of issue 8 (branch day2-hosts) may add.
  openstack_compute_servergroup_v2: {
    file: 'openstack/resource_openstack_compute_servergroup_v2.go',
    attributes: {
      region: 28,
      name: 33,
      policies: 40,
      rules: 49,
      'rules.max_server_per_host': 58,
      value_specs: 74,
    },
  },
  // Types in lib/providers/schemas/openstack.json.
  openstack_blockstorage_volume_v3: {
    file: 'openstack/resource_openstack_blockstorage_volume_v3.go',
    attributes: {
      region: 39,
      availability_zone: 67,
      snapshot_id: 81,
      source_vol_id: 88,
      image_id: 95,
      backup_id: 102,
      consistency_group_id: 124,
      source_replica: 130,
      'scheduler_hints.different_host': 163,
      'scheduler_hints.same_host': 169,
      'scheduler_hints.query': 175,
      'scheduler_hints.local_to_instance': 180,
      'scheduler_hints.additional_properties': 185,
    },
  },
  openstack_compute_instance_v2: {
    file: 'openstack/resource_openstack_compute_instance_v2.go',
    attributes: {
      region: 55,
      user_data: 88,
      availability_zone_hints: 112,
      availability_zone: 118,
      network_mode: 126,
      network: 136,
      'network.uuid': 143,
      'network.name': 149,
      'network.port': 155,
      'network.fixed_ip_v4': 161,
      'network.fixed_ip_v6': 167,
      hypervisor_hostname: 186,
      config_drive: 197,
      key_pair: 216,
      'block_device.source_type': 226,
      'block_device.uuid': 231,
      'block_device.volume_size': 236,
      'block_device.destination_type': 241,
      'block_device.boot_index': 246,
      'block_device.delete_on_termination': 252,
      'block_device.guest_format': 257,
      'block_device.volume_type': 262,
      'block_device.device_type': 267,
      'block_device.disk_bus': 272,
      'block_device.multiattach': 278,
      'scheduler_hints.group': 291,
      'scheduler_hints.different_host': 296,
      'scheduler_hints.same_host': 302,
      'scheduler_hints.query': 308,
      'scheduler_hints.target_cell': 314,
      'scheduler_hints.different_cell': 319,
      'scheduler_hints.build_near_host_ip': 325,
      'scheduler_hints.additional_properties': 330,
    },
  },
  openstack_compute_volume_attach_v2: {
    file: 'openstack/resource_openstack_compute_volume_attach_v2.go',
    attributes: {
      region: 36,
      instance_id: 42,
      volume_id: 48,
      multiattach: 60,
      tag: 66,
      vendor_options: 72,
    },
  },
  // Managed Kubernetes (issue 10): Magnum. No CustomizeDiff at v3.4.0. A cluster template's own fields update in
  // place (Magnum PATCHes it); a cluster's template id is not ForceNew (an update is Magnum's upgrade); a node
  // group's cluster_id is, so a replaced cluster takes its node groups with it.
  openstack_containerinfra_cluster_v1: {
    file: 'openstack/resource_openstack_containerinfra_cluster_v1.go',
    attributes: {
      region: 38,
      name: 45,
      project_id: 51,
      user_id: 57,
      create_timeout: 101,
      discovery_url: 108,
      docker_volume_size: 115,
      flavor: 122,
      master_flavor: 129,
      keypair: 136,
      labels: 143,
      merge_labels: 150,
      master_count: 156,
      master_lb_enabled: 163,
      fixed_network: 197,
      fixed_subnet: 204,
      floating_ip_enabled: 211,
    },
  },
  openstack_containerinfra_clustertemplate_v1: {
    file: 'openstack/resource_openstack_containerinfra_clustertemplate_v1.go',
    attributes: { region: 34, project_id: 46, user_id: 52 },
  },
  openstack_containerinfra_nodegroup_v1: {
    file: 'openstack/resource_openstack_containerinfra_nodegroup_v1.go',
    attributes: {
      region: 37,
      cluster_id: 44,
      name: 49,
      project_id: 54,
      docker_volume_size: 73,
      labels: 80,
      merge_labels: 87,
      role: 93,
      image_id: 120,
      flavor_id: 127,
    },
  },
  openstack_dns_recordset_v2: {
    file: 'openstack/resource_openstack_dns_recordset_v2.go',
    attributes: {
      region: 36,
      zone_id: 43,
      name: 49,
      type: 76,
      value_specs: 82,
      project_id: 94,
    },
  },
  openstack_dns_zone_v2: {
    file: 'openstack/resource_openstack_dns_zone_v2.go',
    attributes: {
      region: 38,
      project_id: 44,
      name: 51,
      type: 64,
      attributes: 73,
      value_specs: 99,
    },
  },
  openstack_identity_application_credential_v3: {
    file: 'openstack/resource_openstack_identity_application_credential_v3.go',
    attributes: {
      region: 31,
      name: 37,
      description: 43,
      unrestricted: 50,
      secret: 58,
      project_id: 64,
      roles: 71,
      access_rules: 78,
      'access_rules.path': 89,
      'access_rules.method': 95,
      'access_rules.service': 104,
      expires_at: 113,
    },
  },
  openstack_keymanager_secret_v1: {
    file: 'openstack/resource_openstack_keymanager_secret_v1.go',
    attributes: {
      region: 39,
      name: 45,
      bit_length: 52,
      algorithm: 59,
      mode: 71,
      secret_type: 82,
      payload: 98,
      payload_content_type: 107,
      payload_content_encoding: 116,
      expiration: 138,
    },
  },
  openstack_lb_listener_v2: {
    file: 'openstack/resource_openstack_lb_listener_v2.go',
    attributes: {
      region: 36,
      protocol: 42,
      protocol_port: 51,
      tenant_id: 58,
      loadbalancer_id: 64,
    },
  },
  openstack_lb_loadbalancer_v2: {
    file: 'openstack/resource_openstack_lb_loadbalancer_v2.go',
    attributes: {
      region: 35,
      vip_network_id: 51,
      vip_subnet_id: 62,
      vip_port_id: 73,
      tenant_id: 85,
      vip_address: 92,
      flavor_id: 105,
      loadbalancer_provider: 112,
      availability_zone: 118,
    },
  },
  openstack_lb_member_v2: {
    file: 'openstack/resource_openstack_lb_member_v2.go',
    attributes: {
      region: 38,
      tenant_id: 50,
      address: 56,
      protocol_port: 62,
      subnet_id: 76,
      pool_id: 88,
    },
  },
  openstack_lb_monitor_v2: {
    file: 'openstack/resource_openstack_lb_monitor_v2.go',
    attributes: {
      region: 39,
      pool_id: 45,
      tenant_id: 62,
      type: 68,
    },
  },
  openstack_lb_pool_v2: {
    file: 'openstack/resource_openstack_lb_pool_v2.go',
    attributes: {
      region: 39,
      tenant_id: 46,
      protocol: 62,
      loadbalancer_id: 72,
      listener_id: 80,
    },
  },
  openstack_networking_floatingip_associate_v2: {
    file: 'openstack/resource_openstack_networking_floatingip_associate_v2.go',
    attributes: {
      region: 27,
      floating_ip: 33,
    },
  },
  openstack_networking_floatingip_v2: {
    file: 'openstack/resource_openstack_networking_floatingip_v2.go',
    attributes: {
      region: 38,
      address: 50,
      pool: 56,
      tenant_id: 70,
      value_specs: 95,
      dns_name: 114,
      dns_domain: 121,
    },
  },
  openstack_networking_network_v2: {
    file: 'openstack/resource_openstack_networking_network_v2.go',
    attributes: {
      region: 43,
      tenant_id: 83,
      value_specs: 113,
      availability_zone_hints: 131,
      transparent_vlan: 139,
    },
  },
  openstack_networking_port_v2: {
    file: 'openstack/resource_openstack_networking_port_v2.go',
    attributes: {
      region: 43,
      network_id: 60,
      mac_address: 73,
      tenant_id: 80,
      device_owner: 87,
      device_id: 108,
      value_specs: 183,
    },
  },
  openstack_networking_router_interface_v2: {
    file: 'openstack/resource_openstack_networking_router_interface_v2.go',
    attributes: {
      region: 37,
      router_id: 43,
      subnet_id: 50,
      port_id: 57,
    },
  },
  openstack_networking_router_v2: {
    file: 'openstack/resource_openstack_networking_router_v2.go',
    attributes: {
      region: 36,
      distributed: 62,
      tenant_id: 122,
      value_specs: 129,
      availability_zone_hints: 135,
    },
  },
  openstack_networking_secgroup_rule_v2: {
    file: 'openstack/resource_openstack_networking_secgroup_rule_v2.go',
    attributes: {
      region: 34,
      description: 40,
      direction: 46,
      ethertype: 53,
      port_range_min: 60,
      port_range_max: 68,
      protocol: 76,
      remote_group_id: 83,
      remote_ip_prefix: 91,
      remote_address_group_id: 102,
      security_group_id: 110,
      tenant_id: 116,
    },
  },
  openstack_networking_secgroup_v2: {
    file: 'openstack/resource_openstack_networking_secgroup_v2.go',
    attributes: {
      region: 35,
      tenant_id: 52,
      delete_default_rules: 59,
    },
  },
  openstack_networking_subnet_v2: {
    file: 'openstack/resource_openstack_networking_subnet_v2.go',
    attributes: {
      region: 38,
      network_id: 44,
      cidr: 52,
      prefix_length: 63,
      tenant_id: 81,
      ip_version: 123,
      ipv6_address_mode: 149,
      ipv6_ra_mode: 159,
      subnetpool_id: 174,
      value_specs: 180,
    },
  },
};
