/** The closed vocabularies of the domain model (DESIGN.md §3), shared by every layer. */
export const positionRoles = ['rep', 'manager', 'sdr', 'overlay', 'director', 'executive'] as const;
export type PositionRole = (typeof positionRoles)[number];

export const stageCategories = ['open', 'won', 'lost'] as const;
export type StageCategory = (typeof stageCategories)[number];

export const forecastCategories = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;
export type ForecastCategory = (typeof forecastCategories)[number];

export const dealTypes = ['new_business', 'expansion', 'renewal'] as const;
export type DealType = (typeof dealTypes)[number];

export const activityTypes = ['call', 'email', 'meeting', 'demo', 'quote', 'follow_up', 'other'] as const;
export type ActivityType = (typeof activityTypes)[number];
