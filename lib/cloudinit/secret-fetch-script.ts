/**
 * The fetch script of secret delivery, as installed on hosts at /usr/local/lib/regionkit/regionkit-secrets.
 * Python standard library only (Debian's python3, no client package): it signs Alibaba Cloud KMS calls with
 * signature V3 (ACS3-HMAC-SHA256) and calls Keystone and Barbican on OpenStack. Tests compile it with
 * `python3 -m py_compile` and check the signer against the vector of Alibaba's own SDK.
 *
 * @see https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature
 * @see https://www.alibabacloud.com/help/en/kms/key-management-service/developer-reference/api-kms-2016-01-20-getsecretvalue
 * @see https://docs.openstack.org/api-ref/identity/v3/#authenticating-with-an-application-credential
 * @see https://docs.openstack.org/barbican/latest/api/reference/secrets.html
 */
export const FETCH_SCRIPT = String.raw`
#!/usr/bin/python3
"""regionkit-secrets: fetch this host's secrets from the cloud's secret store at boot.

Runs as root from regionkit-secrets.service, before Docker and before the metadata service is closed to
every process (regionkit-metadata-close.service). Values are written only to tmpfs under /run: one file per
secret (0600 root) and every file a role declared with secret references, rendered from its template with
the mode and owner the role gave it; the path the role declared becomes a symlink to it. Python standard
library only, so there is nothing to install and little to audit. See docs/security.md.
"""
import datetime
import grp
import hashlib
import hmac
import json
import os
import pwd
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

RUN_DIR = '/run/regionkit/secrets'
TEMPLATE_DIR = '/etc/regionkit/secret-templates'
PLACEHOLDER = '__REGIONKIT_SECRET_%s__'
# Alibaba Cloud's metadata service (the only host address the ECS instance RAM role's STS token comes from).
ALICLOUD_METADATA = 'http://100.100.100.200'
# KMS API version of GetSecretValue.
KMS_VERSION = '2016-01-20'
# How long the fetch retries before it fails the unit. The unit sets nothing, so hosts use the default; the
# environment variable exists for the first-boot test, whose image has no secret store to reach
# (docs/boot-test.md).
DEADLINE_SECONDS = int(os.environ.get('REGIONKIT_SECRETS_DEADLINE_SECONDS', 15 * 60))
# A JSON file of secret name -> value read instead of the store. Hosts never set it: it exists for the
# first-boot test's quorum members, whose values come from a real apply of the stack's random and tls
# resources on the test's own seed, as there is no store to reach (docs/boot-test.md).
VALUES_FILE = os.environ.get('REGIONKIT_SECRETS_VALUES_FILE')


def request(method, url, headers=None, body=None):
    """(status, headers, body) of one HTTP call; raises on HTTP errors and timeouts."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=15) as resp:
        return resp.status, resp.headers, resp.read()


def percent(text):
    """RFC 3986 encoding as Alibaba Cloud's signature V3 wants it: only A-Z a-z 0-9 - _ . ~ stay."""
    return urllib.parse.quote(text, safe='-_.~')


def acs3_authorization(method, path, query, headers, payload_hash, key_id, key_secret):
    """The Authorization header of Alibaba Cloud's signature V3 (ACS3-HMAC-SHA256)."""
    canonical_query = '&'.join('%s=%s' % (percent(k), percent(v)) for k, v in sorted(query.items()))
    lower = {k.lower(): v.strip() for k, v in headers.items()}
    signed = sorted(k for k in lower if k.startswith('x-acs-') or k in ('host', 'content-type'))
    canonical_headers = ''.join('%s:%s\n' % (k, lower[k]) for k in signed)
    canonical = '\n'.join([method, path or '/', canonical_query, canonical_headers, ';'.join(signed), payload_hash])
    string_to_sign = 'ACS3-HMAC-SHA256\n' + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(key_secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    return 'ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s' % (key_id, ';'.join(signed), signature)


def alicloud_values(cfg):
    """Secret values from KMS GetSecretValue, signed with the instance RAM role's STS credentials."""
    _, _, token = request('PUT', ALICLOUD_METADATA + '/latest/api/token',
                          {'X-aliyun-ecs-metadata-token-ttl-seconds': '300'})
    _, _, raw = request('GET', '%s/latest/meta-data/ram/security-credentials/%s' % (ALICLOUD_METADATA, cfg['roleName']),
                        {'X-aliyun-ecs-metadata-token': token.decode()})
    cred = json.loads(raw)
    if cred.get('Code') != 'Success':
        raise RuntimeError('no STS credentials for role %s yet: %s' % (cfg['roleName'], cred.get('Code')))
    values = {}
    empty = hashlib.sha256(b'').hexdigest()
    for name, secret_name in sorted(cfg['secrets'].items()):
        query = {'SecretName': secret_name}
        headers = {
            'host': cfg['endpoint'],
            'x-acs-action': 'GetSecretValue',
            'x-acs-version': KMS_VERSION,
            'x-acs-date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
            'x-acs-signature-nonce': uuid.uuid4().hex,
            'x-acs-content-sha256': empty,
            'x-acs-security-token': cred['SecurityToken'],
        }
        headers['Authorization'] = acs3_authorization('POST', '/', query, headers, empty,
                                                      cred['AccessKeyId'], cred['AccessKeySecret'])
        url = 'https://%s/?%s' % (cfg['endpoint'], '&'.join('%s=%s' % (percent(k), percent(v)) for k, v in query.items()))
        _, _, raw = request('POST', url, headers, b'')
        values[name] = json.loads(raw)['SecretData']
    return values


def openstack_values(cfg):
    """Secret payloads from Barbican, with a token of the group's restricted application credential."""
    with open(cfg['credentialFile'], encoding='utf-8') as f:
        secret = f.read().strip()
    body = json.dumps({'auth': {'identity': {'methods': ['application_credential'],
                                             'application_credential': {'id': cfg['credentialId'],
                                                                        'secret': secret}}}}).encode()
    # Service catalogs list Keystone with or without its version suffix.
    auth_url = cfg['authUrl'].rstrip('/')
    if not auth_url.endswith('/v3'):
        auth_url += '/v3'
    _, headers, _ = request('POST', auth_url + '/auth/tokens?nocatalog',
                            {'Content-Type': 'application/json'}, body)
    token = headers['X-Subject-Token']
    values = {}
    for name, secret_ref in sorted(cfg['secrets'].items()):
        _, _, raw = request('GET', secret_ref.rstrip('/') + '/payload', {'X-Auth-Token': token, 'Accept': 'text/plain'})
        values[name] = raw.decode('utf-8')
    return values


def file_values(cfg):
    """Secret values from VALUES_FILE: exactly the names this host fetches, each one required."""
    with open(VALUES_FILE, encoding='utf-8') as f:
        data = json.load(f)
    missing = sorted(set(cfg['secrets']) - set(data))
    if missing:
        raise RuntimeError('%s has no value for %s' % (VALUES_FILE, ', '.join(missing)))
    return {name: data[name] for name in cfg['secrets']}


def owner_ids(owner):
    """(uid, gid) of 'user:group'."""
    user, _, group = owner.partition(':')
    return pwd.getpwnam(user).pw_uid, grp.getgrnam(group or user).gr_gid


def write_private(path, data, mode, uid, gid):
    """Writes data to path atomically; the file has its mode and owner from its first byte on."""
    tmp = path + '.new'
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        os.write(fd, data)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def render(template, values):
    """The template with every secret reference replaced; a reference to a secret not fetched is an error."""
    for name, value in values.items():
        template = template.replace(PLACEHOLDER % name, value)
    if '__REGIONKIT_SECRET_' in template:
        raise RuntimeError('a secret reference names a secret this host does not fetch')
    return template


def deliver(cfg, values):
    # Every directory from /run down is traversable (never listable) by the daemons' own users: the unit's
    # UMask=0077 would give the parent os.makedirs creates 0700, and etcd (User=etcd) could not open its
    # certificate through the symlink (found by the first-boot test).
    for directory in (os.path.dirname(RUN_DIR), RUN_DIR, os.path.join(RUN_DIR, 'files')):
        os.makedirs(directory, mode=0o711, exist_ok=True)
        os.chmod(directory, 0o711)
    for name, value in values.items():
        write_private(os.path.join(RUN_DIR, name), value.encode(), 0o600, 0, 0)
    os.makedirs(TEMPLATE_DIR, mode=0o700, exist_ok=True)
    for entry in cfg['files']:
        path = entry['path']
        key = hashlib.sha256(path.encode()).hexdigest()[:16]
        template = os.path.join(TEMPLATE_DIR, key)
        if not os.path.exists(template):
            # First boot: cloud-init wrote the template (references, no values) where the role wants the file.
            os.replace(path, template)
        with open(template, encoding='utf-8') as f:
            text = render(f.read(), values)
        target = os.path.join(RUN_DIR, 'files', key)
        uid, gid = owner_ids(entry['owner'])
        write_private(target, text.encode(), int(entry['mode'], 8), uid, gid)
        if not (os.path.islink(path) and os.readlink(path) == target):
            os.symlink(target, path + '.new')
            os.replace(path + '.new', path)


def main(argv):
    with open(argv[1], encoding='utf-8') as f:
        cfg = json.load(f)
    if VALUES_FILE:
        # a file either has the values or never will: no retries
        try:
            values = file_values(cfg)
        except (OSError, ValueError, RuntimeError) as err:
            print('regionkit-secrets: %s' % err, file=sys.stderr)
            return 1
        deliver(cfg, values)
        print('regionkit-secrets: %d secrets from %s, %d files' % (len(values), VALUES_FILE, len(cfg['files'])))
        return 0
    fetch = {'alicloud': alicloud_values, 'openstack': openstack_values}[cfg['kind']]
    deadline = time.monotonic() + DEADLINE_SECONDS
    delay = 5
    while True:
        try:
            values = fetch(cfg)
            break
        except (OSError, KeyError, ValueError, RuntimeError) as err:
            # The role attachment or the secrets may still be in the making on first boot.
            if time.monotonic() > deadline:
                print('regionkit-secrets: giving up: %s' % err, file=sys.stderr)
                return 1
            print('regionkit-secrets: %s; retrying in %ds' % (err, delay), file=sys.stderr)
            time.sleep(delay)
            delay = min(delay * 2, 60)
    deliver(cfg, values)
    print('regionkit-secrets: %d secrets, %d files' % (len(values), len(cfg['files'])))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
`.trimStart();
