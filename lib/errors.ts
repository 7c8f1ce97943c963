/**
 * Errors that mean "the user's input is wrong" (exit code 2), as opposed to any other `Error` (a bug, exit 1).
 */
export class SpecError extends Error {
  /** How to fix it, when known; printed under the message by the CLI. */
  public readonly hint?: string;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SpecError';
    this.hint = options.hint;
  }
}

/** One problem in a region file, located by its field path (`hostGroups[2].count`). */
export interface SpecIssue {
  readonly path: string;
  readonly message: string;
}

/** Every problem found in one region file, reported together. */
export class SpecValidationError extends SpecError {
  constructor(
    /** The file (or `<inline spec>`) that was checked. */
    public readonly source: string,
    public readonly issues: readonly SpecIssue[],
  ) {
    super(`${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${formatIssues(issues)}`);
    this.name = 'SpecValidationError';
  }
}

/** `  path: message` lines, in the order found. */
export function formatIssues(issues: readonly SpecIssue[]): string {
  return issues.map((i) => `  ${i.path === '' ? '(root)' : i.path}: ${i.message}`).join('\n');
}
