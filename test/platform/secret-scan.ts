/**
 * A scan of every string in a synthesized stack for secret literals: PEM blocks (certificates, private keys),
 * bearer/JWT and kubeadm bootstrap tokens, and any literal value of an attribute whose name says it holds a secret
 * (password, token, private key, client key, secret, access key). Access key *ids* are identifiers, not secrets,
 * and are not flagged: the Alibaba Cloud example's REX-Ray s3fs key id is in its workers' user data by design
 * (its secret is the Terraform variable rexray_s3fs_secret_key). Terraform references (`${…}`) are
 * not literals. Base64 strings (user data) are decoded, gunzipped when gzip, and scanned too.
 */
import { gunzipSync } from 'node:zlib';

/** One secret-looking literal. */
export interface SecretFinding {
  /** JSON path of the string in the stack, e.g. `resource.tls_private_key.x.private_key_pem`. */
  readonly path: string;
  /** What was found. */
  readonly kind: string;
  /** The first characters of the match (never the whole secret). */
  readonly excerpt: string;
}

const PATTERNS: readonly { readonly kind: string; readonly re: RegExp }[] = [
  { kind: 'PEM block', re: /-----BEGIN [A-Z0-9 ]+-----/ },
  { kind: 'private key', re: /PRIVATE KEY/ },
  { kind: 'JWT', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  // kubeadm bootstrap token: [a-z0-9]{6}.[a-z0-9]{16} (k8s.io/cluster-bootstrap/token/api BootstrapTokenPattern)
  { kind: 'bootstrap token', re: /(^|[^a-z0-9.])[a-z0-9]{6}\.[a-z0-9]{16}([^a-z0-9.]|$)/ },
  { kind: 'bearer token', re: /\bBearer [A-Za-z0-9._~+/-]{16,}/ },
];

/** Attribute names whose literal value would be a secret. */
const SECRET_NAME =
  /(^|_)(password|passwd|secret|secret_key|token|private_key|private_key_pem|client_key|access_key|key_data)$/i;
/** Values those attributes may hold as literals: empty, or only references. */
const ONLY_REFERENCES = /^(\$\{[^}]*\}\s*)*$/;

/** Every finding in `json` (a parsed cdk.tf.json), in document order. */
export function scanForSecrets(json: unknown): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const scanText = (text: string, path: string, via = '') => {
    for (const { kind, re } of PATTERNS) {
      const m = re.exec(text);
      if (m) findings.push({ path, kind: `${kind}${via}`, excerpt: m[0].trim().slice(0, 16) });
    }
  };
  const visit = (value: unknown, path: string, key: string) => {
    if (typeof value === 'string') {
      scanText(value, path);
      if (SECRET_NAME.test(key) && !ONLY_REFERENCES.test(value)) {
        findings.push({ path, kind: `literal ${key}`, excerpt: value.slice(0, 4) });
      }
      const decoded = decodeBase64(value);
      if (decoded !== undefined) scanText(decoded, path, ' (base64)');
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}[${i}]`, key));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, path ? `${path}.${k}` : k, k);
    }
  };
  visit(json, '', '');
  return findings;
}

/** The text a long base64 string stands for (gunzipped when it is gzip), or undefined if it is not base64. */
function decodeBase64(value: string): string | undefined {
  if (value.length < 24 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes).toString('utf8');
    } catch {
      return undefined;
    }
  }
  return bytes.toString('utf8');
}
