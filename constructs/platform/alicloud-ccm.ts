/**
 * Alibaba Cloud's cloud controller manager (kubernetes/cloud-provider-alibaba-cloud v2.14.0) as kubernetes provider
 * resources: the project publishes no Helm chart, only the manifest deploy/v2/cloud-controller-manager.yaml, whose
 * objects this module writes as its own code, with these differences:
 *
 * - no `--kubeconfig` and no hostPath kubeconfig (kubeadm writes no `/etc/kubernetes/cloud-controller-manager.conf`):
 *   the manager takes its API client from `config.GetConfigOrDie()` (cmd/manager/main.go:49), controller-runtime's
 *   loader, which falls back to the in-cluster config of its ServiceAccount;
 * - the cloud config comes from the Secret `cloud-config` (key `cloud-config.conf`: credentials inside), not from a
 *   ConfigMap, mounted at the path the manifest mounts its ConfigMap (`/etc/kubernetes/config`);
 * - `--controllers=node,service` (the default list is `node,route,service,nlb`: pkg/config/controller_config.go:67):
 *   no `route` (Flannel's VXLAN carries pod traffic; the manifest already sets `--configure-cloud-routes=false`),
 *   no `nlb` (Services get CLBs, the `service` controller: pkg/controller/controller.go);
 * - nodeSelector `node-role.kubernetes.io/control-plane` (the label kubeadm sets) instead of the manifest's
 *   `node-role.kubernetes.io/master`; `priorityClassName: system-cluster-critical` instead of the long-removed
 *   `scheduler.alpha.kubernetes.io/critical-pod` annotation;
 * - the Secret mounted `0440` with the pod's `fsGroup` 1200 (the container runs as uid 1200), where the manifest's
 *   ConfigMap is `0644`;
 * - a PodDisruptionBudget (one pod of the DaemonSet at a time); the manager elects a leader (`--leader-elect`
 *   defaults to true, lease `ccm` in kube-system: pkg/config/runtime_config.go), so one pod of three suffices.
 *
 * Kept from the manifest: the ClusterRole's rules, the ServiceAccount and binding names, `hostNetwork`, the
 * tolerate-everything toleration (the manager must run on nodes still tainted uninitialized), the liveness probe
 * on 127.0.0.1:10258 `/healthz` (the health-probe default, runtime_config.go), `--metrics-bind-addr=0`, the
 * container's security context, requests (100m, 200Mi) and limits (1 CPU, 1Gi), and the update strategy.
 *
 * @see https://github.com/kubernetes/cloud-provider-alibaba-cloud/blob/v2.14.0/deploy/v2/cloud-controller-manager.yaml
 */
import { Construct } from 'constructs';

import { DaemonSetV1 } from '../../lib/gen/kubernetes/daemon-set-v1/index.js';
import { PodDisruptionBudgetV1 } from '../../lib/gen/kubernetes/pod-disruption-budget-v1/index.js';
import { ALICLOUD_CCM } from '../../lib/versions.js';

import { clusterIdentity } from './cluster-identity.js';

/** Name of the manifest's ServiceAccount and DaemonSet. */
export const ALICLOUD_CCM_NAME = 'cloud-controller-manager';
/** Name of the manifest's ClusterRole and ClusterRoleBinding. */
export const ALICLOUD_CCM_ROLE = 'system:cloud-controller-manager';
/** Where the cloud config is mounted (the manifest's `--cloud-config` directory). */
export const ALICLOUD_CCM_CONFIG_DIR = '/etc/kubernetes/config';

/**
 * The ClusterRole's rules, as deploy/v2/cloud-controller-manager.yaml at v2.14.0 lists them (the CRD rule serves
 * the manager's own CRDs, which it creates at start: pkg/config/controller_config.go).
 */
export const ALICLOUD_CCM_RULES: readonly { apiGroups: string[]; resources: string[]; verbs: string[] }[] = [
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch', 'delete', 'patch', 'update'] },
  { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch', 'update'] },
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
  { apiGroups: [''], resources: ['services/status'], verbs: ['update', 'patch'] },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['create'] },
  { apiGroups: [''], resources: ['endpoints'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'update', 'create'] },
  {
    apiGroups: ['apiextensions.k8s.io'],
    resources: ['customresourcedefinitions'],
    verbs: ['get', 'update', 'create', 'delete'],
  },
];

