/**
 * Entry of the stream-provisioner image (`node main.ts`): provisions the streams of `STREAMS` and
 * exits with 0, or 1 with the reason on stderr. Setting `process.exitCode` rather than calling
 * `process.exit` lets stdout and stderr flush before Node ends.
 */
import { run } from './provision-streams.ts';

run(process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('stream provisioner: unexpected failure', error);
    process.exitCode = 1;
  },
);
