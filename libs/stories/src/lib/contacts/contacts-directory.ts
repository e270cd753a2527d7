import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, Chat } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/platform-messaging';
import { SERVICE_CONFIG } from '@switchboard/platform-runtime';
import { type StoriesConfig } from '../stories.config';
import { StoriesErrors } from '../stories.errors';

/** Users whose contacts are remembered at most; the least recently fetched are forgotten first. */
const MAX_CACHED_USERS = 10_000;

export interface Contacts {
  /** Everyone sharing a conversation with the user (chat's answer). */
  userIds: ReadonlySet<string>;
  /** True when chat could not be reached and an older answer is served. */
  stale: boolean;
}

interface CacheEntry {
  userIds: ReadonlySet<string>;
  fetchedAt: number;
}

/**
 * A user's contacts, asked from chat (`rpc.chat.list-contacts.v1`) and cached in memory per
 * instance for `STORIES_CONTACTS_CACHE_SECONDS`. Chat unreachable (no responders, or no answer
 * within `STORIES_CONTACTS_TIMEOUT_MS`, or an error) → the last answer, however old, flagged stale; none →
 * `STORIES.CONTACTS_UNAVAILABLE`. Concurrent misses for one user share one request.
 */
@Injectable()
export class ContactsDirectory {
  private readonly log = new Logger(ContactsDirectory.name);
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<Contacts>>();

  constructor(
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: StoriesConfig,
  ) {}

  of(userId: string): Promise<Contacts> {
    const cached = this.cache.get(userId);
    if (
      cached &&
      Date.now() - cached.fetchedAt < this.config.STORIES_CONTACTS_CACHE_SECONDS * 1000
    ) {
      return Promise.resolve({ userIds: cached.userIds, stale: false });
    }
    let pending = this.inFlight.get(userId);
    if (!pending) {
      pending = this.fetch(userId).finally(() => this.inFlight.delete(userId));
      this.inFlight.set(userId, pending);
    }
    return pending;
  }

  private async fetch(userId: string): Promise<Contacts> {
    try {
      const result = await this.rpc.call(
        Chat.ListContacts,
        { userId },
        { timeoutMs: this.config.STORIES_CONTACTS_TIMEOUT_MS },
      );
      const userIds = new Set(result.userIds);
      this.cache.delete(userId);
      this.cache.set(userId, { userIds, fetchedAt: Date.now() });
      if (this.cache.size > MAX_CACHED_USERS) {
        const oldest = this.cache.keys().next();
        if (!oldest.done) this.cache.delete(oldest.value);
      }
      return { userIds, stale: false };
    } catch (error) {
      // Unreachable (UNAVAILABLE, DEADLINE_EXCEEDED) or failing: either way, chat gave no answer,
      // and a feed a few minutes old beats none.
      const cached = this.cache.get(userId);
      this.log.warn(
        `Contacts of ${userId} not loaded (${describe(error)}); ${cached ? 'serving the cached copy' : 'none cached'}`,
      );
      if (!cached) throw StoriesErrors.contactsUnavailable(error);
      return { userIds: cached.userIds, stale: true };
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof AppError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
