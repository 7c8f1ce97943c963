/**
 * Checks constructs run on their props, in the form `<construct path>: <prop> <what is wrong>, got <value>`.
 */
import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';

import { SpecError } from './errors.js';

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
