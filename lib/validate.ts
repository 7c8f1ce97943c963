/**
 * Checks constructs run on their props, in the form `<construct path>: <prop> <what is wrong>, got <value>`.
 */
import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';

import { SpecError } from './errors.js';
import { isIpv4Cidr, parseIpv4Cidr } from './net/network-plan.js';

/** Throws unless `value` is an integer in [min, max]; unresolved tokens pass. */
export function checkRange(scope: IConstruct, prop: string, value: number, min: number, max: number): void {
  if (Token.isUnresolved(value)) return;
  if (Number.isInteger(value) && value >= min && value <= max) return;
  throw new SpecError(`${scope.node.path}: ${prop} must be an integer between ${min} and ${max}, got ${value}`);
}

/** Throws unless `value` matches `pattern`; `allowed` says in words what matches. */
export function checkPattern(scope: IConstruct, prop: string, value: string, pattern: RegExp, allowed: string): void {
  if (Token.isUnresolved(value) || pattern.test(value)) return;
  throw new SpecError(`${scope.node.path}: ${prop} must be ${allowed}, got ${JSON.stringify(value)}`);
}

/**
 * Image references pinned to a tag (not `latest`) or a sha256 digest: `registry[:port]/path:tag[@digest]`.
 */
export const PINNED_IMAGE =
  /^[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?::\d{1,5})?(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)+(?::(?!latest(?:$|@))\w[\w.-]{0,127}(?:@sha256:[0-9a-f]{64})?|@sha256:[0-9a-f]{64})$/;

/** Throws unless the image (or plugin) reference `prop` is pinned to a tag other than latest or to a digest. */
export function checkPinnedImage(scope: IConstruct, prop: string, ref: string): void {
  checkPattern(scope, prop, ref, PINNED_IMAGE, 'an image reference pinned to a tag other than latest or to a digest');
}

/** Throws unless `cidr` is a network-aligned IPv4 CIDR with a prefix in [minPrefix, maxPrefix]. */
export function checkIpv4Cidr(
  scope: IConstruct,
  prop: string,
  cidr: string,
  minPrefix: number,
  maxPrefix: number,
): void {
  const prefix = parseIpv4Cidr(cidr)?.[1];
  if (isIpv4Cidr(cidr) && prefix !== undefined && prefix >= minPrefix && prefix <= maxPrefix) return;
  throw new SpecError(
    `${scope.node.path}: ${prop} must be an IPv4 network CIDR from /${minPrefix} to /${maxPrefix} such as 10.244.0.0/16, ` +
      `got ${JSON.stringify(cidr)}`,
  );
}

/**
 * Throws unless `[first, last]` is a port range within 1024-65535. Takes the parent scope and the id, so
 * roles can check before `super()`, where their own path is not known yet.
 */
export function checkPortRange(scope: IConstruct, id: string, prop: string, range: readonly [number, number]): void {
  const [first, last] = range;
  if (Token.isUnresolved(first) || Token.isUnresolved(last)) return;
  if ([first, last].every((p) => Number.isInteger(p) && p >= 1024 && p <= 65535) && first <= last) return;
  const path = scope.node.path === '' ? id : `${scope.node.path}/${id}`;
  throw new SpecError(
    `${path}: ${prop} must be a range of ports within 1024-65535, first <= last, got ${first}-${last}`,
  );
}
