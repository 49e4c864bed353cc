/** Where the CLI writes: real streams in the command, buffers in tests. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The stream a progress bar draws on (only when it is a TTY). */
  readonly stderrStream: NodeJS.WriteStream;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrStream: process.stderr,
};
