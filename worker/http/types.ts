import type { Business } from "../db/businesses";
import type { Db } from "../db/client";
import type { ApiKeyScope, Role } from "../db/schema";
import type { User } from "../db/users";

/** Who is calling: a dashboard user (session cookie) or an API key acting as an admin of its business. */
export type Auth = {
  business: Business;
  role: Role;
  user: User | null;
  apiKeyId: string | null;
  /** The API key's scope; null for a dashboard session. */
  apiKeyScope: ApiKeyScope | null;
};

export type AppEnv = {
  Bindings: Env;
  Variables: { db: Db; auth: Auth; sessionTokenHash: string | null };
};
