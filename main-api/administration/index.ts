// Administration: users (each a PostgreSQL login role with a scope of organisations) and who is
// signed in.
export { SessionRepository } from './session.repository';
export { addUser, disableUser, enableUser, ensureUser, listUsers, USER_ROLES, type NewUser, type UserRole, type UserSummary } from './users.service';
