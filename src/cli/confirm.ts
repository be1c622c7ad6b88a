import { StateError } from '../domain/index.js';
import type { Session } from './session.js';

/** Asks a question on the terminal (stdin and stderr both terminals) and returns the answer. */
export async function askOnTerminal(question: string): Promise<string> {
  // Loaded only to ask: Node's readline is start-up time every command would pay.
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/**
 * Whether a delete that takes more with it (`also`: "its 3 items lose their sprint") goes ahead:
 * yes with --yes or when nothing more goes; on a terminal the user says so; elsewhere it is
 * refused, since a script that meant one record should not lose more without saying it meant to.
 */
export async function confirmCascade(session: Session, what: string, also: string | undefined, yes: boolean): Promise<boolean> {
  if (also === undefined || yes) return true;
  const ask = session.io.ask;
  if (!ask) {
    throw new StateError('has_dependents', `not deleting ${what}: ${also}; pass --yes to delete it anyway`);
  }
  const answer = await ask(`Delete ${what}? ${also[0]!.toUpperCase()}${also.slice(1)}. [y/N] `);
  if (/^y(es)?$/i.test(answer.trim())) return true;
  session.out.note('Nothing deleted.');
  return false;
}
