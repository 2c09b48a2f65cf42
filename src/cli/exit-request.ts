/** Thrown inside an action to end the command with a code after its message was printed. */
export class ExitRequest extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}
