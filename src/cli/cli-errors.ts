import { ConfigError } from '../config/config.js';
import { MigrationError } from '../db/migrations.js';
import { StoreLockedError, StoreUnavailableError } from '../db/store-errors.js';
import { DomainError } from '../errors/domain-error.js';
import { serializeError } from '../http/logger.js';
import { PortInUseError } from '../http/start-server.js';
import { IdentityKeyError } from '../modules/identity/identity-keys.js';
import { EXIT, type ExitCode } from './exit-codes.js';

/** One clear line and an exit code for whatever stopped a command. */
export function describeFailure(error: unknown): { message: string; exitCode: ExitCode } {
  if (error instanceof ConfigError)
    return { message: `configuration: ${error.message}`, exitCode: EXIT.config };
  if (error instanceof StoreUnavailableError)
    return { message: `store: ${error.message}`, exitCode: EXIT.storeUnavailable };
  if (error instanceof StoreLockedError) return { message: `store: ${error.message}`, exitCode: EXIT.busy };
  if (error instanceof PortInUseError) return { message: `server: ${error.message}`, exitCode: EXIT.busy };
  if (error instanceof IdentityKeyError) return { message: `keys: ${error.message}`, exitCode: EXIT.keys };
  if (error instanceof MigrationError)
    return { message: `migrate: ${error.message}`, exitCode: EXIT.migration };
  // A service's refusal: its message is written for people and carries no personal data.
  if (error instanceof DomainError) return { message: error.message, exitCode: EXIT.failure };
  // SECURITY: database messages quote values; the serializer keeps only their SQLSTATE.
  const serialized = serializeError(error);
  const message = serialized.message ?? `${serialized.type} ${serialized.code ?? ''}`.trim();
  return { message: `unexpected error: ${message.split('\n')[0]}`, exitCode: EXIT.failure };
}
