// Administration: users (each a PostgreSQL login role with a scope of organisations), who is
// signed in, and the owner's view of the register as a whole.
export { RegisterRepository } from './register.repository';
export { SessionRepository } from './session.repository';
export {
  addUser,
  disableUser,
  enableUser,
  ensureUser,
  listUsers,
  USER_ROLES,
  type ConnectOutcome,
  type UserSummary,
} from './users.service';
export { userDisplayName } from './user-names';
