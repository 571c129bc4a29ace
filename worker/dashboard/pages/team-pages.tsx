import type { ApiKey } from "../../db/api-keys";
import { ROLES } from "../../db/schema";
import type { User } from "../../db/users";
import type { T } from "../i18n";
import { DataTable } from "../components/data-table";

export function UsersPage({ t, users, fmt }: { t: T; users: User[]; fmt: (ms: number) => string }) {
  return (
    <>
      <div class="card">
        <h3>{t("invite_user")}</h3>
        <form data-api="/api/v1/users" class="row" data-reveal="temporary_password" data-reveal-label={t("temp_password")}>
          <div>
            <label>{t("name")}</label>
            <input name="name" required />
          </div>
          <div>
            <label>{t("email")}</label>
            <input name="email" type="email" required />
          </div>
          <div>
            <label>{t("role")}</label>
            <select name="role">
              {ROLES.map((r) => (
                <option value={r} selected={r === "staff"}>
                  {t(`role_${r}`)}
                </option>
              ))}
            </select>
          </div>
          <button>{t("invite_user")}</button>
          <div data-out class="out"></div>
        </form>
      </div>
      <div class="card">
        <DataTable
          headers={[t("name"), t("email"), t("role"), t("created_at"), t("actions")]}
          rows={users}
          row={(u) => (
            <tr>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>{t(`role_${u.role}`)}</td>
              <td>{fmt(u.createdAt)}</td>
              <td>
                <form data-api={`/api/v1/users/${u.id}`} data-method="DELETE" data-confirm={t("confirm_delete")}>
                  <button class="danger">{t("delete")}</button>
                  <div data-out class="out"></div>
                </form>
              </td>
            </tr>
          )}
        />
      </div>
    </>
  );
}

export function ApiKeysPage({ t, keys, fmt }: { t: T; keys: ApiKey[]; fmt: (ms: number) => string }) {
  return (
    <>
      <div class="card">
        <h3>{t("create_key")}</h3>
        <form data-api="/api/v1/api-keys" class="row" data-reveal="api_key" data-reveal-label={t("key_shown_once")}>
          <div>
            <label>{t("key_name")}</label>
            <input name="name" required maxlength={80} />
          </div>
          <div>
            <label>{t("key_scope")}</label>
            <select name="scope">
              <option value="full">{t("key_scope_full")}</option>
              <option value="read_only">{t("key_scope_read_only")}</option>
            </select>
          </div>
          <div>
            <label>{t("key_expires")}</label>
            <input name="expires_at" type="date" data-type="date" data-optional />
          </div>
          <button>{t("create_key")}</button>
          <div data-out class="out"></div>
        </form>
      </div>
      <div class="card">
        <DataTable
          headers={[t("key_name"), <>Prefix</>, t("key_scope"), t("key_expires"), t("created_at"), t("last_used"), t("actions")]}
          rows={keys}
          row={(k) => (
            <tr>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{k.scope === "read_only" ? t("key_scope_read_only") : t("key_scope_full")}</td>
              <td>{k.expiresAt ? fmt(k.expiresAt) : t("key_never")}</td>
              <td>{fmt(k.createdAt)}</td>
              <td>{k.lastUsedAt ? fmt(k.lastUsedAt) : t("never")}</td>
              <td>
                <form data-api={`/api/v1/api-keys/${k.id}`} data-method="DELETE" data-confirm={t("confirm_delete")}>
                  <button class="danger">{t("delete")}</button>
                </form>
              </td>
            </tr>
          )}
        />
      </div>
    </>
  );
}
