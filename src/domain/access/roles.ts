/**
 * Roles and what each may do. The closed list of permissions is what routes declare and what API
 * tokens are narrowed to; a role's data scope (everything, or the hierarchy below the user's
 * positions) is applied where data is read, by src/app/access.
 */
export const roles = ['admin', 'comp_admin', 'finance', 'sales_manager', 'sales_rep', 'executive'] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'records:read', // sales records (people, deals, activities, quotas, scorecards) within scope
  'pay:read', // individual pay (statements, payouts) within scope
  'pay:manage', // plans, runs, adjustments, opening and closing periods
  'quotas:write', // quotas: everybody's, or a manager's team below them
  'data:import', // uploads, imports and their history
  'audit:read', // the audit trail
  'users:manage', // users, roles, set-up and reset links, other people's sessions
] as const;
export type Permission = (typeof permissions)[number];

export const roleLabels: Record<Role, string> = {
  admin: 'Administrator',
  comp_admin: 'Compensation admin',
  finance: 'Finance',
  sales_manager: 'Sales manager',
  sales_rep: 'Sales rep',
  executive: 'Executive',
};

const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: permissions,
  comp_admin: ['records:read', 'pay:read', 'pay:manage', 'quotas:write', 'data:import'],
  finance: ['records:read', 'pay:read', 'audit:read'],
  sales_manager: ['records:read', 'pay:read', 'quotas:write'],
  sales_rep: ['records:read', 'pay:read'],
  executive: ['records:read'],
};

/** Whether a role's data scope is the whole organisation or the hierarchy below the user. */
export function roleScope(role: Role): 'all' | 'hierarchy' {
  return role === 'sales_manager' || role === 'sales_rep' ? 'hierarchy' : 'all';
}

/** A user's permissions: the role's, plus individual pay for an executive granted it. */
export function permissionsOf(user: { role: Role; canViewPay: boolean }): Permission[] {
  const granted = new Set<Permission>(rolePermissions[user.role]);
  if (user.role === 'executive' && user.canViewPay) granted.add('pay:read');
  return permissions.filter((p) => granted.has(p));
}

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function isPermission(value: string): value is Permission {
  return (permissions as readonly string[]).includes(value);
}
