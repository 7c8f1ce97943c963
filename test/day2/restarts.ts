/**
 * In-place updates that stop and start (or resize) an instance, read from the pinned provider source like the
 * ForceNew facts in `force-new.ts`. An instance whose changed attributes include one of these is "restarted":
 * its processes stop, and cloud-init does not run its user data again (first boot only), so the host drifts
 * from what the plan shows.
 */
import { ALICLOUD_SOURCE, OPENSTACK_SOURCE, type ProviderSource } from './force-new.js';

/** Attributes whose in-place update restarts an instance of one type: path -> line of the check in `file`. */
export interface RestartFacts {
  readonly source: ProviderSource;
  readonly file: string;
  readonly attributes: Readonly<Record<string, number>>;
}

/**
 * `resourceAliCloudInstanceUpdate` (resource_alicloud_instance.go at v1.289.0) stops the instance, applies the
 * change and starts it again when any of `imageUpdate || vpcUpdate || passwordUpdate || typeUpdate ||
 * cpuOptionsUpdate || statusUpdate` is set (line 1940, StopInstance at 1956):
 * - modifyInstanceImage (2803): image_id (ReplaceSystemDisk);
 * - modifyVpcAttribute (3010-3030): vswitch_id, subnet_id, private_ip, vpc_id;
 * - modifyInstanceAttribute returns `reboot`, set for user_data (2909), host_name (2923), password and
 *   kms_encrypted_password (2930); the caller names it passwordUpdate;
 * - modifyInstanceType (3092): instance_type;
 * - modifyInstanceAttributeNeedStopped (3204, 3222): cpu_options, enable_high_density_mode;
 * - status (1936).
 */
export const ALICLOUD_INSTANCE_RESTARTS: RestartFacts = {
  source: ALICLOUD_SOURCE,
  file: 'alicloud/resource_alicloud_instance.go',
  attributes: {
    image_id: 2803,
    vswitch_id: 3010,
    subnet_id: 3017,
    private_ip: 3025,
    vpc_id: 3030,
    user_data: 2909,
    host_name: 2923,
    password: 2930,
    kms_encrypted_password: 2930,
    instance_type: 3092,
    cpu_options: 3204,
    enable_high_density_mode: 3222,
    status: 1936,
  },
};

/**
 * `resourceComputeInstanceV2Update` (resource_openstack_compute_instance_v2.go at v3.4.0) resizes the server
 * when flavor_id or flavor_name changes (line 1001, servers.Resize at 1032): Nova stops it, moves it to the
 * new flavor and starts it. Everything else that could change a running server is ForceNew (user_data,
 * network, block_device) or a metadata / tag call.
 */
export const OPENSTACK_INSTANCE_RESTARTS: RestartFacts = {
  source: OPENSTACK_SOURCE,
  file: 'openstack/resource_openstack_compute_instance_v2.go',
  attributes: { flavor_id: 1001, flavor_name: 1001 },
};

/** Restart facts per instance resource type. */
export const INSTANCE_RESTARTS: Readonly<Record<string, RestartFacts>> = {
  alicloud_instance: ALICLOUD_INSTANCE_RESTARTS,
  openstack_compute_instance_v2: OPENSTACK_INSTANCE_RESTARTS,
};