/** The manager's command line (flags of pkg/config/controller_config.go and runtime_config.go at v2.14.0). */
export function alicloudCcmCommand(clusterName: string, cloudConfigFile: string): string[] {
  return [
    '/cloud-controller-manager',
    `--cloud-config=${ALICLOUD_CCM_CONFIG_DIR}/${cloudConfigFile}`,
    '--metrics-bind-addr=0',
    '--configure-cloud-routes=false',
    '--controllers=node,service',
    `--cluster-name=${clusterName}`,
  ];
}

/** Props of {@link AlicloudCloudControllerManager}. */
export interface AlicloudCloudControllerManagerProps {
  readonly namespace: string;
  /** The cluster's name (`--cluster-name`). */
  readonly clusterName: string;
  /** The Secret holding the cloud config. */
  readonly secretName: string;
  /** The cloud config's key in that Secret. */
  readonly cloudConfigFile: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Alibaba Cloud's CCM: ServiceAccount, ClusterRole and binding, DaemonSet on the control plane, PDB. */
export class AlicloudCloudControllerManager extends Construct {
  public readonly daemonSet: DaemonSetV1;
  public readonly pdb: PodDisruptionBudgetV1;

  constructor(scope: Construct, id: string, props: AlicloudCloudControllerManagerProps) {
    super(scope, id);
    const { namespace } = props;
    const labels = { ...props.labels };
    const { account, binding } = clusterIdentity(this, {
      name: ALICLOUD_CCM_NAME,
      roleName: ALICLOUD_CCM_ROLE,
      namespace,
      rules: ALICLOUD_CCM_RULES,
      labels,
    });
    const podLabels = { app: ALICLOUD_CCM_NAME, tier: 'control-plane' };
    this.daemonSet = new DaemonSetV1(this, 'DaemonSet', {
      metadata: { name: ALICLOUD_CCM_NAME, namespace, labels: { ...labels, ...podLabels } },
      spec: {
        selector: { matchLabels: podLabels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '1' } },
        template: {
          metadata: { labels: podLabels },
          spec: {
            serviceAccountName: account.metadata.name,
            hostNetwork: true,
            priorityClassName: 'system-cluster-critical',
            nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
            toleration: [{ operator: 'Exists' }],
            // the Secret's file is group-readable by the container's user (uid 1200), nobody else's
            securityContext: { fsGroup: '1200' },
            container: [
              {
                name: ALICLOUD_CCM_NAME,
                image: ALICLOUD_CCM.image,
                imagePullPolicy: 'IfNotPresent',
                command: alicloudCcmCommand(props.clusterName, props.cloudConfigFile),
                livenessProbe: {
                  failureThreshold: 8,
                  httpGet: { host: '127.0.0.1', path: '/healthz', port: '10258', scheme: 'HTTP' },
                  initialDelaySeconds: 15,
                  periodSeconds: 10,
                  successThreshold: 1,
                  timeoutSeconds: 15,
                },
                resources: { requests: { cpu: '100m', memory: '200Mi' }, limits: { cpu: '1', memory: '1Gi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  runAsUser: '1200',
                },
                volumeMount: [{ name: 'cloud-config', mountPath: ALICLOUD_CCM_CONFIG_DIR, readOnly: true }],
              },
            ],
            volume: [
              {
                name: 'cloud-config',
                secret: {
                  secretName: props.secretName,
                  defaultMode: '0440',
                  items: [{ key: props.cloudConfigFile, path: props.cloudConfigFile }],
                },
              },
            ],
          },
        },
      },
      dependsOn: [binding],
    });
    this.pdb = new PodDisruptionBudgetV1(this, 'Pdb', {
      metadata: { name: ALICLOUD_CCM_NAME, namespace, labels },
      spec: { maxUnavailable: '1', selector: { matchLabels: podLabels } },
    });
  }
}
