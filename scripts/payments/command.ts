import type { Target } from './target';

/** The options a command may read, already parsed; which ones it accepts is its `options` list. */
export interface CommandOptions {
  readonly json: boolean;
  readonly status?: string;
  readonly since?: string;
  readonly limit?: string;
  readonly interval?: string;
  readonly once: boolean;
  readonly for?: string;
  readonly id: readonly string[];
  readonly all: boolean;
  /** capture, refund: how much (exact decimal); all that is left when absent. */
  readonly amount?: string;
  /** capture, refund, release, charge: the Idempotency-Key to send (a new one per run when absent). */
  readonly key?: string;
  /** capture, refund, release: which transaction, when the order has several holding money. */
  readonly transaction?: string;
  /** capture, refund, release, charge: do it without asking. */
  readonly yes: boolean;
  /** charge: reserve the amount on the agreement (captured later) instead of charging it. */
  readonly reserve: boolean;
}

/** The name of a command-specific option, as `Command.options` lists them. */
export type OptionName = keyof CommandOptions;

/** What a command runs with: where, its options and arguments, and where its output goes. */
export interface CommandContext {
  readonly target: Target;
  readonly options: CommandOptions;
  /** The positional arguments after the command's name. */
  readonly args: readonly string[];
  /** A line of the command's output (stdout). */
  readonly out: (line: string) => void;
  /** A line about the run, not its result (stderr), so `--json` output stays parseable. */
  readonly note: (line: string) => void;
  /** Aborted on Ctrl-C: long-running commands stop cleanly. */
  readonly signal: AbortSignal;
  readonly now: () => Date;
  /** Asks a yes/no question on the terminal (default no); undefined when not run on a terminal. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

/** One CLI command: its help, the options it accepts beyond where-to options, and what it does. */
export interface Command {
  /** As typed: `list`, `dlq redrive`. */
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: readonly OptionName[];
  /** Resolves with the exit code. */
  run(context: CommandContext): Promise<number>;
}
