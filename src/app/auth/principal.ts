import { isPermission, permissionsOf, type Permission, type Role } from '../../domain/access/roles.ts';
import { AppError } from '../../domain/errors.ts';
import type { Actor } from '../audit/audit-log.ts';

/** The signed-in caller of a request: a user through a browser session or an API token. */
export type Principal = {
  userId: number;
  email: string;
  name: string;
  role: Role;
  personId: number | null;
  /** What this caller may do: the role's permissions, narrowed to the token's for a token. */
  permissions: readonly Permission[];
  via: { kind: 'session'; sessionId: number; csrfToken: string } | { kind: 'token'; tokenId: number };
};

export type UserRow = {
  id: number;
  email: string;
  name: string;
  role: Role;
  person_id: number | null;
  can_view_pay: boolean;
};

export function principalOf(
  user: UserRow,
  via: Principal['via'],
  tokenPermissions?: readonly string[],
): Principal {
  const own = permissionsOf({ role: user.role, canViewPay: user.can_view_pay });
  // A token never has more than its user has now: a demoted user's tokens shrink with them.
  const permissions = tokenPermissions
    ? own.filter((p) => tokenPermissions.filter(isPermission).includes(p))
    : own;
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    personId: user.person_id,
    permissions,
    via,
  };
}

export function actorOf(principal: Principal, ip: string | null): Actor {
  return {
    userId: principal.userId,
    label: principal.via.kind === 'token' ? `${principal.email} (API token)` : principal.email,
    sessionId: principal.via.kind === 'session' ? principal.via.sessionId : null,
    tokenId: principal.via.kind === 'token' ? principal.via.tokenId : null,
    ip,
  };
}

export function hasPermission(principal: Principal, permission: Permission): boolean {
  return principal.permissions.includes(permission);
}

export function requirePermission(principal: Principal, permission: Permission): void {
  if (!hasPermission(principal, permission))
    throw new AppError(
      'forbidden',
      `Your role (${principal.role}) does not allow this (needs ${permission}).`,
    );
}
