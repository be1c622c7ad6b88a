import cliProgress from 'cli-progress';
import type { Session } from '../session.js';

const MIN_BYTES = 8 * 1024 * 1024;

/** A progress bar on stderr for large files, only on a terminal; a no-op otherwise. */
export function progressBar(
  session: Session,
  label: string,
): { update: (done: number, total: number) => void; stop: () => void } | undefined {
  const stderr = process.stderr;
  if (!session.io.isTTY || !stderr.isTTY || session.out.quiet) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(done, total) {
      if (total < MIN_BYTES) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            format: `${label} |{bar}| {percentage}% {value}/{total} MiB`,
            stream: stderr,
            clearOnComplete: true,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.ceil(total / 1048576), 0);
      }
      bar.update(Math.floor(done / 1048576));
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
